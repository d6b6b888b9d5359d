/**
 * The card's side of the fraud monitoring (docs/MONITORING.md): its recent transactions and its
 * holder profile (keys card:{id}:recent and card:{id}:profile, beside the record, so one Lua call
 * per transaction touches one slot), the monitoring's block and, for the rules that spare the
 * holder, the profile's figures for some merchants and countries. The rules themselves are the
 * monitoring's (src/monitoring/); this module only keeps the card's state.
 */
import { randomUUID } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import { defineScriptsOn } from '../redis/scripts.js';
import type { Clock } from '../time/clock.js';
import type { CardId } from '../crypto/card-id.js';
import type { WatchedTransaction } from '../monitoring/watched-transaction.js';
import type { HolderProfile } from '../monitoring/holder-profile.js';
// The limits are the monitoring's, so that its replay of a day (src/monitoring/replay.ts) keeps the same history.
import { MAX_PROFILE_FIELDS, MAX_RECENT } from '../monitoring/card-history.js';
import type { Verdict } from '../monitoring/monitoring-stats.js';
import type { ChangeResult } from './card-register.js';
import { cardKeys } from './keys.js';
import { monitoringBlockScript, monitoringFeedbackScript, watchScript } from './scripts/watch.js';

/** How long a card's holder profile is kept after its last transaction: a year and a bit, so a yearly habit counts. */
export const PROFILE_KEPT_MS = 400 * 86_400_000;

/** What recording a transaction answers. */
export interface WatchRecord {
  /** '' when the card is not in the register (nothing was recorded). */
  issuer: string;
  /** The block reason in force, '' when not blocked. */
  block: string;
  /** The card's earlier transactions within the horizon, oldest first. */
  recent: WatchedTransaction[];
}

/** The transactions that made a monitoring block, as the block and its notice name them. */
export interface MonitoringBlock {
  rule: string;
  description: string;
  /** Transaction ids on this card. */
  transactions: string[];
}

export type MonitoringBlockResult = { status: 'ok' | 'already' | 'deleted' | 'notFound'; issuer: string };

/** The issuer's verdict on a monitoring block. */
export interface MonitoringFeedback {
  verdict: Verdict;
  text?: string;
  /** Which monitoring block (its blockedAt, ms); absent: the latest. */
  blockedAt?: number;
}

/** What giving feedback answers: the block's rule and the verdict it replaced, for the figures. */
export type FeedbackResult =
  { ok: true; rule: string; previous: Verdict | undefined; blockedAt: number } | Exclude<ChangeResult, { ok: true }>;

export class CardWatch {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly clock: Clock,
    /** How long a card's profile is kept after its last transaction (ms). */
    private readonly keepProfileMs: number,
  ) {
    defineScriptsOn(redis);
  }

  /** Records the transaction on its card; answers the card's issuer, block and earlier transactions. */
  async record(tx: WatchedTransaction, horizonMs: number): Promise<WatchRecord> {
    const k = cardKeys(this.prefix, tx.card);
    const [issuer, block, earlier] = await watchScript.run(
      this.redis,
      { card: k.card, recent: k.recent, profile: k.profile },
      {
        now: this.clock.now().getTime(),
        horizon: horizonMs,
        tx: JSON.stringify(tx),
        maxRecent: MAX_RECENT,
        keepProfile: this.keepProfileMs,
        maxFields: MAX_PROFILE_FIELDS,
      },
    );
    return { issuer, block, recent: earlier.map((e) => JSON.parse(e) as WatchedTransaction) };
  }

  /** The card's profile, with the uses of these merchants and countries. */
  async profile(card: CardId, merchants: readonly string[], countries: readonly string[]): Promise<HolderProfile> {
    const fields = [
      'n',
      'max',
      ...merchants.map((m) => `m:${m}`),
      ...countries.map((c) => `c:${c}`),
      ...countries.map((c) => `p:${c}`),
    ];
    const values = await this.redis.hmget(cardKeys(this.prefix, card).profile, ...fields);
    const num = (i: number): number => Number(values[i] ?? 0);
    return {
      count: num(0),
      max: num(1),
      merchants: Object.fromEntries(merchants.map((m, i) => [m, num(2 + i)])),
      countries: Object.fromEntries(countries.map((c, i) => [c, num(2 + merchants.length + i)])),
      present: Object.fromEntries(countries.map((c, i) => [c, num(2 + merchants.length + countries.length + i)])),
    };
  }

  /** Blocks the card for suspected third-party misuse, unless it is blocked already (or deleted). */
  async block(card: CardId, b: MonitoringBlock): Promise<MonitoringBlockResult> {
    const k = cardKeys(this.prefix, card);
    const [status, issuer] = await monitoringBlockScript.run(
      this.redis,
      { card: k.card, outbox: k.outbox },
      {
        issuer: '',
        now: this.clock.now().getTime(),
        noticeId: randomUUID(),
        rule: b.rule,
        description: b.description,
        transactions: JSON.stringify(b.transactions),
      },
    );
    return { status: status as MonitoringBlockResult['status'], issuer };
  }

  /**
   * The card's issuer says whether a monitoring block was justified; 'forbidden' for another
   * issuer's card, 'conflict' when the card has no such monitoring block.
   */
  async feedback(issuer: string, card: CardId, f: MonitoringFeedback): Promise<FeedbackResult> {
    const k = cardKeys(this.prefix, card);
    const [status, detail, previous, blockedAt] = await monitoringFeedbackScript.run(
      this.redis,
      { card: k.card, outbox: k.outbox },
      {
        issuer,
        now: this.clock.now().getTime(),
        noticeId: randomUUID(),
        blockedAt: f.blockedAt ?? '',
        verdict: f.verdict,
        text: f.text ?? '',
      },
    );
    if (status !== 'ok')
      return { ok: false, status: status as 'notFound' | 'forbidden' | 'conflict', reason: detail || status };
    return {
      ok: true,
      rule: detail,
      previous: previous === '' || previous === undefined ? undefined : (previous as Verdict),
      blockedAt: Number(blockedAt),
    };
  }
}
