/**
 * Runs a scenario (docs/SCENARIOS.md) against a running switch: registers fresh cards through the
 * issuer API (a new Luhn-valid PAN each run, so runs repeat), opens the scenario's terminals,
 * then does each step (a fault rule first when it asks for one), and checks what came back: the
 * answer, and through the admin API the postings and issuer notices the step caused and the
 * cards' state. Every step is run and reported, also after a failed one.
 *
 * A step's postings and notices are those that appear, for this run's cards, on the scenario's
 * terminals' activity (GET /terminals/:id/activity) and were not seen after an earlier step.
 */
import { randomInt } from 'node:crypto';
import type { Dialect } from '../../src/codec/index.js';
import { maskPan } from '../../src/codec/mask.js';
import { ACTION_CODES, type Outcome as ActionOutcome, codeSetOf } from '../../src/messages/action-codes.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';
import type { LengthHeader } from '../../src/transport/framing.js';
import { type Exchange, type Outcome, Terminal, type TerminalOptions, describeExchange, meaningOf } from '../index.js';
import { type Activity, type ActivityNotice, type ActivityPosting, AdminClient, AdminError, type CardStateAnswer, reasonOf } from './admin-client.js';
import { resend, retransmission } from './resend.js';
import {
  type AdminAction,
  type Expectations,
  type FaultSpec,
  type NoticeExpectation,
  type PostingExpectation,
  type Scenario,
  type ScenarioCard,
  type ScenarioTerminal,
  type Step,
  ScenarioError,
  TERMINAL_ACTIONS,
  actionOf,
  loadScenario,
} from './scenario.js';

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
  /** The admin API, e.g. http://127.0.0.1:8080. */
  admin: string;
  /** An issuer's token: cards are registered for that issuer. */
  issuerToken?: string | undefined;
  /** A terminal vendor's token: fault rules and terminal activity (postings, notices). */
  vendorToken?: string | undefined;
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

/** A card of this run. */
interface RunCard {
  name: string;
  pan: string;
  pin: string;
  activationCode: string;
  /** Card id; absent for a card never registered. */
  id?: string;
  maskedPan: string;
}

interface RunTerminal {
  name: string;
  spec: ScenarioTerminal;
  /** Field 41 without padding, as postings and notices name it. */
  id: string;
  terminal: Terminal;
  host: string;
  port: number;
  header: LengthHeader;
  dialect: Dialect;
  timeoutMs: number;
}

/** What a step observed. */
interface Observed {
  terminal?: RunTerminal;
  exchanges: Exchange[];
  actionCode?: string;
  approvalCode?: string;
  approved?: boolean;
  timedOut?: boolean;
  reversalStored?: boolean;
  stan?: string;
  localTime?: string;
  txn?: string;
  pendingReversals?: number;
  /** Admin steps: the HTTP status and reason. */
  status?: number;
  reason?: string;
}

const DEFAULT_PIN = '1234';
const DEFAULT_BALANCE = '10000.00';
const DEFAULT_EXPIRY = '3012';
const SETUP_TERMINAL = 'SCENARIO';
/** Activity is read from a little before each step began: the switch's clock may differ a little from ours. */
const CLOCK_SLACK_MS = 10_000;
const POLL_MS = 50;

/** "125.50" DKK as øre. */
export function ore(dkk: string): number {
  const [whole, frac = ''] = dkk.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** øre as "125.50 DKK". */
export function kroner(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const a = Math.abs(amount);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')} DKK`;
}

/** A fresh 16-digit PAN with a valid check digit: 5019 and 11 random digits. */
export function freshPan(): string {
  let body = '5019';
  while (body.length < 15) body += String(randomInt(0, 10));
  return body + String(luhnCheckDigit(body));
}

/** The card's PIN with its last digit moved up by one (1234 -> 1235, 0629 -> 0620). */
export function wrongPin(pin: string): string {
  return pin.slice(0, -1) + String((Number(pin.slice(-1)) + 1) % 10);
}

/** Network management in 1987 dialects: 0800 / 0810 where 1993 has 1804 / 1814. */
const NETWORK_87: Record<string, string> = { '804': '800', '814': '810' };

/**
 * The MTI a scenario means in the dialect's version: x200 is 1200 in a 1993 dialect and 0200 in
 * a 1987 one; x804 (x814) is the network management request (answer) of either: 1804 or 0800.
 * An MTI without x is meant as written.
 */
export function concreteMti(mti: string, dialect: Dialect): string {
  if (mti[0] !== 'x') return mti;
  const rest = mti.slice(1);
  return codeSetOf(dialect) === 'iso87' ? `0${NETWORK_87[rest] ?? rest}` : `1${rest}`;
}

/** Whether a message's MTI is the one the scenario means. */
export function mtiMatches(expected: string, actual: unknown, dialect: Dialect): boolean {
  return concreteMti(expected, dialect) === String(actual);
}

/** `${name}` replaced in every string of the value; a name without a value throws. */
export function substitute<T>(value: T, vars: ReadonlyMap<string, string | undefined>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      const v = vars.get(name);
      if (v === undefined) throw new StepFailure(`\${${name}} has no value${vars.has(name) ? ' (the step that saves it did not produce it)' : ''}`);
      return v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, vars)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}

