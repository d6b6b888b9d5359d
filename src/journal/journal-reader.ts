/**
 * Reading the journal back for one terminal (the admin API's activity route): from the stream's
 * end backwards, only as far as the postings asked for can lie.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Posting } from './posting.js';

/**
 * The journal is read backwards from its end while postings are this much younger than `since`:
 * the relay appends in batches, so a posting received a little before a later one may sit just
 * after it.
 */
export const JOURNAL_SLACK_MS = 10_000;
/** The most journal entries read for one answer; beyond it the answer says `truncated`. */
export const MAX_JOURNAL_SCAN = 100_000;
const BATCH = 500;

export interface JournalEntry {
  /** Where it sits in the journal (the stream entry's id). */
  journalId: string;
  posting: Posting;
}

export class JournalReader {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly stream: string,
  ) {}

  /**
   * The terminal's postings received at or after `since`, oldest first (journal order), read in
   * batches; at most `maxScan` entries are read (then `truncated`).
   */
  async postingsSince(
    terminal: string,
    since: number,
    limits: { batch: number; maxScan: number } = { batch: BATCH, maxScan: MAX_JOURNAL_SCAN },
  ): Promise<{ entries: JournalEntry[]; truncated: boolean }> {
    const found: JournalEntry[] = [];
    let end = '+';
    let scanned = 0;
    for (;;) {
      const batch = await this.redis.xrevrange(this.stream, end, '-', 'COUNT', limits.batch);
      for (const [journalId, fields] of batch) {
        const posting = JSON.parse(fields[1]!) as Posting;
        if (posting.receivedAt < since - JOURNAL_SLACK_MS) return { entries: found.reverse(), truncated: false };
        if (posting.terminal === terminal && posting.receivedAt >= since) found.push({ journalId, posting });
      }
      scanned += batch.length;
      if (batch.length < limits.batch) return { entries: found.reverse(), truncated: false };
      if (scanned >= limits.maxScan) return { entries: found.reverse(), truncated: true };
      end = `(${batch[batch.length - 1]![0]}`;
    }
  }
}
