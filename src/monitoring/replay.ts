/**
 * The replay of a day (docs/MONITORING.md, "Replaying a day"): a rule file run over a day's log
 * (day-log.ts), to see what it would have blocked before it is loaded. Pure: the same firings()
 * as the live monitor, per card in time order, over each card's history rebuilt from the log as
 * the card keeps it live (card-history.ts): its recent transactions within the replayed rules'
 * horizon, and its holder profile folded from the days before; and each terminal's recent wrong
 * PINs for card testing (replay-state.ts). A card counts as blocked from its first firing on: its
 * later transactions are recorded but fire nothing, as live.
 */
import type { CardId } from '../crypto/card-id.js';
import type { Sparing } from './rule-schema.js';
import type { LoggedTransaction } from './day-log.js';
import { type Firing, firings } from './evaluate.js';
import { isTypical } from './holder-profile.js';
import { type ReplayRules, ReplayState } from './replay-state.js';

export type { ReplayRules };

/** A card the rules would have blocked. */
export interface ReplayBlock {
  card: CardId;
  rule: string;
  /** When: the firing transaction's time (ms). */
  at: number;
  /** The firing transaction. */
  txn: string;
  /** The pattern's transactions on this card. */
  transactions: string[];
}

export interface ReplayResult {
  /** The day's transactions replayed. */
  transactions: number;
  /** The cards they were made with. */
  cards: number;
  /** In the order they were made. */
  blocks: ReplayBlock[];
  /** Per rule (the file's order): its blocks, and how often it fired on the holder's own spending. */
  rules: { id: string; description: string; blocks: number; spared: number }[];
}

/** By time, keeping the log's order for equal times (one process's order of answering). */
const byTime = (txs: readonly LoggedTransaction[]): LoggedTransaction[] =>
  txs
    .map((tx, i) => ({ tx, i }))
    .sort((a, b) => a.tx.at - b.tx.at || a.i - b.i)
    .map((e) => e.tx);

/**
 * What `rules` would have blocked on `day`; `history` (the days before, any order) only builds
 * the cards' recent transactions and profiles.
 */
export function replayDay(
  day: readonly LoggedTransaction[],
  history: readonly LoggedTransaction[],
  rules: ReplayRules,
  contactlessLimit: number,
): ReplayResult {
  const state = new ReplayState(rules, contactlessLimit);
  // The days before build the cards' and terminals' state only: nothing is blocked in them.
  for (const tx of byTime(history)) state.record(tx, true);
  const blocked = new Set<CardId>();
  const blocks: ReplayBlock[] = [];
  const spared = new Map<string, number>();
  for (const tx of byTime(day)) {
    const input = state.record(tx, !blocked.has(tx.card));
    if (input === undefined) continue;
    for (const firing of firings(rules.rules, input)) {
      if (firing.rule.spareTypical === true && typical(firing, state, rules.sparing)) {
        spared.set(firing.rule.id, (spared.get(firing.rule.id) ?? 0) + 1);
        continue;
      }
      for (const [card, transactions] of byCard(firing)) {
        if (blocked.has(card)) continue;
        blocked.add(card);
        blocks.push({ card, rule: firing.rule.id, at: tx.at, txn: tx.txn, transactions });
      }
      break;
    }
  }
  return {
    transactions: day.length,
    cards: new Set(day.map((t) => t.card)).size,
    blocks,
    rules: rules.rules.map((r) => ({
      id: r.id,
      description: r.description,
      blocks: blocks.filter((b) => b.rule === r.id).length,
      spared: spared.get(r.id) ?? 0,
    })),
  };
}

/** Every transaction of the pattern typical of its card's history then (as the live monitor asks). */
function typical(firing: Firing, state: ReplayState, sparing: Sparing): boolean {
  const { transactions } = firing;
  const merchants = [...new Set(transactions.map((t) => t.merchant).filter((m) => m !== ''))];
  const countries = [...new Set(transactions.map((t) => t.country))];
  return transactions.every((t) => isTypical(t, state.history(t.card).profile(merchants, countries), sparing));
}

function byCard(firing: Firing): Map<CardId, string[]> {
  const out = new Map<CardId, string[]>();
  for (const t of firing.transactions) out.set(t.card, [...(out.get(t.card) ?? []), t.txn]);
  return out;
}

/** A rule file's replay beside the rules in force's: the cards the change would block more, and fewer. */
export interface ReplayComparison {
  proposed: ReplayResult;
  inForce: ReplayResult;
  /** Blocked by the proposed rules, not by the rules in force. */
  added: ReplayBlock[];
  /** Blocked by the rules in force, not by the proposed ones. */
  removed: ReplayBlock[];
}

export function compareReplays(proposed: ReplayResult, inForce: ReplayResult): ReplayComparison {
  const cardsOf = (r: ReplayResult): Set<CardId> => new Set(r.blocks.map((b) => b.card));
  const [p, f] = [cardsOf(proposed), cardsOf(inForce)];
  return {
    proposed,
    inForce,
    added: proposed.blocks.filter((b) => !f.has(b.card)),
    removed: inForce.blocks.filter((b) => !p.has(b.card)),
  };
}
