/**
 * Checks one guided case against the exchanges of the terminal under test since the case started
 * (the console's live traffic, src/trace/traffic-event.ts), as they arrive. Each check is pass,
 * fail or pending (nothing yet shows it either way); when the tester finishes the case, what is
 * still pending fails as not seen. Details name MTIs, STANs and action codes: never card data.
 */
import { ACTION_CODES, type Outcome } from '../messages/action-codes.js';
import { lastCompletedStanOf, originalOf } from '../messages/transaction-data.js';
import type { ShownMessage, TrafficEvent } from '../trace/traffic-event.js';
import { type CheckName, type ExpectedExchange, type TestCase, mtiMatches, patternsOf } from './test-plan.js';

export type CheckStatus = 'pass' | 'fail' | 'pending';

export interface CheckResult {
  check: CheckName | 'exchanges';
  status: CheckStatus;
  detail: string;
}

export interface CaseResult {
  status: 'running' | 'pass' | 'fail';
  checks: CheckResult[];
}

export function checkCase(testCase: TestCase, events: readonly TrafficEvent[], finished = false): CaseResult {
  const checks = [
    exchangesCheck(testCase.exchanges, events),
    ...testCase.checks.map((name) => ({ check: name, ...CHECKS[name](events) })),
  ].map((c) =>
    finished && c.status === 'pending' ? { ...c, status: 'fail' as const, detail: `not seen: ${c.detail}` } : c,
  );
  const status = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.every((c) => c.status === 'pass')
      ? 'pass'
      : 'running';
  return { status, checks };
}

type Verdict = { status: CheckStatus; detail: string };

const CHECKS: Record<CheckName, (events: readonly TrafficEvent[]) => Verdict> = {
  fieldsFormatted,
  uniqueStans,
  signedOn,
  lostAnswerReversed,
  reversalRepeated,
};

/** The value of field n as shown (masked for card data), or undefined. */
export function field(message: ShownMessage | null, n: number): string | undefined {
  return message?.fields.find((f) => f.n === n)?.value;
}

/** "1200 STAN 000124": how a detail names a request. */
function named(e: TrafficEvent): string {
  return `${e.request.mti ?? '(no MTI)'} STAN ${field(e.request, 11) ?? '(none)'}`;
}

/** The MTI with the repeat digit cleared: 1201 -> 1200, 1421 -> 1420. */
function classOf(mti: string | null): string {
  return mti === null ? '' : `${mti.slice(0, 3)}0`;
}

/** The action code the switch decided: the answer's, or for an answer a fault withheld, the fault note's. */
function decidedCode(e: TrafficEvent): string | undefined {
  return field(e.response, 39) ?? e.fault?.actionCode;
}

function isOutcome(code: string | undefined, outcome: Outcome): boolean {
  if (code === undefined) return false;
  const codes = ACTION_CODES[outcome];
  return code === (code.length === 2 ? codes.iso87 : codes.iso93);
}

/** The terminal never got an answer it could read or believe: none was sent, it was corrupted, or its MAC was dropped. */
function answerLost(e: TrafficEvent): boolean {
  return e.response === null || e.fault?.kind === 'corrupt' || e.fault?.kind === 'dropMac';
}

function isNetwork(e: TrafficEvent): boolean {
  return e.request.mti?.[1] === '8';
}

function isFinancial(e: TrafficEvent): boolean {
  return ['100', '200'].includes(classOf(e.request.mti).slice(1));
}

function exchangesCheck(expected: readonly ExpectedExchange[], events: readonly TrafficEvent[]): CheckResult {
  const patterns = expected.flatMap(patternsOf);
  const relevant = events.filter((e) => patterns.some((p) => mtiMatches(p, e.request.mti)));
  const result = (status: CheckStatus, detail: string): CheckResult => ({ check: 'exchanges', status, detail });
  for (const [i, e] of relevant.entries()) {
    const want = expected[i];
    if (want === undefined)
      return result('fail', `request ${i + 1} (${named(e)}) is more than the ${i} the case expects`);
    if (!patternsOf(want).some((p) => mtiMatches(p, e.request.mti)))
      return result('fail', `request ${i + 1} is ${named(e)}; the case expects ${describe(want)}`);
    const code = decidedCode(e);
    if (want.outcome !== undefined && !isOutcome(code, want.outcome))
      return result(
        'fail',
        `request ${i + 1} (${named(e)}) was answered ${code ?? '(nothing)'}; expected ${describe(want)}`,
      );
  }
  const next = expected[relevant.length];
  if (next !== undefined)
    return result('pending', `${relevant.length} of ${expected.length} requests seen; next: ${describe(next)}`);
  return result('pass', `${expected.length} request(s) as expected`);
}

function describe(want: ExpectedExchange): string {
  const codes = want.outcome === undefined ? undefined : ACTION_CODES[want.outcome];
  const answer = codes === undefined ? '' : ` answered ${want.outcome} (${codes.iso93} / ${codes.iso87})`;
  return `${patternsOf(want).join(' or ')}${answer}`;
}

/** Mandatory fields by MTI class (docs/PROTOCOL.md §3.5); 'card' is field 2 or 35. */
const MANDATORY: Record<string, (number | 'card')[]> = {
  '100': [3, 4, 11, 12, 41, 49, 'card'],
  '200': [3, 4, 11, 12, 41, 49, 'card'],
  '220': [4, 11, 12, 41, 56, 'card'],
  '420': [4, 11, 12, 41, 56, 'card'],
  '1804': [7, 11, 24],
  '0800': [7, 11, 70],
};

