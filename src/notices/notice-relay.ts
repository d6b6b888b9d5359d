/**
 * Issuer notices: the register writes each notice into the card's outbox in the same Lua call
 * as the change that caused it (same hash tag, so atomic even on Redis Cluster); the relay then
 * moves it to the issuer's feed. The feed is a sorted set of the notices' JSON scored by time,
 * so moving the same notice twice (a crash between the two steps) leaves one copy: no notice is
 * lost and none is doubled. A sweep finds outboxes left behind (Redis down, process killed): at
 * start, and every few seconds while a flush has failed since the last sweep (a sweep SCANs the
 * whole keyspace: not something to do every few seconds under load for nothing).
 */
import { type RegisterRedis, globLiteral, scanEveryMaster } from '../redis/client.js';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';
import { SweepOnFailure } from '../time/sweep-on-failure.js';

/**
 * What a notice tells the issuer: a wrong PIN or a PIN block (a terminal's request); a block
 * (blockRegistered, or monitoringBlock for the fraud monitoring's); a holder's report on a card
 * already blocked (reportOnBlockedCard, 001 §14); a block lifted; a card deleted; an offline
 * sale on a card blocked or deleted at its purchase time (offlineOnBlockedCard, 001 §17, §36); a
 * chip purchase whose cryptogram failed or whose ATC went back (cryptogramFailure, docs/SECURITY.md §1);
 * a dispute case represented (the issuer is debited again, 001 §26) or decided after a contest.
 */
export const NOTICE_TYPES = [
  'wrongPin',
  'pinBlocked',
  'blockRegistered',
  'monitoringBlock',
  'reportOnBlockedCard',
  'blockLifted',
  'cardDeleted',
  'offlineOnBlockedCard',
  'cryptogramFailure',
  'disputeRepresented',
  'disputeDecided',
] as const;

export interface Notice {
  id: string;
  type: (typeof NOTICE_TYPES)[number];
  issuer: string;
  card: CardId;
  maskedPan: string;
  /** ms since the epoch */
  at: number;
  [detail: string]: unknown;
}

export interface NoticeQuery {
  card?: CardId;
  /** A block service reference number: the report it was given to, and the block's lift. */
  reference?: string;
  /** Notices of these types only. */
  types?: readonly Notice['type'][];
  /** ms, inclusive */
  since?: number;
  until?: number;
  limit?: number;
}

/** The cards' notice outboxes, as the relay uses them (src/card/outboxes.ts keeps them). */
export interface NoticeOutboxes {
  read(card: CardId): Promise<string[]>;
  /** Takes out the first `count` entries. */
  drop(card: CardId, count: number): Promise<void>;
  forEach(each: (card: CardId) => Promise<number>): Promise<number>;
}

/** Notices read at a time when filtering the feed. */
const NOTICE_PAGE = 500;

function matches(n: Notice, q: NoticeQuery): boolean {
  return (
    (q.card === undefined || n.card === q.card) &&
    (q.reference === undefined || n.reference === q.reference) &&
    (q.types === undefined || q.types.includes(n.type))
  );
}

export class NoticeRelay {
  private readonly sweeper: SweepOnFailure;

  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly outboxes: NoticeOutboxes,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.sweeper = new SweepOnFailure(() => this.sweep(), 'notice', log);
  }

  feedKey(issuer: string): string {
    return `${this.prefix}issuer:{${issuer}}:notices`;
  }

  /** Moves a card's pending notices to their issuers' feeds. */
  async flush(card: CardId): Promise<number> {
    const pending = await this.outboxes.read(card);
    if (pending.length === 0) return 0;
    for (const json of pending) {
      const n = JSON.parse(json) as Notice;
      await this.redis.zadd(this.feedKey(n.issuer), n.at, json);
    }
    // Only what was moved: notices written meanwhile stay for the next flush.
    await this.outboxes.drop(card, pending.length);
    return pending.length;
  }

  /**
   * A notice put straight in its issuer's feed, for a change made outside the card register (a
   * dispute case's: no card outbox to go through). Its id must be unique: a feed member is the
   * notice's JSON, so the same notice published twice (a retry) is kept once.
   */
  async publish(n: Notice): Promise<void> {
    await this.redis.zadd(this.feedKey(n.issuer), n.at, JSON.stringify(n));
  }

  /** Flushes, logging instead of failing: the sweep retries what could not be moved now. */
  async flushQuietly(card: CardId): Promise<void> {
    try {
      await this.flush(card);
    } catch (e) {
      this.sweeper.markFailed();
      this.log.warn({ err: (e as Error).message }, 'notices left in the outbox for the next sweep');
    }
  }

  /** Every outbox with notices in it, moved. */
  async sweep(): Promise<number> {
    this.sweeper.clear();
    return this.outboxes.forEach((card) => this.flush(card));
  }

  startSweeping(everyMs: number): void {
    this.sweeper.start(everyMs);
  }

  stopSweeping(): void {
    this.sweeper.stop();
  }

  /**
   * An issuer's notices in the time range, newest first, those matching every filter given, at
   * most `limit`. The feed is scored by time only: the other filters are applied to pages read
   * newest first, until enough match or the range is read through.
   */
  async notices(issuer: string, q: NoticeQuery = {}): Promise<Notice[]> {
    const max = q.until ?? '+inf';
    const min = q.since ?? '-inf';
    const limit = q.limit ?? 100;
    const filtered = q.card !== undefined || q.reference !== undefined || q.types !== undefined;
    const page = filtered ? NOTICE_PAGE : limit;
    const found: Notice[] = [];
    for (let offset = 0; ; offset += page) {
      const raw = await this.redis.zrevrangebyscore(this.feedKey(issuer), max, min, 'LIMIT', offset, page);
      for (const json of raw) {
        const n = JSON.parse(json) as Notice;
        if (matches(n, q)) found.push(n);
        if (found.length === limit) return found;
      }
      if (raw.length < page) return found;
    }
  }

  /** The notices a terminal's requests caused, at or after `since`, in every issuer's feed, oldest first. */
  async noticesOfTerminal(terminal: string, since: number): Promise<Notice[]> {
    const match = `${globLiteral(this.prefix)}issuer:{*}:notices`;
    // SCAN may name a key twice: each feed is read once. On a cluster the feeds are on every master.
    const feeds = new Set<string>();
    await scanEveryMaster(this.redis, match, 500, async (keys) => {
      for (const key of keys) feeds.add(key);
    });
    const found: Notice[] = [];
    for (const key of feeds) {
      for (const json of await this.redis.zrangebyscore(key, since, '+inf')) {
        const n = JSON.parse(json) as Notice;
        if (n.terminal === terminal) found.push(n);
      }
    }
    return found.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  }
}
