/**
 * Sparing the holder (docs/MONITORING.md, "Sparing the holder"): the card's own history, so that
 * a pattern made of the holder's ordinary spending does not block the card (001 §15: a pattern
 * judged to be the holder's own never leads to a block). The history is what the card did before
 * the rules' windows (src/card/scripts/watch.lua folds a transaction into it once it leaves the
 * longest window), so a burst of misuse never makes itself usual.
 */
import type { Sparing } from './rule-schema.js';
import { type WatchedTransaction, placeOf } from './watched-transaction.js';

/** The card's approved purchases and withdrawals before the rules' windows. */
export interface HolderProfile {
  /** How many. */
  count: number;
  /** The largest amount (øre). */
  max: number;
  /** Uses per place (watched-transaction.ts placeOf: the merchant id, else the terminal id), for the places asked about. */
  merchants: Record<string, number>;
  /** Uses per country (ISO 3166 numeric), for the countries asked about. */
  countries: Record<string, number>;
  /** Of them, the uses with the card present (not remote purchases), per country asked about. */
  present: Record<string, number>;
}

export const DEFAULT_SPARING: Sparing = { minHistory: 10, minMerchantUses: 2, amountFactor: 2 };

/**
 * Typical of the card: an approval, at a place (the merchant, else the terminal: an ATM) it has
 * used at least `minMerchantUses` times, in a country it has been used in, for at most
 * `amountFactor` times its largest amount, on a card with at least `minHistory` transactions of
 * history. All four, so a thief at the holder's own supermarket for an unusual sum, or abroad, is
 * not spared.
 */
export function isTypical(tx: WatchedTransaction, profile: HolderProfile, sparing: Sparing): boolean {
  return (
    tx.outcome === 'approved' &&
    profile.count >= sparing.minHistory &&
    placeOf(tx) !== '' &&
    (profile.merchants[placeOf(tx)] ?? 0) >= sparing.minMerchantUses &&
    (profile.countries[tx.country] ?? 0) > 0 &&
    tx.amount <= profile.max * sparing.amountFactor
  );
}
