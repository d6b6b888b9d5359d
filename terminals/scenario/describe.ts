/**
 * The report's words: what a step did and what came back, the cards set up, and postings and
 * notices expected or found. Card numbers appear masked only.
 */
import { meaningOf } from '../index.js';
import type { ActivityNotice, ActivityPosting } from './admin-client.js';
import type { Observed, RunContext, RunTerminal } from './context.js';
import { DEFAULT_BALANCE, DEFAULT_EXPIRY, type ScenarioCard } from './scenario.js';
import type { ActionName, NoticeExpectation, PinEntry, PostingExpectation, Step, StepOf } from './steps.js';
import { kroner, ore } from './values.js';

/** What the step did, e.g. "purchase 125.00 DKK, right PIN, card c 501912******3456 on pos (chip T1) [fault noAnswer]". */
export function describeStep(step: Step, t: RunTerminal | undefined, run: RunContext): string {
  const on = t === undefined ? '' : ` on ${t.name} (${t.spec.kind} ${t.id})`;
  const fault =
    step.fault === undefined
      ? ''
      : ` [fault ${step.fault.kind}${step.fault.mti === undefined ? '' : ` on ${step.fault.mti}`}]`;
  return `${describeAction(step, (name) => `card ${name} ${run.card(name).maskedPan}`)}${on}${fault}`;
}

/** "card c 501912******3456". */
type CardText = (name: string) => string;

const money = (dkk: string): string => kroner(ore(dkk));

/** How the PIN was entered; digits given in the file are not shown. */
const pinText = (pin: PinEntry | undefined): string =>
  pin === undefined ? 'no PIN' : pin === 'right' || pin === 'wrong' ? `${pin} PIN` : 'PIN given';

// A mapped type over every action: the compiler asks for a new action's description here.
const DESCRIPTIONS: { [A in ActionName]: (step: StepOf<A>, card: CardText) => string } = {
  purchase: ({ purchase: p }, card) => {
    const options = [
      p.magstripe === true ? 'magstripe' : '',
      p.rejectSignature === true ? 'signature rejected' : '',
      p.clockOffsetMs === undefined ? '' : `terminal clock ${p.clockOffsetMs >= 0 ? '+' : ''}${p.clockOffsetMs} ms`,
    ].filter((x) => x !== '');
    return `purchase ${money(p.amount)}, ${pinText(p.pin)}${options.length > 0 ? `, ${options.join(', ')}` : ''}, ${card(p.card)}`;
  },
  remote: ({ remote: r }, card) => {
    const options = [
      r.channel ?? 'internet',
      r.cvc === undefined ? '' : `CVC ${r.cvc === 'right' || r.cvc === 'wrong' || r.cvc === 'none' ? r.cvc : 'given'}`,
      r.expiry === undefined ? '' : `expiry ${r.expiry}`,
      r.authentication ?? '',
      r.startSeries === true ? 'starts a series' : '',
      r.series === undefined ? '' : `series ${r.series}`,
      r.dual === true ? `dual${r.capture === undefined ? '' : `, capture ${money(r.capture)}`}` : '',
    ].filter((x) => x !== '');
    return `remote purchase ${money(r.amount)}, ${options.join(', ')}, ${card(r.card)}`;
  },
  refund: ({ refund: r }, card) => `refund ${money(r.amount)}, ${pinText(r.pin)}, ${card(r.card)}`,
  fuel: ({ fuel: f }, card) =>
    `fuel up to ${money(f.maximum)}, pumped ${money(f.pumped)}, ${pinText(f.pin)}, ${card(f.card)}`,
  withdraw: ({ withdraw: w }, card) => {
    const where = [
      w.currency === undefined ? '' : `currency ${w.currency}`,
      w.country === undefined ? '' : `country ${w.country}`,
      w.dispensed === undefined ? '' : `${money(w.dispensed)} paid out`,
    ].filter((x) => x !== '');
    return `withdraw ${money(w.amount)}, ${pinText(w.pin)}${where.length > 0 ? `, ${where.join(', ')}` : ''}, ${card(w.card)}`;
  },
  signOn: () => 'signOn',
  echo: () => 'echo',
  sendPendingReversals: () => 'sendPendingReversals',
  fetchBlockList: () => 'fetch the offline block list',
  uploadAdvices: () => 'upload the offline advices',
  retransmit: ({ retransmit: r }) => {
    const changed = r.set === undefined ? '' : ` with field ${Object.keys(r.set).join(', ')} changed`;
    return `retransmit ${r.request ?? 'the last request'} of step ${JSON.stringify(r.step)}${r.repeat === true ? ' as a repeat' : ''}${changed}`;
  },
  wait: ({ wait }) => `wait ${wait} ms`,
  admin: ({ admin: a }, card) =>
    `issuer: ${a.action}${a.reason === undefined ? '' : ` (${a.reason})`}${a.balance === undefined ? '' : ` to ${money(a.balance)}`} ${card(a.card)}`,
  report: ({ report: r }, card) =>
    `block service: the holder reports ${card(r.card)} ${r.reason}${r.reportedAt === undefined ? '' : `, called at ${r.reportedAt}`}`,
};

