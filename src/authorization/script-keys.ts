/**
 * The key issuer scripts are MACed with (docs/SECURITY.md §2): the card's MK-SMI, derived by EMV
 * option A from its product's IMK-SMI, with the card's PAN and PAN sequence number. A card whose
 * product has no IMK-SMI, or which was registered without a PAN sequence number (no chip keys),
 * has none: its scripts stay queued.
 */
import { cardMacMasterKey } from '../crypto/emv/script-mac.js';

/** A chip card's product and PAN sequence number, as the register keeps them. */
export type ChipCardLookup = (pan: string) => Promise<{ product: string; panSequence: string } | undefined>;

/** IMK-SMI per card product, hex. */
export type ScriptMasterKeys = Readonly<Record<string, { smi?: string } | undefined>>;

export function scriptMacKeys(
  keys: ScriptMasterKeys | undefined,
  cardOf: ChipCardLookup,
): (pan: string) => Promise<Buffer | undefined> {
  return async (pan) => {
    if (keys === undefined) return undefined;
    const card = await cardOf(pan);
    const imk = card === undefined ? undefined : keys[card.product]?.smi;
    return imk === undefined ? undefined : cardMacMasterKey(Buffer.from(imk, 'hex'), pan, card!.panSequence);
  };
}
