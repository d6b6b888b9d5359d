/**
 * AES DUKPT, ANSI X9.24-3:2017, host side, AES-128 keys: the initial key from the base derivation
 * key (BDK) and the initial key id, the derivation key of a transaction counter, and the PIN
 * encryption working key (AES-128) of a transaction.
 *
 * A KSN is 12 bytes: the initial key id (8: BDK id and derivation id) and a 32-bit transaction
 * counter, of which at most 16 bits may be set (X9.24-3 6.1). Errors are DukptError with fixed
 * messages, never key bytes.
 */
import { aesEncrypt } from './block-cipher.js';
import { DukptError } from './dukpt-tdes.js';

export { DukptError };

export const AES_KSN_LENGTH = 12;
const MAX_COUNTER_BITS = 16;

/** X9.24-3 6.3.2, key usage indicators of the derivation data. */
const USAGE = { initialKey: 0x8001, keyDerivation: 0x8000, pinEncryption: 0x1000 } as const;
/** X9.24-3 6.3.2: algorithm indicator and length (bits) of an AES-128 derived key. */
const AES128 = { algorithm: 0x0002, bits: 0x0080 } as const;

function checkKsn(ksn: Buffer): void {
  if (ksn.length !== AES_KSN_LENGTH) throw new DukptError('DUKPT: an AES KSN has 12 bytes');
}

/** The 32-bit transaction counter of a KSN. */
export function aesKsnCounter(ksn: Buffer): number {
  checkKsn(ksn);
  return ksn.readUInt32BE(8);
}

/** The initial key id (the KSN without its counter), as hex: what identifies the device. */
export function aesKsnDevice(ksn: Buffer): string {
  checkKsn(ksn);
  return ksn.subarray(0, 8).toString('hex').toUpperCase();
}

/**
 * X9.24-3 6.3.2 derivation data (one 16-byte block for a 128-bit key): version 01, block counter
 * 01, key usage, algorithm, length in bits, then the initial key id (for the initial key) or its
 * right 4 bytes and the counter.
 */
function derivationData(usage: number, ksn: Buffer, counter: number | 'initial'): Buffer {
  const data = Buffer.alloc(16);
  data[0] = 0x01;
  data[1] = 0x01;
  data.writeUInt16BE(usage, 2);
  data.writeUInt16BE(AES128.algorithm, 4);
  data.writeUInt16BE(AES128.bits, 6);
  if (counter === 'initial') ksn.copy(data, 8, 0, 8);
  else {
    ksn.copy(data, 8, 4, 8);
    data.writeUInt32BE(counter >>> 0, 12);
  }
  return data;
}

/** X9.24-3 6.3.3 (the initial key): the BDK over the derivation data naming the initial key id. */
export function aesInitialKey(bdk: Buffer, ksn: Buffer): Buffer {
  checkKsn(ksn);
  if (bdk.length !== 16) throw new DukptError('DUKPT: an AES-128 BDK has 16 bytes');
  return aesEncrypt(bdk, derivationData(USAGE.initialKey, ksn, 'initial'));
}

function bitsSet(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v >>>= 1) count += v & 1;
  return count;
}

/**
 * X9.24-3 6.3.4 (calculating the derivation key of a transaction): from the initial key, one
 * derivation per counter bit set, high bit first, each with the counter's bits set so far.
 */
export function aesDerivationKey(initialKey: Buffer, ksn: Buffer): Buffer {
  const counter = aesKsnCounter(ksn);
  if (bitsSet(counter) > MAX_COUNTER_BITS) throw new DukptError('DUKPT: the counter has more than 16 bits set');
  let key = initialKey;
  let working = 0;
  for (let mask = 0x80000000; mask !== 0; mask >>>= 1) {
    if ((counter & mask) === 0) continue;
    working = (working | mask) >>> 0;
    key = aesEncrypt(key, derivationData(USAGE.keyDerivation, ksn, working));
  }
  return key;
}

/** X9.24-3 6.3.5: the AES-128 PIN encryption working key of the KSN's transaction. */
export function aesPinKey(bdk: Buffer, ksn: Buffer): Buffer {
  const counter = aesKsnCounter(ksn);
  if (counter === 0) throw new DukptError('DUKPT: a transaction counter of 0 names no transaction key');
  const derivation = aesDerivationKey(aesInitialKey(bdk, ksn), ksn);
  return aesEncrypt(derivation, derivationData(USAGE.pinEncryption, ksn, counter));
}
