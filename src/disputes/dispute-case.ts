/** A dispute case as kept and shown (docs/DISPUTES.md, "Cases"): what was returned of which transactions, and what happened since. */
import type { CardId } from '../crypto/card-id.js';
import type { DisputeReason } from './reasons.js';
import { lastBankDayOfMonth } from '../time/bank-days.js';
import { addDays } from '../time/dates.js';

/** One returned transaction of a case: the receipt's line (001 §24 step 7). */
export interface ReturnedTransaction {
  /** The disputed purchase's journal entry (what a representment's redebit is made from), posting id and transaction id. */
  entry: string;
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
  /** Where the case stands: opened, the merchant's side objected (001 §26), the issuer contested, the operator decided. */
  status: CaseStatus;
  /** Third-party misuse the issuer must report by the month's last bank day (001 §42); absent when the reason needs none. */
  misuseReport?: MisuseReport;
  representment?: Representment;
  contest?: { at: number; text: string };
  decision?: Decision;
}

export type CaseStatus = 'open' | 'represented' | 'contested' | 'decided';

export interface MisuseReport {
  /** The last bank day of the month the case was opened ('YYYY-MM-DD'). */
  due: string;
  /** ms: when the issuer reported it. */
  reportedAt?: number;
  /** Reported after the due date: kept, and marked. */
  late?: boolean;
}

/** One posting a representment or decision makes for a transaction of the case. */
export interface CasePosting {
  /** The disputed purchase's posting id. */
  posting: string;
  amount: number;
  /** The redebit's or chargeback's own posting id. */
  id: string;
}

/** The operator debits the issuer again for the merchant's side (001 §26). */
export interface Representment {
  at: number;
  /** øre taken back, at most the case total. */
  amount: number;
  text: string;
  /** The bank day the redebits go to clearing: two bank days on. */
  debitDate: string;
  /** The last local date the issuer may contest: 45 calendar days after the representment. */
  contestBy: string;
  redebits: CasePosting[];
}

export interface Decision {
  at: number;
  for: 'issuer' | 'merchant';
  text: string;
  /** For the issuer: the new chargebacks of what was redebited, credited on creditDate. */
  chargebacks?: CasePosting[];
  creditDate?: string;
}

/** What a case starts with: open, and a misuse report due by the month's last bank day when its reason needs one. */
export function caseStart(needsReport: boolean, openedOn: string): Pick<DisputeCase, 'status' | 'misuseReport'> {
  if (!needsReport) return { status: 'open' };
  // Opened after the month's last bank day (on its last weekend, or 31 December): next month's.
  const due = lastBankDayOfMonth(openedOn);
  return { status: 'open', misuseReport: { due: due >= openedOn ? due : lastBankDayOfMonth(addDays(due, 7)) } };
}
