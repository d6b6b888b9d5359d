/**
 * The card's statement: where its booked postings are in the journal, by purchase time (the key
 * `card:{id}:statement`, written by scripts/book.lua when a delivery is booked), and the card's
 * status at given times from its block history. The disputes read a card's transactions through
 * it (docs/DISPUTES.md): what was delivered to the data centres, the holder's statement.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { cardStatusAt } from './block-history.js';
import { cardKeys } from './keys.js';

export class CardStatement {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
  ) {}

  /** The journal ids of the card's booked postings purchased from `fromMs` to `toMs` (inclusive), by purchase time, at most `limit`. */
  journalIds(card: CardId, fromMs: number, toMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(cardKeys(this.prefix, card).statement, fromMs, toMs, 'LIMIT', 0, limit);
  }

  /** The card's status at each time ('active', 'blocked:<reason>', 'deleted'), as a posting's cardStatus says it; undefined without a record. */
  async statusesAt(card: CardId, times: readonly number[]): Promise<string[] | undefined> {
    const record = await this.redis.hgetall(cardKeys(this.prefix, card).card);
    if (record.issuer === undefined) return undefined;
    return times.map((ms) => cardStatusAt(record, ms));
  }
}
