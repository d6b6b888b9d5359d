/**
 * Runs a scenario (docs/SCENARIOS.md) against a running switch: sets it up (setup.ts: fresh
 * cards through the issuer API, the scenario's terminals), then does each step: its action
 * (act.ts) with its fault rule around it when it asks for one (faults.ts), and checks what came
 * back (check.ts): the answer (a terminal's, or the admin API's to an issuer action or a block
 * service report), and through the admin API the postings and issuer notices the step caused
 * (activity.ts) and the cards' state. Every step is run and reported (describe.ts), also after a
 * failed one.
 */
import type { LengthHeader } from '../../src/transport/framing.js';
import type { LinkTls } from '../link.js';
import { describeExchange } from '../index.js';
import { act } from './act.js';
import type { Activity } from './admin-client.js';
import { ActivityReader, noticeCardOf } from './activity.js';
import { check } from './check.js';
import { type Observed, RunContext } from './context.js';
import { describeStep, gotOf } from './describe.js';
import { withFault } from './faults.js';
import { type Scenario, ScenarioError, type ScenarioFile, loadScenario } from './scenario.js';
import { setUp } from './setup.js';
import { type Step, usesTerminal } from './steps.js';
import { messageOf, substitute } from './values.js';

export { concreteMti, freshPan, kroner, mtiMatches, ore, substitute, wrongPin } from './values.js';
export { oneToOne } from './check.js';

export interface RunOptions {
  /** The switch's ISO 8583 listener; default 127.0.0.1. */
  host?: string;
  /** Its port, speaking `dialect`. */
  port: number;
  /** Dialect of that port (and of terminals that name none); default iso93ascii. */
  dialect?: string;
  /** Its length header; default the terminal's own default for the dialect. */
  header?: LengthHeader;
  /** Ports of listeners speaking other dialects, for terminals that name one. */
  listeners?: Record<string, number>;
  /**
   * TLS to the listeners (docs/SECURITY.md §5): the CA of the switch's certificate, and a client
   * certificate if any (its CN must then be every terminal's id: a scenario with several terminals
   * needs a listener whose client certificates are optional). Absent: plain TCP.
   */
  tls?: LinkTls;
  /** The admin API, e.g. http://127.0.0.1:8080. */
  admin: string;
  /** An issuer's token: cards are registered for that issuer. */
  issuerToken?: string | undefined;
  /** A terminal vendor's token: fault rules and terminal activity (postings, notices). */
  vendorToken?: string | undefined;
  /** The block service's token: cardholders' reports (report steps). */
  blockServiceToken?: string | undefined;
  /** The offline terminals' token: the offline block list (fetchBlockList steps). */
  offlineTerminalsToken?: string | undefined;
  /** How long a step waits for postings and notices it expects to appear; default 1000 ms. */
  settleMs?: number;
  /** Called after each step (progress). */
  onStep?: (result: StepResult, scenario: ScenarioResult) => void;
}

export interface StepResult {
  /** 1-based. */
  index: number;
  name: string;
  /** What the step did, readable (masked PANs only). */
  did: string;
  /** What came back, readable. */
  got: string;
  passed: boolean;
  failures: string[];
  /** The step's exchanges with the switch, described (card data masked, PIN block hidden). */
  exchanges: string[];
  durationMs: number;
}

export interface ScenarioResult {
  file: string;
  name: string;
  rule: string;
  source?: string;
  /** The cards registered, readable: name, masked PAN, state. */
  cards: string[];
  /** Setup could not be done (a card not registered, a terminal not connected): no step ran. */
  setupError?: string;
  steps: StepResult[];
  passed: boolean;
  startedAt: Date;
  durationMs: number;
}

/**
 * Preflight: what the options must give for this scenario; every problem at once. It reads only
 * what a file and a parsed scenario share (a parsed step keeps its action's key), so takes either.
 */
export function runProblems(s: ScenarioFile, o: RunOptions): string[] {
  const problems: string[] = [];
  const registered = Object.values(s.cards ?? {}).some((c) => c.status !== 'notRegistered');
  const issuerNeeded = registered || s.steps.some((st) => st.admin !== undefined || st.expect?.cardState !== undefined);
  if (issuerNeeded && o.issuerToken === undefined)
    problems.push('needs an issuer token (--issuer-token): it registers cards through the issuer API');
  // The notices of an issuer action or a report are read from the issuer's feed, with the issuer
  // token that registered the card (a card never registered has none); a terminal's, from its activity.
  const apiStep = (st: ScenarioFile['steps'][number]): boolean => st.admin !== undefined || st.report !== undefined;
  const vendorAt = s.steps.findIndex(
    (st) =>
      st.fault !== undefined || st.expect?.postings !== undefined || (st.expect?.notices !== undefined && !apiStep(st)),
  );
  if (vendorAt >= 0 && o.vendorToken === undefined)
    problems.push(
      `needs a vendor token (--vendor-token): /steps/${vendorAt} sets a fault rule or checks postings or notices`,
    );
  const reportAt = s.steps.findIndex((st) => st.report !== undefined);
  if (reportAt >= 0 && o.blockServiceToken === undefined)
    problems.push(
      `needs a block service token (--block-service-token): /steps/${reportAt} reports a card at the block service`,
    );
  const fetchAt = s.steps.findIndex((st) => st.fetchBlockList !== undefined);
  if (fetchAt >= 0 && o.offlineTerminalsToken === undefined)
    problems.push(
      `needs an offline terminals token (--offline-terminals-token): /steps/${fetchAt} fetches the offline block list`,
    );
  const base = o.dialect ?? 'iso93ascii';
  for (const [name, t] of Object.entries(s.terminals)) {
    const d = t.dialect ?? base;
    if (d !== base && o.listeners?.[d] === undefined)
      problems.push(`/terminals/${name}/dialect: no listener speaking ${d} was given (--listener ${d}=PORT)`);
  }
  return problems;
}

