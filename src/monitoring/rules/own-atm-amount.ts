/**
 * Large withdrawals at the issuer's own ATMs (docs/MONITORING.md, "ownAtmAmount"; 001 §15: the
 * issuer's own ATMs are watched above 1,000.00 kr): at least `minCount` approved withdrawals
 * above `above` øre at ATMs the card's issuer owns, within a sliding window. Approved only: the
 * money paid out is the risk, and a withdrawal refused above the cash limit paid nothing.
 */
import type { WatchedTransaction } from '../watched-transaction.js';
import { type RuleCheck, type RuleReach, within } from '../rule-input.js';

export const ownAtmAmount: RuleCheck<'ownAtmAmount'> = (rule, input) => {
  const { tx, issuer } = input;
  const channels = rule.channels as readonly string[];
  const counts = (t: WatchedTransaction): boolean =>
    t.kind === 'withdrawal' &&
    t.outcome === 'approved' &&
    channels.includes(t.channel) &&
    t.atmOwner === issuer &&
    t.amount > rule.above;
  if (!counts(tx)) return undefined;
  const counted = within(input, tx.at - rule.windowMinutes * 60_000).filter(counts);
  return counted.length >= rule.minCount ? counted : undefined;
};

/**
 * An approved withdrawal above the amount at an ATM with an owner reads the window (whether the
 * owner is the issuer is known later; a card not in the register, issuer '', is not evaluated).
 */
export const ownAtmAmountReach: RuleReach<'ownAtmAmount'> = (rule, tx) =>
  tx.kind === 'withdrawal' && tx.outcome === 'approved' && tx.atmOwner !== '' && tx.amount > rule.above
    ? rule.windowMinutes * 60_000
    : 0;
