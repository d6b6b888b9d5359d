/**
 * The guided cases' checker over exchanges as the live traffic renders them (real frames packed
 * with the iso93ascii and iso87ascii dialects, through trafficEvent): each check passes, fails with
 * its reason, or waits; finishing a case fails what was not seen.
 */
import t from 'tap';
import { type IsoMessage, dialect } from '../../src/codec/index.js';
import type { FaultNote } from '../../src/trace/terminal-trace.js';
import { type TrafficEvent, trafficEvent } from '../../src/trace/traffic-event.js';
import { checkCase } from '../../src/certification/check-case.js';
import type { TestCase } from '../../src/certification/test-plan.js';

const iso93 = dialect('iso93ascii');
const iso87 = dialect('iso87ascii');
const PAN = '5019000000000016';
let seq = 0;

function ev(request: IsoMessage, response?: IsoMessage, fault?: FaultNote, d = iso93): TrafficEvent {
  return trafficEvent(
    ++seq,
    String(request[41] ?? 'TERM0001'),
    {
      at: new Date(Date.UTC(2026, 10, 21, 10, 0, seq)),
      listener: 'iso93',
      request: d.pack(request),
      response: response && d.pack(response),
      ...(fault ? { fault } : {}),
    },
    d,
  );
}

const purchase = (stan: string, fields: IsoMessage = {}): IsoMessage => ({
  0: '1200',
  2: PAN,
  3: '000000',
  4: '000000010000',
  11: stan,
  12: '261121101530',
  41: 'TERM0001',
  49: '208',
  ...fields,
});
const answer = (req: IsoMessage, code: string): IsoMessage => ({
  0: `${String(req[0]).slice(0, 2)}${Number(String(req[0])[2]) + 1}0`,
  11: req[11]!,
  39: code,
  41: 'TERM0001',
});
const reversal = (stan: string, original: string, mti = '1420'): IsoMessage => ({
  0: mti,
  2: PAN,
  4: '000000010000',
  11: stan,
  12: '261121101600',
  41: 'TERM0001',
  56: `1200${original}261121101530`,
});
const signOn = (stan: string): IsoMessage => ({ 0: '1804', 7: '1121101530', 11: stan, 24: '801', 41: 'TERM0001' });
const echo = (stan: string): IsoMessage => ({ 0: '1804', 7: '1121101530', 11: stan, 24: '831', 41: 'TERM0001' });
const exchange = (req: IsoMessage, code: string) => ev(req, answer(req, code));
const lost = (req: IsoMessage, code = '000'): TrafficEvent =>
  ev(req, undefined, { kind: 'noAnswer', rule: 'r1', actionCode: code });

function testCase(fields: Partial<TestCase> = {}): TestCase {
  return { id: 'c', title: 'c', instructions: '', card: PAN, faults: [], exchanges: [], checks: [], ...fields };
}

const statusOf = (c: TestCase, events: TrafficEvent[], finished = false) =>
  checkCase(c, events, finished).checks.map((k) => `${k.check}:${k.status}`);
const detailOf = (c: TestCase, events: TrafficEvent[], check: string, finished = false) =>
  checkCase(c, events, finished).checks.find((k) => k.check === check)?.detail;

