/**
 * The conformance view of one terminal (GET /terminals/:id/conformance): from the terminal's
 * trace (its last N exchanges) and the fault notes in it, what the switch expected of the
 * terminal and what the terminal did. Four checks, each pass, fail or not-seen (nothing in the
 * window shows it either way):
 *
 * - lostApprovalReversed: after an approval whose answer the terminal never got (a fault rule's
 *   noAnswer or corrupt, or a delay at least the terminal's answer timeout), its next request
 *   reverses it: a reversal advice (1420/0420, or the repeat 1421/0421) naming that STAN in
 *   field 56; an old terminal (dkt1, dkt1plus, oem) instead reports in field 48 a last completed
 *   STAN other than the lost one, so that the switch reverses it. Repeating the lost request
 *   itself and getting its answer settles it too. Network management (echo, sign-on) in between
 *   is not a request for this purpose.
 * - reversalRepeated: a reversal advice whose acknowledgement the terminal never got is repeated
 *   as 1421/0421 (same STAN) until one is acknowledged, before anything else.
 * - uniqueStans: no STAN used for two different messages (class, processing code, amount, local
 *   time, original data, card); retransmissions and repeats reuse theirs, rightly.
 * - signedOn: a sign-on (1804 function code 801, 0800 code 001) before financial traffic, and
 *   none after a sign-off without a new sign-on.
 *
 * Details name MTIs, STANs, times, action codes and rule ids: never card data.
 */
import type { Dialect, IsoMessage } from '../codec/index.js';
import type { FaultNote, TraceEntry } from '../trace/terminal-trace.js';
import { panOf } from '../messages/card-data.js';
import { lastCompletedStanOf, originalOf } from '../messages/transaction-data.js';

/** The answer timeout assumed for a terminal when the caller gives none (ms). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 30_000;

export type CheckStatus = 'pass' | 'fail' | 'not-seen';

export interface ConformanceCheck {
  check: 'lostApprovalReversed' | 'reversalRepeated' | 'uniqueStans' | 'signedOn';
  status: CheckStatus;
  detail: string;
}

export interface ConformanceReport {
  terminal: string;
  /** The trace window the view covers. */
  window: { exchanges: number; capacity: number; complete: boolean; from: string; to: string };
  timeoutMs: number;
  oldTerminal: boolean;
  checks: ConformanceCheck[];
  counts: {
    requests: number;
    financial: number;
    reversalAdvices: number;
    networkManagement: number;
    other: number;
    faults: number;
    answersLost: number;
    pass: number;
    fail: number;
    notSeen: number;
  };
}

export interface ConformanceInput {
  terminal: string;
  entries: readonly TraceEntry[];
  /** Entries that fell out of the window: the terminal's earlier traffic is unknown. */
  dropped: number;
  capacity: number;
  dialectOf: (listener: string) => Dialect;
  oldTerminal: boolean;
  timeoutMs: number;
}

/** One request of the window, as the checks see it. Holds the PAN (for comparisons) in memory only. */
interface Seen {
  at: string;
  mti: string;
  /** The MTI with the repeat digit cleared: 1201 -> 1200, 1421 -> 1420. */
  klass: string;
  kind: 'financial' | 'reversal' | 'network' | 'other';
  stan: string | undefined;
  /** Field 12 (and 13 in 1987 dialects), as sent. */
  localTime: string;
  /** Everything a retransmission repeats; another message under the same STAN differs here. */
  content: Record<string, string>;
  original: string | undefined;
  lastCompleted: string | undefined;
  /** Field 24 of a 1804, field 70 of a 0800 (sign-on, sign-off, echo); '' otherwise. */
  networkCode: string;
  /** The action code the switch decided (also when the answer was not delivered). */
  decided: string | undefined;
  /** The terminal got an intact answer within its timeout. */
  answered: boolean;
  fault: FaultNote | undefined;
}

const KINDS: Record<string, Seen['kind']> = {
  '1100': 'financial',
  '0100': 'financial',
  '1200': 'financial',
  '0200': 'financial',
  '1420': 'reversal',
  '0420': 'reversal',
  '1804': 'network',
  '0800': 'network',
};
const APPROVED = new Set(['000', '00']);
const SIGN_ON = new Set(['801', '001']);
const SIGN_OFF = new Set(['802', '002']);

export function conformance(input: ConformanceInput): ConformanceReport {
  const seen = input.entries.map((e) => see(e, input));
  const checks = [
    lostApprovalReversed(seen, input.oldTerminal),
    reversalRepeated(seen),
    uniqueStans(seen),
    signedOn(seen, input.dropped > 0),
  ];
  const count = (k: Seen['kind']) => seen.filter((s) => s.kind === k).length;
  const status = (st: CheckStatus) => checks.filter((c) => c.status === st).length;
  return {
    terminal: input.terminal,
    window: {
      exchanges: seen.length,
      capacity: input.capacity,
      complete: input.dropped === 0,
      from: seen[0]?.at ?? '',
      to: seen.at(-1)?.at ?? '',
    },
    timeoutMs: input.timeoutMs,
    oldTerminal: input.oldTerminal,
    checks,
    counts: {
      requests: seen.length,
      financial: count('financial'),
      reversalAdvices: count('reversal'),
      networkManagement: count('network'),
      other: count('other'),
      faults: seen.filter((s) => s.fault !== undefined).length,
      answersLost: seen.filter((s) => !s.answered).length,
      pass: status('pass'),
      fail: status('fail'),
      notSeen: status('not-seen'),
    },
  };
}

