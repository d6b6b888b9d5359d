/**
 * The posting journal: one Redis stream, in the order postings reached it, read by the clearing
 * deliveries. A posting is made in the card's outbox by the same Lua call that approves (so it
 * exists before the answer leaves); the relay (posting-relay.ts) then appends it here. Appending
 * is idempotent by posting id, so a relay that crashes between appending and clearing the outbox
 * appends nothing twice. All journal keys share the hash tag {journal}: one slot on Redis Cluster.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Posting } from './posting.js';
import { asReply, defineScript } from '../redis/scripts.js';

/** How long a posting id is remembered for deduplication: far longer than any relay retry. */
const SEEN_FOR_MS = 2 * 86_400_000;

/** append.lua: appends the postings (pairs of id and JSON, the tail) whose ids it has not seen; returns how many were new. */
export const appendScript = defineScript({
  name: 'swJournalAppend',
  file: new URL('./append.lua', import.meta.url),
  keys: ['stream', 'seen'],
  args: ['now', 'forgetBefore'],
  rest: 'postings',
  reply: asReply<number>(),
});

/** A posting's id without parsing all of it: the relay moves thousands a second. */
function idOf(json: string): string {
  const m = /"id":"([^"]+)"/.exec(json);
  if (m === null) throw new Error('a posting without an id');
  return m[1]!;
}

export interface JournalEntry {
  /** The stream id: the journal's order. */
  at: string;
  posting: Posting;
}

export class PostingJournal {
  readonly stream: string;
  private readonly seen: string;
  private readonly redis: RegisterRedis;

  constructor(redis: RegisterRedis, prefix: string) {
    this.stream = `${prefix}{journal}:postings`;
    this.seen = `${prefix}{journal}:seen`;
    this.redis = redis;
  }

  /** Appends postings (as their JSON) not appended before; returns how many were new. */
  async append(postings: string[], nowMs: number): Promise<number> {
    if (postings.length === 0) return 0;
    const args: string[] = [];
    for (const json of postings) args.push(idOf(json), json);
    return appendScript.run(
      this.redis,
      { stream: this.stream, seen: this.seen },
      { now: nowMs, forgetBefore: nowMs - SEEN_FOR_MS },
      args,
    );
  }

  /** Entries after `after` (exclusive, '0' from the start) up to `to` (inclusive), in order. */
  async range(after: string, to: string): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    let start = `(${after}`;
    if (after === '0') start = '-';
    for (;;) {
      const batch = await this.redis.xrange(this.stream, start, to, 'COUNT', 5000);
      for (const [at, fields] of batch) out.push({ at, posting: JSON.parse(fields[1]!) as Posting });
      if (batch.length < 5000) return out;
      start = `(${batch[batch.length - 1]![0]}`;
    }
  }

  /** The entries at these ids, in the order given; an id the journal does not hold is left out. */
  async at(ids: readonly string[]): Promise<JournalEntry[]> {
    const batches = await Promise.all(ids.map((id) => this.redis.xrange(this.stream, id, id)));
    return batches.flatMap((batch) =>
      batch.map(([at, fields]) => ({ at, posting: JSON.parse(fields[1]!) as Posting })),
    );
  }

  /** The last entry's id, '0-0' when the journal is empty. */
  async lastId(): Promise<string> {
    const last = await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }
}