/**
 * Runs one scenario file (or an already loaded scenario). Throws ScenarioError when the file is
 * not a valid scenario or the options lack what it needs (nothing is run then); otherwise
 * resolves with every step's result, whatever happened.
 */
export async function runScenario(
  file: string | { file: string; scenario: Scenario },
  o: RunOptions,
): Promise<ScenarioResult> {
  const { file: name, scenario } = typeof file === 'string' ? { file, scenario: loadScenario(file) } : file;
  const problems = runProblems(scenario, o);
  if (problems.length > 0) throw new ScenarioError(name, problems);
  return new ScenarioRun(name, scenario, o).run();
}

/** What a step did and saw so far: what a failure leaves of it is still reported. */
interface StepState {
  did: string;
  got: string;
  failures: string[];
  observed?: Observed;
  activity?: Activity;
}

class ScenarioRun {
  private readonly ctx: RunContext;
  /** Postings and notices: a terminal's through the vendor API, an issuer action's or a report's through the issuer API. */
  private readonly activity: ActivityReader;
  private readonly vars = new Map<string, string | undefined>();
  private readonly result: ScenarioResult;

  constructor(
    file: string,
    private readonly s: Scenario,
    private readonly o: RunOptions,
  ) {
    this.ctx = new RunContext(s, o);
    this.activity = new ActivityReader(this.ctx, o.settleMs ?? 1000);
    this.result = {
      file,
      name: s.name,
      rule: s.rule,
      cards: [],
      steps: [],
      passed: false,
      startedAt: new Date(),
      durationMs: 0,
    };
    if (s.source !== undefined) this.result.source = s.source;
  }

  async run(): Promise<ScenarioResult> {
    const started = Date.now();
    try {
      try {
        await setUp(this.ctx, this.result.cards);
        await this.activity.afterSetup();
      } catch (e) {
        this.result.setupError = messageOf(e);
        return this.result;
      }
      for (const [i, step] of this.s.steps.entries()) {
        const r = await this.step(step, i);
        this.result.steps.push(r);
        this.o.onStep?.(r, this.result);
      }
      this.result.passed = this.result.steps.every((r) => r.passed);
      return this.result;
    } finally {
      await this.ctx.close();
      this.result.durationMs = Date.now() - started;
    }
  }

  private async step(step: Step, i: number): Promise<StepResult> {
    const started = Date.now();
    const s: StepState = { did: step.action, got: '', failures: [] };
    try {
      await this.doAndCheck(step, started, s);
    } catch (e) {
      s.failures.push(messageOf(e));
      await this.afterFailure(step, started, s);
    }
    const dialect = s.observed?.terminal?.dialect;
    return {
      index: i + 1,
      name: step.name,
      did: s.did,
      got: s.got,
      passed: s.failures.length === 0,
      failures: s.failures,
      exchanges: dialect === undefined ? [] : s.observed!.exchanges.map((e) => describeExchange(e, dialect)),
      durationMs: Date.now() - started,
    };
  }

  /** Does the step, keeps what it produced and checks its expectations, noting each in `s` as it goes. */
  private async doAndCheck(step: Step, started: number, s: StepState): Promise<void> {
    const { expect, save, ...doing } = step;
    const resolved = substitute(doing, this.vars);
    const terminal = usesTerminal(resolved) ? this.ctx.terminalOf(resolved) : undefined;
    s.did = describeStep(resolved, terminal, this.ctx);
    const observed = await withFault(resolved, terminal, this.ctx, s.failures, () => act(resolved, this.ctx));
    s.observed = observed;
    s.got = gotOf(observed);
    // What the step did is kept whatever its checks say: later steps may use it.
    for (const [name, what] of Object.entries(save ?? {})) this.vars.set(name, observed[what]);
    this.ctx.observed.set(step.name, observed);
    const expected = expect === undefined ? undefined : substitute(expect, this.withOwn(observed));
    s.activity = await this.activity.since(started, expected, noticeCardOf(step));
    s.failures.push(...(await check(expected ?? {}, observed, s.activity, this.ctx)));
  }

  private async afterFailure(step: Step, started: number, s: StepState): Promise<void> {
    // A step that did nothing produced no values: a later step using them fails, saying so.
    if (s.observed === undefined) for (const name of Object.keys(step.save ?? {})) this.vars.set(name, undefined);
    // What the failed step caused is its own: not to be taken for the next step's.
    if (s.activity === undefined)
      await this.activity.since(started, undefined, noticeCardOf(step)).catch(() => undefined);
  }

  /** The variables for a step's expectations: those saved, and this.* of its own transaction. */
  private withOwn(o: Observed): Map<string, string | undefined> {
    const vars = new Map(this.vars);
    for (const k of ['stan', 'localTime', 'txn', 'approvalCode', 'actionCode', 'reference', 'series'] as const)
      vars.set(`this.${k}`, o[k]);
    return vars;
  }
}