function see(entry: TraceEntry, input: ConformanceInput): Seen {
  const dialect = input.dialectOf(entry.listener);
  // Partial: a request answered with a format error is in the trace too, read as far as it goes.
  const m = dialect.unpackPartial(entry.request).message;
  const mti = String(m[0]);
  const klass = mti.slice(0, 3) + String(Number(mti[3]) - (Number(mti[3]) % 2));
  const fault = entry.fault;
  const lost =
    entry.response === undefined ||
    fault?.kind === 'corrupt' ||
    // Sent without its MAC: a terminal that MACs must not believe it (docs/SECURITY.md §3).
    fault?.kind === 'dropMac' ||
    (fault?.kind === 'delay' && fault.ms! >= input.timeoutMs);
  const decided =
    fault?.actionCode ??
    (entry.response === undefined ? undefined : text(dialect.unpackPartial(entry.response).message[39]));
  const localTime = `${text(m[12]) ?? ''}${m[13] === undefined ? '' : `/${text(m[13])}`}`;
  const networkCode = (klass === '1804' ? text(m[24]) : klass === '0800' ? text(m[70]) : undefined) ?? '';
  return {
    at: entry.at.toISOString(),
    mti,
    klass,
    kind: KINDS[klass] ?? 'other',
    stan: text(m[11]),
    localTime,
    content: {
      'message class': klass,
      'processing code': (text(m[3]) ?? '').slice(0, 2),
      amount: text(m[4]) ?? '',
      'local time': localTime,
      'original data': text(m[56]) ?? '',
      card: panOf(m) ?? '',
      'network code': networkCode,
    },
    original: originalOf(m)?.stan,
    lastCompleted: lastCompletedStanOf(m),
    networkCode,
    decided,
    answered: !lost,
    fault,
  };
}