/** A step cannot go on: the reason is its failure. */
class StepFailure extends Error {}

/** Preflight: what the options must give for this scenario; every problem at once. */
export function runProblems(s: Scenario, o: RunOptions): string[] {
  const problems: string[] = [];
  const registered = Object.values(s.cards ?? {}).some((c) => c.status !== 'notRegistered');
  const issuerNeeded = registered || s.steps.some((st) => st.admin !== undefined || st.expect?.cardState !== undefined);
  if (issuerNeeded && o.issuerToken === undefined) problems.push('needs an issuer token (--issuer-token): it registers cards through the issuer API');
  const vendorAt = s.steps.findIndex((st) => st.fault !== undefined || st.expect?.postings !== undefined || st.expect?.notices !== undefined);
  if (vendorAt >= 0 && o.vendorToken === undefined) problems.push(`needs a vendor token (--vendor-token): /steps/${vendorAt} sets a fault rule or checks postings or notices`);
  const base = o.dialect ?? 'iso93ascii';
  for (const [name, t] of Object.entries(s.terminals)) {
    const d = t.dialect ?? base;
    if (d !== base && o.listeners?.[d] === undefined) problems.push(`/terminals/${name}/dialect: no listener speaking ${d} was given (--listener ${d}=PORT)`);
  }
  return problems;
}

/**
 * Runs one scenario file (or an already loaded scenario). Throws ScenarioError when the file is
 * not a valid scenario or the options lack what it needs (nothing is run then); otherwise
 * resolves with every step's result, whatever happened.
 */
export async function runScenario(file: string | { file: string; scenario: Scenario }, o: RunOptions): Promise<ScenarioResult> {
  const { file: name, scenario } = typeof file === 'string' ? { file, scenario: loadScenario(file) } : file;
  const problems = runProblems(scenario, o);
  if (problems.length > 0) throw new ScenarioError(name, problems);
  return new ScenarioRun(name, scenario, o).run();
}

class ScenarioRun {
  private readonly admin: AdminClient;
  private readonly cards = new Map<string, RunCard>();
  private readonly terminals = new Map<string, RunTerminal>();
  private readonly setupTerminals: Terminal[] = [];
  private readonly vars = new Map<string, string | undefined>();
  private readonly observed = new Map<string, Observed>();
  private readonly seenPostings = new Set<string>();
  private readonly seenNotices = new Set<string>();
  private readonly result: ScenarioResult;
  private readonly settleMs: number;
  private readonly baseDialect: string;

  constructor(
    file: string,
    private readonly s: Scenario,
    private readonly o: RunOptions,
  ) {
    this.admin = new AdminClient(o.admin, { issuer: o.issuerToken, vendor: o.vendorToken });
    this.settleMs = o.settleMs ?? 1000;
    this.baseDialect = o.dialect ?? 'iso93ascii';
    this.result = { file, name: s.name, rule: s.rule, cards: [], steps: [], passed: false, startedAt: new Date(), durationMs: 0 };
    if (s.source !== undefined) this.result.source = s.source;
  }

