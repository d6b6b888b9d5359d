/**
 * One clearing delivery: move what the card outboxes still hold into the journal, seal the
 * delivery's range, write its file (temporary name, fsync, rename: a half-written file is never
 * seen under the real name), record it, book its postings on their cards. The scheduler
 * reconciles the day after its last cut-off (clearing-scheduler.ts).
 *
 * Exactly once: the range is sealed once (delivery-ledger.ts) and the file is a pure function of
 * it, so a run that crashes anywhere and is retried, or runs twice, writes the same file again.
 * Booking: the ledger lists a written delivery as to be booked until its postings are booked, and
 * every run first books what a run before it left unbooked; booking a posting twice books it once
 * (the card module's book.lua), so retries and two workers at once are safe.
 */
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '../files/atomic-file.js';
import type { Clock } from '../time/clock.js';
import type { ClearingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { JournalEntry, PostingJournal } from '../journal/journal.js';
import type { PanCipher } from '../crypto/pan-cipher.js';
import type { PostingRelay } from '../journal/posting-relay.js';
import { deliveryFileName, formatDelivery } from './delivery-file.js';
import type { DeliveryLedger, SealedDelivery } from './delivery-ledger.js';
import { localDate, localDateTime, localTimeMs } from '../time/local-time.js';
import { nextDate } from '../time/dates.js';

/** Points where a test can stop the worker dead (the crash tests), in the order a delivery passes them. */
export type CrashPoint = 'after-seal' | 'mid-write' | 'before-rename' | 'after-rename' | 'before-booking';

/**
 * Books delivered postings on their cards (the card module's, wired in src/modules.ts: clearing
 * never reads card keys). Booking a posting booked before changes nothing.
 */
export interface PostingBooker {
  /** The postings with their places in the journal (a card's statement lists them by it). */
  book(entries: readonly JournalEntry[]): Promise<number>;
}

/**
 * Postings made ahead of their day (the disputes' chargebacks and redebits, wired in
 * src/modules.ts): those whose day has come are appended to the journal before a cut-off.
 */
export interface DuePostings {
  /** Appends those due by `untilMs` (a delivery's cut-off) to the journal. */
  releaseDue(untilMs: number): Promise<number>;
}

export interface ClearingDeliveryDeps {
  journal: PostingJournal;
  ledger: DeliveryLedger;
  relay: PostingRelay;
  booker: PostingBooker;
  due: DuePostings;
  cipher: PanCipher;
  config: ClearingConfig;
  timeZone: string;
  clock: Clock;
  log: Logger;
  /** Called at each crash point; a test makes it kill the process. */
  crashAt?: (point: CrashPoint) => void;
}

export interface DeliveryResult {
  date: string;
  number: number;
  file: string;
  postings: number;
}

export class ClearingDelivery {
  constructor(private readonly deps: ClearingDeliveryDeps) {}

  /** The cut-off that closes delivery `number` of `date`. */
  cutoffOf(number: number): string {
    const c = this.deps.config.cutoffs[number - 1];
    if (c === undefined)
      throw new Error(`delivery ${number}: there are ${this.deps.config.cutoffs.length} cut-offs a day`);
    return c;
  }

  /**
   * The delivery the postings of now go into (a cut-off by hand): the first not made yet whose
   * cut-off is not before the clock, that is the one whose slot the clock is in, or a later one
   * when that one is made already; after the day's last cut-off, tomorrow's first not made. Its
   * cut-off is never before now, so never before a posting it takes (docs/CLEARING.md, "By hand").
   */
  async next(): Promise<{ date: string; number: number }> {
    const now = this.deps.clock.now();
    const t = localDateTime(now, this.deps.timeZone);
    const time = `${t.hour}:${t.minute}:${t.second}`;
    let date = localDate(now, this.deps.timeZone);
    for (let day = 0; day < 2; day++, date = nextDate(date)) {
      const made = await this.madeOn(date);
      for (let n = 1; n <= this.deps.config.cutoffs.length; n++)
        if (!made.has(n) && (day > 0 || `${this.cutoffOf(n)}:00` >= time)) return { date, number: n };
    }
    throw new Error(`every cut-off of today and tomorrow is made already`);
  }

  /**
   * A cut-off by hand (npm run clearing -- --now): the deliveries whose cut-off has passed and
   * that are not made yet are made, empty; the postings go into the one whose slot the clock is
   * in (next()). After the day's last cut-off that is tomorrow's first, and today's last ones are
   * made (empty) before it, so that the day is whole before the next one starts.
   */
  async byClock(): Promise<DeliveryResult[]> {
    const target = await this.next();
    const today = localDate(this.deps.clock.now(), this.deps.timeZone);
    const closing = target.date === today ? [] : await this.missed(today, this.deps.config.cutoffs.length);
    return [...closing, ...(await this.deliver(target.date, target.number))];
  }

  /** When delivery `number` of `date` is cut, ms since the epoch. */
  private cutoffInstant(date: string, number: number): number {
    const yymmdd = date.slice(2).replace(/-/g, '');
    return localTimeMs(`${yymmdd}${this.cutoffOf(number).replace(':', '')}00`, this.deps.timeZone)!;
  }

  /**
   * Makes delivery `number` of `date`. Earlier cut-offs of the day that never ran (the switch was
   * down) are made first, empty (their postings are in this one, whose cut-off is later), so that
   * the day's numbering has no gap and the ranges stay in order.
   */
  async deliver(date: string, number: number): Promise<DeliveryResult[]> {
    this.cutoffOf(number);
    // Due by this delivery's cut-off, not by the clock: a delivery made late (a retry after
    // midnight) must not take the next day's chargebacks.
    await this.deps.due.releaseDue(this.cutoffInstant(date, number));
    await this.deps.relay.sweep();
    await this.bookLeftOver();
    // Older than a minute: never the temporary file of a run writing right now.
    await removeStaleTemporaries(this.deps.config.directory, 60_000);
    const made = await this.missed(date, number - 1);
    // This one is (re)written even when in place already: the same bytes.
    const existing = await this.deps.ledger.get(date, number);
    made.push(await this.make(existing ?? (await this.deps.ledger.seal(date, number, this.cutoffOf(number)))));
    return made;
  }

  /** Deliveries 1 to `through` of `date` not made yet, made now: empty, unless sealed before (a run that failed to write). */
  private async missed(date: string, through: number): Promise<DeliveryResult[]> {
    const made: DeliveryResult[] = [];
    for (let n = 1; n <= through; n++) {
      const existing = await this.deps.ledger.get(date, n);
      if (existing?.file !== undefined) continue;
      made.push(await this.make(existing ?? (await this.deps.ledger.seal(date, n, this.cutoffOf(n), true))));
    }
    return made;
  }

  /** The numbers of the deliveries of `date` in place (sealed but never written, after a failed run, is not made). */
  private async madeOn(date: string): Promise<Set<number>> {
    return new Set((await this.deps.ledger.ofDate(date)).filter((d) => d.file !== undefined).map((d) => d.number));
  }

  private async make(d: SealedDelivery): Promise<DeliveryResult> {
    this.deps.crashAt?.('after-seal');
    const entries = await this.deps.journal.range(d.from, d.to);
    const header = { date: d.date, number: d.number, cutoff: d.cutoff };
    const text = formatDelivery(
      header,
      entries.map((e) => e.posting),
      (p) => this.deps.cipher.decrypt(p.panEnc),
    );
    const name = deliveryFileName(header);
    // Delivery files hold full PANs (the data centres book by them): the writer makes them 0600.
    await writeFileAtomic(join(this.deps.config.directory, name), text, {
      encoding: 'latin1',
      onStep: this.deps.crashAt,
    });
    const written = await this.deps.ledger.delivered(d, name, entries.length);
    this.deps.log.info(
      { date: d.date, delivery: d.number, postings: entries.length, file: name },
      'clearing delivery written',
    );
    this.deps.crashAt?.('before-booking');
    // Written before (booked already, left to bookLeftOver, or made before booking existed): not booked here.
    if (d.file === undefined) await this.book(written, entries);
    return { date: d.date, number: d.number, file: name, postings: entries.length };
  }

  /** Books the deliveries a run before this one wrote but died before booking. */
  private async bookLeftOver(): Promise<void> {
    for (const d of await this.deps.ledger.notBooked()) {
      const entries = await this.deps.journal.range(d.from, d.to);
      await this.book(d, entries);
    }
  }

  private async book(d: SealedDelivery, entries: JournalEntry[]): Promise<void> {
    const booked = await this.deps.booker.book(entries);
    await this.deps.ledger.booked(d);
    this.deps.log.info({ date: d.date, delivery: d.number, booked }, 'clearing delivery booked');
  }
}
