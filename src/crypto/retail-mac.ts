/**
 * ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC", ANSI X9.19) with DES as the block cipher and
 * padding method 1: the data is padded with zero bytes to a multiple of 8 (none when it already is
 * one), chained in CBC mode under K1 with single DES, and the last chaining value is decrypted
 * under K2 and encrypted under K1 again. The key is double length, K1 || K2 (16 bytes).
 *
 * OpenSSL 3 has no single DES, so single DES under K1 is triple DES under K1 || K1 (EDE with equal
 * keys is DES). Errors are MacError with fixed messages: never key or data bytes.
 */
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';

export class MacError extends Error {
  override name = 'MacError';
}

export const MAC_LENGTH = 8;

function tdes(key: Buffer, block: Buffer, direction: 'encrypt' | 'decrypt'): Buffer {
  const cipher =
    direction === 'encrypt' ? createCipheriv('des-ede-ecb', key, null) : createDecipheriv('des-ede-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** Single DES under an 8-byte key, as triple DES under K || K. */
export function desEncrypt(key8: Buffer, block: Buffer): Buffer {
  return tdes(Buffer.concat([key8, key8]), block, 'encrypt');
}

export function desDecrypt(key8: Buffer, block: Buffer): Buffer {
  return tdes(Buffer.concat([key8, key8]), block, 'decrypt');
}

/** The 8-byte retail MAC of `data` under the double-length key `key` (K1 || K2). */
export function retailMac(key: Buffer, data: Buffer): Buffer {
  if (key.length !== 16) throw new MacError('MAC: key must be 16 bytes (K1 || K2)');
  const k1 = key.subarray(0, 8);
  const k2 = key.subarray(8, 16);
  const padded = Buffer.alloc(Math.max(8, Math.ceil(data.length / 8) * 8));
  data.copy(padded);
  // CBC under K1 with single DES: one ECB call with K1 || K1 per block keeps the chaining here.
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
  return mac;
}

/** Whether `mac` is the MAC of `data`, compared in constant time. */
export function verifyRetailMac(key: Buffer, data: Buffer, mac: Buffer): boolean {
  if (mac.length !== MAC_LENGTH) return false;
  return timingSafeEqual(retailMac(key, data), mac);
}
