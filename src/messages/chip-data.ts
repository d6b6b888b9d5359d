/**
 * What the chip and the terminal report offline, kept with the transaction and its posting
 * (docs/PROTOCOL.md, "Field 55"): the Terminal Verification Results (95), the CVM results (9F34)
 * and the card's own verification results (CVR) inside the issuer application data (9F10); and
 * how the holder was verified, read from 9F34 for a chip read.
 */
import type { Verification } from '../journal/posting.js';
import { decodeCvmResults } from '../codec/icc-describe.js';
import type { IccData } from './icc-data.js';

/** Uppercase hex, '' when the request did not carry it (or, the CVR, not in a format read here). */
export interface ChipFacts {
  tvr: string;
  cvmResults: string;
  cvr: string;
}

export const NO_CHIP_FACTS: ChipFacts = { tvr: '', cvmResults: '', cvr: '' };

/** TVR 5 bytes (Book 3 Annex C5) and CVM results 3 bytes (Annex A1): other lengths are not kept. */
export function chipFactsOf(icc: IccData | undefined): ChipFacts {
  if (icc === undefined) return NO_CHIP_FACTS;
  const tvr = icc.byTag.get('95');
  const cvm = icc.byTag.get('9F34');
  const iad = icc.byTag.get('9F10');
  return {
    tvr: tvr?.length === 5 ? hex(tvr) : '',
    cvmResults: cvm?.length === 3 ? hex(cvm) : '',
    cvr: iad === undefined ? '' : cvrOf(iad),
  };
}

/**
 * The card verification results inside the issuer application data (9F10), in the two formats
 * read here:
 * - Visa's (VIS 1.5 IAD, first byte 06, 7 bytes or more): byte 1 the length of the Visa
 *   discretionary data, 2 the derivation key index, 3 the cryptogram version, 4-7 the CVR (its
 *   own length byte, 03, and three bytes): bytes 4-7 kept;
 * - the EMV Common Core Definitions' (Book 3 Annex C7 "CCD", first byte 0F, 16 bytes or more, the
 *   common core identifier's high nibble A): byte 2 the CCI, 3 the key index, 4-8 the CVR (5
 *   bytes): bytes 4-8 kept.
 * Any other format: '' (the IAD is the issuer's own, and this switch issues neither format's card).
 */
export function cvrOf(iad: Buffer): string {
  if (iad[0] === 0x06 && iad.length >= 7) return hex(iad.subarray(3, 7));
  if (iad[0] === 0x0f && iad.length >= 16 && iad[1]! >> 4 === 0xa) return hex(iad.subarray(3, 8));
  return '';
}

/**
 * How the holder was verified, from the CVM results (9F34; Book 3 Annex C3 Table 39), for a read
 * from the chip: offline PIN (plaintext 01, enciphered 04, either with signature 03 / 05),
 * online PIN (02), signature (1E), none (1F "no CVM required", 3F "no CVM performed"). Undefined
 * when 9F34 says nothing usable (absent, 00 "fail CVM processing", a failed CVM, an unknown code):
 * the caller then keeps what the other fields say.
 */
export function verificationOfCvm(cvmResults: string): Verification | undefined {
  if (cvmResults === '') return undefined;
  const cvm = decodeCvmResults(Buffer.from(cvmResults, 'hex'))!;
  if (cvm.result === 'failed') return undefined;
  return CVM_VERIFICATION[cvm.code];
}

const CVM_VERIFICATION: Readonly<Record<number, Verification>> = {
  0x01: 'pinOffline',
  0x03: 'pinOffline',
  0x04: 'pinOffline',
  0x05: 'pinOffline',
  0x02: 'pinOnline',
  0x1e: 'signature',
  0x1f: 'none',
  0x3f: 'none',
};

function hex(b: Buffer): string {
  return b.toString('hex').toUpperCase();
}
