/**
 * The block cipher operations the switch's algorithms are built from (PIN blocks, the retail MAC,
 * DUKPT, EMV keys and cryptograms): one ECB pass without padding, single DES, double-length triple
 * DES, AES-128, and XOR. OpenSSL 3 has no single DES, so single DES under K is triple DES under
 * K || K (encrypt, decrypt, encrypt under one key is one DES encryption).
 *
 * Callers check key and data lengths and turn failures into their own error types; Node's crypto
 * errors name the algorithm, never key or data bytes.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** One ECB pass over whole blocks, without padding. */
export function ecb(algorithm: string, key: Buffer, data: Buffer, direction: 'encrypt' | 'decrypt'): Buffer {
  const cipher =
    direction === 'encrypt' ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Double-length triple DES (K1 K2 K1), ECB. */
export function tdesEncrypt(key: Buffer, data: Buffer): Buffer {
  return ecb('des-ede-ecb', key, data, 'encrypt');
}

/** Single DES under an 8-byte key, as triple DES under K || K. */
export function desEncrypt(key8: Buffer, data: Buffer): Buffer {
  return ecb('des-ede-ecb', Buffer.concat([key8, key8]), data, 'encrypt');
}

export function desDecrypt(key8: Buffer, data: Buffer): Buffer {
  return ecb('des-ede-ecb', Buffer.concat([key8, key8]), data, 'decrypt');
}

/** AES-128, ECB. */
export function aesEncrypt(key: Buffer, data: Buffer): Buffer {
  return ecb('aes-128-ecb', key, data, 'encrypt');
}

/** a XOR b, as long as a (b shorter: its missing bytes count as zero). */
export function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((x, i) => x ^ (b[i] ?? 0)));
}
