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

/**
 * What the switch found of a chip read's cryptogram: its ATC (9F36) and whether the ARQC (9F26)
 * verified; or that field 55 is missing, which chip.lua refuses for a card with chip keys.
 */
export type CryptogramVerdict = { atc: number; verified: boolean } | 'missing';

/**
 * chip.lua's arguments: A_atc; A_cryptogram '' (not checked), 'ok', 'bad' or 'missing'; and
 * A_chipProducts, the products with an issuer master key (config register.issuerMasterKeys),
 * comma-separated, whose cards with a PAN sequence number have chip keys.
 */
export function chipArgs(
  verdict: CryptogramVerdict | undefined,
  chipProducts: string,
): { atc: number | ''; cryptogram: string; chipProducts: string } {
  if (verdict === undefined) return { atc: '', cryptogram: '', chipProducts };
  if (verdict === 'missing') return { atc: '', cryptogram: 'missing', chipProducts };
  return { atc: verdict.atc, cryptogram: verdict.verified ? 'ok' : 'bad', chipProducts };
}

/** The products whose cards can have chip keys: those with an IMK-AC. */
export function chipProductsOf(issuerMasterKeys: Readonly<Record<string, { ac?: string }>> | undefined): string {
  return Object.entries(issuerMasterKeys ?? {})
    .filter(([, keys]) => keys.ac !== undefined)
    .map(([product]) => product)
    .join(',');
}
