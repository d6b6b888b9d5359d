/**
 * A posting: what the data centres book on the holder's and the merchant's accounts, and what
 * the statement shows. Kept with the original dates and the card's status then, because the
 * chargeback rules (docs/SCHEME.md, 001 §21-42) depend on them.
 */
import type { CardId } from '../crypto/card-id.js';

/**
 * Every posting type, in the order deliveries and reports list them: the four of 001 §9, the
 * ATM's two (docs/SCHEME.md, Channels): a cash withdrawal and the fee posted beside it, and the
 * disputes' two (docs/DISPUTES.md, 001 §25-26): a chargeback credits the issuer with what a case
 * returned of a transaction, a redebit (the representment, "gendebitering") debits it again.
 */
export const POSTING_TYPES = [
  'purchase',
  'cancellation',
  'reversal',
  'refund',
  'withdrawal',
  'fee',
  'chargeback',
  'redebit',
] as const;

/** The disputes' posting types: they settle between the issuer and the acquirer, not on the holder's balance. */
export const DISPUTE_POSTING_TYPES = ['chargeback', 'redebit'] as const satisfies readonly PostingType[];

export type PostingType = (typeof POSTING_TYPES)[number];

/**
 * Direction on the holder's account: D debits it (purchase, withdrawal, fee), C credits it (refund,
 * reversal of a purchase or withdrawal, a fee given back). A dispute's postings go the way the
 * transaction's money goes back to the card's side: a chargeback C (the issuer is credited), a
 * redebit D (debited again); the issuer, not the switch, credits the holder (001 §27).
 */
export type Direction = 'D' | 'C';

/** How the card was read (src/messages/card-data.ts entryModeOf reads field 22). */
export type EntryMode = 'magstripe' | 'chip' | 'contactless' | 'manual' | 'remote' | 'unknown';

/** How the holder approved the purchase (src/messages/card-data.ts verificationOf). */
export type Verification = 'pinOnline' | 'pinOffline' | 'signature' | 'none' | 'contactlessNoPin' | 'unknown';

/** The channel the card was used in (src/messages/channel.ts channelOf). */
export const CHANNELS = ['attended', 'unattended', 'atm', 'internet', 'mailOrder', 'phoneOrder'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * An internet purchase's holder authentication as the request reported it (docs/PROTOCOL.md,
 * "Remote purchases"): 3-D Secure (one-time code and password) or MitID, an attempt the issuer's
 * side did not complete, a failed one, or none; '' in the other channels.
 */
export type Authentication = 'threeDs' | 'mitId' | 'attempted' | 'notAuthenticated' | 'none' | '';

/** Who started the purchase: the holder, or the merchant (a later payment of a stored card's series). */
export type InitiatedBy = 'holder' | 'merchant';

/** Online: the switch approved it; offline: the terminal did, below its floor limit, and advised it later. */
export type Authorization = 'online' | 'offline';

