/**
 * The block service's reference numbers (`blockref:<reference>` -> card id): each report gets a
 * number no other report ever had, which the holder quotes and the issuer finds the report by.
 */
import { randomInt } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { luhnCheckDigit } from '../card/luhn.js';

/** Attempts at a reference number not yet taken; 10^9 of them, so a second attempt is already rare. */
const REFERENCE_TRIES = 5;

export class BlockReferences {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
  ) {}

  keyOf(reference: string): string {
    return `${this.prefix}blockref:${reference}`;
  }

  /** A new reference number, kept (naming its card) so that no two reports ever share one. */
  async reserve(card: CardId): Promise<string> {
    for (let i = 0; i < REFERENCE_TRIES; i++) {
      const reference = newReference();
      if (await this.keep(reference, card)) return reference;
    }
    throw new Error(`no free block reference number in ${REFERENCE_TRIES} tries`);
  }

  /** Keeps a reference chosen earlier (a block accepted while Redis was down); false when taken. */
  async keep(reference: string, card: CardId): Promise<boolean> {
    return (await this.redis.set(this.keyOf(reference), card, 'NX')) === 'OK';
  }

  /** Gives a reference back: its report was refused. */
  async release(reference: string): Promise<void> {
    await this.redis.del(this.keyOf(reference));
  }
}

/**
 * 9 random digits and a Luhn check digit: random so that a reference tells nothing about how many
 * blocks there were, checked so that a digit misread over the phone is caught.
 */
export function newReference(): string {
  const body = String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return body + luhnCheckDigit(body);
}