const text = (v: IsoMessage[number] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const describe = (s: Seen): string => `${s.mti} STAN ${s.stan ?? '(none)'} at ${s.at}`;

function why(s: Seen): string {
  const f = s.fault!;
  if (f.kind === 'delay') return `its answer delayed ${f.ms} ms by rule ${f.rule}`;
  const what =
    f.kind === 'corrupt'
      ? 'corrupted'
      : f.kind === 'close'
        ? 'cut off (connection closed)'
        : f.kind === 'dropMac'
          ? 'sent without its MAC'
          : 'withheld';
  return `its answer ${what} by rule ${f.rule}`;
}

/** A check over several cases: fail if any fails, else pass if any passes, else not-seen. */
function summarize(
  check: ConformanceCheck['check'],
  results: { status: CheckStatus; detail: string }[],
  none: string,
): ConformanceCheck {
  if (results.length === 0) return { check, status: 'not-seen', detail: none };
  const status: CheckStatus = results.some((r) => r.status === 'fail')
    ? 'fail'
    : results.some((r) => r.status === 'pass')
      ? 'pass'
      : 'not-seen';
  return { check, status, detail: results.map((r) => r.detail).join('; ') };
}

function sameTransaction(a: Seen, b: Seen): boolean {
  return a.stan === b.stan && a.localTime === b.localTime && a.klass === b.klass;
}

function lostApprovalReversed(seen: Seen[], old: boolean): ConformanceCheck {
  const results: { status: CheckStatus; detail: string }[] = [];
  seen.forEach((lost, i) => {
    if (lost.kind !== 'financial' || lost.answered || !APPROVED.has(lost.decided ?? '')) return;
    const head = `${describe(lost)} approved, ${why(lost)}`;
    const later = seen.slice(i + 1).filter((s) => s.kind !== 'network');
    for (const [k, s] of later.entries()) {
      if (sameTransaction(s, lost)) {
        if (s.answered)
          return results.push({
            status: 'pass',
            detail: `${head}: the terminal repeated it (${describe(s)}) and got its answer`,
          });
        continue;
      }
      if (old) {
        if (s.kind !== 'financial') continue;
        if (s.lastCompleted === undefined)
          return results.push({
            status: 'fail',
            detail: `${head}: the next request (${describe(s)}) carried no last completed STAN (field 48 sub-element 01), so the switch could not reverse it`,
          });
        if (s.lastCompleted === lost.stan)
          return results.push({
            status: 'fail',
            detail: `${head}: the next request (${describe(s)}) reported it completed in field 48, so the switch did not reverse it`,
          });
        return results.push({
          status: 'pass',
          detail: `${head}: the next request (${describe(s)}) reported STAN ${s.lastCompleted} as the last completed, so the switch reversed it`,
        });
      }
      if (s.kind === 'reversal' && s.original === lost.stan)
        return results.push({ status: 'pass', detail: `${head}: reversed at the next contact (${describe(s)})` });
      const reversal = later.slice(k + 1).find((r) => r.kind === 'reversal' && r.original === lost.stan);
      return results.push({
        status: 'fail',
        detail: `${head}: the next contact was ${describe(s)}, not a reversal advice naming STAN ${lost.stan} in field 56${reversal ? ` (reversed later: ${describe(reversal)})` : ''}`,
      });
    }
    results.push({ status: 'not-seen', detail: `${head}: no request from the terminal since` });
  });
  return summarize(
    'lostApprovalReversed',
    results,
    'no approval whose answer was lost (noAnswer, corrupt, or a delay of at least the timeout) in the trace window',
  );
}

function reversalRepeated(seen: Seen[]): ConformanceCheck {
  const results: { status: CheckStatus; detail: string }[] = [];
  /** Repeats already judged with the advice they repeat. */
  const judged = new Set<Seen>();
  seen.forEach((advice, i) => {
    if (advice.kind !== 'reversal' || advice.answered || judged.has(advice)) return;
    const head = `reversal advice ${describe(advice)} (original STAN ${advice.original ?? '(none)'}), ${why(advice)}`;
    let repeats = 0;
    for (const s of seen.slice(i + 1)) {
      if (s.kind === 'network') continue;
      if (s.stan === advice.stan && s.kind === 'reversal') {
        judged.add(s);
        if (s.mti === s.klass)
          return results.push({
            status: 'fail',
            detail: `${head}: sent again as ${s.mti} (${s.at}), not as the repeat ${repeatOf(advice.klass)}`,
          });
        repeats++;
        if (s.answered)
          return results.push({
            status: 'pass',
            detail: `${head}: repeated as ${s.mti} ${repeats} time(s) until acknowledged (${s.at})`,
          });
        continue;
      }
      return results.push({
        status: 'fail',
        detail: `${head}: ${repeats === 0 ? 'not repeated' : `repeated ${repeats} time(s), never acknowledged`}; the terminal went on with ${describe(s)}`,
      });
    }
    results.push({
      status: 'not-seen',
      detail: `${head}: ${repeats === 0 ? 'no request from the terminal since' : `repeated ${repeats} time(s), not yet acknowledged`}`,
    });
  });
  return summarize(
    'reversalRepeated',
    results,
    'no reversal advice whose acknowledgement was lost in the trace window',
  );
}

const repeatOf = (klass: string): string => klass.slice(0, 3) + String(Number(klass[3]) + 1);

function uniqueStans(seen: Seen[]): ConformanceCheck {
  const first = new Map<string, Seen>();
  const reused: string[] = [];
  let stans = 0;
  for (const s of seen) {
    if (s.stan === undefined) continue;
    stans++;
    const earlier = first.get(s.stan);
    if (earlier === undefined) {
      first.set(s.stan, s);
      continue;
    }
    const differs = Object.keys(s.content).filter((k) => s.content[k] !== earlier.content[k]);
    if (differs.length > 0)
      reused.push(`STAN ${s.stan}: ${describe(earlier)}, then ${describe(s)} with another ${differs.join(', ')}`);
  }
  if (stans === 0)
    return { check: 'uniqueStans', status: 'not-seen', detail: 'no request with a STAN in the trace window' };
  if (reused.length > 0) return { check: 'uniqueStans', status: 'fail', detail: reused.join('; ') };
  return {
    check: 'uniqueStans',
    status: 'pass',
    detail: `${first.size} STAN(s) in ${stans} request(s), each used for one message (retransmissions and repeats reuse theirs)`,
  };
}

function signedOn(seen: Seen[], truncated: boolean): ConformanceCheck {
  // Before the window the terminal may have signed on: unknown, unless the window holds its whole traffic.
  let state: 'on' | 'off' | 'unknown' = truncated ? 'unknown' : 'off';
  let signOn: Seen | undefined;
  const problems: string[] = [];
  for (const s of seen) {
    if (s.kind === 'network' && SIGN_ON.has(s.networkCode)) {
      state = 'on';
      signOn ??= s;
    } else if (s.kind === 'network' && SIGN_OFF.has(s.networkCode)) {
      state = 'off';
    } else if (s.kind === 'financial' && state === 'off') {
      problems.push(
        `${describe(s)} ${signOn === undefined ? 'before any sign-on' : 'after a sign-off, without a new sign-on'}`,
      );
      // One report per stretch without a sign-on.
      state = 'unknown';
    }
  }
  if (problems.length > 0) return { check: 'signedOn', status: 'fail', detail: problems.join('; ') };
  if (signOn !== undefined)
    return { check: 'signedOn', status: 'pass', detail: `signed on (${describe(signOn)}) before financial traffic` };
  return {
    check: 'signedOn',
    status: 'not-seen',
    detail: truncated
      ? "no sign-on in the trace window, whose start is later than the terminal's first message"
      : 'no sign-on and no financial traffic in the trace window',
  };
}
