/**
 * The card register keeps PIN verification data (a PVV), never the PIN. A request's PIN block is
 * decrypted here, turned into a PVV at once, and only the PVV leaves: the clear PIN is a local
 * variable of verifyPinBlock and is never stored, logged or returned.
 */
import { createHmac } from 'node:crypto';
import { PinBlockError, type PinKey, decryptPinBlock } from './pin-block.js';

/**
 * HMAC-SHA256(secret, pan ':' pin), hex, first 32 characters (128 bits).
 *
 * Keyed on purpose: there are only 10,000 four-digit PINs, so anyone holding a register dump could
 * hash every candidate with the PAN and read the PIN off an unkeyed hash in milliseconds. Without
 * the register's secret that dictionary cannot be built. The PAN is included so that cards with
 * the same PIN do not share a PVV.
 */
export function pinVerificationValue(pan: string, pin: string, secret: Buffer): string {
  // An empty HMAC key would make this an unkeyed hash again: a configuration bug, not a bad block.
  if (secret.length === 0) throw new Error('PIN verification: secret is empty');
  return createHmac('sha256', secret).update(`${pan}:${pin}`).digest('hex').slice(0, 32);
}

export type PinCheck = { ok: true; pvv: string } | { ok: false; reason: string };

/**
 * Decrypts a field 52 block with the terminal's key and returns the PVV of the PIN inside, to be
 * compared with the register's. `reason` is a PinBlockError message, which holds no secrets.
 */
export function verifyPinBlock(block: Buffer, pan: string, terminalKey: PinKey, secret: Buffer): PinCheck {
  try {
    const pin = decryptPinBlock(block, pan, terminalKey);
    return { ok: true, pvv: pinVerificationValue(pan, pin, secret) };
  } catch (err) {
    if (err instanceof PinBlockError) return { ok: false, reason: err.message };
    throw err;
  }
}
