/**
 * What the fraud monitoring sees of one online transaction (docs/MONITORING.md): the facts its
 * rules look at, approved or refused, and nothing it may not keep (no PAN, PIN or CVC: the card
 * is its id). Made by the watchTransaction step from what authorizeCard found, kept in the card's
 * recent transactions (src/card/card-watch.ts) and in the day's log the replay reads.
 */
import type { CardId } from '../crypto/card-id.js';
import type { Channel, EntryMode, PostingType, Verification } from '../journal/posting.js';
import type { Outcome } from '../messages/action-codes.js';
import { HOME_COUNTRY } from '../currency/conversion.js';

/**
 * How the switch answered, as the rules tell it: an approval, the refusals some rules count (a
 * wrong PIN, wrong or missing check digits, a wrong expiry date), anything else refused.
 */
export type WatchedOutcome = 'approved' | 'wrongPin' | 'wrongCvc' | 'cvcMissing' | 'wrongExpiry' | 'refused';

export interface WatchedTransaction {
  card: CardId;
  /** The transaction id (src/journal/posting.ts transactionId): a block names the transactions that made it. */
  txn: string;
  /** When the switch received it (ms): the rules' windows are in the switch's time, not the terminal's. */
  at: number;
  kind: Extract<PostingType, 'purchase' | 'refund' | 'withdrawal'>;
  channel: Channel;
  entryMode: EntryMode;
  verification: Verification;
  /** øre (DKK, converted from the request's currency). */
  amount: number;
  terminal: string;
  merchant: string;
  /** Field 43's city, '' when the request has none. */
  city: string;
  /** ISO 3166 numeric: field 19, else the home country (208). */
  country: string;
  /** A withdrawal's ATM owner (the key file's issuer id); '' for anything else. */
  atmOwner: string;
  outcome: WatchedOutcome;
}

const COUNTED: Partial<Record<Outcome, WatchedOutcome>> = {
  approved: 'approved',
  wrongPin: 'wrongPin',
  pinTriesExceeded: 'wrongPin',
  wrongCvc: 'wrongCvc',
  cvcMissing: 'cvcMissing',
  wrongExpiry: 'wrongExpiry',
};

/** The answer as the rules tell it apart. */
export function watchedOutcomeOf(outcome: Outcome | undefined): WatchedOutcome {
  return (outcome === undefined ? undefined : COUNTED[outcome]) ?? 'refused';
}

/**
 * The card itself was there: not a remote purchase, whose country (field 19) is the merchant's
 * acquirer's, not where the card is.
 */
export const isCardPresent = (tx: Pick<WatchedTransaction, 'channel'>): boolean => !REMOTE.has(tx.channel);

const REMOTE: ReadonlySet<Channel> = new Set<Channel>(['internet', 'mailOrder', 'phoneOrder']);

/**
 * Where the holder spent, as the holder profile counts it: the merchant (field 42), else the
 * terminal (an ATM sends no field 42: its terminal id is the place the holder goes back to).
 */
export const placeOf = (tx: Pick<WatchedTransaction, 'merchant' | 'terminal'>): string =>
  tx.merchant !== '' ? tx.merchant : tx.terminal;

/** Used in another country than the scheme's home. */
export const isAbroad = (tx: Pick<WatchedTransaction, 'country'>): boolean => tx.country !== HOME_COUNTRY;
