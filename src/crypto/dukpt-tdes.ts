/**
 * Triple-DES DUKPT, ANSI X9.24-1:2009 (Annex A): the terminal's initial key (IPEK) from the base
 * derivation key (BDK) and the key serial number (KSN), the transaction key for a KSN's counter,
 * and the PIN encryption variant of it. The host side only: it derives each transaction's key
 * from the BDK, it keeps no future-key registers.
 *
 * A KSN is 10 bytes: the initial KSN (the terminal's identity, 59 bits) and a 21-bit transaction
 * counter in the rightmost bits. Errors are DukptError with fixed messages, never key bytes.
 */
import { desEncrypt, tdesEncrypt, xor } from './block-cipher.js';

export class DukptError extends Error {
  override name = 'DukptError';
}

export const TDES_KSN_LENGTH = 10;
const COUNTER_BITS = 21;
const COUNTER_MASK = (1 << COUNTER_BITS) - 1;
/** X9.24-1 A.6: the mask that makes the right half of the IPEK and each key's "left register" key. */
const KEY_MASK = Buffer.from('C0C0C0C000000000C0C0C0C000000000', 'hex');
/** X9.24-1 A.6: the PIN encryption variant constant. */
const PIN_VARIANT = Buffer.from('00000000000000FF00000000000000FF', 'hex');

function checkKsn(ksn: Buffer): void {
  if (ksn.length !== TDES_KSN_LENGTH) throw new DukptError('DUKPT: a triple-DES KSN has 10 bytes');
}

function checkBdk(bdk: Buffer): void {
  if (bdk.length !== 16) throw new DukptError('DUKPT: a triple-DES BDK has 16 bytes');
}

/** The 21-bit transaction counter of a KSN. */
export function tdesKsnCounter(ksn: Buffer): number {
  checkKsn(ksn);
  return ksn.readUIntBE(7, 3) & COUNTER_MASK;
}

/** The KSN without its counter (the terminal's initial KSN), as hex: what identifies the device. */
export function tdesKsnDevice(ksn: Buffer): string {
  checkKsn(ksn);
  const device = Buffer.from(ksn);
  device.writeUIntBE(device.readUIntBE(7, 3) & ~COUNTER_MASK & 0xffffff, 7, 3);
  return device.toString('hex').toUpperCase();
}

/** X9.24-1 A.6 "Generate IPEK": the two halves are the KSN's left 8 bytes (counter cleared) under BDK and under BDK XOR mask. */
export function tdesInitialKey(bdk: Buffer, ksn: Buffer): Buffer {
  checkBdk(bdk);
  const base = Buffer.from(tdesKsnDevice(ksn), 'hex').subarray(0, 8);
  return Buffer.concat([tdesEncrypt(bdk, base), tdesEncrypt(xor(bdk, KEY_MASK), base)]);
}

/** X9.24-1 A.2 "Non-reversible key generation process": a new key from a key and the KSN register. */
function nonReversible(key: Buffer, data: Buffer): Buffer {
  const half = (k: Buffer): Buffer => {
    const left = k.subarray(0, 8);
    const right = k.subarray(8, 16);
    return xor(desEncrypt(left, xor(data, right)), right);
  };
  return Buffer.concat([half(xor(key, KEY_MASK)), half(key)]);
}

/**
 * The transaction key of the KSN's counter, from the initial key: one non-reversible step per
 * counter bit set, high bit first, each with the KSN register (the KSN's right 8 bytes) holding
 * the bits set so far.
 */
export function tdesTransactionKey(initialKey: Buffer, ksn: Buffer): Buffer {
  const counter = tdesKsnCounter(ksn);
  const register = Buffer.from(tdesKsnDevice(ksn), 'hex').subarray(2, 10);
  let key = initialKey;
  for (let bit = 1 << (COUNTER_BITS - 1); bit > 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    register.writeUIntBE(register.readUIntBE(5, 3) | bit, 5, 3);
    key = nonReversible(key, register);
  }
  return key;
}

/** The PIN encryption key of a transaction: its transaction key XOR the PIN variant. */
export function tdesPinKey(bdk: Buffer, ksn: Buffer): Buffer {
  if (tdesKsnCounter(ksn) === 0) throw new DukptError('DUKPT: a transaction counter of 0 names no transaction key');
  return xor(tdesTransactionKey(tdesInitialKey(bdk, ksn), ksn), PIN_VARIANT);
}
