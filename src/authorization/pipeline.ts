/**
 * The request pipeline: a request runs through the steps its route names, in order, like jPOS
 * participants. A step refuses by setting an outcome; after a refusal only steps marked final
 * (the response) still run. Which steps run for which MTI is data (routes.ts), so later rules
 * plug in as new steps without touching the server.
 */
import { type RequestContext, isRefused, refuse } from './context.js';
import type { Route } from './routes.js';
import type { IsoMessage } from '../codec/index.js';
import { RegisterUnavailableError } from '../redis/errors.js';

export interface Step {
  readonly name: string;
  /** Runs even after a refusal (the response). */
  readonly final?: boolean;
  run(ctx: RequestContext): void | Promise<void>;
}

export class Pipeline {
  private readonly steps = new Map<string, Step>();

  constructor(
    steps: Step[],
    private readonly routes: Record<string, Route>,
    private readonly fallback: Route,
  ) {
    for (const step of steps) this.steps.set(step.name, step);
    const all = [...Object.values(routes), fallback];
    for (const route of [...all, ...all.flatMap((r) => (r.otherwise ? [r.otherwise.route] : []))]) {
      for (const name of route.steps)
        if (!this.steps.has(name)) throw new Error(`route names an unknown step "${name}"`);
    }
  }

  /**
   * The route of an MTI, or the fallback (unknown MTI -> invalid transaction); a route whose
   * `otherwise` field the request lacks gives way to that route.
   */
  route(mti: string, request: IsoMessage): Route {
    const route = this.routes[mti] ?? this.fallback;
    const other = route.otherwise;
    return other !== undefined && request[other.absent] === undefined ? other.route : route;
  }

  async run(ctx: RequestContext): Promise<void> {
    for (const name of ctx.route.steps) {
      const step = this.steps.get(name)!;
      if (isRefused(ctx) && !step.final) continue;
      try {
        // Most steps are synchronous: awaiting only a promise spares each of them a microtask turn.
        const pending = step.run(ctx);
        if (pending !== undefined) await pending;
      } catch (e) {
        if (step.final) throw e;
        this.fail(ctx, step, e);
      }
    }
  }

  private fail(ctx: RequestContext, step: Step, e: unknown): void {
    if (e instanceof RegisterUnavailableError) {
      refuse(ctx, 'registerUnavailable', `${step.name}: ${e.message}`);
      return;
    }
    ctx.log.error({ err: e, step: step.name }, 'pipeline step failed');
    refuse(ctx, 'systemMalfunction', `${step.name} failed`);
  }
}
