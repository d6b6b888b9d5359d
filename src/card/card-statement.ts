/**
 * The card's statement: where its booked postings are in the journal, by purchase time (the key
 * `card:{id}:statement`, written by scripts/book.lua when a delivery is booked), and the card's
 * status at given times from its block history. The disputes read a card's transactions through
 * it (docs/DISPUTES.md): what was delivered to the data centres, the holder's statement.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { cardStatusAt } from './block-history.js';
import { cardKeys, transactionKey } from './keys.js';

export class CardStatement {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
  ) {}

  /** The journal ids of the card's booked postings purchased from `fromMs` to `toMs` (inclusive), by purchase time, at most `limit`. */
  journalIds(card: CardId, fromMs: number, toMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(cardKeys(this.prefix, card).statement, fromMs, toMs, 'LIMIT', 0, limit);
  }

  /** Whether each journal entry is a booked posting of the card (on its statement). */
  async booked(card: CardId, journalIds: readonly string[]): Promise<boolean[]> {
    if (journalIds.length === 0) return [];
    const scores = await this.redis.zmscore(cardKeys(this.prefix, card).statement, ...journalIds);
    return scores.map((score) => score !== null);
  }

  /**
   * øre reversed of each transaction by its own record (reverse.lua writes it with the reversal,
   * before the reversal's posting is delivered): 0 when not reversed, or its record is gone
   * (kept register.transactionRetentionDays; a reversal names its original within them).
   */
  async reversedAmounts(card: CardId, txns: readonly string[]): Promise<number[]> {
    return Promise.all(
      txns.map(async (txn) => {
        const [state, amount] = await this.redis.hmget(
          transactionKey(this.prefix, card, txn),
          'state',
          'reversedAmount',
        );
        return state === 'reversed' ? Number(amount ?? 0) : 0;
      }),
    );
  }

  /** The card's status at each time ('active', 'blocked:<reason>', 'deleted'), as a posting's cardStatus says it; undefined without a record. */
  async statusesAt(card: CardId, times: readonly number[]): Promise<string[] | undefined> {
    const record = await this.redis.hgetall(cardKeys(this.prefix, card).card);
    if (record.issuer === undefined) return undefined;
    return times.map((ms) => cardStatusAt(record, ms));
  }
}
