/**
 * The dispute reasons end to end, over TCP and HTTP against a real Redis with a fake clock:
 * blocked at the purchase time from the card's block history, late settlement of an offline
 * advice, a double transaction, the guarantee of each way a card is read, a remote sale disputed
 * by the holder, the nota's 30 days, and what another issuer, an unknown card and a bad body get.
 */
import t from 'tap';
import type { IsoMessage } from '../../src/codec/index.js';
import { remoteFields } from '../../terminals/gateway.js';
import { addCard } from '../support/cards.js';
import { A, B, type Harness, READ, harness } from './support.js';

const DAY = 86_400_000;

/** An offline advice (docs/PROTOCOL.md §3.4.7): 1220 without field 56, the terminal's approval, chip and offline PIN. */
const OFFLINE: IsoMessage = { 0: '1220', 24: '200', 25: '1004', 38: 'OFF123', 22: '510201511304' };

/** The listed transactions of the card on these dates, by amount (each test gives each purchase its own). */
async function byAmount(h: Harness, from: string, to = from): Promise<Map<number, { entry: string } & object>> {
  const listed = await h.listed(from, to);
  if (listed.status !== 200) throw new Error(`listing: ${listed.status} ${listed.text}`);
  return new Map(listed.body.transactions.map((tx: { posting: { amount: number } }) => [tx.posting.amount, tx]));
}

const check = (h: Harness, reason: string, entries: string[], more: object = {}, token = A) =>
  h.api(
    'POST',
    '/disputes/checks',
    { card: h.card.id, reason, transactions: entries.map((entry) => ({ entry })), ...more },
    token,
  );

t.test(
  'blockedAtPurchase from the block history, or offline: advices and an online purchase around the block',
  async (t) => {
    // Friday 4 December 2026, 10:00 in Copenhagen: blocked at 10:00, lifted at 11:00.
    const h = await harness(t, '2026-12-04T09:00:00Z');
    t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200, 'blocked');
    h.clock.set(new Date('2026-12-04T10:00:00Z'));
    t.equal((await h.api('DELETE', `/cards/${h.card.id}/block`)).status, 200, 'lifted');
    h.clock.set(new Date('2026-12-04T11:00:00Z'));
    // Advised at 12:00: bought at 09:30 (before), 10:30 (while blocked); online at 11:30 (after).
    t.equal((await h.buy(11_000, '261204093000', OFFLINE))[39], '000');
    t.equal((await h.buy(12_000, '261204103000', OFFLINE))[39], '000');
    t.equal((await h.buy(13_000, '261204113000'))[39], '000');
    t.equal(await h.deliverAll(), 3);

    const listed = await byAmount(h, '2026-12-04');
    t.match(listed.get(11_000), { statusAtPurchase: 'active', posting: { authorization: 'offline' } });
    t.match(listed.get(12_000), { statusAtPurchase: 'blocked:stolen', posting: { authorization: 'offline' } });
    t.match(listed.get(13_000), { statusAtPurchase: 'active', posting: { authorization: 'online' } });

    const inside = await check(h, 'blockedAtPurchase', [listed.get(12_000)!.entry]);
    t.match(inside.body, { returnable: true, total: 12_000, transactions: [{ allowed: true, max: 12_000 }] });
    const offline = await check(h, 'blockedAtPurchase', [listed.get(11_000)!.entry]);
    t.match(offline.body, { returnable: true, total: 11_000 }, 'an offline transaction, the card active then');
    const online = await check(h, 'blockedAtPurchase', [listed.get(13_000)!.entry]);
    t.match(
      online.body,
      { returnable: false, total: 0, transactions: [{ allowed: false, refusal: 'notBlockedAtPurchase' }] },
      'online, outside the block',
    );
    const opened = await h.api('POST', '/disputes/cases', {
      card: h.card.id,
      reason: 'blockedAtPurchase',
      transactions: [{ entry: listed.get(12_000)!.entry }],
    });
    t.equal(opened.status, 201);
    t.match(opened.body, { reason: 'blockedAtPurchase', total: 12_000, creditDate: '2026-12-08' });
  },
);

