/**
 * What the replay of a day (replay.ts) rebuilds from the log, in time order, to give the rules the
 * input the live monitor gives them (transaction-monitor.ts): each card's history (card-history.ts,
 * as watch.lua keeps it) and each terminal's recent wrong PINs (as terminal-trials.lua keeps them,
 * for card testing). The one place the replay's RuleInput is built.
 */
import type { CardId } from '../crypto/card-id.js';
import type { RuleInput } from './rule-input.js';
import { type WatchedTransaction, isAbroad } from './watched-transaction.js';
import type { LoggedTransaction } from './day-log.js';
import { CardHistory } from './card-history.js';
import { MAX_TRIALS } from './terminal-trials.js';
import { trialKept } from './rules/card-testing.js';
import type { Rule, Sparing } from './rule-schema.js';

/** What the replay needs of the rules: a RuleBook, or a rule file read for the replay. */
export interface ReplayRules {
  readonly rules: readonly Rule[];
  readonly sparing: Sparing;
  readonly horizonMs: number;
}

export class ReplayState {
  private readonly cards = new Map<CardId, CardHistory>();
  private readonly terminals = new Map<string, WatchedTransaction[]>();

  constructor(
    private readonly rules: ReplayRules,
    private readonly contactlessLimit: number,
  ) {}

  /**
   * Records a transaction as the live monitor does and answers the rules' input for it; a card
   * counted blocked (`open` false) is recorded on the card only, and its transaction evaluated by
   * nothing (undefined), as live.
   */
  record(logged: LoggedTransaction, open: boolean): RuleInput | undefined {
    const { issuer, ...tx } = logged;
    const history = this.history(tx.card);
    const recent = history.record(tx, this.rules.horizonMs);
    if (!open) return undefined;
    // Only a wrong PIN, or the approval that follows one, touches the terminal's state, as live.
    const trialsMs = trialKept(this.rules.rules, tx, recent);
    const trials = trialsMs > 0 ? this.trials(tx, trialsMs) : undefined;
    // Abroad only, as live: whether the card's profile knows the country (firstAbroadAfterPin).
    let countriesUsed: string[] | undefined;
    if (isAbroad(tx))
      countriesUsed = (history.profile([], [tx.country]).present[tx.country] ?? 0) > 0 ? [tx.country] : [];
    return {
      tx,
      recent,
      issuer,
      countriesUsed,
      contactlessLimit: this.contactlessLimit,
      ...(trials === undefined ? {} : { trials }),
    };
  }

  history(card: CardId): CardHistory {
    let h = this.cards.get(card);
    if (h === undefined) {
      h = new CardHistory();
      this.cards.set(card, h);
    }
    return h;
  }

  /** As terminal-trials.lua: drops the trials older than the window, answers the others, adds this one. */
  private trials(tx: WatchedTransaction, windowMs: number): WatchedTransaction[] {
    const kept = (this.terminals.get(tx.terminal) ?? []).filter((t) => t.at >= tx.at - windowMs);
    const others = [...kept];
    kept.push(tx);
    this.terminals.set(tx.terminal, kept.slice(-MAX_TRIALS));
    return others;
  }
}
