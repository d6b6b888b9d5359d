/**
 * Velocity (docs/MONITORING.md, "velocity"): too many approved transactions, or too much money,
 * on one card within a sliding window, counted over the rule's channels. Either limit may be
 * left out; the transaction that goes over it fires.
 */
import { type RuleCheck, type RuleReach, within } from '../rule-input.js';

export const velocity: RuleCheck<'velocity'> = (rule, input) => {
  const { tx } = input;
  // Only what it counts fires it: an approval of a purchase or withdrawal (a refund is money back).
  if (tx.outcome !== 'approved' || tx.kind === 'refund') return undefined;
  const channels = rule.channels as readonly string[];
  const counted = within(input, tx.at - rule.windowMinutes * 60_000).filter(
    (t) => t.outcome === 'approved' && t.kind !== 'refund' && channels.includes(t.channel),
  );
  const sum = counted.reduce((s, t) => s + t.amount, 0);
  const over =
    (rule.maxCount !== undefined && counted.length > rule.maxCount) ||
    (rule.maxAmount !== undefined && sum > rule.maxAmount);
  return over ? counted : undefined;
};

/** Only an approval it counts reads the window. */
export const velocityReach: RuleReach<'velocity'> = (rule, tx) =>
  tx.outcome === 'approved' && tx.kind !== 'refund' ? rule.windowMinutes * 60_000 : 0;