t.test('late settlement: an offline advice received 10 days after its purchase date, and 9', async (t) => {
  // Monday 14 December 2026, 12:00 in Copenhagen.
  const h = await harness(t, '2026-12-14T11:00:00Z');
  t.equal((await h.buy(21_000, '261204100000', OFFLINE))[39], '000', 'bought on 4 December');
  t.equal((await h.buy(22_000, '261205235900', OFFLINE))[39], '000', 'bought late on 5 December');
  t.equal(await h.deliverAll(), 2);
  const listed = await byAmount(h, '2026-12-04', '2026-12-05');

  const ten = await check(h, 'lateInsufficientFunds', [listed.get(21_000)!.entry]);
  t.match(ten.body, { returnable: true, total: 21_000, transactions: [{ allowed: true, max: 21_000 }] });
  const nine = await check(h, 'lateInsufficientFunds', [listed.get(22_000)!.entry]);
  t.match(nine.body, { returnable: false, transactions: [{ allowed: false, refusal: 'notLate' }] });
  t.match(nine.body.transactions[0].why, /received 9 calendar days/);
  const both = await check(h, 'lateInsufficientFunds', [listed.get(21_000)!.entry, listed.get(22_000)!.entry]);
  t.match(both.body, { returnable: false, total: 0 }, 'one refused: no case');
  const refused = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason: 'lateInsufficientFunds',
    transactions: [{ entry: listed.get(21_000)!.entry }, { entry: listed.get(22_000)!.entry }],
  });
  t.equal(refused.status, 409, 'no case while one cannot be returned');
  t.match((await h.api('GET', `/disputes/cards/${h.card.id}/cases`)).body, { cases: [] });

  // Third-party misuse with PIN counts bank days: 4 to 14 December is 6 of them.
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const pinLate = await check(h, 'thirdPartyLate', [listed.get(21_000)!.entry]);
  t.match(pinLate.body, { transactions: [{ allowed: false, refusal: 'notLate', why: /received 6 bank days/ }] });
});

t.test('a double transaction: the second of two identical purchases, not the first', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  t.equal((await h.buy(25_000, '261204100000', READ.chipPin))[39], '000');
  t.equal((await h.buy(25_000, '261204100500', READ.chipPin))[39], '000');
  t.equal((await h.buy(26_000, '261204101000', READ.chipPin))[39], '000', 'another amount');
  t.equal(await h.deliverAll(), 3);
  const listed = (await h.listed('2026-12-04')).body.transactions;
  t.same(
    listed.map((tx: { identicalBefore: number; posting: { amount: number } }) => [
      tx.posting.amount,
      tx.identicalBefore,
    ]),
    [
      [25_000, 0],
      [25_000, 1],
      [26_000, 0],
    ],
  );
  const [first, second, other] = listed.map((tx: { entry: string }) => tx.entry);
  const both = await check(h, 'duplicate', [first, second, other]);
  t.match(both.body, {
    returnable: false,
    transactions: [
      { entry: first, allowed: false, refusal: 'noIdenticalTransaction' },
      { entry: second, allowed: true, max: 25_000 },
      { entry: other, allowed: false, refusal: 'noIdenticalTransaction' },
    ],
  });
  const opened = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason: 'duplicate',
    transactions: [{ entry: second }],
  });
  t.equal(opened.status, 201, 'the second returned, without contacting the merchant or a block');
  t.match(opened.body, { total: 25_000, account: 'standard' });
});

t.test('the payment guarantee of each way the card is read, in the listing and a check', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const ways = [
    [READ.chipPin, 31_000, 'chipPin', 150_000, 'chip', 'pinOffline'],
    [READ.magstripePin, 32_000, 'magstripePin', 75_000, 'magstripe', 'pinOnline'],
    [READ.signature, 33_000, 'signature', 75_000, 'chip', 'signature'],
    [READ.contactless, 34_000, 'contactless', 35_000, 'contactless', 'contactlessNoPin'],
    [READ.noVerification, 35_000, 'noVerification', 0, 'chip', 'none'],
  ] as const;
  let minute = 0;
  for (const [read, amount] of ways)
    t.equal((await h.buy(amount, `26120410${String(++minute).padStart(2, '0')}00`, read))[39], '000', `${amount}`);
  t.equal(await h.deliverAll(), ways.length);
  const listed = await byAmount(h, '2026-12-04');
  for (const [, amount, kind, guarantee, entryMode, verification] of ways)
    t.match(listed.get(amount), { guarantee: { kind, amount: guarantee }, posting: { entryMode, verification } }, kind);

  // Insufficient funds returns the part over it: none of those within it, all of the one without.
  for (const [, amount, kind, guarantee] of ways) {
    const r = await check(h, 'insufficientFunds', [listed.get(amount)!.entry]);
    if (amount <= guarantee)
      t.match(r.body, { transactions: [{ allowed: false, refusal: 'withinGuarantee' }] }, `${kind}: within`);
    else t.match(r.body, { transactions: [{ allowed: true, max: amount - guarantee, kind, guarantee }] }, kind);
  }
});

