/**
 * The balance booked at delivery (issue #14 item 1), over real TCP against a real Redis: a posting
 * holds its amount from the approval until the clearing delivery carrying it is written, then
 * the card's balance moves by it exactly once. Completions, refunds, reversals before and after
 * booking, a delivery run twice, and a run that dies between its file and its booking.
 */
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/time/clock.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { CardState } from '../../src/card/card-state.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import { A, TOKENS, call } from '../admin/fixtures/client.js';

const DATE = '2026-11-21';
const AT = new Date(`${DATE}T09:00:00Z`); // 10:00 in Copenhagen

async function setup(t: Test, extra: Parameters<typeof startSwitch>[2] = {}) {
  const clock = new ManualClock(AT);
  const s = await startSwitch(t, {}, { clock, ...extra });
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const card = await addCard(s.sw, { balance: 100_000 });
  const money = async (): Promise<Pick<CardState, 'balance' | 'reserved' | 'unbooked' | 'available'>> => {
    const { balance, reserved, unbooked, available } = (await s.sw.register.state(card.id))!;
    return { balance, reserved, unbooked, available };
  };
  const buy = (amount: number, extraFields: IsoMessage = {}): Promise<IsoMessage> =>
    term.send(purchase93({ 2: card.pan, 4: String(amount).padStart(12, '0'), ...extraFields }));
  return { s, clock, term, card, money, buy };
}

/** Field 56 of a message answering `m` (its MTI, STAN and local time). */
const originalOf = (m: IsoMessage, answer: IsoMessage): string =>
  `${String(m[0])}${String(answer[11])}${String(m[12])}`;

async function deliver(s: TestSwitch, number: number) {
  await s.sw.postings.drain();
  return s.sw.delivery.deliver(DATE, number);
}

t.test('a purchase holds its amount until delivered; the delivery books it once, run twice or not', async (t) => {
  const { s, money, buy } = await setup(t);
  t.equal((await buy(30_000, { 12: '261121100000' }))[39], '000');
  t.same(await money(), { balance: 100_000, reserved: 0, unbooked: 30_000, available: 70_000 }, 'held, not booked');
  t.equal((await buy(70_001, { 12: '261121100001' }))[39], '116', 'the held money cannot be approved again');

  const [d] = await deliver(s, 1);
  t.equal(d!.postings, 1);
  t.same(await money(), { balance: 70_000, reserved: 0, unbooked: 0, available: 70_000 }, 'booked: balance down once');
  t.match(await s.sw.ledger.get(DATE, 1), { file: d!.file, booked: true }, 'the ledger says it is booked');
  t.equal((await s.sw.ledger.notBooked()).length, 0, 'nothing left to book');

  await deliver(s, 1);
  t.same(await money(), { balance: 70_000, reserved: 0, unbooked: 0, available: 70_000 }, 'the same delivery again');
  t.equal((await buy(70_001, { 12: '261121100002' }))[39], '116', 'still only what is on the account');
  t.equal((await buy(70_000, { 12: '261121100003' }))[39], '000', 'to the øre');
});

t.test('a completion books the final amount and frees the rest; a refund credits when booked', async (t) => {
  const { s, money, buy, term, card } = await setup(t);
  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000050000', 12: '261121100000' });
  const a = await term.send(auth);
  t.equal(a[39], '000');
  t.same(await money(), { balance: 100_000, reserved: 50_000, unbooked: 0, available: 50_000 }, 'reserved');
  const c = await term.send({
    0: '1220',
    2: card.pan,
    3: '000000',
    4: '000000031250',
    12: '261121100500',
    24: '202',
    41: 'TERM0001',
    49: '208',
    56: originalOf(auth, a),
  });
  t.equal(c[39], '000');
  t.same(
    await money(),
    { balance: 100_000, reserved: 0, unbooked: 31_250, available: 68_750 },
    'the rest freed at once, the final amount held',
  );
  t.equal((await buy(1_000, { 3: '200000', 12: '261121100600' }))[39], '000', 'a refund');
  t.same(
    await money(),
    { balance: 100_000, reserved: 0, unbooked: 31_250, available: 68_750 },
    'a refund adds nothing before it is booked',
  );
  await deliver(s, 1);
  t.same(
    await money(),
    { balance: 100_000 - 31_250 + 1_000, reserved: 0, unbooked: 0, available: 69_750 },
    'booked: the final amount off, the refund on',
  );
});