function describeAction<A extends ActionName>(step: StepOf<A>, card: CardText): string {
  return DESCRIPTIONS[step.action](step, card);
}

/** What came back: the HTTP answer of an admin or report step; a terminal's action code, approval code and transaction. */
export function gotOf(o: Observed): string {
  if (o.status !== undefined) return `HTTP ${o.status}${o.reason === undefined ? '' : ` ${o.reason}`}${reportGot(o)}`;
  if (o.terminal === undefined) return 'done';
  if (o.exchanges.length === 0) return 'nothing sent';
  const last = o.exchanges.at(-1)!;
  const parts: string[] = [];
  if (o.actionCode === undefined) parts.push('no answer');
  else
    parts.push(
      `${o.actionCode} ${meaningOf(o.actionCode, o.terminal.dialect, String(last.response?.[0] ?? last.request[0]))}`,
    );
  if (o.approvalCode !== undefined) parts.push(`approval code ${o.approvalCode}`);
  if (o.reversalStored === true) parts.push('reversal stored');
  if (o.txn !== undefined) parts.push(`txn ${o.txn}`);
  return parts.join(', ');
}

/** A block service answer: its reference, and since when the card was blocked when it already was. */
function reportGot(o: Observed): string {
  const since = o.body?.alreadyBlocked === true ? `, already blocked since ${String(o.body.blockedAt)}` : '';
  return `${o.reference === undefined ? '' : `, reference ${o.reference}`}${since}`;
}

/** A card as set up: status, balance, expiry, block and history. */
export function cardSummary(c: ScenarioCard): string {
  if (c.status === 'notRegistered') return 'not registered';
  const parts = [
    c.status ?? 'active',
    `balance ${money(c.balance ?? DEFAULT_BALANCE)}`,
    `expiry ${c.expiry ?? DEFAULT_EXPIRY}`,
  ];
  if (c.block !== undefined) parts.push(`blocked ${c.block}`);
  if (c.wrongPins !== undefined) parts.push(`${c.wrongPins} wrong PIN${c.wrongPins > 1 ? 's' : ''}`);
  if (c.contactless !== undefined)
    parts.push(`${c.contactless.payments} contactless payments of ${money(c.contactless.amount)}`);
  return parts.join(', ');
}

export const list = (items: string[]): string => (items.length === 0 ? 'none' : items.join(', '));

export function postingWanted(p: PostingExpectation): string {
  const parts = [p.type ?? 'any posting'];
  if (p.direction !== undefined) parts.push(p.direction);
  if (p.amount !== undefined) parts.push(money(p.amount));
  if (p.txn !== undefined) parts.push(`txn ${p.txn}`);
  if (p.reason !== undefined) parts.push(`reason ${p.reason}`);
  if (p.originalAmount !== undefined || p.originalCurrency !== undefined)
    parts.push(`from ${p.originalAmount ?? 'any amount'} in ${p.originalCurrency ?? 'any currency'}`);
  if (p.cardStatus !== undefined) parts.push(`card status ${p.cardStatus}`);
  if (p.verification !== undefined) parts.push(`verification ${p.verification}`);
  if (p.authorization !== undefined) parts.push(`authorised ${p.authorization}`);
  if (p.card !== undefined) parts.push(`(card ${p.card})`);
  return parts.join(' ');
}

export function postingShown(p: ActivityPosting): string {
  return [
    p.type,
    p.direction,
    kroner(p.amount),
    `txn ${p.txn}`,
    ...(p.reason === undefined ? [] : [`reason ${p.reason}`]),
    ...(p.originalCurrency === undefined || p.originalCurrency === '208'
      ? []
      : [`from ${String(p.originalAmount)} minor units in ${String(p.originalCurrency)}`]),
    ...(p.cardStatus === undefined ? [] : [`card status ${String(p.cardStatus)}`]),
    ...(p.verification === undefined ? [] : [`verification ${String(p.verification)}`]),
    // Online is the usual: only an offline sale says so.
    ...(p.authorization === 'offline' ? ['authorised offline'] : []),
  ].join(' ');
}

export function noticeShown(n: NoticeExpectation | ActivityNotice): string {
  const details = [
    n.tries === undefined ? '' : `try ${n.tries}`,
    n.reason === undefined ? '' : `reason ${n.reason}`,
    n.reference === undefined || n.reference === '' ? '' : `reference ${n.reference}`,
  ].filter((x) => x !== '');
  return `${n.type ?? 'any notice'}${details.length === 0 ? '' : ` (${details.join(', ')})`}`;
}
