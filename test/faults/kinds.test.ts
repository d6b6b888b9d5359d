/**
 * Fault injection over real TCP against a real switch and Redis: each kind of fault, one-shot and
 * lasting rules, the MTI filter, rules per card, the trace's fault notes and the metric.
 */
import t from 'tap';
import { dialect, Iso8583Error } from '../../src/codec/index.js';
import { OPERATOR_TOKEN, TEST_CARD } from '../support/switch.js';
import { purchase87, purchase93 } from '../support/terminal.js';
import { addCard } from '../support/cards.js';
import {
  FRAMING_87,
  FRAMING_93,
  VENDOR,
  addRule,
  answerWithin,
  call,
  journal,
  open,
  rawExchange,
  startVendorSwitch,
  traceOf,
} from './fixtures/vendor.js';

const iso93 = dialect('iso93ascii');
const iso87 = dialect('iso87ascii');
const echo93 = (stan: string, code = '831') => ({ 0: '1804', 7: '1121101530', 11: stan, 24: code, 41: 'TERM0001' });

t.test('delay: the answer leaves at least ms late, and is the normal answer', async (t) => {
  const s = await startVendorSwitch(t);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'delay', ms: 400 });
  t.match(rule, { kind: 'delay', ms: 400, times: 1, left: 1, fired: 0, terminal: 'TERM0001' });
  const term = await open(t, s);
  const started = Date.now();
  const a = await term.send(purchase93());
  const took = Date.now() - started;
  t.ok(took >= 400, `answered after ${took} ms`);
  t.equal(a[39], '000', 'processed as usual: approved');
  t.equal((await journal(s)).length, 1, 'and posted');
  const fast = Date.now();
  await term.send(purchase93());
  t.ok(Date.now() - fast < 400, 'one-shot: the next answer is not delayed');
  const trace = await traceOf(s, 'TERM0001');
  t.same(
    trace.exchanges[0]!.fault,
    { kind: 'delay', rule: rule.id, ms: 400, actionCode: '000' },
    'the trace notes the fault',
  );
  t.equal(trace.exchanges[1]!.fault, undefined, 'and only on the exchange it changed');
});

t.test('noAnswer: processed (approved and posted) but never answered; the trace and the metric show it', async (t) => {
  const s = await startVendorSwitch(t);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer' });
  const term = await open(t, s);
  const stan = term.nextStan();
  t.equal(await answerWithin(term, purchase93({ 11: stan }), 700), 'none', 'no answer within 700 ms');
  const postings = await journal(s);
  t.equal(postings.length, 1, 'the approval posted');
  t.match(postings[0], { type: 'purchase', txn: `TERM0001-261121101530-${stan}`, amount: 12_500 });
  t.equal((await s.sw.register.state(s.sw.register.idOf(TEST_CARD.pan)))!.unbooked, 12_500, 'and held until booked');
  t.equal((await term.send(purchase93()))[39], '000', 'the connection stays open; the next request is answered');

  const trace = await traceOf(s, 'TERM0001');
  t.equal(trace.exchanges.length, 2);
  t.same(trace.exchanges[0]!.fault, { kind: 'noAnswer', rule: rule.id, actionCode: '000' });
  t.equal(trace.exchanges[0]!.response, null, 'no response was sent');
  t.match(trace.exchanges[0]!.request.described, /MTI 1200/);
  const metrics = (await call(s, 'GET', '/metrics', { token: OPERATOR_TOKEN })).text;
  t.match(metrics, /switch_faults_injected_total\{kind="noAnswer"\} 1/);
  t.match(
    metrics,
    /switch_requests_total\{listener="iso93",mti="1200",action_code="000"\} 1\n/,
    'the withheld answer is not counted as answered',
  );
  t.notMatch(metrics, /TERM0001|5019000000000016/, 'no terminal id or card data in the metrics');
  t.equal((await call(s, 'GET', '/faults', { token: VENDOR })).body.rules.length, 0, 'the one-shot rule is spent');
});

t.test('close: the connection is closed after reading the request, which is not processed', async (t) => {
  const s = await startVendorSwitch(t);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'close' });
  const term = await open(t, s);
  t.equal(await answerWithin(term, purchase93(), 1000), 'none');
  await term.closed;
  t.pass('the switch closed the connection');
  t.equal((await journal(s)).length, 0, 'nothing posted');
  t.match(await s.sw.register.state(s.sw.register.idOf(TEST_CARD.pan)), { reserved: 0, unbooked: 0 }, 'nothing held');
  const trace = await traceOf(s, 'TERM0001');
  t.same(trace.exchanges[0]!.fault, { kind: 'close', rule: rule.id });
  t.equal(trace.exchanges[0]!.response, null);
  const again = await open(t, s);
  t.equal((await again.send(purchase93()))[39], '000', 'a new connection is served normally');
  t.match(
    (await call(s, 'GET', '/metrics', { token: OPERATOR_TOKEN })).text,
    /switch_faults_injected_total\{kind="close"\} 1/,
  );
});

