/**
 * Postings over real TCP and a real Redis: single message posts at once, dual message at the
 * completion, reversal advices reverse once, retransmissions and repeats never post twice.
 */
import t, { type Test } from 'tap';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';

async function open(t: Test, s: TestSwitch, listener = 'iso93'): Promise<TestTerminal> {
  const term =
    listener === 'iso93'
      ? await TestTerminal.open(s.port('iso93'))
      : await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => term.close());
  return term;
}

async function journal(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

/** Field 56: original MTI, STAN, local date and time. */
const original = (m: IsoMessage): string => `${String(m[0])}${String(m[11])}${String(m[12])}`;

t.test('single message: an approval posts once, with everything the statement and chargebacks need', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const req = purchase93({ 2: card.pan, 4: '000000004500', 42: 'MERCHANT0001   ', 52: pinBlock('1234', card.pan) });
  const a = await term.send(req);
  t.equal(a[39], '000');
  const [p, ...rest] = await journal(s);
  t.equal(rest.length, 0, 'exactly one posting');
  t.match(p, {
    txn: `TERM0001-261121101530-${String(a[11])}`,
    type: 'purchase',
    direction: 'D',
    amount: 4500,
    currency: '208',
    card: card.id,
    maskedPan: `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`,
    issuer: 'bank-a',
    terminal: 'TERM0001',
    merchant: 'MERCHANT0001',
    stan: a[11],
    localTime: '261121101530',
    approvalCode: a[38],
    cardStatus: 'active',
  });
  t.equal(s.sw.register.cipher.decrypt(p!.panEnc), card.pan, 'the full PAN only encrypted, under the data key');
  t.notOk(JSON.stringify(p).includes(card.pan), 'no clear PAN in the posting');

  const refund = await term.send(purchase93({ 2: card.pan, 3: '200000', 4: '000000001000' }));
  t.equal(refund[39], '000');
  const after = await journal(s);
  t.match(after[1], { type: 'refund', direction: 'C', amount: 1000 });
  t.match(
    await s.sw.register.state(card.id),
    { reserved: 0, unbooked: 4500 },
    'the purchase held until booked; a refund holds nothing',
  );

  const declined = await term.send(purchase93({ 2: card.pan, 52: pinBlock('9999', card.pan) }));
  t.equal(declined[39], '117');
  t.equal((await journal(s)).length, 2, 'a decline posts nothing');
});

t.test('retransmissions and repeats get the first answer and post nothing new; other content is 913', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const req = purchase93({ 2: card.pan, 11: '000777' });
  const first = await term.send(req);
  const again = await term.send(req);
  const repeat = await term.send({ ...req, 0: '1201' });
  t.equal(first[39], '000');
  t.same([again[39], again[38]], [first[39], first[38]], 'a retransmission: the same answer and approval code');
  t.same(
    [repeat[0], repeat[39], repeat[38]],
    ['1210', first[39], first[38]],
    'a repeat (1201) is answered as the original',
  );
  const other = await term.send({ ...req, 4: '000000000100' });
  t.equal(other[39], '913', 'the same terminal, STAN and time with another amount: duplicate transmission');
  t.equal((await journal(s)).length, 1, 'one posting');
  t.equal((await s.sw.register.state(card.id))!.unbooked, 12500, 'held once');

  const wrong = purchase93({ 2: card.pan, 11: '000778', 52: pinBlock('0000', card.pan) });
  t.equal((await term.send(wrong))[39], '117');
  t.equal((await term.send(wrong))[39], '117');
  t.equal((await s.sw.register.state(card.id))!.pinTries, 1, 'a retransmitted wrong PIN is not a second try');
});

