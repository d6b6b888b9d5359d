/**
 * ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC", ANSI X9.19) with DES as the block cipher: the
 * data is padded (method 1 for messages, method 2 for EMV's cryptograms and scripts), chained in
 * CBC mode under K1 with single DES, and the last chaining value is decrypted under K2 and
 * encrypted under K1 again. The key is double length, K1 || K2 (16 bytes).
 *
 * Errors are MacError with fixed messages: never key or data bytes.
 */
import { timingSafeEqual } from 'node:crypto';
import { desCbcLast, desDecrypt, desEncrypt } from './block-cipher.js';

export class MacError extends Error {
  override name = 'MacError';
}

export const MAC_LENGTH = 8;

/**
 * ISO/IEC 9797-1 padding: method 1 adds zero bytes up to a whole block (none when already whole,
 * empty data is one zero block); method 2 adds 0x80 then zero bytes, always.
 */
export function pad(data: Buffer, method: 1 | 2): Buffer {
  const marked = method === 2 ? data.length + 1 : data.length; // with the 0x80 byte
  const padded = Buffer.alloc(Math.max(8, Math.ceil(marked / 8) * 8));
  data.copy(padded);
  if (method === 2) padded[data.length] = 0x80;
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
  // CBC under K1 with single DES, in one call (block-cipher.ts wipes the chaining values before the last).
  const last = desCbcLast(k1, padded);
  const middle = desDecrypt(k2, last);
  const mac = desEncrypt(k1, middle);
  // The chaining values are the data under the key: wiped like the copy of the data.
  last.fill(0);
  middle.fill(0);
  padded.fill(0);
  return mac.subarray(0, length);
}

/** Whether `mac` is the MAC of `data`, compared in constant time. */
export function verifyRetailMac(key: Buffer, data: Buffer, mac: Buffer): boolean {
  if (mac.length !== MAC_LENGTH) return false;
  return timingSafeEqual(retailMac(key, data), mac);
}