t.test("actionCode: the answer carries the rule's code; the register is not asked, nothing posts", async (t) => {
  const s = await startVendorSwitch(t);
  const card = await addCard(s.sw);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '116', times: 2 });
  const term = await open(t, s);
  const a = await term.send(purchase93({ 2: card.pan, 42: 'MERCHANT0001   ' }));
  t.match(
    a,
    {
      0: '1210',
      2: card.pan,
      3: '000000',
      4: '000000012500',
      39: '116',
      41: 'TERM0001',
      42: 'MERCHANT0001   ',
      49: '208',
    },
    "the route's echo fields, and 116",
  );
  t.equal(a[38], undefined, 'no approval code on a decline');
  // A card the register does not know would be 111: the rule's code wins without asking it.
  const unknown = await term.send(purchase93({ 2: '5019000000000008' }));
  t.equal(unknown[39], '116');
  t.equal((await journal(s)).length, 0, 'nothing posted');
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 0 }, 'nothing held');
  t.equal((await term.send(purchase93({ 2: card.pan })))[39], '000', 'twice, then the rule is spent');
  const trace = await traceOf(s, 'TERM0001');
  t.same(trace.exchanges[0]!.fault, { kind: 'actionCode', rule: rule.id, actionCode: '116' });
  t.match(trace.exchanges[0]!.response, { described: /39 Action code\s+"116"/ });

  await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '000' });
  const approved = await term.send(purchase93({ 2: card.pan }));
  t.equal(approved[39], '000');
  t.match(approved[38], /^\d{6}$/, 'a forced approval carries an approval code');
  t.equal((await journal(s)).length, 1, 'but posts nothing (the one posting is the earlier real approval)');

  await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', mti: '1804' });
  const e = await term.send(echo93(term.nextStan()));
  t.match(e, { 0: '1814', 24: '831', 39: '909', 41: 'TERM0001' }, 'network management: its own echo fields');
});

t.test(
  'actionCode on a 1987 listener: a 1993 code is translated through the table; an unknown one is 96',
  async (t) => {
    const s = await startVendorSwitch(t);
    const term87 = await open(t, s, 'iso87');
    const term93 = await open(t, s);
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '116', times: 1 });
    t.equal((await term87.send(purchase87()))[39], '51', '116 (insufficient funds) is 51 in 1987 codes');
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '199' });
    t.equal((await term87.send(purchase87()))[39], '96', 'a code the table does not know: system malfunction');
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '55' });
    t.equal((await term87.send(purchase87()))[39], '55', 'a 1987 code as it is');
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '51' });
    t.equal((await term93.send(purchase93()))[39], '116', 'a 1987 code on a 1993 listener: translated back');
  },
);

t.test("corrupt: the answer's bytes do not unpack; the request was processed; 1993 and 1987", async (t) => {
  const s = await startVendorSwitch(t);
  const card = await addCard(s.sw);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'corrupt', times: 2 });
  const stan = '004711';
  const { frames, closed } = await rawExchange(
    s.port('iso93'),
    FRAMING_93,
    iso93.pack(purchase93({ 2: card.pan, 11: stan })),
  );
  t.equal(frames.length, 1, 'one answer frame arrives');
  t.notOk(closed, 'on an open connection');
  t.throws(() => iso93.unpack(frames[0]!), Iso8583Error, 'the answer does not unpack');
  const partial = iso93.unpackPartial(frames[0]!);
  t.match(partial.message, { 0: '1210', 11: stan }, 'MTI and STAN before the damage are readable');
  t.match(partial.error?.field, 39, 'the action code is the damaged field');
  t.equal((await journal(s)).length, 1, 'the approval posted');

  const r87 = await rawExchange(s.port('iso87'), FRAMING_87, iso87.pack(purchase87({ 2: card.pan, 11: '004712' })));
  t.throws(() => iso87.unpack(r87.frames[0]!), Iso8583Error, 'a 1987 answer (field 39 an2) does not unpack either');

  const trace = await traceOf(s, 'TERM0001');
  t.same(trace.exchanges[0]!.fault, { kind: 'corrupt', rule: rule.id, actionCode: '000' });
  t.match(trace.exchanges[0]!.response, { described: /unreadable from here/ }, 'the trace shows the bytes sent');
  t.match(trace.exchanges[1]!.fault, { kind: 'corrupt', actionCode: '00' });
  const fine = await rawExchange(s.port('iso93'), FRAMING_93, iso93.pack(purchase93({ 2: card.pan, 11: '004713' })));
  t.equal(iso93.unpack(fine.frames[0]!)[39], '000', 'spent after two: answers are readable again');
});

