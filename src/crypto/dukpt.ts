/**
 * The PIN key of one DUKPT transaction, whichever DUKPT the vendor uses: triple DES (X9.24-1,
 * 10-byte KSN, ISO 9564 format 0 blocks) or AES-128 (X9.24-3, 12-byte KSN, format 4 blocks).
 */
import { AES_KSN_LENGTH, aesKsnCounter, aesKsnDevice, aesPinKey } from './dukpt-aes.js';
import { DukptError, TDES_KSN_LENGTH, tdesKsnCounter, tdesKsnDevice, tdesPinKey } from './dukpt-tdes.js';
import type { PinKey } from './pin-block.js';

export { DukptError };

export interface DukptBdk {
  algorithm: 'tdes' | 'aes128';
  bdk: Buffer;
}

export interface DukptTransaction {
  /** The KSN without its counter (hex): the device. */
  device: string;
  counter: number;
  pinKey: PinKey;
}

/** The device, counter and PIN key a KSN names under the vendor's BDK; DukptError when the KSN does not fit it. */
export function dukptTransaction(vendor: DukptBdk, ksn: Buffer): DukptTransaction {
  if (vendor.algorithm === 'tdes') {
    if (ksn.length !== TDES_KSN_LENGTH) throw new DukptError('DUKPT: a triple-DES KSN has 10 bytes');
    return {
      device: tdesKsnDevice(ksn),
      counter: tdesKsnCounter(ksn),
      pinKey: { format: 0, key: tdesPinKey(vendor.bdk, ksn) },
    };
  }
  if (ksn.length !== AES_KSN_LENGTH) throw new DukptError('DUKPT: an AES KSN has 12 bytes');
  return {
    device: aesKsnDevice(ksn),
    counter: aesKsnCounter(ksn),
    pinKey: { format: 4, key: aesPinKey(vendor.bdk, ksn) },
  };
}
