/**
 * What EMV's keys and cryptograms need beyond the block cipher (../block-cipher.ts) and the retail
 * MAC (../retail-mac.ts): their error type, the double-length key check, DES key parity.
 *
 * Errors are EmvCryptoError with fixed messages: never a key, data or cryptogram byte.
 */

export class EmvCryptoError extends Error {
  override name = 'EmvCryptoError';
}

/** Double-length triple DES keys only: EMV's issuer, card and session keys (Book 2, A1). */
export function checkKey(key: Buffer, what: string): void {
  if (key.length !== 16) throw new EmvCryptoError(`${what} must be a 16-byte (double length) triple DES key`);
}

/** Each byte value with its low bit set so that it has an odd number of ones: computed once. */
const ODD_PARITY = Uint8Array.from({ length: 256 }, (_, b) => {
  let ones = 0;
  for (let v = b >> 1; v > 0; v >>= 1) ones += v & 1;
  return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
});

/** Each byte's low bit set so the byte has an odd number of ones (DES key parity). */
export function oddParity(key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length);
  for (let i = 0; i < key.length; i++) out[i] = ODD_PARITY[key[i]!]!;
  return out;
}
