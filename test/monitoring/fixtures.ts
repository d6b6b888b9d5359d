/**
 * The monitoring tests' made-up data, one of each: a watched transaction (an approved chip-and-PIN
 * purchase of 100.00 kr at a Danish shop unless told otherwise) and a velocity rule file.
 */
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';

let serial = 0;

/** A transaction of card-1, `p` replacing any field; a transaction id of its own. */
export function watched(p: Partial<WatchedTransaction> = {}): WatchedTransaction {
  return {
    card: 'card-1',
    txn: `TERM0001-${String(++serial).padStart(6, '0')}`,
    at: Date.UTC(2026, 10, 21, 9),
    kind: 'purchase',
    channel: 'attended',
    entryMode: 'chip',
    verification: 'pinOnline',
    amount: 10_000,
    terminal: 'TERM0001',
    merchant: 'SHOP-1',
    city: '',
    country: '208',
    atmOwner: '',
    outcome: 'approved',
    ...p,
  };
}

/** A rule file of one velocity rule: more than `maxCount` approved purchases at terminals within an hour. */
export const velocityRules = (maxCount: number): RuleFile => ({
  rules: [
    {
      id: `more-than-${maxCount}-an-hour`,
      kind: 'velocity',
      description: `More than ${maxCount} approved purchases within an hour`,
      channels: ['attended'],
      windowMinutes: 60,
      maxCount,
    },
  ],
});
