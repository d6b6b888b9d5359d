/**
 * The conformance checks on their own, over trace entries built here (the cases a real terminal
 * rarely produces on demand: repeats that are lost again, advices resent as 1420, old terminals
 * without field 48, 1987 dialects), and the trace window they read.
 */
import t from 'tap';
import { dialect, type IsoMessage } from '../../src/codec/index.js';
import { ManualClock } from '../../src/time/clock.js';
import { conformance, type ConformanceReport } from '../../src/faults/conformance.js';
import { type FaultNote, TerminalTrace, type TraceEntry } from '../../src/trace/terminal-trace.js';
import { corruptAnswer } from '../../src/authorization/fault-answers.js';

const d93 = dialect('iso93ascii');
const d87 = dialect('iso87ascii');
const PAN = '5019000000000016';

let minute = 0;
/** An exchange: the request, and its answer (a code) or none; a fault note when a rule changed it. */
function x(
  request: IsoMessage,
  answer: string | 'none' | 'corrupt',
  fault?: FaultNote,
  listener = 'iso93',
): TraceEntry {
  const d = listener === 'iso93' ? d93 : d87;
  const mti = String(request[0]);
  const response: IsoMessage = {
    ...request,
    0: `${mti.slice(0, 2)}${Number(mti[2]) + 1}${Number(mti[3]) - (Number(mti[3]) % 2)}`,
  };
  delete response[52];
  response[39] = answer === 'none' || answer === 'corrupt' ? (listener === 'iso93' ? '000' : '00') : answer;
  const packed = d.pack(response);
  const entry: TraceEntry = {
    at: new Date(Date.UTC(2026, 10, 21, 10, minute++)),
    listener,
    request: d.pack(request),
    response: answer === 'none' ? undefined : answer === 'corrupt' ? corruptAnswer(d, packed) : packed,
  };
  if (fault) entry.fault = fault;
  return entry;
}

const sale = (stan: string, f: IsoMessage = {}): IsoMessage => ({
  0: '1200',
  2: PAN,
  3: '000000',
  4: '000000010000',
  11: stan,
  12: '261121100000',
  41: 'T1',
  49: '208',
  ...f,
});
const advice = (stan: string, original: string, f: IsoMessage = {}): IsoMessage => ({
  0: '1420',
  2: PAN,
  4: '000000010000',
  11: stan,
  12: '261121100500',
  41: 'T1',
  56: `1200${original}261121100000`,
  ...f,
});
const nm = (stan: string, code: string): IsoMessage => ({ 0: '1804', 7: '1121100000', 11: stan, 24: code, 41: 'T1' });
const lost: FaultNote = { kind: 'noAnswer', rule: 'r1', actionCode: '000' };

function view(
  entries: TraceEntry[],
  o: { old?: boolean; dropped?: number; timeoutMs?: number } = {},
): ConformanceReport {
  return conformance({
    terminal: 'T1',
    entries,
    dropped: o.dropped ?? 0,
    capacity: 50,
    dialectOf: (l) => (l === 'iso93' ? d93 : d87),
    oldTerminal: o.old ?? false,
    timeoutMs: o.timeoutMs ?? 30_000,
  });
}
const check = (r: ConformanceReport, name: string) => r.checks.find((c) => c.check === name)!;

