/**
 * The request pipeline: a request runs through the steps its route names, in order, like jPOS
 * participants. A step refuses by setting an outcome; after a refusal only steps marked final
 * (the response) still run. Which steps run for which MTI is data (routes.ts), so later rules
 * plug in as new steps without touching the server.
 */
import { type RequestContext, isRefused, refuse } from './context.js';
import type { Route } from './routes.js';
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
    for (const route of [...Object.values(routes), fallback]) {
      for (const name of route.steps)
        if (!this.steps.has(name)) throw new Error(`route names an unknown step "${name}"`);
    }
  }

  /** The route of an MTI, or the fallback (unknown MTI -> invalid transaction). */
  route(mti: string): Route {
    return this.routes[mti] ?? this.fallback;
  }

  async run(ctx: RequestContext): Promise<void> {
    for (const name of ctx.route.steps) {
      const step = this.steps.get(name)!;
      if (isRefused(ctx) && !step.final) continue;
      try {
        await step.run(ctx);
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