t.test('one-shot, counted and lasting rules; the MTI filter', async (t) => {
  const s = await startVendorSwitch(t);
  const term = await open(t, s);
  const counted = await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', times: 3 });
  const codes: unknown[] = [];
  for (let i = 0; i < 4; i++) codes.push((await term.send(purchase93()))[39]);
  t.same(codes, ['909', '909', '909', '000'], 'times: 3 fires three times');
  t.notOk(
    (await call(s, 'GET', '/faults', { token: VENDOR })).body.rules.some((r: { id: string }) => r.id === counted.id),
    'then it is gone',
  );

  const always = await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', times: 'always' });
  for (let i = 0; i < 3; i++) t.equal((await term.send(purchase93()))[39], '909');
  const listed = (await call(s, 'GET', '/faults', { token: VENDOR })).body.rules;
  t.match(
    listed,
    [{ id: always.id, times: 'always', left: 'always', fired: 3 }],
    'lasting: still there, fired 3 times',
  );
  t.equal((await call(s, 'DELETE', `/faults/${always.id}`, { token: VENDOR })).status, 200);
  t.equal((await term.send(purchase93()))[39], '000', 'removed: no longer applies');

  await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', mti: '1804' });
  t.equal((await term.send(purchase93()))[39], '000', 'a 1200 passes a rule for 1804s');
  t.equal((await term.send(echo93(term.nextStan())))[39], '909', 'the 1804 gets it');
  t.equal((await term.send(echo93(term.nextStan())))[39], '800', 'once');

  await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', mti: '1200' });
  t.equal((await term.send(purchase93({ 0: '1201' })))[39], '000', 'the filter is exact: a 1201 is not a 1200');
  t.equal((await term.send(purchase93()))[39], '909');
  t.equal((await term.send(purchase93({ 41: 'TERM0002' })))[39], '000', 'another terminal is never touched');
});

t.test('rules per card: matched by card id (field 2 or track 2), on any terminal; the PAN is never kept', async (t) => {
  const s = await startVendorSwitch(t);
  const card = await addCard(s.sw);
  const other = await addCard(s.sw);
  const term = await open(t, s);
  const res = await call(s, 'POST', '/faults', {
    token: VENDOR,
    body: { pan: card.pan, kind: 'actionCode', code: '208', times: 'always' },
  });
  t.equal(res.status, 201);
  t.equal(res.body.card, card.id, 'the rule names the card by its id');
  t.equal(res.body.terminal, undefined);
  t.equal(res.headers.get('location'), `/faults/${res.body.id}`);
  t.notMatch(res.text, card.pan, 'no PAN in the answer');
  t.equal((await term.send(purchase93({ 2: card.pan })))[39], '208');
  t.equal((await term.send(purchase93({ 2: card.pan, 41: 'ANOTHER1' })))[39], '208', 'on any terminal');
  const track = purchase93({ 35: `${card.pan}=30121010000` });
  delete track[2];
  t.equal((await term.send(track))[39], '208', 'found from track 2 as well');
  t.equal((await term.send(purchase93({ 2: other.pan })))[39], '000', 'another card is not touched');
  const noCard = purchase93();
  delete noCard[2];
  t.equal((await term.send(noCard))[39], '904', 'a request without a card: no card rule matches');

  const both = await addRule(t, s, { pan: other.pan, terminal: 'TERM0009', kind: 'actionCode', code: '104' });
  t.equal((await term.send(purchase93({ 2: other.pan })))[39], '000', 'card and terminal: both must match');
  t.equal((await term.send(purchase93({ 2: other.pan, 41: 'TERM0009' })))[39], '104');
  t.equal((await call(s, 'DELETE', `/faults/${both.id}`, { token: VENDOR })).status, 404, 'spent: gone');

  const stored = JSON.stringify(await s.redis.hgetall(`${s.config.redis.keyPrefix}{faults}:rules`));
  t.match(stored, card.id);
  t.notMatch(stored, card.pan, 'Redis holds the card id, never the PAN');
  t.notMatch(JSON.stringify(s.logs), card.pan, 'nor does the log');
});

t.test('close for a request without a terminal id: closed, nothing traced', async (t) => {
  const s = await startVendorSwitch(t);
  const card = await addCard(s.sw);
  await addRule(t, s, { pan: card.pan, kind: 'close' });
  const term = await open(t, s);
  const m = purchase93({ 2: card.pan });
  delete m[41];
  t.equal(await answerWithin(term, m, 1000), 'none');
  await term.closed;
  t.equal(s.sw.trace.has(''), false);
  t.equal(s.sw.trace.has('TERM0001'), false, 'no trace: no terminal to file it under');
});
