/**
 * A burst of contactless payments near the no-PIN limit (docs/MONITORING.md,
 * "contactlessBurst"): at least `minCount` approved contactless purchases within a sliding
 * window, each at `nearLimitPercent` % of the limit or more and not above it: a stolen card
 * spent as fast and as high as it goes without the PIN. The limit is the rule's, else the
 * register's.
 */
import type { WatchedTransaction } from '../watched-transaction.js';
import { type RuleCheck, type RuleReach, within } from '../rule-input.js';

export const contactlessBurst: RuleCheck<'contactlessBurst'> = (rule, input) => {
  const { tx } = input;
  const limit = rule.limit ?? input.contactlessLimit;
  const channels = rule.channels as readonly string[];
  // In whole øre: amount / limit >= percent / 100 without a fraction.
  const counts = (t: WatchedTransaction): boolean =>
    t.kind === 'purchase' &&
    t.outcome === 'approved' &&
    t.entryMode === 'contactless' &&
    channels.includes(t.channel) &&
    t.amount * 100 >= limit * rule.nearLimitPercent &&
    t.amount <= limit;
  if (!counts(tx)) return undefined;
  const counted = within(input, tx.at - rule.windowMinutes * 60_000).filter(counts);
  return counted.length >= rule.minCount ? counted : undefined;
};

/** An approved contactless purchase reads the window (its amount against the limit is tested later). */
export const contactlessBurstReach: RuleReach<'contactlessBurst'> = (rule, tx) =>
  tx.kind === 'purchase' && tx.outcome === 'approved' && tx.entryMode === 'contactless'
    ? rule.windowMinutes * 60_000
    : 0;
