/**
 * Totals per original currency (the CT records of a delivery, docs/CLEARING.md): how many
 * postings were made in each currency, their sums in that currency's minor units, and the DKK
 * øre they were booked at. A posting from before layout 2 counts in its own currency field.
 */
import type { JournalPosting } from '../journal/posting.js';
import { conversionOf } from './posting-fields-v2.js';
import type { RecordReader } from '../files/fixed-width.js';
import type { RecordCode } from './delivery-layout.js';

export interface CurrencyTotals {
  /** ISO 4217 numeric. */
  currency: string;
  count: number;
  /** Minor units of the currency. */
  debit: number;
  credit: number;
  /** øre */
  dkkDebit: number;
  dkkCredit: number;
}

type Counted = Pick<
  JournalPosting,
  'direction' | 'amount' | 'currency' | 'originalAmount' | 'originalCurrency' | 'originalExponent' | 'rate'
>;

/** One entry per currency present, in code order. */
export function currencyTotalsOf(postings: readonly Counted[]): CurrencyTotals[] {
  const by = new Map<string, CurrencyTotals>();
  for (const p of postings) {
    const c = conversionOf(p);
    let t = by.get(c.originalCurrency);
    if (t === undefined) {
      t = { currency: c.originalCurrency, count: 0, debit: 0, credit: 0, dkkDebit: 0, dkkCredit: 0 };
      by.set(c.originalCurrency, t);
    }
    t.count += 1;
    if (p.direction === 'D') {
      t.debit += c.originalAmount;
      t.dkkDebit += p.amount;
    } else {
      t.credit += c.originalAmount;
      t.dkkCredit += p.amount;
    }
  }
  return [...by.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

/** The CT records before a section trailer (issuer: the section's) or the delivery trailer (''). */
export function parseCurrencies(reader: RecordReader<RecordCode>, issuer: string): CurrencyTotals[] {
  const next = issuer === '' ? 'DT' : 'ST';
  const out: CurrencyTotals[] = [];
  while (reader.peekCode(['CT', next]) === 'CT') {
    const f = reader.take(['CT']);
    if (f.text('issuer') !== issuer)
      f.fail('issuer', issuer === '' ? 'not blank in the delivery totals' : 'not the issuer of its section');
    const currency = f.digits('currency');
    const previous = out.at(-1);
    if (previous !== undefined && currency <= previous.currency) f.fail('currency', 'not in ascending code order');
    out.push({
      currency,
      count: f.number('count'),
      debit: f.number('debit'),
      credit: f.number('credit'),
      dkkDebit: f.number('dkkDebit'),
      dkkCredit: f.number('dkkCredit'),
    });
  }
  return out;
}