t.test('dual message: authorise a maximum, complete with less; the rest is released; completion rules', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await open(t, s);
  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000050000', 52: pinBlock('1234', card.pan) });
  const a = await term.send(auth);
  t.equal(a[0], '1110');
  t.equal(a[39], '000');
  t.equal((await journal(s)).length, 0, 'an authorization posts nothing');
  t.equal((await s.sw.register.state(card.id))!.reserved, 50_000);

  const completion: IsoMessage = {
    0: '1220',
    2: card.pan,
    3: '000000',
    4: '000000031250',
    12: '261121101731',
    24: '202',
    41: 'TERM0001',
    49: '208',
    56: original({ ...auth, 11: String(a[11]) }),
  };
  const c = await term.send(completion);
  t.same([c[0], c[39], c[38]], ['1230', '000', a[38]], "completed; the approval code is the authorization's");
  const [p] = await journal(s);
  t.match(p, {
    type: 'purchase',
    direction: 'D',
    amount: 31_250,
    txn: `TERM0001-261121101530-${String(a[11])}`,
    approvalCode: a[38],
  });
  t.match(
    await s.sw.register.state(card.id),
    { reserved: 0, unbooked: 31_250 },
    'the pumped amount held until booked, the rest is back',
  );

  const c2 = await term.send({ ...completion, 0: '1221', 11: String(c[11]) });
  t.same(
    [c2[0], c2[39], c2[38]],
    ['1230', '000', a[38]],
    'a repeat of the completion: the first answer, with its approval code',
  );
  const other = await term.send({ ...completion });
  t.equal(other[39], '913', 'a second completion of a completed authorization');
  t.equal((await journal(s)).length, 1, 'still one posting');

  const auth2 = purchase93({ 0: '1100', 2: card.pan, 4: '000000010000', 12: '261121120000' });
  const a2 = await term.send(auth2);
  const over = await term.send({
    ...completion,
    4: '000000010001',
    12: '261121120100',
    56: original({ ...auth2, 11: String(a2[11]) }),
  });
  t.equal(over[39], '110', 'above the authorised amount');
  const unknown = await term.send({ ...completion, 12: '261121120200', 56: `1100999999${'261121000000'}` });
  t.equal(unknown[39], '914', 'unknown original');
  const single = await term.send(purchase93({ 2: card.pan, 4: '000000000100', 12: '261121120300' }));
  const notDual = await term.send({
    ...completion,
    4: '000000000100',
    12: '261121120400',
    56: original({ 0: '1100', 11: String(single[11]), 12: '261121120300' }),
  });
  t.equal(notDual[39], '902', 'a single-message purchase is not completed');
  const refundAuth = await term.send(purchase93({ 0: '1100', 2: card.pan, 3: '200000' }));
  t.equal(refundAuth[39], '902', 'a refund is single message');
  t.equal((await journal(s)).filter((x) => x.amount !== 100).length, 1, 'none of these posted');
  const bad56 = await term.send({ ...completion, 12: '261121120500', 56: '12' });
  t.equal(bad56[39], '904', 'an unreadable field 56 is a format error');
});

