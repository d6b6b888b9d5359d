/**
 * The block cipher pieces EMV's cryptograms are built from: triple DES with a double-length key
 * (K1 K2 K1), ECB on one block, and the ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC") with
 * padding method 1 or 2. OpenSSL 3 has no single DES, so the single-DES CBC chain of algorithm 3
 * runs as des-ede with K1 K1 (encrypt, decrypt, encrypt under one key is one DES encryption).
 *
 * Errors are EmvCryptoError with fixed messages: never a key, data or cryptogram byte.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export class EmvCryptoError extends Error {
  override name = 'EmvCryptoError';
}

/** Double-length triple DES keys only: EMV's issuer, card and session keys (Book 2, A1). */
export function checkKey(key: Buffer, what: string): void {
  if (key.length !== 16) throw new EmvCryptoError(`${what} must be a 16-byte (double length) triple DES key`);
}

function run(algorithm: string, key: Buffer, iv: Buffer | null, data: Buffer, encrypt: boolean): Buffer {
  const cipher = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Triple DES (K1 K2 K1) of whole 8-byte blocks, ECB. */
export function tdesEncrypt(key: Buffer, data: Buffer): Buffer {
  return run('des-ede-ecb', key, null, data, true);
}

export function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((x, i) => x ^ (b[i] ?? 0)));
}

/** Each byte's low bit set so the byte has an odd number of ones (DES key parity). */
export function oddParity(key: Buffer): Buffer {
  return Buffer.from(
    key.map((b) => {
      let ones = 0;
      for (let v = b >> 1; v > 0; v >>= 1) ones += v & 1;
      return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
    }),
  );
}

/**
 * ISO/IEC 9797-1 padding: method 1 adds zero bytes up to a whole block (none when already whole,
 * empty data is one zero block); method 2 adds 0x80 then zero bytes, always.
 */
export function pad(data: Buffer, method: 1 | 2): Buffer {
  const marked = method === 2 ? Buffer.concat([data, Buffer.from([0x80])]) : data;
  const length = Math.max(8, Math.ceil(marked.length / 8) * 8);
  return Buffer.concat([marked, Buffer.alloc(length - marked.length)]);
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 under a double-length key: single DES CBC under K1 over all
 * blocks, the last one then decrypted under K2 and encrypted under K1 again. `length` bytes of it
 * are returned (EMV uses 8 for a cryptogram, 4 for ARPC method 2).
 */
export function retailMac(key: Buffer, data: Buffer, padding: 1 | 2, length = 8): Buffer {
  checkKey(key, 'MAC key');
  const blocks = pad(data, padding);
  const k1 = key.subarray(0, 8);
  const single = Buffer.concat([k1, k1]);
  const chained = run('des-ede-cbc', single, Buffer.alloc(8), blocks, true).subarray(-8);
  const last = run('des-ede-ecb', Buffer.concat([key.subarray(8), key.subarray(8)]), null, chained, false);
  return run('des-ede-ecb', single, null, last, true).subarray(0, length);
}
