/**
 * Card testing (docs/MONITORING.md, "cardTesting"): wrong PINs for at least minCards different
 * cards at one terminal within windowMinutes (someone trying stolen cards and guessed PINs at one
 * terminal). The state is the terminal's, not a card's: its recent wrong PINs
 * (terminal-trials.ts), which the monitor gives the check as `input.trials`. Different cards
 * count, not tries: a holder who mistypes the PIN twice is one card, and one who then gets it
 * right is no card at all. The pattern is the counted cards' wrong PINs at the terminal within the
 * window, so every card it names is blocked.
 */
import type { RuleCheck, RuleReach } from '../rule-input.js';
import type { Rule } from '../rule-schema.js';
import type { WatchedTransaction } from '../watched-transaction.js';

export const cardTesting: RuleCheck<'cardTesting'> = (rule, input) => {
  const { tx, trials } = input;
  if (tx.outcome !== 'wrongPin' || trials === undefined) return undefined;
  const from = tx.at - rule.windowMinutes * 60_000;
  const channels = rule.channels as readonly string[];
  const seen = trials.filter(
    (t) => t.at >= from && t.txn !== tx.txn && t.terminal === tx.terminal && channels.includes(t.channel),
  );
  // A card whose PIN was then given right at the terminal (its approval is among the trials) is a
  // holder who mistyped, not a card being tried: its wrong PINs before the approval do not count.
  const clearedAt = new Map<string, number>();
  for (const t of seen) if (t.outcome === 'approved') clearedAt.set(t.card, Math.max(clearedAt.get(t.card) ?? 0, t.at));
  const pattern = seen.filter((t) => t.outcome === 'wrongPin' && t.at > (clearedAt.get(t.card) ?? -Infinity));
  pattern.push(tx);
  return new Set(pattern.map((t) => t.card)).size >= rule.minCards ? pattern : undefined;
};

/** The check reads the terminal's trials, not the card's transactions (trialKept does: trialReachMs). */
export const cardTestingReach: RuleReach<'cardTesting'> = () => 0;

/**
 * How long (ms) a terminal keeps its wrong PINs for a transaction in `channel`: the longest window
 * of the enabled card-testing rules; 0 when none watches the channel (then nothing is kept).
 */
export function trialsWindowMs(rules: readonly Rule[], channel: string): number {
  let watched = false;
  let minutes = 0;
  for (const r of rules) {
    if (r.kind !== 'cardTesting' || r.enabled === false) continue;
    minutes = Math.max(minutes, r.windowMinutes);
    if ((r.channels as readonly string[]).includes(channel)) watched = true;
  }
  return watched ? minutes * 60_000 : 0;
}

/**
 * Whether the transaction goes into its terminal's trials, and for how long (ms; 0: not): a wrong
 * PIN in a channel a card-testing rule watches, and the approval of a card that had a wrong PIN at
 * the same terminal within that time (it clears the card: the holder mistyped). Every other
 * transaction costs no call. The live monitor and the replay both ask this.
 */
export function trialKept(
  rules: readonly Rule[],
  tx: WatchedTransaction,
  recent: readonly WatchedTransaction[],
): number {
  if (tx.outcome !== 'wrongPin' && tx.outcome !== 'approved') return 0;
  const ms = trialsWindowMs(rules, tx.channel);
  if (ms === 0 || tx.outcome === 'wrongPin') return ms;
  const mistyped = recent.some((r) => r.outcome === 'wrongPin' && r.terminal === tx.terminal && r.at >= tx.at - ms);
  return mistyped ? ms : 0;
}

/** How far back (ms) trialKept reads the card's earlier transactions for `tx`: an approval's. */
export function trialReachMs(rules: readonly Rule[], tx: WatchedTransaction): number {
  return tx.outcome === 'approved' ? trialsWindowMs(rules, tx.channel) : 0;
}
