/**
 * The payment guarantee (betalingsgaranti, 001 §28-29, §34, §38): the part of a transaction the
 * issuer must pay whatever happens, by how the card was read and how the holder approved. The
 * seed's appendix with the amounts (bilag 4) is not in it: the amounts are configuration
 * (config `disputes.guarantees`, docs/DISPUTES.md "Payment guarantee").
 */
import type { JournalPosting } from '../journal/posting.js';
import type { SwitchConfig } from '../config/types.js';

/** øre per kind of transaction (src/config/disputes-schema.ts). */
export type Guarantees = Readonly<SwitchConfig['disputes']['guarantees']>;
export type GuaranteeKind = keyof Guarantees;

const REMOTE_CHANNELS: ReadonlySet<string> = new Set(['internet', 'mailOrder', 'phoneOrder']);

/** A remote sale: internet, mail or phone order (a posting from before layout 3 by its entry mode). */
export function isRemoteSale(p: JournalPosting): boolean {
  if (p.channel !== undefined) return REMOTE_CHANNELS.has(p.channel);
  return p.entryMode === 'remote' || p.entryMode === 'manual';
}

/** Approved with a PIN, online or offline. */
export function isPinTransaction(p: JournalPosting): boolean {
  return p.verification === 'pinOnline' || p.verification === 'pinOffline';
}

/**
 * The kind of a transaction: remote sales first (whatever the verification), then the holder's
 * approval; a PIN read from a chip or a contactless reader is chip and PIN. A posting that does
 * not say (journalled before layout 2, or `unknown`) is treated as approved with no verification.
 */
export function guaranteeKindOf(p: JournalPosting): GuaranteeKind {
  if (isRemoteSale(p)) return 'remote';
  switch (p.verification) {
    case 'pinOnline':
    case 'pinOffline':
      return p.entryMode === 'magstripe' ? 'magstripePin' : 'chipPin';
    case 'signature':
      return 'signature';
    case 'contactlessNoPin':
      return 'contactless';
    default:
      return 'noVerification';
  }
}
