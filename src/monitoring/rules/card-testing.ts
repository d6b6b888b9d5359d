/**
 * Card testing (docs/MONITORING.md, "cardTesting"): wrong PINs for at least minCards different
 * cards at one terminal within windowMinutes (someone trying stolen cards and guessed PINs at one
 * terminal). The state is the terminal's, not a card's: its recent wrong PINs
 * (terminal-trials.ts), which the monitor gives the check as `input.trials`. Different cards
 * count, not tries: a holder who mistypes the PIN twice is one card. The pattern is every wrong
 * PIN at the terminal within the window, so every card it names is blocked.
 */
import type { RuleCheck } from '../rule-input.js';
import type { Rule } from '../rule-schema.js';

export const cardTesting: RuleCheck<'cardTesting'> = (rule, input) => {
  const { tx, trials } = input;
  if (tx.outcome !== 'wrongPin' || trials === undefined) return undefined;
  const from = tx.at - rule.windowMinutes * 60_000;
  const channels = rule.channels as readonly string[];
  const pattern = trials.filter(
    (t) =>
      t.at >= from &&
      t.txn !== tx.txn &&
      t.outcome === 'wrongPin' &&
      t.terminal === tx.terminal &&
      channels.includes(t.channel),
  );
  pattern.push(tx);
  return new Set(pattern.map((t) => t.card)).size >= rule.minCards ? pattern : undefined;
};

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
