/**
 * A step's action, done: one handler per action. A terminal's action is done on the step's
 * terminal (RunContext.terminalOf); a wait, an issuer API call and a block service report use none.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ACTION_CODES, codeSetOf } from '../../src/messages/action-codes.js';
import type { Outcome } from '../index.js';
import { type AdminAnswer, reasonOf } from './admin-client.js';
import type { Observed, RunCard, RunContext, RunTerminal } from './context.js';
import { resend, retransmission } from './resend.js';
import {
  type AdminAction,
  type PinEntry,
  type ReportAction,
  type RetransmitAction,
  type Step,
  type TerminalAction,
  type TerminalStep,
  usesTerminal,
} from './steps.js';
import { StepFailure, mtiMatches, ore, wrongPin } from './values.js';

/** Does the step's action; what it observed. */
export function act(step: Step, run: RunContext): Promise<Observed> {
  if (usesTerminal(step)) return onTerminal(step, run.terminalOf(step), run);
  return withoutTerminal(step, run);
}

type OtherStep = Exclude<Step, TerminalStep>;
type OtherAction = OtherStep['action'];
// Extract from the narrower union (not from Step): only then does TypeScript see that a handler
// picked by step.action takes that very step.
type TerminalStepOf<A extends TerminalAction> = Extract<TerminalStep, { action: A }>;
type OtherStepOf<A extends OtherAction> = Extract<OtherStep, { action: A }>;

// Mapped types over the actions: the compiler asks for a new action's handler in one of the two.
const ON_TERMINAL: {
  [A in TerminalAction]: (step: TerminalStepOf<A>, t: RunTerminal, run: RunContext) => Promise<Observed>;
} = {
  purchase: async ({ purchase: p }, t, run) => {
    const card = run.card(p.card);
    const pin = pinOf(card, p.pin);
    // The terminal's clock is off for this purchase only (its every request: fields 7 and 12).
    t.clock.offsetMs = p.clockOffsetMs ?? 0;
    try {
      // A terminal with an offline mode decides up to its floor limit itself.
      const sale = t.offline ?? t.terminal;
      const outcome = await sale.purchase({
        pan: card.pan,
        amount: ore(p.amount),
        ...(pin === undefined ? {} : { pin }),
        ...(p.magstripe === undefined ? {} : { magstripe: p.magstripe }),
        ...(p.rejectSignature === undefined ? {} : { rejectSignature: p.rejectSignature }),
        ...(p.expiry === undefined ? {} : { expiry: p.expiry }),
        ...(p.currency === undefined ? {} : { currency: p.currency }),
      });
      return transaction(outcome, t);
    } finally {
      t.clock.offsetMs = 0;
    }
  },
  remote: async ({ remote: r }, t, run) => {
    const card = run.card(r.card);
    // A later payment of a series carries neither CVC nor expiry unless the step says so.
    const later = r.series !== undefined;
    const cvc = r.cvc ?? (later ? 'none' : 'right');
    const expiry = r.expiry ?? (later ? 'none' : card.expiry);
    const outcome = await t.terminal.remotePurchase({
      pan: card.pan,
      amount: ore(r.amount),
      ...(r.channel === undefined ? {} : { channel: r.channel }),
      ...(expiry === 'none' ? {} : { expiry }),
      ...(cvc === 'none' ? {} : { cvc: cvc === 'right' ? card.cvc : cvc === 'wrong' ? wrongCvc(card.cvc) : cvc }),
      ...(r.authentication === undefined ? {} : { authentication: r.authentication }),
      ...(r.startSeries === undefined ? {} : { startSeries: r.startSeries }),
      ...(r.series === undefined ? {} : { series: r.series }),
      ...(r.dual === undefined ? {} : { dual: r.dual }),
      ...(r.capture === undefined ? {} : { capture: ore(r.capture) }),
    });
    const o = transaction(outcome, t);
    return outcome.series === undefined ? o : { ...o, series: outcome.series };
  },
  refund: async ({ refund: r }, t, run) => {
    const card = run.card(r.card);
    const pin = pinOf(card, r.pin);
    return transaction(
      await t.terminal.refund({
        pan: card.pan,
        amount: ore(r.amount),
        ...(pin === undefined ? {} : { pin }),
        ...(r.expiry === undefined ? {} : { expiry: r.expiry }),
      }),
      t,
    );
  },
  fuel: async ({ fuel: f }, t, run) => {
    const card = run.card(f.card);
    // The schema requires a fuel sale's PIN.
    return transaction(
      await (t.offline ?? t.terminal).fuel({
        pan: card.pan,
        pin: pinOf(card, f.pin)!,
        maximum: ore(f.maximum),
        pumped: ore(f.pumped),
      }),
      t,
    );
  },
  withdraw: async ({ withdraw: w }, t, run) => {
    const card = run.card(w.card);
    // The schema requires a withdrawal's PIN.
    return transaction(
      await t.terminal.withdraw({
        pan: card.pan,
        amount: ore(w.amount),
        pin: pinOf(card, w.pin)!,
        ...(w.currency === undefined ? {} : { currency: w.currency }),
        ...(w.country === undefined ? {} : { country: w.country }),
        ...(w.dispensed === undefined ? {} : { dispensed: ore(w.dispensed) }),
      }),
      t,
    );
  },
  signOn: async (_, t) => answered(await t.terminal.signOn(), t),
  echo: async (_, t) => answered(await t.terminal.echo(), t),
  sendPendingReversals: async (_, t) => sendPendingReversals(t),
  // parseScenario has checked that the terminal has an offline mode.
  fetchBlockList: async (_, t) => {
    await t.offline!.fetchBlockList();
    return { terminal: t, exchanges: [], pendingAdvices: t.offline!.pendingAdvices };
  },
  uploadAdvices: async (_, t) => {
    const exchanges = await t.offline!.uploadAdvices();
    const o: Observed = {
      terminal: t,
      exchanges,
      timedOut: exchanges.some((e) => e.timedOut),
      pendingAdvices: t.offline!.pendingAdvices,
      pendingReversals: t.terminal.pendingReversals,
      approved: exchanges.every((e) => e.response?.[39] === ACTION_CODES.approved[codeSetOf(t.dialect)]),
    };
    const last = exchanges.at(-1)?.response?.[39];
    if (last !== undefined) o.actionCode = String(last);
    return o;
  },
  retransmit: async ({ retransmit: r }, t, run) => retransmit(r, t, run),
};

