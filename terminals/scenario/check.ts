/**
 * A step's expectations checked against what it observed: the answer, and through the admin API
 * the postings and notices it caused and the cards' state. Each failure says what was expected
 * and what came.
 */
import { ACTION_CODES, codeSetOf } from '../../src/messages/action-codes.js';
import { meaningOf } from '../index.js';
import type { Activity, ActivityNotice, ActivityPosting, CardStateAnswer } from './admin-client.js';
import type { Observed, RunContext } from './context.js';
import { list, noticeShown, postingShown, postingWanted } from './describe.js';
import type {
  AnswerExpectation,
  BodyExpectation,
  CardStateExpectation,
  Expectations,
  NoticeExpectation,
  PostingExpectation,
} from './steps.js';
import { kroner, mtiMatches, ore } from './values.js';

/** Every failed expectation of the step; none when all hold. */
export async function check(e: Expectations, o: Observed, activity: Activity, run: RunContext): Promise<string[]> {
  const f = answerCodeFailures(e, o);
  if (e.answer !== undefined) f.push(...answerFailures(e.answer, o));
  if (e.status !== undefined && e.status !== o.status)
    f.push(
      `HTTP status: expected ${e.status}, got ${String(o.status)}${o.reason === undefined ? '' : ` (${o.reason})`}`,
    );
  // An admin or report step expecting no particular status still expects the call to have been done.
  if (e.status === undefined && o.status !== undefined && (o.status < 200 || o.status > 299))
    f.push(`${o.api ?? 'the admin API'} refused: ${o.status} ${o.reason!}`);
  if (e.body !== undefined) f.push(...bodyFailures(e.body, o.body ?? {}));
  f.push(...activityFailures(e, activity, run));
  for (const [name, want] of Object.entries(e.cardState ?? {})) {
    const state = await run.admin.cardState(run.card(name).id!);
    f.push(...cardStateFailures(name, want, state));
  }
  return f;
}

/** The switch's answer in general: action code, flags, approval code, the terminal's stored reversals and the requests sent. */
function answerCodeFailures(e: Expectations, o: Observed): string[] {
  const f: string[] = [];
  // Only terminal steps expect these (parseScenario checks), and those have a terminal.
  const dialect = o.terminal?.dialect;
  const lastMti = String(o.exchanges.at(-1)?.response?.[0] ?? o.exchanges.at(-1)?.request[0] ?? '');
  const codeText = (code: string | undefined): string =>
    code === undefined ? 'no answer' : `${code} (${meaningOf(code, dialect!, lastMti)})`;
  if (e.outcome !== undefined) {
    const want = ACTION_CODES[e.outcome][codeSetOf(dialect!)];
    if (o.actionCode !== want) f.push(`action code: expected ${want} (${e.outcome}), got ${codeText(o.actionCode)}`);
  }
  if (e.actionCode !== undefined && o.actionCode !== e.actionCode)
    f.push(`action code: expected ${e.actionCode}, got ${codeText(o.actionCode)}`);
  for (const k of ['approved', 'offline', 'timedOut', 'reversalStored'] as const) {
    if (e[k] !== undefined && e[k] !== o[k]) f.push(`${k}: expected ${String(e[k])}, got ${String(o[k])}`);
  }
  if (e.approvalCode !== undefined && e.approvalCode !== o.approvalCode)
    f.push(`approval code: expected ${e.approvalCode}, got ${o.approvalCode ?? 'none'}`);
  if (e.pendingAdvices !== undefined && e.pendingAdvices !== o.pendingAdvices)
    f.push(`offline advices stored in the terminal: expected ${e.pendingAdvices}, got ${String(o.pendingAdvices)}`);
  if (e.pendingReversals !== undefined && e.pendingReversals !== o.pendingReversals)
    f.push(`reversals stored in the terminal: expected ${e.pendingReversals}, got ${String(o.pendingReversals)}`);
  if (e.exchanges !== undefined) {
    const sent = o.exchanges.map((x) => String(x.request[0]));
    if (sent.length !== e.exchanges.length || !e.exchanges.every((m, i) => mtiMatches(m, sent[i], dialect!))) {
      f.push(`requests sent: expected ${list(e.exchanges)}, got ${list(sent)}`);
    }
  }
  return f;
}

/** The answer to the step's last request (or its last request of MTI `to`): MTI, fields present, absent and their values. */
function answerFailures(a: AnswerExpectation, o: Observed): string[] {
  const f: string[] = [];
  const e =
    a.to === undefined
      ? o.exchanges.at(-1)
      : o.exchanges.filter((x) => mtiMatches(a.to!, x.request[0], o.terminal!.dialect)).at(-1);
  const which = a.to === undefined ? 'the answer' : `the answer to ${a.to}`;
  if (e === undefined) return [`${which}: the step sent no ${a.to ?? 'request'}`];
  const r = e.response;
  if (r === undefined) return [`${which}: none came`];
  if (a.mti !== undefined && !mtiMatches(a.mti, r[0], o.terminal!.dialect))
    f.push(`${which}: MTI expected ${a.mti}, got ${String(r[0])}`);
  for (const n of a.present ?? []) if (r[n] === undefined) f.push(`${which}: field ${n} expected present, is absent`);
  for (const n of a.absent ?? []) if (r[n] !== undefined) f.push(`${which}: field ${n} expected absent, is present`);
  for (const [n, v] of Object.entries(a.fields ?? {})) {
    const actual = r[Number(n)];
    const shown =
      actual === undefined ? 'absent' : Buffer.isBuffer(actual) ? `${actual.length} bytes` : JSON.stringify(actual);
    if (typeof actual !== 'string' || actual !== v)
      f.push(`${which}: field ${n} expected ${JSON.stringify(v)}, got ${shown}`);
  }
  return f;
}

