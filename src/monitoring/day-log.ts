/**
 * The day's log of monitored transactions (docs/MONITORING.md, "Replaying a day"): every
 * transaction the monitor recorded, approved or refused, as WatchedTransaction JSON with the
 * card's issuer (rules compare it with an ATM's owner) in a list per local business day, `{monitoring}:log:<YYYY-MM-DD>` (the register's time zone). The posting
 * journal holds approvals only, and several rules look at refusals, so the replay reads this.
 *
 * Appending costs about nothing per transaction: entries are gathered in memory and written in
 * one RPUSH per day every FLUSH_MS or MAX_BATCH entries, and on drain. A write that fails is
 * logged, counted and dropped: the log serves the replay, never an answer or an evaluation.
 */
import type { Counter } from 'prom-client';
import type { RegisterRedis } from '../redis/client.js';
import type { Logger } from '../log/logger.js';
import { localDate } from '../time/local-time.js';
import type { WatchedTransaction } from './watched-transaction.js';

/** Days a log is kept after its last entry: a week back from today and the day itself. */
export const DAY_LOG_KEPT_DAYS = 8;
const KEPT_MS = DAY_LOG_KEPT_DAYS * 86_400_000;
/** How long an entry may wait in memory; a process that dies loses at most this much of the log. */
const FLUSH_MS = 50;
const MAX_BATCH = 500;
/** Entries read per LRANGE, so a busy day's log is not one huge reply. */
const READ_CHUNK = 10_000;

/** An entry of the log: the transaction and its card's issuer then. */
export interface LoggedTransaction extends WatchedTransaction {
  issuer: string;
}

/** The list of one day's entries. */
export const dayLogKey = (prefix: string, date: string): string => `${prefix}{monitoring}:log:${date}`;

export interface DayLogDeps {
  redis: RegisterRedis;
  prefix: string;
  /** The register's time zone (config register.timeZone): which day a transaction is logged under. */
  timeZone: string;
  log: Logger;
  /** Counts the entries a failed write lost. */
  lost: Pick<Counter, 'inc'>;
}

/** An entry waiting to be written: its time (which day's list) and its JSON. */
interface Pending {
  at: number;
  entry: string;
}

/**
 * The entry's JSON, JSON.stringify({ ...tx, issuer }), from the transaction's own JSON when the
 * caller made it (the card's record did): the same text, as `issuer` is not a transaction's key
 * and so comes last, without a second stringify of the transaction.
 */
export function loggedJson(tx: WatchedTransaction, issuer: string, json?: string): string {
  if (json === undefined || json.length <= 2 || Object.hasOwn(tx, 'issuer')) return JSON.stringify({ ...tx, issuer });
  return `${json.slice(0, -1)},"issuer":${JSON.stringify(issuer)}}`;
}

export class DayLog {
  private batch: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();
  private minute = NaN;
  private date = '';

  constructor(private readonly deps: DayLogDeps) {}

  /**
   * Adds a transaction of a card of `issuer` to the next write; returns at once. `json`: the
   * transaction's JSON.stringify when the caller has it (it is not made again).
   */
  append(tx: WatchedTransaction, issuer: string, json?: string): void {
    this.batch.push({ at: tx.at, entry: loggedJson(tx, issuer, json) });
    if (this.batch.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Resolves once every entry appended so far is written (or counted lost). */
  async drain(): Promise<void> {
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  /** Starts writing what is gathered: one RPUSH per day it spans (a batch at midnight spans two). */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const byDay = new Map<string, string[]>();
    for (const { at, entry } of this.batch) {
      const key = dayLogKey(this.deps.prefix, this.dateOf(at));
      const entries = byDay.get(key) ?? [];
      entries.push(entry);
      byDay.set(key, entries);
    }
    this.batch = [];
    for (const [key, entries] of byDay) {
      const write = this.write(key, entries);
      this.writing.add(write);
      void write.finally(() => this.writing.delete(write));
    }
  }

  /**
   * The local date of a moment. Reading a zone's date costs microseconds (Intl), a batch's entries
   * are nearly all of one minute, and dates change on whole minutes in every zone: the last
   * minute's answer is kept.
   */
  private dateOf(at: number): string {
    const minute = Math.floor(at / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.date = localDate(new Date(at), this.deps.timeZone);
    }
    return this.date;
  }

  private async write(key: string, entries: string[]): Promise<void> {
    const { redis } = this.deps;
    try {
      await Promise.all([redis.rpush(key, ...entries), redis.pexpire(key, KEPT_MS)]);
    } catch (e) {
      this.deps.lost.inc(entries.length);
      this.deps.log.warn(
        { err: (e as Error).message, entries: entries.length },
        'fraud monitoring: day log entries lost',
      );
    }
  }
}

/** One day's logged transactions, in the order they were written. */
export async function readDayLog(redis: RegisterRedis, prefix: string, date: string): Promise<LoggedTransaction[]> {
  const key = dayLogKey(prefix, date);
  const out: LoggedTransaction[] = [];
  for (let from = 0; ; from += READ_CHUNK) {
    const chunk = await redis.lrange(key, from, from + READ_CHUNK - 1);
    for (const entry of chunk) out.push(JSON.parse(entry) as LoggedTransaction);
    if (chunk.length < READ_CHUNK) return out;
  }
}
