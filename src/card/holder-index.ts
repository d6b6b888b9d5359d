/**
 * The holder index, for the block service: a holder who has lost a card rarely knows its number,
 * but knows the account or personal number. Each number names a set of card ids; the set's key is
 * a keyed hash of the number, so Redis never holds a clear personal number. The index is kept
 * outside the card's hash tag (one key per number, not per card), so it is written beside the
 * registration rather than in the same Lua call; readers treat it as a hint and check each card
 * it names (src/admin/block-service.ts).
 */
import type { RegisterRedis } from '../redis/client.js';
import { type CardId, cardId } from '../crypto/card-id.js';
import type { CardRegister, ChangeResult, NewCard } from './card-register.js';

/** The holder numbers the index knows a card by. */
export type HolderNumberKind = 'account' | 'personalNumber';

export class HolderIndex {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly secret: Buffer,
    private readonly register: CardRegister,
  ) {}

  /** The key of the set of cards registered with a holder number. */
  keyOf(kind: HolderNumberKind, number: string): string {
    // The same keyed hash as a card id; the kind in front keeps the namespaces apart.
    return `${this.prefix}holder:${kind}:${cardId(`${kind}:${number}`, this.secret)}`;
  }

  /**
   * The card registered (CardRegister.register) and entered in the index under its account
   * number and, when given, the holder's personal number (10 digits, no hyphen). The index is
   * written first, so that no registered card is ever missing from it; entries this call added are
   * taken out again when the registration is refused (the PAN is already registered, perhaps to
   * someone else).
   */
  async registerIndexed(
    card: NewCard,
    holder: { personalNumber?: string } = {},
  ): Promise<{ card: CardId } & ChangeResult> {
    const id = this.register.idOf(card.pan);
    const keys = [this.keyOf('account', card.account)];
    if (holder.personalNumber !== undefined) keys.push(this.keyOf('personalNumber', holder.personalNumber));
    const added = await Promise.all(keys.map((k) => this.redis.sadd(k, id)));
    const result = await this.register.register(card);
    if (!result.ok) await Promise.all(keys.filter((_, i) => added[i] === 1).map((k) => this.redis.srem(k, id)));
    return result;
  }

  /** Cards indexed under every number given (none given: none); possibly deleted, or stale: check each. */
  async cardsOfHolder(holder: { account?: string; personalNumber?: string }): Promise<CardId[]> {
    const keys: string[] = [];
    if (holder.account !== undefined) keys.push(this.keyOf('account', holder.account));
    if (holder.personalNumber !== undefined) keys.push(this.keyOf('personalNumber', holder.personalNumber));
    if (keys.length === 0) return [];
    // SMEMBERS each and intersect here: SINTER across keys would fail on Redis Cluster.
    const sets = await Promise.all(keys.map((k) => this.redis.smembers(k)));
    return sets.reduce((a, b) => a.filter((id) => b.includes(id))).sort();
  }
}