t.test('a reversal undoes what its original did: a reservation, a hold, or a booking', async (t) => {
  const { s, money, term, card } = await setup(t);
  // Function code 400 reverses all of the original, 401 the amount in field 4.
  const advice = (m: IsoMessage, answer: IsoMessage, amount: string, time: string): IsoMessage => ({
    0: '1420',
    2: card.pan,
    3: '000000',
    4: amount,
    12: time,
    24: amount === m[4] ? '400' : '401',
    25: '4021',
    41: 'TERM0001',
    49: '208',
    56: originalOf(m, answer),
  });
  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000020000', 12: '261121100000' });
  const a = await term.send(auth);
  t.equal((await term.send(advice(auth, a, '000000020000', '261121100001')))[39], '400');
  t.same(
    await money(),
    { balance: 100_000, reserved: 0, unbooked: 0, available: 100_000 },
    'an authorization: its reservation released, nothing posted',
  );

  const sale = purchase93({ 2: card.pan, 4: '000000010000', 12: '261121100100', 52: pinBlock('1234', card.pan) });
  const b = await term.send(sale);
  t.equal((await term.send(advice(sale, b, '000000004000', '261121100101')))[39], '400');
  t.same(
    await money(),
    { balance: 100_000, reserved: 0, unbooked: 6_000, available: 94_000 },
    'a sale not yet booked, reversed in part: that part of its hold given back at once',
  );
  await deliver(s, 1);
  t.same(
    await money(),
    { balance: 94_000, reserved: 0, unbooked: 0, available: 94_000 },
    'both booked: 100.00 off, 40.00 back on',
  );

  const late = purchase93({ 2: card.pan, 4: '000000005000', 12: '261121110000' });
  const c = await term.send(late);
  await deliver(s, 2);
  t.same(await money(), { balance: 89_000, reserved: 0, unbooked: 0, available: 89_000 }, 'a sale booked');
  t.equal((await term.send(advice(late, c, '000000005000', '261121110100')))[39], '400');
  t.same(
    await money(),
    { balance: 89_000, reserved: 0, unbooked: 0, available: 89_000 },
    'reversed after booking: the credit counts once booked',
  );
  await deliver(s, 3);
  t.same(await money(), { balance: 94_000, reserved: 0, unbooked: 0, available: 94_000 }, 'booked back');
});

t.test('a run that dies between the file and the booking: the next run books it, once', async (t) => {
  let crash = true;
  const { s, money, buy } = await setup(t, {
    clearingCrashAt: (point) => {
      if (point === 'before-booking' && crash) throw new Error('killed before booking');
    },
  });
  t.equal((await buy(25_000, { 12: '261121100000' }))[39], '000');
  await t.rejects(deliver(s, 1), /killed before booking/);
  t.match(await s.sw.ledger.get(DATE, 1), { file: /^delivery-/, postings: 1 }, 'the file is written and recorded');
  t.equal((await s.sw.ledger.get(DATE, 1))!.booked, undefined, 'not booked');
  t.same(await money(), { balance: 100_000, reserved: 0, unbooked: 25_000, available: 75_000 }, 'still held');
  t.equal((await buy(75_001, { 12: '261121100001' }))[39], '116', 'and still not spendable twice');

  crash = false;
  t.equal((await buy(5_000, { 12: '261121100002' }))[39], '000');
  const made = await deliver(s, 2);
  t.same(
    made.map((d) => [d.number, d.postings]),
    [[2, 1]],
    'the next run makes the next delivery',
  );
  t.same(
    await money(),
    { balance: 70_000, reserved: 0, unbooked: 0, available: 70_000 },
    'and books the one left unbooked, and its own: each once',
  );
  t.match(await s.sw.ledger.get(DATE, 1), { booked: true });
  await deliver(s, 1);
  await deliver(s, 2);
  t.equal((await money()).balance, 70_000, 'run again: nothing booked twice');
});

t.test("the issuer's card view (GET /cards/:id) shows balance, reserved, unbooked and available", async (t) => {
  const clock = new ManualClock(AT);
  const s = await startSwitch(t, { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS } }, { clock });
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const card = await addCard(s.sw, { balance: 100_000 });
  const view = async () => (await call(s, 'GET', `/cards/${card.id}`, { token: A })).body as Record<string, unknown>;
  await term.send(purchase93({ 2: card.pan, 4: '000000030000', 12: '261121100000' }));
  await term.send(purchase93({ 0: '1100', 2: card.pan, 4: '000000020000', 12: '261121100100' }));
  t.match(await view(), { balance: 100_000, reserved: 20_000, unbooked: 30_000, available: 50_000 }, 'before delivery');
  await deliver(s, 1);
  t.match(await view(), { balance: 70_000, reserved: 20_000, unbooked: 0, available: 50_000 }, 'the sale booked');
  const put = await call(s, 'PUT', `/cards/${card.id}/balance`, { token: A, body: { balance: 80_000 } });
  t.match(
    put.body,
    { balance: 80_000, reserved: 20_000, unbooked: 0, available: 60_000 },
    'the issuer sets the booked balance; the reservation stays',
  );
});
