/**
 * The conformance view over real TCP: terminals that handle lost answers as they must pass, and
 * terminals that do not fail, for each check; the view's query, its 404 and its window.
 */
import t, { type Test } from 'tap';
import { dialect, type IsoMessage } from '../../src/codec/index.js';
import { TEST_CARD } from '../support/switch.js';
import { purchase93, type TestTerminal } from '../support/terminal.js';
import {
  FRAMING_93,
  VENDOR,
  addRule,
  answerWithin,
  call,
  conformanceOf,
  journal,
  open,
  rawExchange,
  startVendorSwitch,
  statuses,
} from './fixtures/vendor.js';

const signOn = (terminal = 'TERM0001', code = '801'): IsoMessage => ({
  0: '1804',
  7: '1121101530',
  24: code,
  41: terminal,
});
/** A reversal advice of `original` (a 1200 as sent), with a STAN of its own. */
const reversal = (original: IsoMessage, fields: IsoMessage = {}): IsoMessage => ({
  0: '1420',
  2: TEST_CARD.pan,
  3: '000000',
  4: original[4]!,
  12: '261121101600',
  24: '400',
  25: '4021',
  41: original[41]!,
  49: '208',
  56: `1200${String(original[11])}${String(original[12])}`,
  ...fields,
});
const lastCompleted = (stan: string): string => `01006${stan}`;

/** Sends and expects no answer within half a second. */
async function unanswered(t: Test, term: TestTerminal, m: IsoMessage): Promise<void> {
  t.equal(await answerWithin(term, m, 500), 'none', `no answer to ${String(m[0])} STAN ${String(m[11])}`);
}