export interface Posting {
  /** Unique per posting (UUID): the journal and the deliveries deduplicate by it. */
  id: string;
  /** The transaction's identification; a reversal or cancellation carries its original's. */
  txn: string;
  type: PostingType;
  direction: Direction;
  /** øre, > 0: the DKK amount the account is debited or credited (a foreign amount converted). */
  amount: number;
  /** ISO 4217 numeric of `amount`: '208' (DKK). */
  currency: string;
  /** Field 4 as the terminal sent it, in minor units of originalCurrency (equal to amount for DKK). */
  originalAmount: number;
  /** Field 49, ISO 4217 numeric. */
  originalCurrency: string;
  /** Its minor-unit exponent (2: cents; src/currency/conversion.ts). */
  originalExponent: number;
  /** The rate converted at: millionths of a DKK per unit of originalCurrency (DKK: 1000000). */
  rate: number;
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
  /** The purchase time: localTime in the register's time zone, ms since the epoch. */
  purchasedAt: number;
  /** When the switch received the message that made this posting (ms since the epoch). */
  receivedAt: number;
  /** When the switch received the original authorization (a single-message approval: receivedAt). */
  authorizedAt: number;
  /** Field 43: the merchant's name and city, as the statement shows them ('' when not sent). */
  merchantName: string;
  merchantCity: string;
  /** Merchant category code (field 26 in 1993 dialects, else 18), 4 digits or ''. */
  mcc: string;
  /** How the card was read (src/messages/card-data.ts entryModeOf). */
  entryMode: EntryMode;
  /** How the holder approved (src/messages/card-data.ts verificationOf). */
  verification: Verification;
  /** The terminal's model from the key file, else where it stands by field 22 (src/authorization/posting-template.ts). */
  terminalKind: string;
  /** The channel the card was used in. */
  channel: Channel;
  /** Internet purchases: how the holder was authenticated ('' in other channels). */
  authentication: Authentication;
  /** The holder, or the merchant for a later payment of a stored card's series. */
  initiatedBy: InitiatedBy;
  /** Stored cards and subscriptions: the transaction id of the series' first purchase ('' none). */
  series: string;
  /** Whether the switch approved it online or the terminal offline. */
  authorization: Authorization;
  /** Field 38 of the original approval. */
  approvalCode: string;
  /** The card's status at the purchase time (purchasedAt), from its block history: 'active', 'blocked:<reason>', 'deleted'. */
  cardStatus: string;
  /** Reversals and cancellations: the transaction id reversed (equal to txn). */
  reverses?: string;
  /** Reversals and cancellations: the reason (field 25 of a reversal advice; 'switch' for the switch's own). */
  reason?: string;
  /**
   * A chip transaction's offline results as the terminal reported them in field 55, uppercase hex
   * (src/messages/chip-data.ts): the Terminal Verification Results (95), the CVM results (9F34)
   * and the card verification results from the issuer application data (9F10). Only postings of
   * requests that carried them have them; they are in the posting's JSON, not in the delivery file
   * (docs/CLEARING.md, "Chip data"). A reversal or completion keeps its original's.
   */
  tvr?: string;
  cvmResults?: string;
  cvr?: string;
  /**
   * A dispute's chargeback or redebit (docs/DISPUTES.md): the case number, the reason code and
   * the issuer's account for that kind of reason (001 §27); the other fields are the disputed
   * transaction's, `amount` what is returned or redebited. Absent on every other posting.
   */
  caseNumber?: string;
  disputeReason?: string;
  creditAccount?: string;
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
  'originalAmount',
  'originalCurrency',
  'originalExponent',
  'rate',
  'card',
  'maskedPan',
  'panEnc',
  'issuer',
  'terminal',
  'merchant',
  'stan',
  'localTime',
  'purchasedAt',
  'receivedAt',
  'authorizedAt',
  'merchantName',
  'merchantCity',
  'mcc',
  'entryMode',
  'verification',
  'terminalKind',
  'channel',
  'authentication',
  'initiatedBy',
  'series',
  'authorization',
  'approvalCode',
  'cardStatus',
  'reverses',
  'reason',
  'tvr',
  'cvmResults',
  'cvr',
  'caseNumber',
  'disputeReason',
  'creditAccount',
] as const satisfies readonly (keyof Posting)[];

/** The fields only some postings have (reversals and cancellations; chip transactions; disputes). */
export const OPTIONAL_POSTING_FIELDS = [
  'reverses',
  'reason',
  'tvr',
  'cvmResults',
  'cvr',
  'caseNumber',
  'disputeReason',
  'creditAccount',
] as const satisfies readonly OptionalKeys<Posting>[];

/**
 * The fields postings have had since delivery layout 2 (issue 14). A posting journalled before
 * lacks them, and still delivers (docs/CLEARING.md, "Postings from before layout 2").
 */
export const LAYOUT_2_FIELDS = [
  'originalAmount',
  'originalCurrency',
  'originalExponent',
  'rate',
  'purchasedAt',
  'authorizedAt',
  'merchantName',
  'merchantCity',
  'mcc',
  'entryMode',
  'verification',
  'terminalKind',
] as const satisfies readonly (keyof Posting)[];

/**
 * The fields postings have had since delivery layout 3 (issue 16: the channels). A posting
 * journalled before lacks them (docs/CLEARING.md, "Postings from before layout 3").
 */
export const LAYOUT_3_FIELDS = [
  'channel',
  'authentication',
  'initiatedBy',
  'series',
  'authorization',
] as const satisfies readonly (keyof Posting)[];

/**
 * The fields delivery layout 4 added (issue 18: disputes): a chargeback's or redebit's case
 * number, reason and credit account. Only those two types have them; every posting of another
 * type, and every posting journalled before layout 4, delivers them blank.
 */
export const LAYOUT_4_FIELDS = [
  'caseNumber',
  'disputeReason',
  'creditAccount',
] as const satisfies readonly OptionalKeys<Posting>[];

type LaterField = (typeof LAYOUT_2_FIELDS)[number] | (typeof LAYOUT_3_FIELDS)[number];

/** A posting as the journal may hold it: one made before layout 2 or 3 lacks that layout's fields. */
export type JournalPosting = Omit<Posting, LaterField> & Partial<Pick<Posting, LaterField>>;

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