/** The value at a dotted path of a JSON body (`block.reason`); undefined where there is none. */
function valueAt(body: Record<string, unknown>, path: string): unknown {
  let v: unknown = body;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The answer's body: names present and absent, and values (compared as JSON values: true is not "true"). */
function bodyFailures(b: BodyExpectation, body: Record<string, unknown>): string[] {
  const f: string[] = [];
  for (const k of b.present ?? [])
    if (valueAt(body, k) === undefined) f.push(`the answer's ${k}: expected present, is absent`);
  for (const k of b.absent ?? [])
    if (valueAt(body, k) !== undefined)
      f.push(`the answer's ${k}: expected absent, is ${JSON.stringify(valueAt(body, k))}`);
  for (const [k, want] of Object.entries(b.fields ?? {})) {
    const got = valueAt(body, k);
    if (got !== want)
      f.push(
        `the answer's ${k}: expected ${JSON.stringify(want)}, got ${got === undefined ? 'absent' : JSON.stringify(got)}`,
      );
  }
  return f;
}

function activityFailures(e: Expectations, activity: Activity, run: RunContext): string[] {
  const f: string[] = [];
  if (e.postings !== undefined && !postingsMatch(e.postings, activity.postings, run)) {
    f.push(
      `postings: expected ${list(e.postings.map((p) => postingWanted(p)))}, got ${list(activity.postings.map((p) => `${postingShown(p)} (card ${run.cardNameOf(p.card)})`))}`,
    );
  }
  if (e.notices !== undefined && !noticesMatch(e.notices, activity.notices, run)) {
    f.push(
      `notices: expected ${list(e.notices.map((n) => noticeShown(n)))}, got ${list(activity.notices.map((n) => `${noticeShown(n)} (card ${run.cardNameOf(n.card)})`))}`,
    );
  }
  return f;
}

function cardStateFailures(name: string, want: CardStateExpectation, s: CardStateAnswer): string[] {
  const f: string[] = [];
  const actual: Record<string, unknown> = {
    status: s.status,
    block: s.block,
    pinBlocked: s.pinBlocked,
    pinTries: s.pinTries,
    balance: s.balance,
    reserved: s.reserved,
    unbooked: s.unbooked,
    available: s.available,
    contactlessCount: s.contactless.count,
    contactlessSum: s.contactless.sum,
  };
  const money = new Set(['balance', 'reserved', 'unbooked', 'available', 'contactlessSum']);
  for (const [k, v] of Object.entries(want)) {
    const expected = money.has(k) ? ore(v as string) : v;
    if (expected !== actual[k]) {
      const show = (x: unknown): string => (money.has(k) ? kroner(x as number) : JSON.stringify(x));
      f.push(`card ${name}: ${k} expected ${show(expected)}, got ${show(actual[k])}`);
    }
  }
  return f;
}

// --- matching postings and notices ----------------------------------------------------------------

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

export function postingsMatch(expected: PostingExpectation[], actual: ActivityPosting[], run: RunContext): boolean {
  return oneToOne(expected, actual, (e, p) => postingFits(e, p, run));
}

export function noticesMatch(expected: NoticeExpectation[], actual: ActivityNotice[], run: RunContext): boolean {
  return oneToOne(expected, actual, (e, n) => noticeFits(e, n, run));
}

function postingFits(e: PostingExpectation, p: ActivityPosting, run: RunContext): boolean {
  return (
    (e.type === undefined || e.type === p.type) &&
    (e.amount === undefined || ore(e.amount) === p.amount) &&
    (e.direction === undefined || e.direction === p.direction) &&
    (e.txn === undefined || e.txn === p.txn) &&
    (e.reason === undefined || e.reason === p.reason) &&
    (e.originalAmount === undefined || ore(e.originalAmount) === p.originalAmount) &&
    (e.originalCurrency === undefined || e.originalCurrency === p.originalCurrency) &&
    (e.cardStatus === undefined || e.cardStatus === p.cardStatus) &&
    (e.verification === undefined || e.verification === p.verification) &&
    (e.channel === undefined || e.channel === p.channel) &&
    (e.authentication === undefined || e.authentication === p.authentication) &&
    (e.initiatedBy === undefined || e.initiatedBy === p.initiatedBy) &&
    (e.series === undefined || e.series === p.series) &&
    (e.authorization === undefined || e.authorization === p.authorization) &&
    (e.card === undefined || run.card(e.card).id === p.card)
  );
}

function noticeFits(e: NoticeExpectation, n: ActivityNotice, run: RunContext): boolean {
  return (
    (e.type === undefined || e.type === n.type) &&
    (e.card === undefined || run.card(e.card).id === n.card) &&
    (e.tries === undefined || e.tries === n.tries) &&
    (e.reason === undefined || e.reason === n.reason) &&
    (e.reference === undefined || e.reference === n.reference)
  );
}
