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
import type { PostingJournal } from '../journal/journal.js';
import type { PanCipher } from '../crypto/pan-cipher.js';
import type { PostingRelay } from '../journal/posting-relay.js';
import type { Posting } from '../journal/posting.js';
import { deliveryFileName, formatDelivery } from './delivery-file.js';
import type { DeliveryLedger, SealedDelivery } from './delivery-ledger.js';
import { localDate } from '../time/local-time.js';
import { nextDate } from '../time/dates.js';

/** Points where a test can stop the worker dead (the crash tests), in the order a delivery passes them. */
export type CrashPoint = 'after-seal' | 'mid-write' | 'before-rename' | 'after-rename' | 'before-booking';

/**
 * Books delivered postings on their cards (the card module's, wired in src/modules.ts: clearing
 * never reads card keys). Booking a posting booked before changes nothing.
 */
export interface PostingBooker {
  book(postings: readonly Posting[]): Promise<number>;
}

export interface ClearingDeliveryDeps {
  journal: PostingJournal;
  ledger: DeliveryLedger;
  relay: PostingRelay;
  booker: PostingBooker;
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

  /** The next cut-off not made yet: today's, or tomorrow's first when today's are all made (the manual cut-off). */
  async next(): Promise<{ date: string; number: number }> {
    let date = localDate(this.deps.clock.now(), this.deps.timeZone);
    for (let day = 0; day < 2; day++, date = nextDate(date)) {
      // Sealed but never written (its run failed) is not made: it is the next one to finish.
      const made = new Set(
        (await this.deps.ledger.ofDate(date)).filter((d) => d.file !== undefined).map((d) => d.number),
      );
      for (let n = 1; n <= this.deps.config.cutoffs.length; n++) if (!made.has(n)) return { date, number: n };
    }
    throw new Error(`every cut-off of today and tomorrow is made already`);
  }

  /**
   * Makes delivery `number` of `date`. Earlier cut-offs of the day that never ran (the switch was
   * down) are made first, empty, so that the day's numbering has no gap and the ranges stay in order.
   */
  async deliver(date: string, number: number): Promise<DeliveryResult[]> {
    this.cutoffOf(number);
    await this.deps.relay.sweep();
    await this.bookLeftOver();
    // Older than a minute: never the temporary file of a run writing right now.
    await removeStaleTemporaries(this.deps.config.directory, 60_000);
    const made: DeliveryResult[] = [];
    for (let n = 1; n <= number; n++) {
      const existing = await this.deps.ledger.get(date, n);
      // An earlier delivery already in place is left alone; this one is (re)written: the same bytes.
      if (n < number && existing?.file !== undefined) continue;
      made.push(await this.make(existing ?? (await this.deps.ledger.seal(date, n, this.cutoffOf(n)))));
    }
    return made;
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
    if (d.file === undefined)
      await this.book(
        written,
        entries.map((e) => e.posting),
      );
    return { date: d.date, number: d.number, file: name, postings: entries.length };
  }

  /** Books the deliveries a run before this one wrote but died before booking. */
  private async bookLeftOver(): Promise<void> {
    for (const d of await this.deps.ledger.notBooked()) {
      const entries = await this.deps.journal.range(d.from, d.to);
      await this.book(
        d,
        entries.map((e) => e.posting),
      );
    }
  }

  private async book(d: SealedDelivery, postings: Posting[]): Promise<void> {
    const booked = await this.deps.booker.book(postings);
    await this.deps.ledger.booked(d);
    this.deps.log.info({ date: d.date, delivery: d.number, booked }, 'clearing delivery booked');
  }
}
