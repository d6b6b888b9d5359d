/**
 * A dispute's postings in the clearing deliveries (docs/CLEARING.md, layout 4), over TCP and HTTP
 * against a real Redis: the chargeback of a case goes into the first delivery of its credit date
 * with the case number, reason and the issuer's account, read back from the file on disk; it is
 * not booked on the card; a crash between its journal append and its removal from the waiting
 * list delivers it once; a redebit likewise; the day's journal reconciles with the file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { READ, harness, type Harness } from './support.js';
import { parseDelivery, type ParsedPosting } from '../../src/clearing/delivery-file.js';
import { reconcile } from '../../src/clearing/reconciliation.js';
import { disputePosting } from '../../src/disputes/dispute-postings.js';
import { maskPan } from '../../src/codec/mask.js';
import type { DeliveryResult } from '../../src/clearing/clearing-delivery.js';
import type { JournalPosting } from '../../src/journal/posting.js';

/** Everything approved or due so far delivered by the clock; the deliveries made. */
async function deliver(h: Harness): Promise<DeliveryResult[]> {
  await h.s.sw.postings.drain();
  return h.s.sw.delivery.byClock();
}

/** The postings of a delivery as its file on disk holds them. */
async function delivered(h: Harness, d: DeliveryResult): Promise<ParsedPosting[]> {
  const text = await readFile(join(h.s.config.clearing.directory, d.file), 'latin1');
  return parseDelivery(text).sections.flatMap((s) => s.postings);
}

async function balance(h: Harness): Promise<number> {
  return (await h.s.sw.register.state(h.card.id))!.balance;
}

t.test('a chargeback and its redebit delivered once each, with their case, and not booked on the card', async (t) => {
  // Friday 2026-12-04, 10:00 in Copenhagen. bank-a chose an account for its other-than-funds credits.
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const { disputes, journal } = h.s.sw.modules;
  await disputes.accounts.set('bank-a', { other: '40401234567890' });
  t.equal((await h.buy(250_000, '261204095000', READ.chipPin))[39], '000');
  t.equal(await h.deliverAll(), 1);
  const booked = await balance(h);
  t.equal(booked, 10_000_000 - 250_000, 'the purchase booked on delivery');

  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const tx = (await h.listed('2026-12-04')).body.transactions[0];
  const opened = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason: 'thirdPartyPin',
    transactions: [{ entry: tx.entry }],
  });
  t.equal(opened.status, 201);
  t.match(opened.body, { total: 100_000, creditDate: '2026-12-08', account: '40401234567890' });
  const caseNumber: string = opened.body.number;

  // Monday: a delivery, without it.
  h.clock.set(new Date('2026-12-07T12:00:00Z'));
  t.equal(await h.deliverAll(), 0, 'nothing before the credit date');

  // Tuesday 05:30 local, before the first cut-off (06:00). A release dies between the journal
  // append and the removal from {disputes}:due, as a crash there would.
  h.clock.set(new Date('2026-12-08T04:30:00Z'));
  const now = h.clock.now().getTime();
  await t.rejects(
    disputes.store.releaseDue(now, async (postings) => {
      await journal.journal.append(postings, now);
      throw new Error('died after the append');
    }),
    /died after the append/,
  );
  const made = await deliver(h);
  t.match(made, [{ date: '2026-12-08', number: 1, postings: 1 }], 'the first delivery of the credit date');
  const [record, ...others] = await delivered(h, made[0]!);
  t.same(others, [], 'the chargeback once');
  const purchase = (await journal.journal.range('0', '+'))[0]!.posting;
  t.match(record, {
    type: 'chargeback',
    direction: 'C',
    amount: 100_000,
    currency: '208',
    txn: purchase.txn,
    issuer: 'bank-a',
    pan: h.card.pan,
    maskedPan: maskPan(h.card.pan),
    caseNumber,
    disputeReason: 'thirdPartyPin',
    creditAccount: '40401234567890',
  });
  t.equal(await balance(h), booked, 'the holder is not credited by the switch: the balance is unchanged');
  t.same((await h.listed('2026-12-04', '2026-12-08')).body.transactions.length, 1, 'nor is it on the statement');
  t.equal(await disputes.store.releaseDue(now, async () => t.fail('nothing left to release')), 0, 'none left waiting');

  // The day's journal so far against the file: clean, the chargeback counted as one.
  const sealed = (await h.s.sw.ledger.ofDate('2026-12-08'))[0]!;
  const report = reconcile({
    date: '2026-12-08',
    journal: (await journal.journal.range(sealed.from, sealed.to)).map((e) => e.posting),
    deliveries: [
      {
        name: made[0]!.file,
        text: await readFile(join(h.s.config.clearing.directory, made[0]!.file), 'latin1'),
      },
    ],
    expectedNumbers: [1],
  });
  t.same(report.differences, []);
  t.match(report.journal.byType, { chargeback: { count: 1, amount: 100_000 }, redebit: { count: 0 } });

  // A representment a week later: the redebit, made here as the representment would and
  // appended twice (as a retried append would), then the next cut-off.
  h.clock.set(new Date('2026-12-15T08:00:00Z'));
  const at = h.clock.now().getTime();
  const redebit = disputePosting(purchase as JournalPosting, {
    type: 'redebit',
    amount: 100_000,
    caseNumber,
    reason: 'thirdPartyPin',
    account: '40401234567890',
    at,
  });
  t.equal(await journal.journal.append([JSON.stringify(redebit)], at), 1);
  t.equal(await journal.journal.append([JSON.stringify(redebit)], at), 0, 'appended again: kept once');
  const next = await deliver(h);
  t.equal(next.at(-1)!.postings, 1);
  t.match(await delivered(h, next.at(-1)!), [
    { id: redebit.id, type: 'redebit', direction: 'D', amount: 100_000, caseNumber, creditAccount: '40401234567890' },
  ]);
  t.equal(await balance(h), booked, 'the redebit does not debit the holder either');
  t.equal(await h.deliverAll(), 0, 'the next cut-off delivers neither again');
});
