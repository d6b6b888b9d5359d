/**
 * Withdrawals at other banks' ATMs (docs/MONITORING.md, "otherBankAtm"): a card drawing cash at
 * ATMs whose owner is not its issuer, too often or in too many places within a sliding window.
 * Attempts count, approved or refused: a thief stopped by the daily cash limit or the balance
 * goes on trying at the next ATM, and those tries are the pattern. A place is the ATM's city
 * (field 43), else its terminal id, in its country. Either limit may be left out; the withdrawal
 * that goes over it fires.
 */
import type { WatchedTransaction } from '../watched-transaction.js';
import { type RuleCheck, type RuleReach, within } from '../rule-input.js';

const atOtherBank = (t: WatchedTransaction, issuer: string, channels: readonly string[]): boolean =>
  t.kind === 'withdrawal' && channels.includes(t.channel) && t.atmOwner !== '' && t.atmOwner !== issuer;

const placeOf = (t: WatchedTransaction): string => `${t.country}|${t.city === '' ? `terminal ${t.terminal}` : t.city}`;

export const otherBankAtm: RuleCheck<'otherBankAtm'> = (rule, input) => {
  const { tx, issuer } = input;
  const channels = rule.channels as readonly string[];
  if (!atOtherBank(tx, issuer, channels)) return undefined;
  const counted = within(input, tx.at - rule.windowMinutes * 60_000).filter((t) => atOtherBank(t, issuer, channels));
  const over =
    (rule.maxCount !== undefined && counted.length > rule.maxCount) ||
    (rule.maxPlaces !== undefined && new Set(counted.map(placeOf)).size > rule.maxPlaces);
  return over ? counted : undefined;
};

/** A withdrawal at an ATM with an owner reads the window (whether the owner is the issuer is known later). */
export const otherBankAtmReach: RuleReach<'otherBankAtm'> = (rule, tx) =>
  tx.kind === 'withdrawal' && tx.atmOwner !== '' ? rule.windowMinutes * 60_000 : 0;