t.test(
  'lost approvals: a repeat that gets its answer settles it; lost repeats do not; declines and closes need nothing',
  async (t) => {
    let r = view([
      x(nm('000001', '801'), '800'),
      x(sale('000002'), 'none', lost),
      x(sale('000002', { 0: '1201' }), 'none', lost),
      x(sale('000002', { 0: '1201' }), '000'),
    ]);
    t.equal(check(r, 'lostApprovalReversed').status, 'pass');
    t.match(
      check(r, 'lostApprovalReversed').detail,
      /the terminal repeated it \(1201 STAN 000002 .*\) and got its answer/,
    );
    t.equal(check(r, 'uniqueStans').status, 'pass', 'repeats reuse the STAN rightly');

    r = view([x(sale('000002'), 'none', lost)]);
    t.equal(check(r, 'lostApprovalReversed').status, 'not-seen');
    t.match(check(r, 'lostApprovalReversed').detail, /no request from the terminal since/);

    r = view([
      x(sale('000002'), 'none', { ...lost, actionCode: '116' }),
      x(sale('000003'), 'none', { kind: 'close', rule: 'r2' }),
      x(sale('000004', { 12: '261121100100' }), '000'),
    ]);
    t.equal(
      check(r, 'lostApprovalReversed').status,
      'not-seen',
      'a lost decline or an unprocessed request: nothing to reverse',
    );
    t.match(r.counts, { answersLost: 2, faults: 2, financial: 3 });

    r = view([
      x(sale('000002'), 'none', lost),
      x(advice('000003', '000002'), '400'),
      x(sale('000004', { 12: '261121100100' }), 'none', lost),
    ]);
    t.equal(check(r, 'lostApprovalReversed').status, 'pass', 'one reversed, one still waiting: pass');
    t.match(
      check(r, 'lostApprovalReversed').detail,
      /reversed at the next contact.*; .*000004 .*no request from the terminal since/,
    );

    r = view([
      x(sale('000002'), 'none', lost),
      x(advice('000003', '000099'), '400'),
      x(advice('000004', '000002'), '400'),
    ]);
    t.match(
      check(r, 'lostApprovalReversed'),
      {
        status: 'fail',
        detail:
          /the next contact was 1420 STAN 000003 .*, not a reversal advice naming STAN 000002 in field 56 \(reversed later: 1420 STAN 000004/,
      },
      'a reversal of another transaction is not it',
    );

    r = view(
      [
        x(sale('000002'), '000', { kind: 'delay', rule: 'r3', ms: 500, actionCode: '000' }),
        x(sale('000005', { 12: '261121100200' }), '000'),
      ],
      { timeoutMs: 500 },
    );
    t.match(check(r, 'lostApprovalReversed'), { status: 'fail', detail: /delayed 500 ms by rule r3/ });
    r = view(
      [
        x(sale('000002'), '000', { kind: 'delay', rule: 'r3', ms: 500, actionCode: '000' }),
        x(sale('000005', { 12: '261121100200' }), '000'),
      ],
      { timeoutMs: 501 },
    );
    t.equal(check(r, 'lostApprovalReversed').status, 'not-seen', 'shorter than the timeout: answered');
  },
);

t.test('old terminals: only financial requests count as the next; one without field 48 fails', async (t) => {
  const r = view(
    [
      x(sale('000002', { 48: '01006000001' }), 'none', lost),
      x(nm('000003', '831'), '800'),
      x(advice('000004', '000002'), '400'),
      x(sale('000005', { 12: '261121100100' }), '904'),
    ],
    { old: true },
  );
  t.equal(check(r, 'lostApprovalReversed').status, 'fail');
  t.match(
    check(r, 'lostApprovalReversed').detail,
    /the next request \(1200 STAN 000005 .*\) carried no last completed STAN \(field 48 sub-element 01\)/,
  );
  t.equal(r.oldTerminal, true);
});

t.test('reversal advices: resent as 1420, repeats lost to the end, repeats then other traffic', async (t) => {
  const closed: FaultNote = { kind: 'close', rule: 'rc' };
  let r = view([x(advice('000010', '000002'), 'none', lost), x(advice('000010', '000002'), '400')]);
  t.match(check(r, 'reversalRepeated'), {
    status: 'fail',
    detail: /sent again as 1420 \(.*\), not as the repeat 1421/,
  });

  r = view([x(advice('000010', '000002'), 'none', closed)]);
  t.match(check(r, 'reversalRepeated'), {
    status: 'not-seen',
    detail: /cut off \(connection closed\) by rule rc: no request from the terminal since/,
  });

  r = view([
    x(advice('000010', '000002'), 'none', lost),
    x(advice('000010', '000002', { 0: '1421' }), 'corrupt', { kind: 'corrupt', rule: 'rx', actionCode: '400' }),
  ]);
  t.match(check(r, 'reversalRepeated'), { status: 'not-seen', detail: /repeated 1 time\(s\), not yet acknowledged/ });

  r = view([
    x(advice('000010', '000002'), 'none', lost),
    x(advice('000010', '000002', { 0: '1421' }), 'none', lost),
    x(sale('000011'), '000'),
  ]);
  t.match(check(r, 'reversalRepeated'), {
    status: 'fail',
    detail: /repeated 1 time\(s\), never acknowledged; the terminal went on with 1200 STAN 000011/,
  });

  r = view([
    x(advice('000010', '999', { 56: '12' }), 'none', lost),
    x(nm('000012', '831'), '800'),
    x(advice('000010', '999', { 0: '1421', 56: '12' }), '400'),
  ]);
  t.match(
    check(r, 'reversalRepeated'),
    { status: 'pass', detail: /\(original STAN \(none\)\).*repeated as 1421 1 time\(s\) until acknowledged/ },
    'an echo test in between is fine',
  );
});

t.test('STANs: none in the window is not-seen; sign-on: one report per stretch without it', async (t) => {
  const unknown: IsoMessage = { 0: '1300', 41: 'T1' };
  let r = view([x(unknown, '902')]);
  t.match(check(r, 'uniqueStans'), { status: 'not-seen', detail: /no request with a STAN/ });
  t.match(r.counts, { other: 1, requests: 1 });

  r = view([x(sale('000020'), '000'), x(sale('000021', { 12: '261121100100' }), '000')]);
  t.match(check(r, 'signedOn'), { status: 'fail', detail: /^1200 STAN 000020 at [^;]* before any sign-on$/ });

  const noStan = sale('000020');
  delete noStan[11];
  r = view([x(noStan, '904')]);
  t.match(check(r, 'signedOn'), { status: 'fail', detail: /^1200 STAN \(none\) at .* before any sign-on$/ });

  r = view([x(sale('000020'), '000')], { dropped: 3 });
  t.match(check(r, 'signedOn'), { status: 'not-seen', detail: /start is later than the terminal's first message/ });
  t.match(r.window, { complete: false, exchanges: 1 });

  r = view([]);
  t.match(r, { window: { exchanges: 0, from: '', to: '' }, counts: { requests: 0, pass: 0, fail: 0, notSeen: 4 } });
});

t.test('1987 dialect: 0800 sign-on (field 70), 0200 with field 13, 0420 naming the lost STAN', async (t) => {
  const sale87 = (stan: string, f: IsoMessage = {}): IsoMessage => ({
    0: '0200',
    2: PAN,
    3: '000000',
    4: '000000010000',
    11: stan,
    12: '100000',
    13: '1121',
    41: 'T1',
    49: '208',
    ...f,
  });
  const r = view([
    x({ 0: '0800', 7: '1121100000', 11: '000030', 41: 'T1', 70: '001' }, '00', undefined, 'iso87'),
    x(sale87('000031'), 'none', { ...lost, actionCode: '00' }, 'iso87'),
    x(
      {
        0: '0420',
        2: PAN,
        4: '000000010000',
        11: '000032',
        12: '100500',
        13: '1121',
        41: 'T1',
        56: '0200000031261121100000',
      },
      '00',
      undefined,
      'iso87',
    ),
    x(sale87('000033', { 12: '101000', 13: '1122' }), '00', undefined, 'iso87'),
    x(sale87('000033', { 12: '101000', 13: '1123' }), '00', undefined, 'iso87'),
  ]);
  t.same(Object.fromEntries(r.checks.map((c) => [c.check, c.status])), {
    lostApprovalReversed: 'pass',
    reversalRepeated: 'not-seen',
    uniqueStans: 'fail',
    signedOn: 'pass',
  });
  t.match(
    check(r, 'uniqueStans').detail,
    /STAN 000033: .* with another local time$/,
    'field 13 is part of the local time',
  );
  t.match(check(r, 'signedOn').detail, /signed on \(0800 STAN 000030/);
});

t.test('the trace window: entries pushed out are counted; forgotten terminals have none', async (t) => {
  const trace = new TerminalTrace(2, new ManualClock(new Date('2026-11-21T10:00:00Z')), 2);
  const req = d93.pack(nm('000001', '831'));
  for (let i = 0; i < 3; i++) trace.record('A', 'iso93', req, req);
  t.match(trace.window('A'), { dropped: 1, capacity: 2 });
  t.equal(trace.window('A').entries.length, 2);
  trace.record('B', 'iso93', req, undefined, { kind: 'close', rule: 'r' });
  trace.record('C', 'iso93', req, req);
  t.notOk(trace.has('A'), 'the terminal traced longest ago is forgotten');
  t.same(trace.window('A'), { entries: [], dropped: 0, capacity: 2 });
  t.same(
    trace.render('A', () => d93),
    [],
  );
  t.match(
    trace.render('B', () => d93),
    [{ response: null, fault: { kind: 'close', rule: 'r' } }],
  );
});
