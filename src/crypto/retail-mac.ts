/**
 * ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC", ANSI X9.19) with DES as the block cipher: the
 * data is padded (method 1 for messages, method 2 for EMV's cryptograms and scripts), chained in
 * CBC mode under K1 with single DES, and the last chaining value is decrypted under K2 and
 * encrypted under K1 again. The key is double length, K1 || K2 (16 bytes).
 *
 * Errors are MacError with fixed messages: never key or data bytes.
 */
import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { desDecrypt, desEncrypt } from './block-cipher.js';

export class MacError extends Error {
  override name = 'MacError';
}

export const MAC_LENGTH = 8;

/**
 * ISO/IEC 9797-1 padding: method 1 adds zero bytes up to a whole block (none when already whole,
 * empty data is one zero block); method 2 adds 0x80 then zero bytes, always.
 */
export function pad(data: Buffer, method: 1 | 2): Buffer {
  const marked = method === 2 ? Buffer.concat([data, Buffer.from([0x80])]) : data;
  const padded = Buffer.alloc(Math.max(8, Math.ceil(marked.length / 8) * 8));
  marked.copy(padded);
  return padded;
}

/**
 * The retail MAC of `data` under the double-length key `key` (K1 || K2): `length` bytes of it
 * (messages send 8; EMV's ARPC method 2 takes 4), with padding method 1 unless told 2.
 */
export function retailMac(key: Buffer, data: Buffer, padding: 1 | 2 = 1, length = MAC_LENGTH): Buffer {
  if (key.length !== 16) throw new MacError('MAC: key must be 16 bytes (K1 || K2)');
  const k1 = key.subarray(0, 8);
  const k2 = key.subarray(8, 16);
  const padded = pad(data, padding);
  // CBC under K1 with single DES: one call with K1 || K1 keeps the chaining here.
  const k11 = Buffer.concat([k1, k1]);
  const cipher = createCipheriv('des-ede-cbc', k11, Buffer.alloc(8));
  cipher.setAutoPadding(false);
  const chained = cipher.update(padded);
  const last = chained.subarray(chained.length - 8);
  const mac = desEncrypt(k1, desDecrypt(k2, last));
  // The chaining values are the data under the key: wiped like the copy of the data.
  chained.fill(0);
  padded.fill(0);
  k11.fill(0);
  return mac.subarray(0, length);
}

/** Whether `mac` is the MAC of `data`, compared in constant time. */
export function verifyRetailMac(key: Buffer, data: Buffer, mac: Buffer): boolean {
  if (mac.length !== MAC_LENGTH) return false;
  return timingSafeEqual(retailMac(key, data), mac);
}
