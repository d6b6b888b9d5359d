/**
 * The fraud monitoring, live (docs/MONITORING.md): every online transaction is handed over as it
 * is answered (observe(), which only queues it: no answer waits for the rules), recorded on its
 * card, and the rules run over the card's recent transactions; a rule that fires, and whose
 * pattern is not the holder's ordinary spending, blocks each card its pattern names. Several
 * switch processes share the cards' state in Redis; one card's transactions are evaluated in the
 * order this process answered them.
 */
import type { CardId } from '../crypto/card-id.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { type WatchedTransaction, isAbroad, placeOf } from './watched-transaction.js';
import { type Firing, firings, recentReachMs, watches } from './evaluate.js';
import type { RuleInput } from './rule-input.js';
import { type HolderProfile, isTypical } from './holder-profile.js';
import type { RuleBook } from './rule-book.js';
import type { MonitoringMetrics } from './monitoring-metrics.js';
import type { DayLog } from './day-log.js';
import type { TrialsPort } from './terminal-trials.js';
import { trialKept } from './rules/card-testing.js';

/** The card's side (src/card/card-watch.ts): its recent transactions, its profile, the block. */
export interface CardWatchPort {
  /**
   * Keeps the transaction and the card's of the last horizonMs; answers those of them from reachMs
   * before tx.at on (evaluate.ts recentReachMs) and, when it made one, the transaction's JSON.
   */
  record(
    tx: WatchedTransaction,
    horizonMs: number,
    reachMs: number,
  ): Promise<{ issuer: string; block: string; recent: WatchedTransaction[]; json?: string }>;
  profile(card: CardId, merchants: readonly string[], countries: readonly string[]): Promise<HolderProfile>;
  block(
    card: CardId,
    b: { rule: string; description: string; transactions: string[] },
  ): Promise<{ status: 'ok' | 'already' | 'deleted' | 'notFound'; issuer: string }>;
}

/** The issuer notice feeds (src/notices/notice-relay.ts): a block's notice is moved at once, not at the next sweep. */
export interface NoticeFlusher {
  flushQuietly(card: CardId): Promise<void>;
}

/** Where each block made is counted (monitoring-stats.ts). */
export interface BlockCounter {
  blocked(rule: string, issuer: string): Promise<void>;
}

export interface MonitorDeps {
  cards: CardWatchPort;
  /** The terminals' recent wrong PINs (terminal-trials.ts), for card testing. */
  trials: TrialsPort;
  rules: RuleBook;
  stats: BlockCounter;
  notices: NoticeFlusher;
  metrics: MonitoringMetrics;
  /** The day's log the replay reads (day-log.ts); absent: nothing logged. */
  dayLog?: Pick<DayLog, 'append' | 'drain'>;
  clock: Clock;
  log: Logger;
  /** The register's contactless no-PIN limit (øre). */
  contactlessLimit: number;
  /** Transactions waiting beyond this are dropped (counted), so a Redis outage cannot grow the queue without bound. */
  maxQueued?: number;
}

/** A block the monitoring made: for the tests and the load benchmark's delay figures. */
export interface MadeBlock {
  card: CardId;
  issuer: string;
  rule: string;
  transactions: string[];
  /** ms from the firing transaction's answer to the block. */
  delayMs: number;
}

const MAX_QUEUED = 10_000;

export class TransactionMonitor {
  /** Per card, the evaluation in progress: the next of the same card waits for it. */
  private readonly chains = new Map<CardId, Promise<void>>();
  private queued = 0;
  private readonly listeners: ((b: MadeBlock) => void)[] = [];

  constructor(private readonly deps: MonitorDeps) {}

  /** Hands a transaction to the rules; returns at once. */
  observe(tx: WatchedTransaction): void {
    if (this.queued >= (this.deps.maxQueued ?? MAX_QUEUED)) {
      this.deps.metrics.dropped.inc();
      return;
    }
    this.queued++;
    const answeredAt = this.deps.clock.now().getTime();
    const before = this.chains.get(tx.card) ?? Promise.resolve();
    const next = before.then(() => this.evaluate(tx, answeredAt));
    this.chains.set(tx.card, next);
    void next.finally(() => {
      this.queued--;
      if (this.chains.get(tx.card) === next) this.chains.delete(tx.card);
    });
  }

  /** Calls `listener` with every block this process makes. */
  onBlock(listener: (b: MadeBlock) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once every transaction observed so far is evaluated and logged (stop, tests). */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
    await this.deps.dayLog?.drain();
  }

