/**
 * A card's two outboxes: the issuer notices and the postings that the card's Lua calls write in
 * the same atomic step as the change that caused them (same hash tag as the card). The relays
 * (src/notices/notice-relay.ts, src/journal/posting-relay.ts) empty them through this, and only
 * this, so that the card's key layout stays the card module's.
 */
import { type RegisterRedis, acrossSlots, globLiteral, scanEveryMaster } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { type CardKeys, cardKeys } from './keys.js';

/** Which outbox: `notices` (card:{id}:outbox) or `postings` (card:{id}:posts). */
export type OutboxKind = 'notices' | 'postings';

const KEY_OF: Record<OutboxKind, keyof CardKeys & ('outbox' | 'posts')> = { notices: 'outbox', postings: 'posts' };

export class CardOutboxes {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly kind: OutboxKind,
  ) {}

  keyOf(card: CardId): string {
    return cardKeys(this.prefix, card)[KEY_OF[this.kind]];
  }

  /** What the card's outbox holds, oldest first. */
  read(card: CardId): Promise<string[]> {
    return this.redis.lrange(this.keyOf(card), 0, -1);
  }

  /** How many entries the card's outbox holds. */
  count(card: CardId): Promise<number> {
    return this.redis.llen(this.keyOf(card));
  }

  /** Empties the card's outbox (seeding: notices nobody is to receive). */
  async clear(card: CardId): Promise<void> {
    await this.redis.del(this.keyOf(card));
  }

  /** Takes out the first `count` entries (what was read and moved; later ones stay). */
  async drop(card: CardId, count: number): Promise<void> {
    await this.redis.ltrim(this.keyOf(card), count, -1);
  }

  /**
   * Takes each entry out of its card's outbox by value (others may have been added meanwhile).
   * The cards may lie on several masters of a cluster. The replies resolve even when commands
   * fail (Redis gone halfway): the first failure is thrown, so the caller counts a failed move.
   */
  async remove(entries: readonly { card: CardId; json: string }[]): Promise<void> {
    const replies = await acrossSlots(
      this.redis,
      entries.map((e) => ['lrem', this.keyOf(e.card), 1, e.json]),
    );
    const failed = replies.find(([err]) => err !== null);
    if (failed) throw failed[0]!;
  }

  /** Calls `each` for every card with something in this outbox (SCAN on every master, never KEYS); sums what it returns. */
  async forEach(each: (card: CardId) => Promise<number>): Promise<number> {
    let total = 0;
    const match = `${globLiteral(this.prefix)}card:{*}:${KEY_OF[this.kind]}`;
    await scanEveryMaster(this.redis, match, 1000, async (keys) => {
      for (const key of keys) total += await each(/\{(.+)\}/.exec(key)![1]!);
    });
    return total;
  }
}