t.test('a remote sale disputed by the holder: with merchantContacted, and without', async (t) => {
  // A card with a CVC: an internet purchase must give it (docs/PROTOCOL.md §3.2.4).
  const h = await harness(t, '2026-12-04T09:00:00Z', { cvc: '123' });
  const web = remoteFields({ channel: 'internet', expiry: '3012', cvc: '123', authentication: 'threeDs' }, false);
  t.equal((await h.buy(41_000, '261204100000', web))[39], '000', 'an internet purchase');
  t.equal((await h.buy(42_000, '261204110000', READ.chipPin))[39], '000', 'a shop purchase');
  t.equal(await h.deliverAll(), 2);
  const listed = await byAmount(h, '2026-12-04');
  t.match(listed.get(41_000), { guarantee: { kind: 'remote', amount: 0 }, posting: { channel: 'internet' } });
  const web1 = listed.get(41_000)!.entry;

  const without = await check(h, 'notDelivered', [web1]);
  t.match(without.body, { returnable: false, transactions: [{ refusal: 'merchantNotContacted' }] });
  const no = await check(h, 'notDelivered', [web1], { merchantContacted: false });
  t.match(no.body, { returnable: false, transactions: [{ refusal: 'merchantNotContacted' }] });
  const shop = await check(h, 'notDelivered', [listed.get(42_000)!.entry], { merchantContacted: true });
  t.match(shop.body, { returnable: false, transactions: [{ refusal: 'notRemoteSale' }] }, 'not a remote sale');
  const part = await check(h, 'amountNotApproved', [], {
    merchantContacted: true,
    transactions: [{ entry: web1, approvedAmount: 30_000 }],
  });
  t.match(part.body, { returnable: true, total: 11_000 }, 'amount not approved: the difference');

  const proposal = {
    card: h.card.id,
    reason: 'notDelivered',
    merchantContacted: true,
    transactions: [{ entry: web1 }],
  };
  t.match((await h.api('POST', '/disputes/checks', proposal)).body, { returnable: true, total: 41_000 });
  const opened = await h.api('POST', '/disputes/cases', proposal);
  t.equal(opened.status, 201);
  t.match(opened.body, { reason: 'notDelivered', total: 41_000, transactions: [{ amount: 41_000 }] });
});

t.test('the nota: ordered on day 0, pending on day 29, not received on day 30', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  t.equal((await h.buy(51_000, '261204100000', READ.signature))[39], '000');
  t.equal(await h.deliverAll(), 1);
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const entry = (await byAmount(h, '2026-12-04')).get(51_000)!.entry;
  const notas = h.s.sw.modules.disputes.notas;

  t.match((await check(h, 'notaNotReceived', [entry])).body, { transactions: [{ refusal: 'notaNotOrdered' }] });
  const ordered = h.clock.now().getTime();
  t.equal(await notas.order(h.card.id, entry, ordered), true, 'ordered');
  t.equal(await notas.order(h.card.id, entry, ordered + DAY), false, 'ordered once');
  t.match((await byAmount(h, '2026-12-04')).get(51_000), { nota: 'pending' });

  h.clock.set(new Date(ordered + 29 * DAY));
  t.match((await check(h, 'notaNotReceived', [entry])).body, { transactions: [{ refusal: 'notaPending' }] });
  t.match((await check(h, 'thirdPartySignature', [entry])).body, { transactions: [{ refusal: 'notaPending' }] });

  h.clock.set(new Date(ordered + 30 * DAY));
  t.match((await byAmount(h, '2026-12-04')).get(51_000), { nota: 'overdue' });
  t.match((await check(h, 'notaNotReceived', [entry])).body, {
    returnable: true,
    transactions: [{ allowed: true, max: 51_000 }],
  });
  t.match((await check(h, 'thirdPartySignature', [entry])).body, { transactions: [{ refusal: 'notaNotReceived' }] });

  // It comes signed after all: then misuse by signature, not "not received".
  await notas.arrived(h.card.id, entry, { orderedAt: ordered, arrivedAt: h.clock.now().getTime(), signed: true });
  t.match((await check(h, 'notaNotReceived', [entry])).body, { transactions: [{ refusal: 'notaSigned' }] });
  t.match((await check(h, 'thirdPartySignature', [entry])).body, { returnable: true, total: 51_000 });
});