  async run(): Promise<ScenarioResult> {
    const started = Date.now();
    try {
      try {
        await this.setUp();
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
      for (const t of [...this.terminals.values()].map((r) => r.terminal).concat(this.setupTerminals)) await t.close();
      this.result.durationMs = Date.now() - started;
    }
  }

  // --- setup ---------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    for (const [name, c] of Object.entries(this.s.cards ?? {})) {
      const card = await this.register(name, c);
      this.cards.set(name, card);
      this.result.cards.push(`${name} ${card.maskedPan}: ${cardSummary(c)}`);
    }
    for (const [name, spec] of Object.entries(this.s.terminals)) {
      const d = spec.dialect ?? this.baseDialect;
      const own = d === this.baseDialect;
      const port = own ? this.o.port : this.o.listeners![d]!;
      const options: TerminalOptions = { kind: spec.kind, terminalId: spec.terminalId, host: this.o.host ?? '127.0.0.1', port, dialect: d };
      const header = spec.header ?? (own ? this.o.header : undefined);
      if (header !== undefined) options.header = header;
      if (spec.answerTimeoutMs !== undefined) options.answerTimeoutMs = spec.answerTimeoutMs;
      if (spec.pinKey !== undefined) options.pinKey = { format: 0, key: Buffer.from(spec.pinKey, 'hex') };
      if (spec.merchant !== undefined) options.merchant = spec.merchant;
      if (spec.stan !== undefined) options.stan = spec.stan;
      const terminal = await Terminal.open(options);
      this.terminals.set(name, {
        name,
        spec,
        id: spec.terminalId,
        terminal,
        host: options.host!,
        port,
        header: header ?? (d === 'iso87ascii' ? 'ascii4' : 'binary2'),
        dialect: terminal.dialect,
        timeoutMs: spec.answerTimeoutMs ?? 5000,
      });
    }
  }

  /** Registers a fresh card in the state asked for (or only makes up a PAN, for a card never registered). */
  private async register(name: string, c: ScenarioCard): Promise<RunCard> {
    const pin = c.pin ?? DEFAULT_PIN;
    if (c.status === 'notRegistered') {
      const pan = freshPan();
      return { name, pan, pin, maskedPan: maskPan(pan), activationCode: '' };
    }
    let answer;
    let pan;
    const activationCode = c.activationCode ?? String(randomInt(0, 10_000)).padStart(4, '0');
    // A fresh random PAN is taken only by a one-in-ten-billion chance: try another then.
    for (let attempt = 0; ; attempt++) {
      pan = freshPan();
      answer = await this.admin.call('POST', '/cards', 'issuer', {
        pan,
        product: c.product ?? 'dankort',
        expiry: c.expiry ?? DEFAULT_EXPIRY,
        pin,
        activationCode,
        account: String(randomInt(1_000_000_000, 10_000_000_000)),
        balance: ore(c.balance ?? DEFAULT_BALANCE),
        currency: '208',
        status: c.status === 'registered' ? 'registered' : 'active',
      });
      if (answer.status !== 409 || attempt >= 3) break;
    }
    if (answer.status !== 201) throw new AdminError(`card ${name}: POST /cards: ${answer.status} ${reasonOf(answer)}`);
    const card: RunCard = { name, pan, pin, activationCode, id: String(answer.body.card), maskedPan: String(answer.body.maskedPan) };
    if (c.status === 'deleted') await this.admin.must('DELETE', `/cards/${card.id}`, 'issuer');
    if (c.block !== undefined) await this.admin.must('POST', `/cards/${card.id}/block`, 'issuer', { reason: c.block, ...(c.blockStatement === undefined ? {} : { statement: c.blockStatement }) });
    if (c.wrongPins !== undefined) {
      const t = await this.setupTerminal('chip');
      for (let i = 1; i <= c.wrongPins; i++) {
        const o = await t.purchase({ pan, amount: 100, pin: wrongPin(pin) });
        const want: ActionOutcome = i < 3 ? 'wrongPin' : 'pinTriesExceeded';
        if (o.actionCode !== ACTION_CODES[want][codeSetOf(t.dialect)]) throw new StepFailure(`card ${name}: wrong PIN ${i} was answered ${o.actionCode ?? 'not at all'}, not ${want}`);
      }
    }
    if (c.contactless !== undefined) {
      const t = await this.setupTerminal('contactless');
      for (let i = 1; i <= c.contactless.payments; i++) {
        const o = await t.purchase({ pan, amount: ore(c.contactless.amount) });
        if (!o.approved) throw new StepFailure(`card ${name}: contactless payment ${i} was answered ${o.actionCode ?? 'not at all'}, not approved`);
      }
    }
    return card;
  }

  /** The terminal that makes cards' history (wrong PINs, contactless payments): not one of the scenario's. */
  private async setupTerminal(kind: 'chip' | 'contactless'): Promise<Terminal> {
    const setup = this.s.setupTerminal ?? {};
    const options: TerminalOptions = { kind, terminalId: setup.terminalId ?? SETUP_TERMINAL, host: this.o.host ?? '127.0.0.1', port: this.o.port, dialect: this.baseDialect };
    if (this.o.header !== undefined) options.header = this.o.header;
    if (setup.pinKey !== undefined) options.pinKey = { format: 0, key: Buffer.from(setup.pinKey, 'hex') };
    const t = await Terminal.open(options);
    this.setupTerminals.push(t);
    return t;
  }

  // --- one step ------------------------------------------------------------------------------

  private async step(step: Step, i: number): Promise<StepResult> {
    const started = Date.now();
    const action = actionOf(step);
    const failures: string[] = [];
    let did: string = action;
    let got = '';
    let observed: Observed | undefined;
    let activity: Activity | undefined;
    try {
      const { expect: _e, save: _s, ...doing } = step;
      const resolved = substitute(doing, this.vars);
      const terminal = TERMINAL_ACTIONS.has(action) ? this.terminalOf(step) : undefined;
      did = this.describeAction(resolved, terminal);
      const fault = resolved.fault === undefined ? undefined : await this.installFault(resolved.fault, resolved, terminal!);
      try {
        observed = await this.act(resolved, terminal);
      } finally {
        if (fault !== undefined) {
          const left = await this.removeFault(fault);
          if (left !== undefined) failures.push(left);
        }
      }
      got = gotOf(observed);
      // What the step did is kept whatever its checks say: later steps may use it.
      for (const [name, what] of Object.entries(step.save ?? {})) this.vars.set(name, observed[what]);
      this.observed.set(step.name, observed);
      const expect = step.expect === undefined ? undefined : substitute(step.expect, this.withOwn(observed));
      if (this.o.vendorToken !== undefined) activity = await this.activitySince(started, expect);
      failures.push(...(await this.check(expect ?? {}, observed, activity ?? { postings: [], notices: [] })));
    } catch (e) {
      failures.push(messageOf(e));
      // A step that did nothing produced no values: a later step using them fails, saying so.
      if (observed === undefined) for (const name of Object.keys(step.save ?? {})) this.vars.set(name, undefined);
      // What the failed step caused is its own: not to be taken for the next step's.
      if (this.o.vendorToken !== undefined && activity === undefined) await this.activitySince(started, undefined).catch(() => undefined);
    }
    const dialect = observed?.terminal?.dialect;
    return {
      index: i + 1,
      name: step.name,
      did,
      got,
      passed: failures.length === 0,
      failures,
      exchanges: dialect === undefined ? [] : observed!.exchanges.map((e) => describeExchange(e, dialect)),
      durationMs: Date.now() - started,
    };
  }

  /** The step's terminal: named, or the only one; a retransmission's is its original's. */
  private terminalOf(step: Step): RunTerminal {
    if (step.retransmit !== undefined) {
      const t = this.observed.get(step.retransmit.step)?.terminal;
      if (t === undefined) throw new StepFailure(`step ${JSON.stringify(step.retransmit.step)} did not run: nothing to retransmit`);
      return t;
    }
    return step.terminal === undefined ? [...this.terminals.values()][0]! : this.terminals.get(step.terminal)!;
  }

  private card(name: string): RunCard {
    return this.cards.get(name)!;
  }

  private pinOf(card: RunCard, entry: string | undefined): string | undefined {
    if (entry === undefined) return undefined;
    if (entry === 'right') return card.pin;
    if (entry === 'wrong') return wrongPin(card.pin);
    return entry;
  }

  /** The variables for a step's expectations: those saved, and this.* of its own transaction. */
  private withOwn(o: Observed): Map<string, string | undefined> {
    const vars = new Map(this.vars);
    for (const k of ['stan', 'localTime', 'txn', 'approvalCode', 'actionCode'] as const) vars.set(`this.${k}`, o[k]);
    return vars;
  }

  private async act(step: Step, t: RunTerminal | undefined): Promise<Observed> {
    if (step.wait !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, step.wait));
      return { exchanges: [] };
    }
    if (step.admin !== undefined) return this.adminAction(step.admin);
    const term = t!.terminal;
    if (step.sendPendingReversals !== undefined) {
      const exchanges = await term.sendPendingReversals();
      const last = exchanges.at(-1);
      const o: Observed = { terminal: t!, exchanges, timedOut: exchanges.some((e) => e.timedOut), pendingReversals: term.pendingReversals };
      if (last?.response?.[39] !== undefined) o.actionCode = String(last.response[39]);
      o.approved = exchanges.every((e) => e.response?.[39] === ACTION_CODES.reversalAccepted[codeSetOf(term.dialect)]);
      return o;
    }
    if (step.retransmit !== undefined) return this.retransmit(step, t!);
    let outcome: Outcome;
    if (step.purchase !== undefined) {
      const p = step.purchase;
      const card = this.card(p.card);
      const pin = this.pinOf(card, p.pin);
      outcome = await term.purchase({
        pan: card.pan,
        amount: ore(p.amount),
        ...(pin === undefined ? {} : { pin }),
        ...(p.magstripe === undefined ? {} : { magstripe: p.magstripe }),
        ...(p.rejectSignature === undefined ? {} : { rejectSignature: p.rejectSignature }),
        ...(p.expiry === undefined ? {} : { expiry: p.expiry }),
      });
    } else if (step.refund !== undefined) {
      const r = step.refund;
      const card = this.card(r.card);
      const pin = this.pinOf(card, r.pin);
      outcome = await term.refund({ pan: card.pan, amount: ore(r.amount), ...(pin === undefined ? {} : { pin }), ...(r.expiry === undefined ? {} : { expiry: r.expiry }) });
    } else if (step.fuel !== undefined) {
      const f = step.fuel;
      const card = this.card(f.card);
      outcome = await term.fuel({ pan: card.pan, pin: this.pinOf(card, f.pin)!, maximum: ore(f.maximum), pumped: ore(f.pumped) });
    } else {
      outcome = step.signOn !== undefined ? await term.signOn() : await term.echo();
    }
    const o: Observed = {
      terminal: t!,
      exchanges: outcome.exchanges,
      approved: outcome.approved,
      timedOut: outcome.timedOut,
      reversalStored: outcome.reversalStored,
      stan: outcome.stan,
      localTime: outcome.localTime,
      pendingReversals: term.pendingReversals,
    };
    if (outcome.actionCode !== undefined) o.actionCode = outcome.actionCode;
    if (outcome.approvalCode !== undefined) o.approvalCode = outcome.approvalCode;
    if (step.signOn === undefined && step.echo === undefined) o.txn = `${t!.id}-${outcome.localTime}-${outcome.stan}`;
    return o;
  }

  private async retransmit(step: Step, t: RunTerminal): Promise<Observed> {
    const r = step.retransmit!;
    const original = this.observed.get(r.step)!;
    const candidates = original.exchanges.filter((e) => r.request === undefined || mtiMatches(r.request, e.request[0], t.dialect));
    const first = candidates.at(-1);
    if (first === undefined) throw new StepFailure(`step ${JSON.stringify(r.step)} sent no ${r.request ?? 'request'}`);
    const request = retransmission(first.request, r, new Date());
    const e = await resend({ host: t.host, port: t.port, dialect: t.dialect, header: t.header, timeoutMs: t.timeoutMs }, request, new Date());
    const code = e.response?.[39] === undefined ? undefined : String(e.response[39]);
    const approved = code === ACTION_CODES.approved[codeSetOf(t.dialect)];
    const o: Observed = { terminal: t, exchanges: [e], approved, timedOut: e.timedOut, reversalStored: false, stan: String(request[11]), pendingReversals: t.terminal.pendingReversals };
    if (code !== undefined) o.actionCode = code;
    if (approved && e.response?.[38] !== undefined) o.approvalCode = String(e.response[38]);
    // The request's own transaction id: terminal, local time (1987: the year is the original's) and STAN.
    const local = codeSetOf(t.dialect) === 'iso87' ? `${original.localTime?.slice(0, 2) ?? String(new Date().getFullYear()).slice(2)}${String(request[13])}${String(request[12])}` : String(request[12]);
    o.localTime = local;
    o.txn = `${t.id}-${local}-${String(request[11])}`;
    return o;
  }

  private async adminAction(a: AdminAction): Promise<Observed> {
    const card = this.card(a.card);
    const id = card.id!;
    const calls: Record<AdminAction['action'], () => [string, string, unknown?]> = {
      block: () => ['POST', `/cards/${id}/block`, { reason: a.reason, ...(a.statement === undefined ? {} : { statement: a.statement }) }],
      unblock: () => ['DELETE', `/cards/${id}/block`],
      liftPinBlock: () => ['DELETE', `/cards/${id}/pin-block`],
      // Self-service activation: the card number and the activation code the card was registered with.
      activate: () => ['POST', '/cards/activate', { pan: card.pan, activationCode: card.activationCode }],
      delete: () => ['DELETE', `/cards/${id}`],
      setBalance: () => ['PUT', `/cards/${id}/balance`, { balance: ore(a.balance!) }],
    };
    const [method, path, body] = calls[a.action]();
    const answer = await this.admin.call(method, path, 'issuer', body);
    const o: Observed = { exchanges: [], status: answer.status };
    if (answer.status < 200 || answer.status > 299) o.reason = reasonOf(answer);
    return o;
  }

  // --- faults --------------------------------------------------------------------------------

  /** Sets the step's fault rule for its terminal (and its card, when it has one); returns the rule's id. */
  private async installFault(f: FaultSpec, step: Step, t: RunTerminal): Promise<{ id: string; times: number | 'always' }> {
    const cardName = step.purchase?.card ?? step.refund?.card ?? step.fuel?.card;
    const body: Record<string, unknown> = { terminal: t.id, kind: f.kind, times: f.times ?? 1 };
    if (cardName !== undefined) body.pan = this.card(cardName).pan;
    if (f.mti !== undefined) body.mti = concreteMti(f.mti, t.dialect);
    if (f.ms !== undefined) body.ms = f.ms;
    if (f.code !== undefined) body.code = f.code;
    const answer = await this.admin.call('POST', '/faults', 'vendor', body);
    if (answer.status !== 201) throw new StepFailure(`fault rule not set: POST /faults: ${answer.status} ${reasonOf(answer)}`);
    return { id: String(answer.body.id), times: f.times ?? 1 };
  }

  /** Removes the rule if still there; a failure when it never fired. */
  private async removeFault(f: { id: string }): Promise<string | undefined> {
    const answer = await this.admin.call('DELETE', `/faults/${f.id}`, 'vendor');
    // 404: spent (it fired as often as it was set to).
    if (answer.status === 200 && answer.body.fired === 0) return 'the fault rule never fired (no request matched it)';
    return undefined;
  }

  // --- activity ------------------------------------------------------------------------------

  /**
   * The postings and notices on this run's cards that appeared on the scenario's terminals since
   * the step began and were not seen before. When the step expects some, waits up to settleMs
   * for them to appear (postings reach the journal asynchronously).
   */
  private async activitySince(stepStarted: number, expect: Expectations | undefined): Promise<Activity> {
    const deadline = Date.now() + this.settleMs;
    const ids = [...new Set([...this.terminals.values()].map((t) => t.id))];
    const cardIds = new Set([...this.cards.values()].map((c) => c.id).filter((id) => id !== undefined));
    let found: Activity;
    for (;;) {
      found = { postings: [], notices: [] };
      for (const id of ids) {
        const a = await this.admin.activity(id, stepStarted - CLOCK_SLACK_MS);
        found.postings.push(...a.postings.filter((p) => cardIds.has(p.card) && !this.seenPostings.has(p.id)));
        found.notices.push(...a.notices.filter((n) => cardIds.has(n.card) && !this.seenNotices.has(n.id)));
      }
      const settled =
        (expect?.postings === undefined || this.postingsMatch(expect.postings, found.postings)) &&
        (expect?.notices === undefined || this.noticesMatch(expect.notices, found.notices));
      if (settled || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    for (const p of found.postings) this.seenPostings.add(p.id);
    for (const n of found.notices) this.seenNotices.add(n.id);
    return found;
  }

  private cardNameOf(id: string): string {
    return [...this.cards.values()].find((c) => c.id === id)?.name ?? 'another card';
  }

  private postingFits(e: PostingExpectation, p: ActivityPosting): boolean {
    return (
      (e.type === undefined || e.type === p.type) &&
      (e.amount === undefined || ore(e.amount) === p.amount) &&
      (e.direction === undefined || e.direction === p.direction) &&
      (e.txn === undefined || e.txn === p.txn) &&
      (e.reason === undefined || e.reason === p.reason) &&
      (e.card === undefined || this.card(e.card).id === p.card)
    );
  }

  private noticeFits(e: NoticeExpectation, n: ActivityNotice): boolean {
    return (e.type === undefined || e.type === n.type) && (e.card === undefined || this.card(e.card).id === n.card) && (e.tries === undefined || e.tries === n.tries);
  }

  private postingsMatch(expected: PostingExpectation[], actual: ActivityPosting[]): boolean {
    return oneToOne(expected, actual, (e, p) => this.postingFits(e, p));
  }

  private noticesMatch(expected: NoticeExpectation[], actual: ActivityNotice[]): boolean {
    return oneToOne(expected, actual, (e, n) => this.noticeFits(e, n));
  }

  // --- checks --------------------------------------------------------------------------------

  private async check(e: Expectations, o: Observed, activity: Activity): Promise<string[]> {
    const f: string[] = [];
    const dialect = o.terminal?.dialect;
    const lastMti = String(o.exchanges.at(-1)?.response?.[0] ?? o.exchanges.at(-1)?.request[0] ?? '');
    const codeText = (code: string | undefined): string => (code === undefined ? 'no answer' : `${code} (${meaningOf(code, dialect!, lastMti)})`);
    if (e.outcome !== undefined) {
      const want = ACTION_CODES[e.outcome][codeSetOf(dialect!)];
      if (o.actionCode !== want) f.push(`action code: expected ${want} (${e.outcome}), got ${codeText(o.actionCode)}`);
    }
    if (e.actionCode !== undefined && o.actionCode !== e.actionCode) f.push(`action code: expected ${e.actionCode}, got ${codeText(o.actionCode)}`);
    for (const k of ['approved', 'timedOut', 'reversalStored'] as const) {
      if (e[k] !== undefined && e[k] !== o[k]) f.push(`${k}: expected ${String(e[k])}, got ${String(o[k])}`);
    }
    if (e.approvalCode !== undefined && e.approvalCode !== o.approvalCode) f.push(`approval code: expected ${e.approvalCode}, got ${o.approvalCode ?? 'none'}`);
    if (e.pendingReversals !== undefined && e.pendingReversals !== o.pendingReversals) f.push(`reversals stored in the terminal: expected ${e.pendingReversals}, got ${String(o.pendingReversals)}`);
    if (e.exchanges !== undefined) {
      const sent = o.exchanges.map((x) => String(x.request[0]));
      if (sent.length !== e.exchanges.length || !e.exchanges.every((m, i) => mtiMatches(m, sent[i], dialect!))) {
        f.push(`requests sent: expected ${list(e.exchanges)}, got ${list(sent)}`);
      }
    }
    if (e.answer !== undefined) f.push(...answerFailures(e.answer, o));
    if (e.status !== undefined && e.status !== o.status) f.push(`HTTP status: expected ${e.status}, got ${String(o.status)}${o.reason === undefined ? '' : ` (${o.reason})`}`);
    if (e.status === undefined && o.status !== undefined && (o.status < 200 || o.status > 299)) f.push(`the issuer API refused: ${o.status} ${o.reason!}`);
    if (e.postings !== undefined && !this.postingsMatch(e.postings, activity.postings)) {
      f.push(`postings: expected ${list(e.postings.map((p) => postingWanted(p)))}, got ${list(activity.postings.map((p) => `${postingShown(p)} (card ${this.cardNameOf(p.card)})`))}`);
    }
    if (e.notices !== undefined && !this.noticesMatch(e.notices, activity.notices)) {
      f.push(`notices: expected ${list(e.notices.map((n) => noticeShown(n)))}, got ${list(activity.notices.map((n) => `${noticeShown(n)} (card ${this.cardNameOf(n.card)})`))}`);
    }
    for (const [name, want] of Object.entries(e.cardState ?? {})) {
      const state = await this.admin.cardState(this.card(name).id!);
      f.push(...cardStateFailures(name, want, state));
    }
    return f;
  }

  // --- descriptions --------------------------------------------------------------------------

  private describeAction(step: Step, t: RunTerminal | undefined): string {
    const on = t === undefined ? '' : ` on ${t.name} (${t.spec.kind} ${t.id})`;
    const cardText = (name: string): string => `card ${name} ${this.card(name).maskedPan}`;
    const pinText = (pin: string | undefined): string => (pin === undefined ? 'no PIN' : pin === 'right' || pin === 'wrong' ? `${pin} PIN` : 'PIN given');
    const fault = step.fault === undefined ? '' : ` [fault ${step.fault.kind}${step.fault.mti === undefined ? '' : ` on ${step.fault.mti}`}]`;
    let what: string;
    if (step.purchase !== undefined) {
      const p = step.purchase;
      const opts = [p.magstripe === true ? 'magstripe' : '', p.rejectSignature === true ? 'signature rejected' : ''].filter((x) => x !== '');
      what = `purchase ${kroner(ore(p.amount))}, ${pinText(p.pin)}${opts.length > 0 ? `, ${opts.join(', ')}` : ''}, ${cardText(p.card)}`;
    } else if (step.refund !== undefined) what = `refund ${kroner(ore(step.refund.amount))}, ${pinText(step.refund.pin)}, ${cardText(step.refund.card)}`;
    else if (step.fuel !== undefined) what = `fuel up to ${kroner(ore(step.fuel.maximum))}, pumped ${kroner(ore(step.fuel.pumped))}, ${pinText(step.fuel.pin)}, ${cardText(step.fuel.card)}`;
    else if (step.retransmit !== undefined) {
      const r = step.retransmit;
      what = `retransmit ${r.request ?? 'the last request'} of step ${JSON.stringify(r.step)}${r.repeat === true ? ' as a repeat' : ''}${r.set === undefined ? '' : ` with field ${Object.keys(r.set).join(', ')} changed`}`;
    } else if (step.wait !== undefined) what = `wait ${step.wait} ms`;
    else if (step.admin !== undefined) {
      const a = step.admin;
      what = `issuer: ${a.action}${a.reason === undefined ? '' : ` (${a.reason})`}${a.balance === undefined ? '' : ` to ${kroner(ore(a.balance))}`} ${cardText(a.card)}`;
    } else what = actionOf(step);
    return `${what}${on}${fault}`;
  }
}

/** Whether every expected item fits a different actual one, and nothing is left over. */
export function oneToOne<E, A>(expected: E[], actual: A[], fits: (e: E, a: A) => boolean): boolean {
  if (expected.length !== actual.length) return false;
  const used = new Array<boolean>(actual.length).fill(false);
  const place = (i: number): boolean => {
    if (i === expected.length) return true;
    for (let j = 0; j < actual.length; j++) {
      if (used[j] || !fits(expected[i]!, actual[j]!)) continue;
      used[j] = true;
      if (place(i + 1)) return true;
      used[j] = false;
    }
    return false;
  };
  return place(0);
}

function answerFailures(a: NonNullable<Expectations['answer']>, o: Observed): string[] {
  const f: string[] = [];
  const e = a.to === undefined ? o.exchanges.at(-1) : o.exchanges.filter((x) => mtiMatches(a.to!, x.request[0], o.terminal!.dialect)).at(-1);
  const which = a.to === undefined ? 'the answer' : `the answer to ${a.to}`;
  if (e === undefined) return [`${which}: the step sent no ${a.to ?? 'request'}`];
  const r = e.response;
  if (r === undefined) return [`${which}: none came`];
  if (a.mti !== undefined && !mtiMatches(a.mti, r[0], o.terminal!.dialect)) f.push(`${which}: MTI expected ${a.mti}, got ${String(r[0])}`);
  for (const n of a.present ?? []) if (r[n] === undefined) f.push(`${which}: field ${n} expected present, is absent`);
  for (const n of a.absent ?? []) if (r[n] !== undefined) f.push(`${which}: field ${n} expected absent, is present`);
  for (const [n, v] of Object.entries(a.fields ?? {})) {
    const actual = r[Number(n)];
    const shown = actual === undefined ? 'absent' : Buffer.isBuffer(actual) ? `${actual.length} bytes` : JSON.stringify(actual);
    if (typeof actual !== 'string' || actual !== v) f.push(`${which}: field ${n} expected ${JSON.stringify(v)}, got ${shown}`);
  }
  return f;
}

function cardStateFailures(name: string, want: NonNullable<Expectations['cardState']>[string], s: CardStateAnswer): string[] {
  const f: string[] = [];
  const actual: Record<string, unknown> = {
    status: s.status,
    block: s.block,
    pinBlocked: s.pinBlocked,
    pinTries: s.pinTries,
    balance: s.balance,
    reserved: s.reserved,
    available: s.available,
    contactlessCount: s.contactless.count,
    contactlessSum: s.contactless.sum,
  };
  const money = new Set(['balance', 'reserved', 'available', 'contactlessSum']);
  for (const [k, v] of Object.entries(want)) {
    const expected = money.has(k) ? ore(v as string) : v;
    if (expected !== actual[k]) {
      const show = (x: unknown): string => (money.has(k) ? kroner(x as number) : JSON.stringify(x));
      f.push(`card ${name}: ${k} expected ${show(expected)}, got ${show(actual[k])}`);
    }
  }
  return f;
}

const list = (items: string[]): string => (items.length === 0 ? 'none' : items.join(', '));

function postingWanted(p: PostingExpectation): string {
  const parts = [p.type ?? 'any posting'];
  if (p.direction !== undefined) parts.push(p.direction);
  if (p.amount !== undefined) parts.push(kroner(ore(p.amount)));
  if (p.txn !== undefined) parts.push(`txn ${p.txn}`);
  if (p.reason !== undefined) parts.push(`reason ${p.reason}`);
  if (p.card !== undefined) parts.push(`(card ${p.card})`);
  return parts.join(' ');
}

function postingShown(p: ActivityPosting): string {
  return [p.type, p.direction, kroner(p.amount), `txn ${p.txn}`, ...(p.reason === undefined ? [] : [`reason ${p.reason}`])].join(' ');
}

function noticeShown(n: NoticeExpectation | ActivityNotice): string {
  return `${n.type ?? 'any notice'}${n.tries === undefined ? '' : ` (try ${n.tries})`}`;
}

function gotOf(o: Observed): string {
  if (o.status !== undefined) return `HTTP ${o.status}${o.reason === undefined ? '' : ` ${o.reason}`}`;
  if (o.terminal === undefined) return 'done';
  if (o.exchanges.length === 0) return 'nothing sent';
  const last = o.exchanges.at(-1)!;
  const parts: string[] = [];
  if (o.actionCode === undefined) parts.push('no answer');
  else parts.push(`${o.actionCode} ${meaningOf(o.actionCode, o.terminal.dialect, String(last.response?.[0] ?? last.request[0]))}`);
  if (o.approvalCode !== undefined) parts.push(`approval code ${o.approvalCode}`);
  if (o.reversalStored === true) parts.push('reversal stored');
  if (o.txn !== undefined) parts.push(`txn ${o.txn}`);
  return parts.join(', ');
}

function cardSummary(c: ScenarioCard): string {
  if (c.status === 'notRegistered') return 'not registered';
  const parts = [c.status ?? 'active', `balance ${kroner(ore(c.balance ?? DEFAULT_BALANCE))}`, `expiry ${c.expiry ?? DEFAULT_EXPIRY}`];
  if (c.block !== undefined) parts.push(`blocked ${c.block}`);
  if (c.wrongPins !== undefined) parts.push(`${c.wrongPins} wrong PIN${c.wrongPins > 1 ? 's' : ''}`);
  if (c.contactless !== undefined) parts.push(`${c.contactless.payments} contactless payments of ${kroner(ore(c.contactless.amount))}`);
  return parts.join(', ');
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

