/**
 * transactionFacts (pure): what a card's other postings say of each purchase: reversed in part or
 * in full, the merchant's refunds matched latest purchase first at the same merchant, and the
 * identical purchases before it (same merchant, amount, currency and local date; 001 §31).
 */
import t from 'tap';
import { transactionFacts } from '../../src/disputes/transaction-facts.js';
import { posting, refund, reversal } from './fixtures.js';

t.test('reversals: in part, in full, in two parts, a cancellation', async (t) => {
  const part = posting({ localTime: '261204100000' });
  const full = posting({ localTime: '261204110000', amount: 50_000 });
  const twice = posting({ localTime: '261204120000' });
  const cancelled = posting({ localTime: '261204130000' });
  const untouched = posting({ localTime: '261204140000', amount: 12_345 });
  const facts = transactionFacts([
    part,
    full,
    twice,
    cancelled,
    untouched,
    reversal(part, 50_000),
    reversal(full),
    reversal(twice, 30_000),
    reversal(twice, 40_000),
    reversal(cancelled, cancelled.amount, { type: 'cancellation' }),
  ]);
  t.match(facts.get(part.id), { reversed: 50_000, refunded: 0 });
  t.match(facts.get(full.id), { reversed: 50_000 });
  t.match(facts.get(twice.id), { reversed: 70_000 });
  t.match(facts.get(cancelled.id), { reversed: 200_000 });
  t.same(facts.get(untouched.id), { reversed: 0, refunded: 0, identicalBefore: 0 });
  t.equal(facts.size, 5, 'facts of the purchases only');
});

t.test('a reversal larger than its purchase counts the purchase amount', async (t) => {
  const p = posting({ amount: 10_000 });
  t.match(transactionFacts([p, reversal(p, 20_000)]).get(p.id), { reversed: 10_000 });
});

t.test('refunds: the latest purchase at the same merchant first, then the one before', async (t) => {
  const first = posting({ localTime: '261204100000', amount: 100_000 });
  const second = posting({ localTime: '261204110000', amount: 50_000 });
  const elsewhere = posting({ localTime: '261204113000', amount: 80_000, merchant: 'M0000002' });
  const back = refund(70_000, '261204120000');
  const facts = transactionFacts([first, second, elsewhere, back]);
  t.match(facts.get(second.id), { refunded: 50_000 }, 'the latest in full');
  t.match(facts.get(first.id), { refunded: 20_000 }, 'the rest from the one before');
  t.match(facts.get(elsewhere.id), { refunded: 0 }, 'not another merchant, though later');
});

t.test('a refund at another merchant, or before the purchase, is not matched', async (t) => {
  const p = posting({ localTime: '261204100000', amount: 100_000 });
  const early = refund(10_000, '261204090000');
  const other = refund(10_000, '261204120000', 'M0000002');
  const facts = transactionFacts([early, p, other]);
  t.match(facts.get(p.id), { refunded: 0 });
});

t.test('refunds go past what is reversed or refunded already', async (t) => {
  const first = posting({ localTime: '261204100000', amount: 100_000 });
  const second = posting({ localTime: '261204110000', amount: 50_000 });
  const facts = transactionFacts([
    first,
    second,
    reversal(second, 40_000),
    refund(10_000, '261204120000'),
    refund(30_000, '261204130000'),
  ]);
  t.match(facts.get(second.id), { reversed: 40_000, refunded: 10_000 }, 'the rest of the latest');
  t.match(facts.get(first.id), { refunded: 30_000 }, 'the next refund to the one before');
});

t.test('refunds are matched in time order, whatever the journal order', async (t) => {
  const first = posting({ localTime: '261204100000', amount: 100_000 });
  const later = posting({ localTime: '261204150000', amount: 100_000 });
  const back = refund(60_000, '261204120000');
  const facts = transactionFacts([back, later, first]);
  t.match(facts.get(first.id), { refunded: 60_000 }, 'the purchase before the refund');
  t.match(facts.get(later.id), { refunded: 0 }, 'not the one after it');
});

t.test('identicalBefore: same merchant, amount, currency and local date', async (t) => {
  const a = posting({ localTime: '261204100000' });
  const b = posting({ localTime: '261204100100' });
  const c = posting({ localTime: '261204180000' });
  const facts = transactionFacts([c, a, b]);
  t.equal(facts.get(a.id)!.identicalBefore, 0, 'the first');
  t.equal(facts.get(b.id)!.identicalBefore, 1);
  t.equal(facts.get(c.id)!.identicalBefore, 2, 'later the same day');

  const base = posting({ localTime: '261204100000' });
  const notIdentical = [
    posting({ localTime: '261204110000', amount: 200_001, originalAmount: 200_001 }),
    posting({ localTime: '261204110000', merchant: 'M0000002' }),
    posting({ localTime: '261205100000' }),
    posting({ localTime: '261204110000', originalCurrency: '978', originalAmount: 26_800 }),
  ];
  const f2 = transactionFacts([base, ...notIdentical]);
  for (const p of notIdentical) t.equal(f2.get(p.id)!.identicalBefore, 0, `not identical: ${JSON.stringify(p)}`);
});

t.test('identicalBefore: a purchase reversed in full is not counted, one in part is', async (t) => {
  const gone = posting({ localTime: '261204100000' });
  const part = posting({ localTime: '261204100000', terminal: 'T0000002', merchant: 'M0000003' });
  const again = posting({ localTime: '261204100500' });
  const againPart = posting({ localTime: '261204100500', terminal: 'T0000002', merchant: 'M0000003' });
  const facts = transactionFacts([gone, reversal(gone), again, part, reversal(part, 1_000), againPart]);
  t.equal(facts.get(again.id)!.identicalBefore, 0, 'the reversed one is not a double');
  t.equal(facts.get(againPart.id)!.identicalBefore, 1);
});

t.test('a terminal without a merchant id: the terminal is the place', async (t) => {
  const a = posting({ merchant: '', terminal: 'T0000009', localTime: '261204100000' });
  const b = posting({ merchant: '', terminal: 'T0000009', localTime: '261204100500' });
  const other = posting({ merchant: '', terminal: 'T0000008', localTime: '261204100600' });
  const back = posting({
    merchant: '',
    terminal: 'T0000009',
    type: 'refund',
    amount: 1_000,
    localTime: '261204110000',
  });
  const facts = transactionFacts([a, b, other, back]);
  t.equal(facts.get(b.id)!.identicalBefore, 1);
  t.equal(facts.get(other.id)!.identicalBefore, 0);
  t.match(facts.get(b.id), { refunded: 1_000 });
  t.match(facts.get(other.id), { refunded: 0 });
});