t.test("another issuer, an unknown card, a bad body, another card's journal entry", async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  t.equal((await h.buy(61_000, '261204100000', READ.chipPin))[39], '000');
  const other = await addCard(h.s.sw, { balance: 1_000_000 });
  const sent = await h.term.send({
    ...READ.chipPin,
    0: '1200',
    2: other.pan,
    3: '000000',
    4: '000000062000',
    12: '261204100100',
    41: 'TERM0001',
    49: '208',
  });
  t.equal(sent[39], '000', "the other card's purchase");
  t.equal(await h.deliverAll(), 2);
  const entry = (await byAmount(h, '2026-12-04')).get(61_000)!.entry;
  const otherListed = await h.api('GET', `/disputes/cards/${other.id}/transactions?from=2026-12-04&to=2026-12-04`);
  t.equal(otherListed.status, 200);
  const otherEntry = otherListed.body.transactions[0].entry;
  const proposal = { card: h.card.id, reason: 'duplicate', transactions: [{ entry }] };

  // bank-b, for bank-a's card.
  t.equal(
    (await h.api('GET', `/disputes/cards/${h.card.id}/transactions?from=2026-12-04&to=2026-12-04`, undefined, B))
      .status,
    403,
  );
  t.equal((await h.api('POST', '/disputes/checks', proposal, B)).status, 403);
  const opened = await h.api('POST', '/disputes/cases', proposal, B);
  t.equal(opened.status, 403);
  t.match(opened.body, { error: /another issuer/ });

  // A card id no card has.
  const unknown = 'f'.repeat(32);
  t.equal((await h.api('GET', `/disputes/cards/${unknown}/transactions?from=2026-12-04&to=2026-12-04`)).status, 404);
  t.equal((await h.api('POST', '/disputes/checks', { ...proposal, card: unknown })).status, 404);
  t.equal((await h.api('POST', '/disputes/cases', { ...proposal, card: unknown })).status, 404);

  // Bodies that say what is wrong.
  const bad = [
    [{ ...proposal, reason: 'nope' }, '/reason'],
    [{ ...proposal, transactions: [] }, '/transactions'],
    [{ ...proposal, transactions: [{ entry: 'abc' }] }, '/transactions/0/entry'],
    [{ ...proposal, transactions: [{ entry, amount: 0 }] }, '/transactions/0/amount'],
    [{ reason: 'duplicate', transactions: [{ entry }] }, '/card'],
    [{ ...proposal, merchantContacted: 'yes' }, '/merchantContacted'],
  ] as const;
  for (const [body, path] of bad) {
    const r = await h.api('POST', '/disputes/checks', body);
    t.equal(r.status, 400, path);
    t.match(r.body, { problems: [{ path }] }, path);
    t.equal((await h.api('POST', '/disputes/cases', body)).status, 400, `${path}: no case`);
  }
  const badPeriod = await h.api('GET', `/disputes/cards/${h.card.id}/transactions?from=2026-12-05&to=2026-12-04`);
  t.equal(badPeriod.status, 400);
  t.match(badPeriod.body, { problems: [{ path: '/to' }] });

  // The other card's entry named for this card, and an entry that is none.
  const foreign = await h.api('POST', '/disputes/checks', {
    card: h.card.id,
    reason: 'duplicate',
    transactions: [{ entry: otherEntry }, { entry: '999999-0' }],
  });
  t.equal(foreign.status, 200);
  t.match(foreign.body, {
    returnable: false,
    transactions: [
      { entry: otherEntry, allowed: false, refusal: 'unknownTransaction' },
      { entry: '999999-0', allowed: false, refusal: 'unknownTransaction' },
    ],
  });
  t.notOk('txn' in foreign.body.transactions[0], "nothing of the other card's transaction told");
  t.equal(
    (
      await h.api('POST', '/disputes/cases', {
        card: h.card.id,
        reason: 'duplicate',
        transactions: [{ entry: otherEntry }],
      })
    ).status,
    409,
  );
});
