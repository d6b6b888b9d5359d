/** A dispute case as kept and shown (docs/DISPUTES.md, "Cases"): what was returned of which transactions, and what happened since. */
import type { CardId } from '../crypto/card-id.js';
import type { DisputeReason } from './reasons.js';

/** One returned transaction of a case: the receipt's line (001 §24 step 7). */
export interface ReturnedTransaction {
  /** The disputed purchase's posting id and transaction id. */
  posting: string;
  txn: string;
  /** øre returned. */
  amount: number;
  /** The purchase's own amount, øre. */
  transactionAmount: number;
  purchasedAt: number;
  /** The terminal's local date and time of the purchase (field 12, YYMMDDhhmmss), as the statement shows it. */
  localTime: string;
  merchant: string;
  merchantName: string;
  merchantCity: string;
  /** The chargeback posting that credits the issuer with `amount`. */
  chargeback: string;
}

export interface DisputeCase {
  number: string;
  issuer: string;
  card: CardId;
  maskedPan: string;
  reason: DisputeReason;
  /** ms: when the case was opened. */
  openedAt: number;
  /** The bank day the issuer is credited ('YYYY-MM-DD': two bank days after the opening, 001 §25). */
  creditDate: string;
  /** The issuer's account for the reason's kind (001 §27); 'standard' when it chose none. */
  account: string;
  transactions: ReturnedTransaction[];
  /** øre: what the case returns in all. */
  total: number;
  currency: '208';
}
