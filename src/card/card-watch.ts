/**
 * The card's side of the fraud monitoring (docs/MONITORING.md): its recent transactions and its
 * holder profile (keys card:{id}:recent and card:{id}:profile, beside the record, so one Lua call
 * per transaction touches one slot), the monitoring's block and, for the rules that spare the
 * holder, the profile's figures for some merchants and countries. The rules themselves are the
 * monitoring's (src/monitoring/); this module only keeps the card's state.
 */
import { randomUUID } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { CardId } from '../crypto/card-id.js';
import type { WatchedTransaction } from '../monitoring/watched-transaction.js';
import type { HolderProfile } from '../monitoring/holder-profile.js';
// The limits are the monitoring's, so that its replay of a day (src/monitoring/replay.ts) keeps the same history.
import { MAX_PROFILE_FIELDS, MAX_RECENT } from '../monitoring/card-history.js';
import type { Verdict } from '../monitoring/monitoring-stats.js';
import { ALL_RECENT } from '../monitoring/rule-input.js';
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
  /** The card's earlier transactions within the horizon, from the reach on (every one kept for ALL_RECENT), oldest first. */
  recent: WatchedTransaction[];
  /** The transaction's JSON as recorded (JSON.stringify): the day log writes the same. */
  json: string;
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
  ) {}

  /**
   * Records the transaction on its card, keeping the card's transactions of the last `horizonMs`;
   * answers the card's issuer, block and the earlier transactions from `reachMs` before `tx.at` on
   * (src/monitoring/evaluate.ts recentReachMs; 0: none, ALL_RECENT: every one kept). A few older
   * ones may come too: the rules look at the times.
   *
   * The earlier transactions are read by a LRANGE sent just before the script (one round trip):
   * Redis answers it for a fraction of what the list costs read into Lua and returned from it.
   * The script tells which of its entries are the earlier ones by their seq (watch.lua); when
   * another process recorded a transaction of the card between the two, they are read again.
   */
  async record(tx: WatchedTransaction, horizonMs: number, reachMs = ALL_RECENT): Promise<WatchRecord> {
    const k = cardKeys(this.prefix, tx.card);
    const json = JSON.stringify(tx);
    const read = reachMs > 0;
    const listed = read ? this.redis.lrange(k.recent, 0, -1) : undefined;
    const recorded = watchScript.run(
      this.redis,
      { card: k.card, recent: k.recent, profile: k.profile },
      {
        now: this.clock.now().getTime(),
        horizon: horizonMs,
        tx: json,
        maxRecent: MAX_RECENT,
        keepProfile: this.keepProfileMs,
        maxFields: MAX_PROFILE_FIELDS,
        read: read ? '1' : '0',
      },
    );
    const [[issuer, block, entries, from, to], list] = await Promise.all([recorded, listed]);
    const since = reachMs === ALL_RECENT ? -Infinity : tx.at - reachMs;
    if (from === 0) return { issuer, block, recent: entries.map((e) => JSON.parse(e) as WatchedTransaction), json };
    let earlier = list === undefined ? [] : earlierOf(list, from, to, since);
    earlier ??= earlierOf(await this.redis.lrange(k.recent, 0, -1), from, to, since, true) ?? [];
    return { issuer, block, recent: earlier, json };
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

const SEQ = '{"seq":';
const AT = '"at":';

/** An entry's seq (watch.lua), NaN for one without. */
function seqOf(entry: string): number {
  return entry.startsWith(SEQ) ? Number(entry.slice(SEQ.length, entry.indexOf(',', SEQ.length))) : NaN;
}

/**
 * An entry's time (ms) read as watch.lua reads it, without parsing the entry: the first `"at":`
 * of JSON.stringify's output is its key (a quote inside a string value is escaped); NaN when no
 * whole number follows it.
 */
function atOf(entry: string): number {
  const i = entry.indexOf(AT);
  return i < 0 ? NaN : parseInt(entry.slice(i + AT.length, i + AT.length + 20), 10);
}

/** The entry parsed; undefined for one that does not parse (it is skipped, not left to fail every evaluation). */
function parsed(entry: string): WatchedTransaction | undefined {
  try {
    return JSON.parse(entry) as WatchedTransaction;
  } catch {
    return undefined;
  }
}

/**
 * The entries of `list` with seq from `from` to `to` whose time is at or after `since` (ms),
 * oldest first. Every entry of the range is looked at (one recorded late by another process sits
 * after later ones), but only those in time are parsed. `list` read before the script: undefined
 * when it lacks some of those seqs (another process recorded the card between the two: read it
 * again). Read after (`again`): the newer entries are skipped, and one missing (folded since by
 * yet another record) is left out.
 */
export function earlierOf(
  list: readonly string[],
  from: number,
  to: number,
  since: number,
  again = false,
): WatchedTransaction[] | undefined {
  const out: WatchedTransaction[] = [];
  let i = list.length - 1;
  while (again && i >= 0 && seqOf(list[i]!) > to) i--;
  // The newest entries are `to`, `to` - 1, ... (the list holds a run of seqs, pushed one by one).
  for (let seq = to; seq >= from; i--, seq--) {
    if (i < 0 || seqOf(list[i]!) !== seq) {
      if (again) break;
      return undefined;
    }
    // A time that does not read this way (NaN) is read from the parsed entry.
    if (atOf(list[i]!) < since) continue;
    const t = parsed(list[i]!);
    if (t !== undefined && !(t.at < since)) out.push(t);
  }
  return out.reverse();
}
