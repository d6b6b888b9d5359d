/**
 * Unattended machines without cardholder verification (004 §5.2: the bridges, some parking and
 * phone machines): the card is read from the chip and the holder approves by inserting it or
 * pressing a key; no PIN, and no signature, for there is no clerk to compare it. Such a purchase
 * is approved up to the card product's limit (docs/PROTOCOL.md §3.2.1, "Unattended").
 */
import type { IsoMessage } from '../codec/index.js';
import type { CodeSet } from './action-codes.js';
import type { Channel, Verification } from '../journal/posting.js';

/**
 * How the holder approved, as a posting keeps it: at an unattended machine, a purchase without a
 * PIN (online or checked by the chip) and not contactless is not verified ('none'), whatever
 * else the request says: a 1987 entry mode cannot say it ('unknown'), and a signature nobody
 * compares verifies nothing.
 */
export function verificationAt(channel: Channel, verification: Verification): Verification {
  return channel === 'unattended' && (verification === 'unknown' || verification === 'signature')
    ? 'none'
    : verification;
}

/**
 * Whether the machine could take a PIN: 1993 field 22 position 12 (PIN capture capability) `4`
 * to `C` (4 to 12 digits); 1987 the entry mode's third digit (PIN entry capability) `1`. `0`
 * (none), `1` / `0` (unknown) and a missing field 22 are a machine without a PIN pad.
 */
export function takesPin(request: IsoMessage, codes: CodeSet): boolean {
  const pos = request[22];
  if (typeof pos !== 'string') return false;
  return codes === 'iso93' ? /^[4-9A-C]$/.test(pos[11] ?? '') : pos[2] === '1';
}

/** What the card register is told of an unattended purchase without verification; undefined for any other request. */
export function unverifiedUnattended(
  kind: 'purchase' | 'refund',
  posting: { channel: Channel; verification: Verification },
  request: IsoMessage,
  codes: CodeSet,
): 'pinPad' | 'noPinPad' | undefined {
  if (kind !== 'purchase' || posting.channel !== 'unattended' || posting.verification !== 'none') return undefined;
  return takesPin(request, codes) ? 'pinPad' : 'noPinPad';
}
