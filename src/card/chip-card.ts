/**
 * A chip card in the register (docs/SECURITY.md §1): the PAN sequence number its keys were
 * derived with (record field `psn`, set at registration for a card with chip keys) and the last
 * application transaction counter (ATC) of a verified cryptogram (record field `atc`, kept by
 * chip.lua). A card registered without a PAN sequence number has no chip keys: its cryptograms
 * are not checked.
 */
import type { RegisterRedis } from '../redis/client.js';

export interface ChipCard {
  product: string;
  /** Two digits: EMV tag 5F34 as personalised. */
  panSequence: string;
}

/** The card's product and PAN sequence number; undefined for a card without chip keys or not registered. */
export async function chipCardOf(redis: RegisterRedis, cardKey: string): Promise<ChipCard | undefined> {
  const [product, panSequence] = await redis.hmget(cardKey, 'product', 'psn');
  return product == null || panSequence == null ? undefined : { product, panSequence };
}

/** What the switch found of a chip purchase's cryptogram: its ATC (9F36) and whether the ARQC (9F26) verified. */
export interface CryptogramVerdict {
  atc: number;
  verified: boolean;
}

/** chip.lua's arguments: A_atc, and A_cryptogram '' (not checked), 'ok' or 'bad'. */
export function chipArgs(verdict: CryptogramVerdict | undefined): { atc: number | ''; cryptogram: string } {
  if (verdict === undefined) return { atc: '', cryptogram: '' };
  return { atc: verdict.atc, cryptogram: verdict.verified ? 'ok' : 'bad' };
}