const WITHOUT_TERMINAL: { [A in OtherAction]: (step: OtherStepOf<A>, run: RunContext) => Promise<Observed> } = {
  wait: async ({ wait }) => {
    await sleep(wait);
    return { exchanges: [] };
  },
  admin: async ({ admin: a }, run) => adminCall(a, run),
  report: async ({ report: r }, run) => blockReport(r, run),
};

function onTerminal<A extends TerminalAction>(
  step: TerminalStepOf<A>,
  t: RunTerminal,
  run: RunContext,
): Promise<Observed> {
  return ON_TERMINAL[step.action](step, t, run);
}

function withoutTerminal<A extends OtherAction>(step: OtherStepOf<A>, run: RunContext): Promise<Observed> {
  return WITHOUT_TERMINAL[step.action](step, run);
}

/** The PIN entered: the card's, the card's with a wrong last digit, or the digits the file gives; none when it gives none. */
function pinOf(card: RunCard, entry: PinEntry | undefined): string | undefined {
  if (entry === undefined) return undefined;
  if (entry === 'right') return card.pin;
  if (entry === 'wrong') return wrongPin(card.pin);
  return entry;
}

/** A wrong CVC: the card's with its last digit moved up by one, as a wrong PIN is made. */
const wrongCvc = (cvc: string): string => cvc.slice(0, 2) + String((Number(cvc[2]) + 1) % 10);

/** What a terminal's transaction, sign-on or echo observed (a sale of an offline mode: whether it was decided offline). */
function answered(outcome: Outcome & { offline?: boolean }, t: RunTerminal): Observed {
  const o: Observed = {
    terminal: t,
    exchanges: outcome.exchanges,
    approved: outcome.approved,
    timedOut: outcome.timedOut,
    reversalStored: outcome.reversalStored,
    stan: outcome.stan,
    localTime: outcome.localTime,
    pendingReversals: t.terminal.pendingReversals,
  };
  if (t.offline !== undefined) {
    o.offline = outcome.offline === true;
    o.pendingAdvices = t.offline.pendingAdvices;
  }
  if (outcome.actionCode !== undefined) o.actionCode = outcome.actionCode;
  if (outcome.approvalCode !== undefined) o.approvalCode = outcome.approvalCode;
  return o;
}

/** A transaction's observation, with its transaction id as postings name it: terminal, local time and STAN. */
function transaction(outcome: Outcome, t: RunTerminal): Observed {
  return { ...answered(outcome, t), txn: `${t.id}-${outcome.localTime}-${outcome.stan}` };
}

