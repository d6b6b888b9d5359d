/** What a rule's check is given and answers (evaluate.ts runs them; one per kind in rules/). */
import type { RuleKind, RuleOf } from './rule-schema.js';
import type { WatchedTransaction } from './watched-transaction.js';

export interface RuleInput {
  /** The transaction just answered. */
  tx: WatchedTransaction;
  /**
   * The card's earlier transactions within the longest window (horizonMs), oldest first; the live
   * monitor's hold at least those the rules watching the channel reach (RuleReach), the replay's all.
   */
  recent: readonly WatchedTransaction[];
  /** The card's issuer (its id): whose own ATMs are the card's bank's. */
  issuer: string;
  /**
   * The countries the card was present in (not remote purchases) in its history before `recent`
   * (the holder profile), among those looked up: the live monitor looks up the country of a
   * transaction abroad. Absent: not looked up, and a check knows only `recent`.
   */
  countriesUsed?: readonly string[];
  /** The register's contactless no-PIN limit (øre): contactless bursts are measured against it unless the rule names one. */
  contactlessLimit: number;
  /**
   * A wrong PIN's terminal's other wrong PINs within the longest card-testing window, oldest first
   * (terminal-trials.ts); undefined for any other outcome, or when no card-testing rule watches
   * the channel.
   */
  trials?: readonly WatchedTransaction[];
}

/**
 * A rule kind's check: the transactions of the pattern when it fires (the firing one last; they
 * may be other cards' too, as card testing's are: each card named is blocked), else undefined.
 */
export type RuleCheck<K extends RuleKind> = (rule: RuleOf<K>, input: RuleInput) => WatchedTransaction[] | undefined;

/** A reach of every earlier transaction the card keeps, whatever its time. */
export const ALL_RECENT = Number.POSITIVE_INFINITY;

/**
 * How far back before `tx.at` (ms) a rule kind's check reads the card's earlier transactions
 * (`input.recent`) for `tx`, from what is known before the card is asked (not its issuer): 0 when
 * it reads none for it (it answers undefined first, or reads another state), ALL_RECENT when it
 * reads them whatever their time. The card sends back only what the rules watching the channel
 * reach (evaluate.ts recentReachMs): a check that reads further than its reach says would miss
 * transactions, so change the two together (test/monitoring/reach.test.ts).
 */
export type RuleReach<K extends RuleKind> = (rule: RuleOf<K>, tx: WatchedTransaction) => number;

/** The transactions of `input` (earlier ones and the new one) at or after `from` (ms), oldest first. */
export function within(input: RuleInput, from: number): WatchedTransaction[] {
  const all = input.recent.filter((t) => t.at >= from);
  all.push(input.tx);
  return all;
}