function fieldsFormatted(events: readonly TrafficEvent[]): Verdict {
  for (const e of events) {
    if (e.request.error !== undefined)
      return { status: 'fail', detail: `${named(e)} is unreadable: ${e.request.error}` };
    const klass = classOf(e.request.mti);
    const mandatory = MANDATORY[klass.slice(1)] ?? MANDATORY[klass] ?? [];
    const missing = mandatory.filter((n) =>
      n === 'card' ? field(e.request, 2) === undefined && field(e.request, 35) === undefined : !field(e.request, n),
    );
    if (missing.length > 0)
      return {
        status: 'fail',
        detail: `${named(e)} lacks field(s) ${missing.map((n) => (n === 'card' ? '2 or 35' : n)).join(', ')}`,
      };
    if (isOutcome(field(e.response, 39), 'formatError'))
      return { status: 'fail', detail: `${named(e)} was answered format error` };
  }
  if (events.length === 0) return { status: 'pending', detail: 'no request yet' };
  return { status: 'pass', detail: `${events.length} request(s), each readable with its mandatory fields` };
}

/** What makes two requests the same message: a retransmission or repeat has the same. */
function content(e: TrafficEvent): string {
  return [classOf(e.request.mti), ...[2, 3, 4, 12, 24, 35, 56, 70].map((n) => field(e.request, n) ?? '')].join('|');
}

function uniqueStans(events: readonly TrafficEvent[]): Verdict {
  const first = new Map<string, TrafficEvent>();
  for (const e of events) {
    const stan = field(e.request, 11);
    if (stan === undefined) continue;
    const earlier = first.get(stan);
    if (earlier === undefined) first.set(stan, e);
    else if (content(earlier) !== content(e))
      return {
        status: 'fail',
        detail: `STAN ${stan} used for ${earlier.request.mti} at ${earlier.at} and for another message, ${e.request.mti} at ${e.at}`,
      };
  }
  if (events.length === 0) return { status: 'pending', detail: 'no request yet' };
  return { status: 'pass', detail: `${first.size} STAN(s), each used for one message` };
}

function isSignOn(e: TrafficEvent): boolean {
  if (e.request.mti === '1804') return field(e.request, 24) === '801';
  if (e.request.mti === '0800') return field(e.request, 70) === '001';
  return false;
}

function signedOn(events: readonly TrafficEvent[]): Verdict {
  for (const e of events) {
    if (isSignOn(e) && isOutcome(field(e.response, 39), 'networkAccepted'))
      return { status: 'pass', detail: `signed on (${named(e)} at ${e.at})` };
    if (!isNetwork(e)) return { status: 'fail', detail: `${named(e)} at ${e.at} came before any accepted sign-on` };
  }
  return { status: 'pending', detail: 'no sign-on yet' };
}

/** The request the terminal sent after index i that is not network management. */
function nextRequest(events: readonly TrafficEvent[], i: number, skipNetwork: boolean): TrafficEvent | undefined {
  return events.slice(i + 1).find((e) => !skipNetwork || !isNetwork(e));
}

/** The fields as originalOf and lastCompletedStanOf read them. */
function asMessage(e: TrafficEvent): Record<number, string> {
  return Object.fromEntries(e.request.fields.map((f) => [f.n, f.value]));
}

function lostAnswerReversed(events: readonly TrafficEvent[]): Verdict {
  let settled = 0;
  for (const [i, lost] of events.entries()) {
    if (!isFinancial(lost) || !answerLost(lost) || !isOutcome(decidedCode(lost), 'approved')) continue;
    const stan = field(lost.request, 11);
    const next = nextRequest(events, i, true);
    if (next === undefined)
      return { status: 'pending', detail: `${named(lost)} approved, its answer lost: not reversed yet` };
    const msg = asMessage(next);
    const reversal = classOf(next.request.mti).slice(1) === '420' && originalOf(msg)?.stan === stan;
    const repeated = field(next.request, 11) === stan && classOf(next.request.mti) === classOf(lost.request.mti);
    const reported = lastCompletedStanOf(msg);
    if (!reversal && !repeated && (reported === undefined || reported === stan))
      return {
        status: 'fail',
        detail: `${named(lost)} approved, its answer lost; the next request (${named(next)}) neither reverses nor repeats it`,
      };
    settled++;
  }
  if (settled === 0)
    return { status: 'pending', detail: 'no approval whose answer was lost yet (the case’s fault rule makes one)' };
  return { status: 'pass', detail: `${settled} lost approval(s), each reversed at the next contact` };
}

function reversalRepeated(events: readonly TrafficEvent[]): Verdict {
  let repeated = 0;
  for (const [i, advice] of events.entries()) {
    if (classOf(advice.request.mti).slice(1) !== '420' || !answerLost(advice)) continue;
    const next = nextRequest(events, i, false);
    if (next === undefined) return { status: 'pending', detail: `${named(advice)} not acknowledged: not repeated yet` };
    const stan = field(advice.request, 11);
    if (next.request.mti?.slice(1) !== '421' || field(next.request, 11) !== stan)
      return {
        status: 'fail',
        detail: `${named(advice)} not acknowledged; the next request is ${named(next)}, not its repeat`,
      };
    repeated++;
  }
  const last = [...events].reverse().find((e) => classOf(e.request.mti).slice(1) === '420');
  if (repeated === 0) return { status: 'pending', detail: 'no reversal advice whose acknowledgement was lost yet' };
  if (last === undefined || answerLost(last))
    return { status: 'pending', detail: 'the reversal advice is not acknowledged yet' };
  return { status: 'pass', detail: `repeated ${repeated} time(s) until acknowledged (${named(last)})` };
}