/** The reversals the terminal stored, sent; approved when the switch accepted every one. */
async function sendPendingReversals(t: RunTerminal): Promise<Observed> {
  const exchanges = await t.terminal.sendPendingReversals();
  const last = exchanges.at(-1);
  const o: Observed = {
    terminal: t,
    exchanges,
    timedOut: exchanges.some((e) => e.timedOut),
    pendingReversals: t.terminal.pendingReversals,
  };
  if (last?.response?.[39] !== undefined) o.actionCode = String(last.response[39]);
  o.approved = exchanges.every((e) => e.response?.[39] === ACTION_CODES.reversalAccepted[codeSetOf(t.dialect)]);
  return o;
}

/** The original step's last request (of MTI `request`, when given) sent again on a connection of its own (resend.ts). */
async function retransmit(r: RetransmitAction, t: RunTerminal, run: RunContext): Promise<Observed> {
  // terminalOf found the original's terminal, so the original ran and was observed.
  const original = run.observed.get(r.step)!;
  const candidates = original.exchanges.filter(
    (e) => r.request === undefined || mtiMatches(r.request, e.request[0], t.dialect),
  );
  const first = candidates.at(-1);
  if (first === undefined) throw new StepFailure(`step ${JSON.stringify(r.step)} sent no ${r.request ?? 'request'}`);
  const request = retransmission(first.request, r, new Date());
  const e = await resend(
    {
      host: t.host,
      port: t.port,
      dialect: t.dialect,
      header: t.header,
      timeoutMs: t.timeoutMs,
      ...(t.tls === undefined ? {} : { tls: t.tls }),
    },
    request,
    new Date(),
  );
  const code = e.response?.[39] === undefined ? undefined : String(e.response[39]);
  const approved = code === ACTION_CODES.approved[codeSetOf(t.dialect)];
  const o: Observed = {
    terminal: t,
    exchanges: [e],
    approved,
    timedOut: e.timedOut,
    reversalStored: false,
    stan: String(request[11]),
    pendingReversals: t.terminal.pendingReversals,
  };
  if (code !== undefined) o.actionCode = code;
  if (approved && e.response?.[38] !== undefined) o.approvalCode = String(e.response[38]);
  // The request's own transaction id: terminal, local time (1987: the year is the original's) and STAN.
  const local =
    codeSetOf(t.dialect) === 'iso87'
      ? `${original.localTime?.slice(0, 2) ?? String(new Date().getFullYear()).slice(2)}${String(request[13])}${String(request[12])}`
      : String(request[12]);
  o.localTime = local;
  o.txn = `${t.id}-${local}-${String(request[11])}`;
  return o;
}

/** An issuer API call on the step's card; what it answered (a refusal is checked against the step's expectations). */
async function adminCall(a: AdminAction, run: RunContext): Promise<Observed> {
  const card = run.card(a.card);
  const id = card.id!;
  const calls: Record<AdminAction['action'], () => [string, string, unknown?]> = {
    block: () => [
      'POST',
      `/cards/${id}/block`,
      { reason: a.reason, ...(a.statement === undefined ? {} : { statement: a.statement }) },
    ],
    unblock: () => ['DELETE', `/cards/${id}/block`],
    liftPinBlock: () => ['DELETE', `/cards/${id}/pin-block`],
    // Self-service activation: the card number and the activation code the card was registered with.
    activate: () => ['POST', '/cards/activate', { pan: card.pan, activationCode: card.activationCode }],
    delete: () => ['DELETE', `/cards/${id}`],
    setBalance: () => ['PUT', `/cards/${id}/balance`, { balance: ore(a.balance!) }],
  };
  const [method, path, body] = calls[a.action]();
  return httpAnswered(await run.admin.call(method, path, 'issuer', body), 'the issuer API');
}

/**
 * A cardholder's report at the block service, found by the card's number (a card never
 * registered is not found: 404). Who called is made up: the switch keeps it in the notice only.
 */
async function blockReport(r: ReportAction, run: RunContext): Promise<Observed> {
  const answer = await run.admin.call('POST', '/block-reports', 'blockService', {
    name: 'Scenario Cardholder',
    address: 'Scenario Street 1, 1000 København K',
    bank: 'the card issuer',
    cardNumber: run.card(r.card).pan,
    reason: r.reason,
    ...(r.statement === undefined ? {} : { statement: r.statement }),
    ...(r.reportedAt === undefined ? {} : { reportedAt: r.reportedAt }),
  });
  const o = httpAnswered(answer, 'the block service');
  if (typeof answer.body.reference === 'string') o.reference = answer.body.reference;
  return o;
}

/** What an admin API call observed: its status, body, and the reason of a refusal. */
function httpAnswered(answer: AdminAnswer, api: string): Observed {
  const o: Observed = { exchanges: [], status: answer.status, body: answer.body, api };
  if (answer.status < 200 || answer.status > 299) o.reason = reasonOf(answer);
  return o;
}
