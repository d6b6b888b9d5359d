/**
 * Remote failures (docs/MONITORING.md, "remoteFailures"): more than maxFailures wrong or missing
 * check digits (CVC) or wrong expiry dates on one card within windowMinutes, in the rule's
 * channels (the remote ones: internet, mail and telephone order). Someone with the card number
 * but not the card guesses what is printed on it; the holder mistypes once or twice. The failure
 * that goes over the limit fires; the pattern is the failures.
 */
import { type RuleCheck, type RuleReach, within } from '../rule-input.js';
import type { WatchedOutcome } from '../watched-transaction.js';

const FAILURES: ReadonlySet<WatchedOutcome> = new Set(['wrongCvc', 'cvcMissing', 'wrongExpiry']);

export const remoteFailures: RuleCheck<'remoteFailures'> = (rule, input) => {
  const { tx } = input;
  if (!FAILURES.has(tx.outcome)) return undefined;
  const channels = rule.channels as readonly string[];
  const failures = within(input, tx.at - rule.windowMinutes * 60_000).filter(
    (t) => FAILURES.has(t.outcome) && channels.includes(t.channel),
  );
  return failures.length > rule.maxFailures ? failures : undefined;
};

/** Only a failure reads the window. */
export const remoteFailuresReach: RuleReach<'remoteFailures'> = (rule, tx) =>
  FAILURES.has(tx.outcome) ? rule.windowMinutes * 60_000 : 0;