t.test('exchanges: in order, by outcome in either code set; other MTIs not compared', async (t) => {
  const c = testCase({
    exchanges: [
      { request: ['x100', 'x200'], outcome: 'wrongPin' },
      { request: ['x100', 'x200'], outcome: 'approved' },
    ],
  });
  const first = exchange(purchase('000001'), '117');
  t.same(checkCase(c, [first]), {
    status: 'running',
    checks: [
      {
        check: 'exchanges',
        status: 'pending',
        detail: '1 of 2 requests seen; next: x100 or x200 answered approved (000 / 00)',
      },
    ],
  });
  const echoed = exchange(echo('000002'), '800');
  const second = ev(
    { ...purchase('000003'), 0: '0200', 12: '101530', 13: '1121' },
    { 0: '0210', 11: '000003', 39: '00', 41: 'TERM0001' },
    undefined,
    iso87,
  );
  t.same(
    checkCase(c, [first, echoed, second]).status,
    'pass',
    'the echo is not compared; 00 is approved in 1987 codes',
  );
  t.equal(
    detailOf(c, [exchange(purchase('000004'), '000')], 'exchanges'),
    'request 1 (1200 STAN 000004) was answered 000; expected x100 or x200 answered wrongPin (117 / 55)',
  );
  const three = [first, exchange(purchase('000005'), '000'), exchange(purchase('000006'), '000')];
  t.equal(checkCase(c, three).status, 'fail');
  t.equal(detailOf(c, three, 'exchanges'), 'request 3 (1200 STAN 000006) is more than the 2 the case expects');
  const wrongMti = testCase({ exchanges: [{ request: 'x100' }, { request: 'x420' }] });
  t.equal(
    detailOf(
      wrongMti,
      [exchange({ ...purchase('000007'), 0: '1100' }, '000'), exchange({ ...purchase('000008'), 0: '1100' }, '000')],
      'exchanges',
    ),
    'request 2 is 1100 STAN 000008; the case expects x420',
  );
  t.same(statusOf(c, [first], true), ['exchanges:fail']);
  t.match(detailOf(c, [first], 'exchanges', true), /^not seen: 1 of 2 requests seen/);
  t.equal(
    detailOf(testCase({ exchanges: [{ request: '1200' }] }), [lost(purchase('000009'))], 'exchanges'),
    '1 request(s) as expected',
  );
});

t.test('an answer a fault withheld is judged by the action code the switch decided', async (t) => {
  const c = testCase({ exchanges: [{ request: 'x200', outcome: 'approved' }] });
  t.equal(checkCase(c, [lost(purchase('000010'))]).status, 'pass');
  t.equal(checkCase(c, [lost(purchase('000011'), '116')]).status, 'fail');
});

t.test('fieldsFormatted: readable, mandatory fields present, no format error', async (t) => {
  const c = testCase({ checks: ['fieldsFormatted'] });
  t.same(statusOf(c, []), ['exchanges:pass', 'fieldsFormatted:pending']);
  t.same(statusOf(c, [exchange(purchase('000020'), '000'), exchange(signOn('000021'), '800')]), [
    'exchanges:pass',
    'fieldsFormatted:pass',
  ]);
  const no49 = purchase('000022');
  delete no49[49];
  t.equal(detailOf(c, [exchange(no49, '904')], 'fieldsFormatted'), '1200 STAN 000022 lacks field(s) 49');
  const noCard = purchase('000023');
  delete noCard[2];
  t.equal(detailOf(c, [ev(noCard)], 'fieldsFormatted'), '1200 STAN 000023 lacks field(s) 2 or 35');
  t.equal(
    detailOf(c, [exchange({ ...purchase('000024'), 42: 'SHOP1' }, '904')], 'fieldsFormatted'),
    '1200 STAN 000024 was answered format error',
  );
  const frame = iso93.pack(purchase('000025'));
  const broken = trafficEvent(
    1,
    'TERM0001',
    { at: new Date(), listener: 'iso93', request: frame.subarray(0, frame.length - 2), response: undefined },
    iso93,
  );
  t.match(detailOf(c, [broken], 'fieldsFormatted'), /^1200 STAN 000025 is unreadable: /);
  t.equal(
    detailOf(c, [exchange({ 0: '0800', 7: '1121101530', 11: '000026' }, '00')], 'fieldsFormatted'),
    '0800 STAN 000026 lacks field(s) 70',
  );
});

t.test('uniqueStans: a STAN for one message; a retransmission reuses it rightly', async (t) => {
  const c = testCase({ checks: ['uniqueStans'] });
  t.equal(checkCase(c, []).status, 'running');
  const sale = purchase('000030');
  t.equal(checkCase(c, [exchange(sale, '000'), exchange({ ...sale, 0: '1201' }, '000')]).status, 'pass');
  t.match(
    detailOf(c, [exchange(sale, '000'), exchange({ ...sale, 4: '000000020000' }, '000')], 'uniqueStans'),
    /^STAN 000030 used for 1200 at .* and for another message, 1200 at /,
  );
  t.equal(
    detailOf(c, [exchange(sale, '000'), exchange(purchase('000031'), '000')], 'uniqueStans'),
    '2 STAN(s), each used for one message',
  );
});

