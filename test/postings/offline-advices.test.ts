/**
 * Issue 16, offline terminals, over real TCP and a real Redis: an offline advice (1220 / 0220
 * without field 56) is posted once, with the card's status at the purchase time, and never
 * refused for the card's status, PIN or balance; repeats (1221 / 0221, or the advice again) get
 * the first answer; a card not in the register is refused "no card record" and nothing is posted.
 */
import t from 'tap';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, newPan } from '../support/cards.js';
import type { Posting } from '../../src/journal/posting.js';
import { ManualClock } from '../../src/time/clock.js';
import type { IsoMessage } from '../../src/codec/index.js';

const MINUTE = 60_000;
/** 21 Nov 2026 10:00:00 in Copenhagen (UTC+1). */
const TEN = Date.parse('2026-11-21T09:00:00Z');
const field12 = (ms: number): string => new Date(ms + 3_600_000).toISOString().slice(2, 19).replace(/[-T:]/g, '');

/** An offline advice in the 1993 dialect: function code 200, reason 1004, the terminal's approval code. */
const advice93 = (fields: IsoMessage, without: number[] = []): IsoMessage => {
  const m = purchase93({ 0: '1220', 24: '200', 25: '1004', 38: 'OFF123', 22: '510201511304', ...fields });
  for (const n of without) delete m[n];
  return m;
};

async function postings(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting as Posting);
}

t.test(
  'an offline purchase on a card blocked at the purchase time: posted, blocked, held, the issuer told',
  async (t) => {
    const clock = new ManualClock(new Date(TEN));
    const s = await startSwitch(t, {}, { clock });
    // 100.00 DKK on the card: the offline sale of 250.00 takes it below zero.
    const card = await addCard(s.sw, { balance: 10_000 });
    t.match(await s.sw.register.block('bank-a', card.id, 'stolen', new Date(TEN)), { ok: true });
    clock.advance(30 * MINUTE);
    const term = await TestTerminal.open(s.port('iso93'));
    t.teardown(() => term.close());
    const sale = advice93({ 2: card.pan, 4: '000000025000', 11: '000101', 12: field12(TEN + 10 * MINUTE) });

    const a = await term.send(sale);
    t.match(
      a,
      { 0: '1230', 39: '000', 38: 'OFF123', 11: '000101', 24: '200', 25: '1004' },
      'accepted: 000, field 38 echoed',
    );
    const again = await term.send({ ...sale, 0: '1221' });
    t.match(again, { 0: '1230', 39: '000', 38: 'OFF123' }, 'the repeat (1221) is answered as the first time');
    const twice = await term.send(sale);
    t.equal(twice[39], '000', 'the same advice again: answered as the first time');
    const other = await term.send({ ...sale, 4: '000000026000' });
    t.equal(other[39], '913', 'the same transaction id with another amount: duplicate transmission');

    const ps = await postings(s);
    t.equal(ps.length, 1, 'posted once');
    t.match(ps[0], {
      type: 'purchase',
      direction: 'D',
      amount: 25_000,
      txn: `TERM0001-${field12(TEN + 10 * MINUTE)}-000101`,
      authorization: 'offline',
      approvalCode: 'OFF123',
      cardStatus: 'blocked:stolen',
      purchasedAt: TEN + 10 * MINUTE,
      receivedAt: TEN + 30 * MINUTE,
      authorizedAt: TEN + 30 * MINUTE,
      verification: 'pinOffline',
      channel: 'unattended',
      entryMode: 'chip',
    });
    const state = await s.sw.register.state(card.id);
    t.match(
      state,
      { unbooked: 25_000, available: -15_000, block: 'stolen' },
      'held until booked: available below zero',
    );
    await s.sw.relay.flush(card.id);
    const notices = await s.sw.relay.notices('bank-a', { card: card.id, types: ['offlineOnBlockedCard'] });
    t.match(notices, [
      {
        type: 'offlineOnBlockedCard',
        terminal: 'TERM0001',
        txn: ps[0]!.txn,
        amount: 25_000,
        direction: 'D',
        cardStatus: 'blocked:stolen',
        purchasedAt: TEN + 10 * MINUTE,
      },
    ]);
  },
);

