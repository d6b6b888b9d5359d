/**
 * A dispute from listing to credit (001 §23-26), over TCP and HTTP against a real Redis: a
 * delivered purchase listed with its facts, checked, a case opened with its number and receipt,
 * the chargeback journalled on the credit date two bank days on, and another issuer refused.
 */
import t from 'tap';
import { B, READ, blockedPurchases, harness } from './support.js';

t.test('a chip and PIN purchase disputed as third-party misuse: over the guarantee, after a block', async (t) => {
  // Friday 2026-12-04, 10:00 in Copenhagen.
  const h = await harness(t, '2026-12-04T09:00:00Z');
  t.equal((await h.buy(250_000, '261204095000', READ.chipPin))[39], '000');
  t.equal(await h.deliverAll(), 1);

  const listed = await h.listed('2026-12-04');
  t.equal(listed.status, 200);
  t.equal(listed.body.transactions.length, 1);
  const tx = listed.body.transactions[0];
  t.match(tx, {
    posting: { type: 'purchase', amount: 250_000, entryMode: 'chip', verification: 'pinOffline' },
    open: 250_000,
    guarantee: { kind: 'chipPin', amount: 150_000 },
    statusAtPurchase: 'active',
    nota: 'none',
  });
  t.notOk('panEnc' in tx.posting, 'no encrypted PAN in the listing');

  const proposal = { card: h.card.id, reason: 'thirdPartyPin', transactions: [{ entry: tx.entry }] };
  let check = await h.api('POST', '/disputes/checks', proposal);
  t.match(check.body, { returnable: false, transactions: [{ allowed: false, refusal: 'cardNotBlocked' }] });

  const blocked = await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' });
  t.equal(blocked.status, 200, 'the issuer blocks the card');
  check = await h.api('POST', '/disputes/checks', proposal);
  t.match(check.body, { returnable: true, total: 100_000, transactions: [{ allowed: true, max: 100_000 }] });

  t.equal((await h.api('POST', '/disputes/checks', proposal, B)).status, 403, "another issuer's card");

  const opened = await h.api('POST', '/disputes/cases', proposal);
  t.equal(opened.status, 201);
  t.match(opened.body, {
    number: /^D\d{8}$/,
    reason: 'thirdPartyPin',
    total: 100_000,
    creditDate: '2026-12-08', // Monday and Tuesday are the two bank days after Friday
    account: 'standard',
    transactions: [{ amount: 100_000, transactionAmount: 250_000 }],
  });
  const again = await h.api('POST', '/disputes/cases', proposal);
  t.equal(again.status, 409, 'returned already');
  t.match(again.body.check.transactions[0], { refusal: 'returnedAlready' });

  const found = await h.api('GET', `/disputes/cases/${opened.body.number}`);
  t.same(found.body, opened.body, 'found by its number');
  const others = await h.api('GET', `/disputes/cases/${opened.body.number}`, undefined, B);
  t.same([others.status, others.body], [404, { error: 'no such case' }], "another issuer's case is no case to it");
  t.match((await h.api('GET', `/disputes/cards/${h.card.id}/cases`)).body, { cases: [{ number: opened.body.number }] });

  // Monday: not yet. Tuesday 06:00: the first cut-off of the credit date takes the chargeback.
  h.clock.set(new Date('2026-12-07T12:00:00Z'));
  t.equal(await h.deliverAll(), 0, 'nothing before the credit date');
  // Monday's last delivery made late, just after midnight (a retry): it is Monday's, so not yet.
  h.clock.set(new Date('2026-12-07T23:00:02Z'));
  const late = await h.s.sw.delivery.deliver('2026-12-07', 10);
  t.equal(
    late.reduce((n, d) => n + d.postings, 0),
    0,
    "not in the day before's delivery made after midnight",
  );
  h.clock.set(new Date('2026-12-08T05:30:00Z'));
  t.equal(await h.deliverAll(), 1, 'the chargeback on the credit date');
  const journal = await h.s.sw.journal.range('0', '+');
  t.match(journal.at(-1)!.posting, {
    type: 'chargeback',
    direction: 'C',
    amount: 100_000,
    caseNumber: opened.body.number,
    disputeReason: 'thirdPartyPin',
    creditAccount: 'standard',
    txn: journal[0]!.posting.txn,
  });
  t.same((await h.listed('2026-12-04')).body.transactions.length, 1, 'the chargeback is not a transaction of the card');
});

t.test('only delivered purchases, and never one whose reversal waits for its delivery', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const request = { 2: h.card.pan, 3: '000000', 4: '000000030000', 12: '261204095000', 41: 'TERM0001', 49: '208' };
  const answer = await h.term.send({ 0: '1200', ...request, ...READ.chipPin });
  t.equal(answer[39], '000');
  t.equal(await h.deliverAll(), 1);
  const [purchase] = (await h.listed('2026-12-04')).body.transactions;
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);

  // A reversal of it, received after its delivery: journalled, not delivered yet.
  const reversal = await h.term.send({
    0: '1420',
    ...request,
    12: '261204095500',
    24: '400',
    25: '4021',
    56: `1200${String(answer[11])}261204095000`,
  });
  t.equal(reversal[39], '400', 'reversed');
  await h.s.sw.postings.drain();
  const journal = await h.s.sw.journal.range('0', '+');
  const reversalEntry = journal.find((e) => e.posting.type === 'reversal')!;
  t.ok(reversalEntry, 'the reversal is in the journal');

  const check = await h.api('POST', '/disputes/checks', {
    card: h.card.id,
    reason: 'thirdPartyRemote',
    transactions: [{ entry: purchase.entry }, { entry: reversalEntry.at }],
  });
  t.match(check.body, {
    returnable: false,
    transactions: [
      { allowed: false, refusal: 'reversed' },
      { allowed: false, refusal: 'unknownTransaction' },
    ],
  });
  t.match(
    (await h.listed('2026-12-04')).body.transactions[0],
    { reversed: 30_000, open: 0 },
    'the listing says it too',
  );
});

t.test('two cases opened at once for one transaction: never beyond what it may return', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const [entry] = await blockedPurchases(t, h, ['261204095000']);
  const open = (amount: number) =>
    h.api('POST', '/disputes/cases', {
      card: h.card.id,
      reason: 'thirdPartyPin',
      transactions: [{ entry, amount }],
    });
  // The most is 100,000 (over the 1,500.00 kr guarantee): 60,000 twice is too much, 40,000 twice is not.
  const both = await Promise.all([open(60_000), open(60_000)]);
  t.same(both.map((r) => r.status).sort(), [201, 409]);
  const refused = both.find((r) => r.status === 409)!;
  t.match(refused.body.check, { returnable: false, transactions: [{ refusal: 'amountOverMax', max: 40_000 }] });
  const more = await Promise.all([open(20_000), open(20_000)]);
  t.same(
    more.map((r) => r.status),
    [201, 201],
    'what is left, in two cases at once',
  );
  t.match((await h.listed('2026-12-04')).body.transactions[0], { returned: 100_000, open: 150_000 });
  t.equal((await open(1)).status, 409, 'nothing more');
});