t.test('signedOn: an accepted sign-on before the first financial request', async (t) => {
  const c = testCase({ checks: ['signedOn'] });
  t.same(statusOf(c, [exchange(echo('000040'), '800')]), ['exchanges:pass', 'signedOn:pending']);
  t.match(
    detailOf(c, [exchange(signOn('000041'), '800'), exchange(purchase('000042'), '000')], 'signedOn'),
    /^signed on \(1804 STAN 000041 at /,
  );
  t.match(
    detailOf(c, [exchange(signOn('000043'), '902'), exchange(purchase('000044'), '000')], 'signedOn'),
    /^1200 STAN 000044 at .* came before any accepted sign-on$/,
  );
  const old = { 0: '0800', 7: '1121101530', 11: '000045', 41: 'TERM0001', 70: '001' };
  t.equal(
    checkCase(c, [ev(old, { 0: '0810', 11: '000045', 39: '00', 41: 'TERM0001', 70: '001' }, undefined, iso87)]).status,
    'pass',
  );
  t.same(statusOf(c, [], true), ['exchanges:pass', 'signedOn:fail']);
});

t.test('lostAnswerReversed: the next request reverses, repeats or (old terminals) reports another STAN', async (t) => {
  const c = testCase({ checks: ['lostAnswerReversed'] });
  const sale = purchase('000050');
  t.match(detailOf(c, [], 'lostAnswerReversed'), /^no approval whose answer was lost yet/);
  t.equal(
    detailOf(c, [lost(sale)], 'lostAnswerReversed'),
    '1200 STAN 000050 approved, its answer lost: not reversed yet',
  );
  t.equal(
    checkCase(c, [lost(sale), exchange(echo('000051'), '800'), exchange(reversal('000052', '000050'), '400')]).status,
    'pass',
    'an echo in between is not a request',
  );
  t.equal(checkCase(c, [lost(sale), exchange({ ...sale, 0: '1201' }, '000')]).status, 'pass', 'repeated and answered');
  t.equal(
    checkCase(c, [lost(sale), exchange(purchase('000053', { 48: '01006000049' }), '000')]).status,
    'pass',
    "an old terminal's field 48",
  );
  t.equal(
    detailOf(c, [lost(sale), exchange(purchase('000054', { 48: '01006000050' }), '000')], 'lostAnswerReversed'),
    '1200 STAN 000050 approved, its answer lost; the next request (1200 STAN 000054) neither reverses nor repeats it',
  );
  t.equal(
    checkCase(c, [lost(sale), exchange(reversal('000055', '000049'), '400')]).status,
    'fail',
    'a reversal of another STAN',
  );
  t.equal(
    checkCase(c, [
      ev(sale, answer(sale, '000'), { kind: 'corrupt', rule: 'r2', actionCode: '000' }),
      exchange(reversal('000056', '000050'), '400'),
    ]).status,
    'pass',
    'a corrupted answer is lost too',
  );
  t.equal(
    checkCase(c, [lost(sale, '117'), exchange(purchase('000057'), '000')]).status,
    'running',
    'a lost decline needs no reversal',
  );
});

t.test(
  'reversalRepeated: an unacknowledged advice is repeated, before anything else, until acknowledged',
  async (t) => {
    const c = testCase({ checks: ['reversalRepeated'] });
    const advice = reversal('000060', '000059');
    const unacked = lost(advice, '400');
    t.match(detailOf(c, [], 'reversalRepeated'), /^no reversal advice whose acknowledgement was lost yet/);
    t.equal(detailOf(c, [unacked], 'reversalRepeated'), '1420 STAN 000060 not acknowledged: not repeated yet');
    const repeat = { ...advice, 0: '1421' };
    t.equal(
      detailOf(c, [unacked, lost(repeat, '400')], 'reversalRepeated'),
      '1421 STAN 000060 not acknowledged: not repeated yet',
    );
    t.equal(
      detailOf(c, [unacked, lost(repeat, '400'), exchange(repeat, '400')], 'reversalRepeated'),
      'repeated 2 time(s) until acknowledged (1421 STAN 000060)',
    );
    t.equal(
      detailOf(c, [unacked, exchange(echo('000061'), '800')], 'reversalRepeated'),
      '1420 STAN 000060 not acknowledged; the next request is 1804 STAN 000061, not its repeat',
    );
  },
);