t.test('reversal advices: once per original, partial, released reservation, cancellation, unmatched', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await open(t, s);
  const sale = purchase93({ 2: card.pan, 4: '000000020000', 12: '261121090000' });
  const a = await term.send(sale);
  const advice = {
    0: '1420',
    2: card.pan,
    3: '000000',
    4: '000000020000',
    12: '261121090100',
    24: '400',
    25: '4021',
    41: 'TERM0001',
    49: '208',
    56: original({ ...sale, 11: String(a[11]) }),
  };
  const r = await term.send(advice);
  t.same([r[0], r[39]], ['1430', '400'], 'reversal accepted');
  const repeat = await term.send({ ...advice, 0: '1421', 11: String(r[11]) });
  t.same([repeat[0], repeat[39]], ['1430', '400'], 'a repeated advice: acknowledged again');
  const again = await term.send({ ...advice, 12: '261121090200' });
  t.equal(again[39], '400', 'another advice for the same original: acknowledged');
  let postings = await journal(s);
  t.equal(postings.length, 2, 'the sale and ONE reversal');
  t.match(postings[1], {
    type: 'reversal',
    direction: 'C',
    amount: 20_000,
    txn: postings[0]!.txn,
    reverses: postings[0]!.txn,
    reason: '4021',
    approvalCode: a[38],
  });
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 0 }, "the sale's hold is given back");

  const sale2 = purchase93({ 2: card.pan, 4: '000000010000', 12: '261121100000' });
  const a2 = await term.send(sale2);
  await term.send({
    ...advice,
    4: '000000002500',
    12: '261121100100',
    24: '401',
    25: '4000',
    56: original({ ...sale2, 11: String(a2[11]) }),
  });
  postings = await journal(s);
  t.match(
    postings[3],
    { type: 'cancellation', direction: 'C', amount: 2500, reason: '4000' },
    'partial (401) customer cancellation',
  );
  t.equal((await s.sw.register.state(card.id))!.unbooked, 7500);

  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000030000', 12: '261121110000' });
  const a3 = await term.send(auth);
  await term.send({
    ...advice,
    4: '000000030000',
    12: '261121110100',
    25: '4351',
    56: original({ ...auth, 11: String(a3[11]) }),
  });
  t.equal((await journal(s)).length, 4, 'an authorization not completed: nothing posted');
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 7500 }, 'its reservation released');
  const late = await term.send({
    0: '1220',
    2: card.pan,
    3: '000000',
    4: '000000030000',
    12: '261121110200',
    41: 'TERM0001',
    49: '208',
    56: original({ ...auth, 11: String(a3[11]) }),
  });
  t.equal(late[39], '902', 'a completion after the reversal: already reversed');

  const orphan = { ...advice, 11: '000901', 12: '261121120000', 56: '1200123456261121115959' };
  t.equal((await term.send(orphan))[39], '400', 'unknown original: acknowledged');
  t.equal((await term.send({ ...orphan, 0: '1421' }))[39], '400');
  const unmatched = await s.sw.unmatched.list();
  t.equal(unmatched.length, 1, 'kept once in the unmatched list');
  t.match(unmatched[0], {
    original: 'TERM0001-261121115959-123456',
    terminal: 'TERM0001',
    amount: 20_000,
    reason: '4021',
  });
  t.notOk(JSON.stringify(unmatched).includes(card.pan), 'masked PAN only');
  const unregistered = await term.send({ ...orphan, 2: '5019000000000008', 12: '261121120001' });
  t.equal(unregistered[39], '400', 'an advice for an unknown card: acknowledged too');
  t.equal((await s.sw.unmatched.list()).length, 2);
  t.equal((await journal(s)).length, 4, 'unmatched advices post nothing');
  t.equal(
    (await term.send({ ...orphan, 4: '000000000001' }))[39],
    '913',
    'the same advice with another amount: duplicate',
  );
});

t.test('1987 dialect: 0200, 0100 + 0220, 0420 with the same rules', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await open(t, s, 'iso87');
  const sale = purchase87({ 2: card.pan, 4: '000000001000' });
  const a = await term.send(sale);
  t.equal(a[39], '00');
  const auth = purchase87({ 0: '0100', 2: card.pan, 4: '000000005000', 12: '111111' });
  const a2 = await term.send(auth);
  const year = String(new Date().getUTCFullYear() % 100).padStart(2, '0');
  const c = await term.send({
    0: '0220',
    2: card.pan,
    3: '000000',
    4: '000000004000',
    12: '111200',
    13: '1121',
    41: 'TERM0001',
    49: '208',
    56: `0100${String(a2[11])}${year}1121111111`,
  });
  t.same([c[0], c[39]], ['0230', '00']);
  const r = await term.send({
    0: '0420',
    2: card.pan,
    3: '000000',
    4: '000000001000',
    12: '111300',
    13: '1121',
    41: 'TERM0001',
    49: '208',
    56: `0200${String(a[11])}${year}1121101530`,
  });
  t.same([r[0], r[39]], ['0430', '00']);
  const p = await journal(s);
  t.same(
    p.map((x) => [x.type, x.amount]),
    [
      ['purchase', 1000],
      ['purchase', 4000],
      ['reversal', 1000],
    ],
  );
  t.equal(p[0]!.localTime, `${year}1121101530`, "fields 13 + 12 with the year of the switch's date");
  t.equal(p[2]!.txn, p[0]!.txn);
});

t.test('postings left in an outbox (relay failed, process killed) reach the journal once', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await open(t, s);
  await term.send(purchase93({ 2: card.pan }));
  await s.sw.postings.drain();
  const [p] = await journal(s);
  // As if the process died after the approval and before the relay: the posting back in the outbox.
  const redis = s.redis;
  await redis.rpush(s.sw.modules.card.postingOutboxes.keyOf(card.id), JSON.stringify(p));
  t.equal(await s.sw.postings.sweep(), 1, 'the sweep finds it');
  t.equal((await journal(s)).length, 1, 'and the journal does not take it twice');
  t.equal(await redis.llen(s.sw.modules.card.postingOutboxes.keyOf(card.id)), 0, 'the outbox is empty');
});
