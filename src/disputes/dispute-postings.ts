/**
 * A dispute's postings (pure): the chargeback that credits the issuer with what a case returns of
 * a transaction, and the redebit of a representment that takes it back (docs/DISPUTES.md, "Credits
 * through clearing"). Each is the disputed purchase's posting with its own id, type, direction
 * and amount in DKK, the time the switch made it, and the case: the data centre finds the
 * original by its transaction id and dates (001 §26: card number, case number, amount).
 */
import { randomUUID } from 'node:crypto';
import type { JournalPosting, Posting } from '../journal/posting.js';
import type { DisputeReason } from './reasons.js';

export interface DisputePostingOf {
  type: 'chargeback' | 'redebit';
  amount: number;
  caseNumber: string;
  reason: DisputeReason;
  account: string;
  /** ms: when the switch made it (its receivedAt). */
  at: number;
}

export function disputePosting(original: JournalPosting, d: DisputePostingOf): Posting {
  // A reversal's or chip transaction's own fields are not the dispute's.
  const { reverses: _r, reason: _reason, tvr: _t, cvmResults: _c, cvr: _v, ...rest } = original;
  return {
    ...(rest as Posting),
    id: randomUUID(),
    type: d.type,
    direction: d.type === 'chargeback' ? 'C' : 'D',
    amount: d.amount,
    currency: '208',
    originalAmount: d.amount,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    receivedAt: d.at,
    caseNumber: d.caseNumber,
    disputeReason: d.reason,
    creditAccount: d.account,
  };
}
