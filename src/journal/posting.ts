/**
 * A posting: what the data centres book on the holder's and the merchant's accounts, and what
 * the statement shows. Kept with the original dates and the card's status then, because the
 * chargeback rules (docs/SCHEME.md, 001 §21-42) depend on them.
 */
import type { CardId } from '../crypto/card-id.js';

export type PostingType = 'purchase' | 'cancellation' | 'reversal' | 'refund';

/** Direction on the holder's account: D debits it (purchase), C credits it (refund, reversal of a purchase). */
export type Direction = 'D' | 'C';

export interface Posting {
  /** Unique per posting (UUID): the journal and the deliveries deduplicate by it. */
  id: string;
  /** The transaction's identification; a reversal or cancellation carries its original's. */
  txn: string;
  type: PostingType;
  direction: Direction;
  /** øre, > 0 */
  amount: number;
  /** ISO 4217 numeric, e.g. '208' */
  currency: string;
  card: CardId;
  /** First 6 and last 4 digits, for display. */
  maskedPan: string;
  /** The full PAN encrypted under the data key (src/crypto/pan-cipher.ts), for the deliveries that need it. */
  panEnc: string;
  issuer: string;
  /** Field 41, trailing spaces trimmed. */
  terminal: string;
  /** Field 42, trailing spaces trimmed. */
  merchant: string;
  /** Field 11 of the original transaction (a reversal or completion keeps its original's). */
  stan: string;
  /** Field 12 of the original transaction: the terminal's local date and time, YYMMDDhhmmss. */
  localTime: string;
  /** When the switch received the request (ms since the epoch). */
  receivedAt: number;
  /** Field 38 of the original approval. */
  approvalCode: string;
  /** The card's status when the original was approved: 'active', or e.g. 'blocked:lost'. */
  cardStatus: string;
  /** Reversals and cancellations: the transaction id reversed (equal to txn). */
  reverses?: string;
  /** Reversals: the reason (field 25 of a reversal advice; 'switch' for the switch's own). */
  reason?: string;
}

/**
 * Every field of a Posting, in the interface's order: the Lua scripts build postings as JSON
 * (src/card/scripts/authorize.lua, complete.lua, reverse.lua), and test/card/posting-fields.test.ts
 * compares the fields of those postings with this list. `satisfies` checks that each is a field;
 * the statement below it, that no field is missing.
 */
export const POSTING_FIELDS = [
  'id',
  'txn',
  'type',
  'direction',
  'amount',
  'currency',
  'card',
  'maskedPan',
  'panEnc',
  'issuer',
  'terminal',
  'merchant',
  'stan',
  'localTime',
  'receivedAt',
  'approvalCode',
  'cardStatus',
  'reverses',
  'reason',
] as const satisfies readonly (keyof Posting)[];

/** The fields only some postings have (reversals and cancellations). */
export const OPTIONAL_POSTING_FIELDS = ['reverses', 'reason'] as const satisfies readonly OptionalKeys<Posting>[];

type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
type Unlisted =
  | Exclude<keyof Posting, (typeof POSTING_FIELDS)[number]>
  | Exclude<OptionalKeys<Posting>, (typeof OPTIONAL_POSTING_FIELDS)[number]>;
// A compile error names any field of Posting missing from the lists above.
true satisfies [Unlisted] extends [never] ? true : Unlisted;

/** The transaction id: terminal, its local time and STAN identify one transaction for good. */
export function transactionId(terminal: string, localTime: string, stan: string): string {
  return `${terminal.trimEnd()}-${localTime}-${stan}`;
}