t.test('a chip terminal that reverses a lost approval at its next contact passes every check', async (t) => {
  const s = await startVendorSwitch(t);
  const term = await open(t, s);
  t.equal((await term.send(signOn()))[39], '800');
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer', mti: '1200' });
  const sale = purchase93({ 11: term.nextStan() });
  await unanswered(t, term, sale);
  t.equal((await term.send(echoTest()))[39], '800', 'an echo test in between is not a transaction');
  const r = await term.send(reversal(sale));
  t.same([r[0], r[39]], ['1430', '400']);
  const postings = await journal(s);
  t.same(
    postings.map((p) => p.type),
    ['purchase', 'reversal'],
    'the approval posted and was reversed',
  );

  const res = await conformanceOf(s, 'TERM0001');
  t.equal(res.status, 200);
  t.same(statuses(res.body), {
    lostApprovalReversed: 'pass',
    reversalRepeated: 'not-seen',
    uniqueStans: 'pass',
    signedOn: 'pass',
  });
  const lost = res.body.checks[0];
  t.match(lost.detail, `1200 STAN ${String(sale[11])}`);
  t.match(lost.detail, `withheld by rule ${rule.id}`);
  t.match(lost.detail, /reversed at the next contact \(1420 STAN/);
  t.match(res.body, {
    terminal: 'TERM0001',
    timeoutMs: 30_000,
    oldTerminal: false,
    window: { exchanges: 4, capacity: 50, complete: true },
    counts: {
      requests: 4,
      financial: 1,
      reversalAdvices: 1,
      networkManagement: 2,
      other: 0,
      faults: 1,
      answersLost: 1,
      pass: 3,
      fail: 0,
      notSeen: 1,
    },
  });
  t.notMatch(res.text, TEST_CARD.pan, 'no card data');

  function echoTest(): IsoMessage {
    return signOn('TERM0001', '831');
  }
});

t.test('a chip terminal that goes on without reversing fails; a corrupted answer counts as lost', async (t) => {
  const s = await startVendorSwitch(t);
  const term = await open(t, s);
  await term.send(signOn());
  await addRule(t, s, { terminal: 'TERM0001', kind: 'corrupt', mti: '1200' });
  const sale = purchase93({ 11: '000101' });
  const raw = await rawExchange(s.port('iso93'), FRAMING_93, dialect('iso93ascii').pack(sale));
  t.equal(raw.frames.length, 1, 'a (corrupted) answer arrived');
  const next = purchase93({ 11: '000102', 12: '261121101700' });
  t.equal((await term.send(next))[39], '000');
  let res = await conformanceOf(s, 'TERM0001');
  t.equal(statuses(res.body).lostApprovalReversed, 'fail');
  t.match(
    res.body.checks[0].detail,
    /1200 STAN 000101 at .* approved, its answer corrupted by rule \w+: the next contact was 1200 STAN 000102 at .*, not a reversal advice naming STAN 000101 in field 56$/,
  );

  await term.send(reversal(sale));
  res = await conformanceOf(s, 'TERM0001');
  t.equal(statuses(res.body).lostApprovalReversed, 'fail', 'reversing later is still not at the next contact');
  t.match(res.body.checks[0].detail, /\(reversed later: 1420 STAN/);
});

t.test(
  'old terminals: the next request reports the earlier STAN in field 48 (the switch reverses), or fails',
  async (t) => {
    const s = await startVendorSwitch(t);
    const term = await open(t, s);
    const dkt = (stan: string, time: string, last: string, terminal = 'DKT00001'): IsoMessage =>
      purchase93({ 11: stan, 12: time, 41: terminal, 48: lastCompleted(last) });
    await term.send(signOn('DKT00001'));
    t.equal((await term.send(dkt('000001', '261121080000', '000000')))[39], '000');
    await addRule(t, s, { terminal: 'DKT00001', kind: 'noAnswer' });
    await unanswered(t, term, dkt('000002', '261121080100', '000001'));
    t.equal(
      (await term.send(dkt('000003', '261121080200', '000001')))[39],
      '000',
      'reports 000001: the switch reverses 000002',
    );
    const reversals = (await journal(s)).filter((p) => p.type === 'reversal');
    t.match(
      reversals,
      [{ txn: 'DKT00001-261121080100-000002', reason: 'switch' }],
      'the switch reversed the lost approval',
    );
    const res = await conformanceOf(s, 'DKT00001');
    t.match(res.body, { oldTerminal: true });
    t.same(statuses(res.body), {
      lostApprovalReversed: 'pass',
      reversalRepeated: 'not-seen',
      uniqueStans: 'pass',
      signedOn: 'pass',
    });
    t.match(
      res.body.checks[0].detail,
      /1200 STAN 000002 .*: the next request \(1200 STAN 000003 .*\) reported STAN 000001 as the last completed, so the switch reversed it/,
    );

    // An OEM terminal that claims the lost approval as completed: the switch cannot tell; the view can.
    await term.send(signOn('OEM00001'));
    t.equal((await term.send(dkt('000011', '261121090000', '000000', 'OEM00001')))[39], '000');
    await addRule(t, s, { terminal: 'OEM00001', kind: 'noAnswer' });
    await unanswered(t, term, dkt('000012', '261121090100', '000011', 'OEM00001'));
    await term.send(dkt('000013', '261121090200', '000012', 'OEM00001'));
    const oem = await conformanceOf(s, 'OEM00001');
    t.equal(statuses(oem.body).lostApprovalReversed, 'fail');
    t.match(oem.body.checks[0].detail, /reported it completed in field 48, so the switch did not reverse it/);
    t.equal((await journal(s)).filter((p) => p.type === 'reversal').length, 1, 'and indeed nothing more was reversed');
  },
);

t.test('reversal advices: repeated as 1421 until acknowledged passes; going on without repeating fails', async (t) => {
  const s = await startVendorSwitch(t);
  const term = await open(t, s);
  await term.send(signOn());
  const sale = purchase93({ 11: '000201' });
  t.equal((await term.send(sale))[39], '000');
  await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer', mti: '1420' });
  await addRule(t, s, { terminal: 'TERM0001', kind: 'close', mti: '1421' });
  const advice = reversal(sale, { 11: '000202' });
  await unanswered(t, term, advice);
  await unanswered(t, term, { ...advice, 0: '1421' });
  await term.closed;
  const again = await open(t, s);
  const ack = await again.send({ ...advice, 0: '1421' });
  t.same([ack[0], ack[39]], ['1430', '400'], 'the second repeat is acknowledged');
  let res = await conformanceOf(s, 'TERM0001');
  t.equal(statuses(res.body).reversalRepeated, 'pass');
  t.match(
    res.body.checks[1].detail,
    /reversal advice 1420 STAN 000202 .* \(original STAN 000201\), its answer withheld by rule \w+: repeated as 1421 2 time\(s\) until acknowledged/,
  );
  t.equal(statuses(res.body).uniqueStans, 'pass', 'a repeat reuses its STAN rightly');
  t.equal((await journal(s)).filter((p) => p.type === 'reversal').length, 1, 'reversed once');

  const sale2 = purchase93({ 11: '000203', 12: '261121110000' });
  await again.send(sale2);
  await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer', mti: '1420' });
  await unanswered(t, again, reversal(sale2, { 11: '000204' }));
  await again.send(purchase93({ 11: '000205', 12: '261121110100' }));
  res = await conformanceOf(s, 'TERM0001');
  t.equal(statuses(res.body).reversalRepeated, 'fail');
  t.match(res.body.checks[1].detail, /000204 .*: not repeated; the terminal went on with 1200 STAN 000205/);
});

t.test('STAN reuse with other content fails; retransmissions are fine', async (t) => {
  const s = await startVendorSwitch(t);
  const term = await open(t, s);
  await term.send(signOn('TERM0003'));
  const sale = purchase93({ 11: '000301', 41: 'TERM0003' });
  const first = await term.send(sale);
  const again = await term.send(sale);
  t.equal(again[38], first[38], 'a retransmission: the first answer');
  let res = await conformanceOf(s, 'TERM0003');
  t.equal(statuses(res.body).uniqueStans, 'pass');
  t.match(res.body.checks[2].detail, /2 STAN\(s\) in 3 request\(s\)/);
  await term.send({ 0: '1804', 7: '1121101530', 11: '000301', 24: '831', 41: 'TERM0003' });
  await term.send(purchase93({ 11: '000301', 41: 'TERM0003', 4: '000000000100' }));
  res = await conformanceOf(s, 'TERM0003');
  t.equal(statuses(res.body).uniqueStans, 'fail');
  t.match(
    res.body.checks[2].detail,
    /STAN 000301: 1200 STAN 000301 at .*, then 1804 STAN 000301 at .* with another message class, processing code, amount, local time, card, network code/,
  );
  t.match(res.body.checks[2].detail, /then 1200 STAN 000301 at .* with another amount/);
});

t.test(
  'sign-on: seen before financial traffic passes; missing, or after a sign-off, fails; nothing: not seen',
  async (t) => {
    const s = await startVendorSwitch(t);
    const term = await open(t, s);
    await term.send(purchase93({ 41: 'TERM0004' }));
    await term.send(signOn('TERM0004'));
    let res = await conformanceOf(s, 'TERM0004');
    t.equal(statuses(res.body).signedOn, 'fail');
    t.match(res.body.checks[3].detail, /1200 STAN \d{6} at .* before any sign-on/);

    await term.send(signOn('TERM0005'));
    await term.send(purchase93({ 41: 'TERM0005' }));
    await term.send(signOn('TERM0005', '802'));
    await term.send(purchase93({ 41: 'TERM0005' }));
    res = await conformanceOf(s, 'TERM0005');
    t.equal(statuses(res.body).signedOn, 'fail');
    t.match(res.body.checks[3].detail, /after a sign-off, without a new sign-on/);

    await term.send(signOn('TERM0006', '831'));
    res = await conformanceOf(s, 'TERM0006');
    t.same(statuses(res.body), {
      lostApprovalReversed: 'not-seen',
      reversalRepeated: 'not-seen',
      uniqueStans: 'pass',
      signedOn: 'not-seen',
    });
    t.match(res.body.checks[3].detail, 'no sign-on and no financial traffic');
  },
);

t.test('a delayed answer is lost when at least the timeout given; the view covers the trace window', async (t) => {
  const s = await startVendorSwitch(t, { trace: { perTerminal: 4 } });
  const term = await open(t, s);
  await term.send(signOn());
  await addRule(t, s, { terminal: 'TERM0001', kind: 'delay', ms: 300 });
  t.equal((await term.send(purchase93({ 11: '000401' })))[39], '000', 'answered late');
  await term.send(purchase93({ 11: '000402', 12: '261121101700' }));
  let res = await conformanceOf(s, 'TERM0001');
  t.equal(statuses(res.body).lostApprovalReversed, 'not-seen', 'within the default 30 s timeout: not lost');
  res = await conformanceOf(s, 'TERM0001', '?timeoutMs=300');
  t.equal(res.body.timeoutMs, 300);
  t.equal(
    statuses(res.body).lostApprovalReversed,
    'fail',
    'a terminal waiting 300 ms had given up: it should have reversed',
  );
  t.match(res.body.checks[0].detail, /its answer delayed 300 ms by rule/);

  for (let i = 0; i < 3; i++) await term.send(purchase93({ 12: `26112110180${i}` }));
  res = await conformanceOf(s, 'TERM0001', '?timeoutMs=300');
  t.match(res.body.window, { exchanges: 4, capacity: 4, complete: false });
  t.equal(statuses(res.body).signedOn, 'not-seen', 'the sign-on fell out of the window: unknown');
  t.match(res.body.checks[3].detail, /no sign-on in the trace window/);
  t.equal(statuses(res.body).lostApprovalReversed, 'not-seen', 'so did the delayed approval');
});

t.test('the view: 404 for a terminal never traced; its query is checked', async (t) => {
  const s = await startVendorSwitch(t);
  await (await open(t, s)).send(signOn());
  const none = await conformanceOf(s, 'NOBODY');
  t.equal(none.status, 404);
  t.same(none.body, { error: 'no trace for terminal NOBODY' });
  for (const [query, problems] of [
    ['?timeoutMs=0', [{ path: '/timeoutMs', message: /from 1 to 120000/ }]],
    ['?timeoutMs=120001', [{ path: '/timeoutMs', message: /from 1 to 120000/ }]],
    ['?timeoutMs=abc', [{ path: '/timeoutMs', message: /whole number/ }]],
    ['?timeoutMs=1&timeoutMs=2', [{ path: '/timeoutMs', message: /once/ }]],
    ['?colour=red&timeoutMs=1', [{ path: '/colour', message: /is not allowed/ }]],
  ] as const) {
    const res = await call(s, 'GET', `/terminals/TERM0001/conformance${query}`, { token: VENDOR });
    t.equal(res.status, 400, query);
    t.match(res.body, { error: 'invalid request query', problems }, query);
  }
  t.equal((await conformanceOf(s, 'TERM0001', '?timeoutMs=120000')).status, 200);
});