t.test('never refused for the card status: PIN-blocked, expired, deleted, not activated, no funds', async (t) => {
  const clock = new ManualClock(new Date(TEN));
  const s = await startSwitch(t, {}, { clock });
  const pinBlocked = await addCard(s.sw);
  for (let i = 0; i < 3; i++)
    await s.sw.register.authorize({
      pan: pinBlocked.pan,
      kind: 'purchase',
      amount: 100,
      pvv: s.sw.register.pvvOf(pinBlocked.pan, '9999'),
      contactless: false,
      reserve: false,
      terminalId: 'T',
    });
  const expired = await addCard(s.sw, { expiry: '2610' });
  const deleted = await addCard(s.sw);
  t.match(await s.sw.register.delete('bank-a', deleted.id), { ok: true });
  const registered = await addCard(s.sw, { status: 'registered' });
  const broke = await addCard(s.sw, { balance: 0 });
  clock.advance(2 * MINUTE);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const cards = [pinBlocked, expired, deleted, registered, broke];
  const answers = [];
  for (const c of cards) answers.push((await term.send(advice93({ 2: c.pan, 12: field12(TEN + MINUTE) })))[39]);
  t.same(answers, ['000', '000', '000', '000', '000']);
  const ps = await postings(s);
  t.same(
    cards.map((c) => ps.find((p) => p.card === c.id)?.cardStatus),
    ['active', 'active', 'deleted', 'active', 'active'],
    'each posted, with its status at the purchase time',
  );
  t.match(await s.sw.register.state(broke.id), { available: -12_500 });
  t.match(await s.sw.register.state(pinBlocked.id), { pinBlocked: true, pinTries: 3 }, 'no PIN check: nothing changed');
});

t.test('refunds, unknown cards, other processing codes, currencies and format errors', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());

  const refund = await term.send(advice93({ 2: card.pan, 3: '200000', 4: '000000003000' }, [38]));
  t.equal(refund[39], '000');
  t.equal(refund[38], undefined, 'no field 38 sent: none answered');
  t.equal((await term.send(advice93({ 2: newPan() })))[39], '111', 'a card not in the register: no card record');
  t.equal((await term.send(advice93({ 2: '5019000000000017' })))[39], '111', 'failing Luhn');
  t.equal((await term.send(advice93({ 2: card.pan, 3: '010000' })))[39], '902', 'cash is not an offline sale');
  t.equal((await term.send(advice93({ 2: card.pan, 49: '999' })))[39], '115', 'a currency not accepted');
  t.equal((await term.send(advice93({ 2: card.pan, 24: '201' })))[39], '904', 'a completion without field 56');
  t.equal((await term.send(advice93({ 2: card.pan }, [24])))[39], '904', 'no function code');
  t.equal((await term.send(advice93({ 2: card.pan, 12: '261399101530' })))[39], '904', 'field 12 not a time');
  t.equal((await term.send(advice93({ 2: card.pan }, [4])))[39], '904', 'no amount');

  const ps = await postings(s);
  t.equal(ps.length, 1, 'only the refund is posted');
  t.match(ps[0], { type: 'refund', direction: 'C', amount: 3000, authorization: 'offline', approvalCode: '' });
  t.match(await s.sw.register.state(card.id), { unbooked: 0 }, 'a refund holds nothing');
  t.ok(
    s.logs.some((l) => typeof l.reason === 'string' && l.reason.includes('no card record, nothing posted')),
    'the log says why',
  );
});

t.test('a reversal advice naming an offline advice reverses its posting', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const sale = advice93({ 2: card.pan, 4: '000000004000', 11: '000201' });
  t.equal((await term.send(sale))[39], '000');
  const reversal = await term.send(
    purchase93({
      0: '1420',
      2: card.pan,
      4: '000000004000',
      11: '000202',
      24: '400',
      25: '4021',
      56: `1220000201${String(sale[12])}`,
    }),
  );
  t.equal(reversal[39], '400');
  const ps = await postings(s);
  t.match(ps, [
    { type: 'purchase', authorization: 'offline' },
    { type: 'reversal', direction: 'C', amount: 4000, reverses: ps[0]!.txn, authorization: 'offline' },
  ]);
  t.match(await s.sw.register.state(card.id), { unbooked: 0 }, 'the hold given back');
});

t.test('1987 dialect: 0220 without field 56 is an offline advice, 0221 its repeat', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => term.close());
  const sale = purchase87({ 0: '0220', 2: card.pan, 11: '000301', 22: '051', 38: '123456' });
  t.match(await term.send(sale), { 0: '0230', 39: '00', 38: '123456' });
  t.match(await term.send({ ...sale, 0: '0221' }), { 0: '0230', 39: '00' });
  t.equal((await term.send(purchase87({ 0: '0220', 2: newPan() })))[39], '14', 'no card record');
  const ps = await postings(s);
  t.equal(ps.length, 1);
  t.match(ps[0], { type: 'purchase', authorization: 'offline', approvalCode: '123456', cardStatus: 'active' });
});