  private async evaluate(tx: WatchedTransaction, answeredAt: number): Promise<void> {
    try {
      const { rules } = this.deps;
      // Only the earlier transactions the rules watching this one will read come back (and are parsed).
      const seen = await this.deps.cards.record(tx, rules.horizonMs, recentReachMs(rules.rules, tx));
      this.deps.metrics.observed.inc({ outcome: tx.outcome });
      // What the card recorded, blocked or not: the replay rebuilds the cards' history from it.
      if (seen.issuer !== '') this.deps.dayLog?.append(tx, seen.issuer, seen.json);
      // An alert on a card already blocked does nothing more; a card not in the register has nothing to block.
      if (seen.issuer === '' || seen.block !== '') return;
      for (const firing of firings(rules.rules, await this.inputOf(tx, seen.recent, seen.issuer))) {
        if (firing.rule.spareTypical === true && (await this.typical(firing))) {
          this.deps.metrics.spared.inc({ rule: firing.rule.id });
          continue;
        }
        await this.block(firing, answeredAt);
        return;
      }
    } catch (e) {
      this.deps.metrics.failures.inc();
      this.deps.log.warn({ err: (e as Error).message, txn: tx.txn }, 'fraud monitoring: transaction not evaluated');
    }
  }

  /** What the rules are given: the card's record, and what only some transactions need a call for. */
  private async inputOf(tx: WatchedTransaction, recent: WatchedTransaction[], issuer: string): Promise<RuleInput> {
    const { rules } = this.deps.rules;
    // Only a wrong PIN, or the approval that follows one, touches the terminal's state (card-testing.ts).
    const trialsMs = trialKept(rules, tx, recent);
    const trials = trialsMs > 0 ? await this.deps.trials.record(tx, trialsMs) : undefined;
    // Abroad, where a first-use-abroad rule watches the channel: whether the card's history knows the country.
    const asks = isAbroad(tx) && rules.some((r) => r.kind === 'firstAbroadAfterPin' && watches(r, tx.channel));
    return {
      tx,
      recent,
      issuer,
      countriesUsed: asks ? await this.countriesUsed(tx) : undefined,
      contactlessLimit: this.deps.contactlessLimit,
      ...(trials === undefined ? {} : { trials }),
    };
  }

  /** The transaction's country when the card's history (its holder profile) has been present in it. */
  private async countriesUsed(tx: WatchedTransaction): Promise<string[]> {
    const profile = await this.deps.cards.profile(tx.card, [], [tx.country]);
    return (profile.present[tx.country] ?? 0) > 0 ? [tx.country] : [];
  }

  /** Every transaction of the pattern typical of its card's history. */
  private async typical(firing: Firing): Promise<boolean> {
    const { transactions } = firing;
    const merchants = [...new Set(transactions.map(placeOf).filter((m) => m !== ''))];
    const countries = [...new Set(transactions.map((t) => t.country))];
    const profiles = new Map<CardId, HolderProfile>();
    for (const t of transactions) {
      let profile = profiles.get(t.card);
      if (profile === undefined) {
        profile = await this.deps.cards.profile(t.card, merchants, countries);
        profiles.set(t.card, profile);
      }
      if (!isTypical(t, profile, this.deps.rules.sparing)) return false;
    }
    return true;
  }

  /** Blocks each card the pattern names. */
  private async block(firing: Firing, answeredAt: number): Promise<void> {
    const byCard = new Map<CardId, string[]>();
    for (const t of firing.transactions) byCard.set(t.card, [...(byCard.get(t.card) ?? []), t.txn]);
    const { id: rule, description } = firing.rule;
    // Each card on its own: a failure on one (Redis) leaves the others of a card-testing pattern to be blocked.
    for (const [card, transactions] of byCard) {
      try {
        await this.blockCard(card, { rule, description, transactions }, answeredAt);
      } catch (e) {
        this.deps.metrics.failures.inc();
        this.deps.log.warn({ err: (e as Error).message, rule, card }, 'fraud monitoring: a card not blocked');
      }
    }
  }

  private async blockCard(
    card: CardId,
    b: { rule: string; description: string; transactions: string[] },
    answeredAt: number,
  ): Promise<void> {
    const made = await this.deps.cards.block(card, b);
    if (made.status !== 'ok') return;
    const delayMs = this.deps.clock.now().getTime() - answeredAt;
    const { rule, transactions } = b;
    this.deps.metrics.blocks.inc({ rule, issuer: made.issuer });
    this.deps.metrics.blockDelay.observe(delayMs / 1000);
    this.deps.log.info({ rule, card, issuer: made.issuer, delayMs }, 'fraud monitoring blocked a card');
    for (const l of this.listeners) l({ card, issuer: made.issuer, rule, transactions, delayMs });
    // The block is made; what follows only tells: the issuer's feed at once (else at the next sweep), the figures.
    await this.deps.notices.flushQuietly(card);
    await this.deps.stats.blocked(rule, made.issuer);
  }
}
