/**
 * EMV application cryptograms as an issuer verifies them and answers them: which cryptogram
 * version the Issuer Application Data (tag 9F10) names, the data the ARQC (tag 9F26) is computed
 * over, the ARQC itself, and the ARPC with the Issuer Authentication Data (tag 91) it travels in.
 *
 * Supported (docs/SECURITY.md §1 says how the versions are told apart):
 * - Visa CVN 10: no session key (the card's master key), data + CVR, padding method 1, ARPC method 1;
 * - Visa CVN 18: common session key, data + the whole IAD, padding method 2, ARPC method 2;
 * - EMV Common Core Definitions, cryptogram version 5 (triple DES): common session key,
 *   data + the whole IAD, padding method 2, ARPC method 2.
 * Cryptograms are ISO/IEC 9797-1 MAC algorithm 3 under the key (Book 2, A1.2 and 8.1.2).
 */
import { timingSafeEqual } from 'node:crypto';
import { EmvCryptoError, checkKey } from './des.js';
import { tdesEncrypt, xor } from '../block-cipher.js';
import { retailMac } from '../retail-mac.js';
import { deriveAcSessionKey } from './keys.js';

export type CryptogramVersion = 'visaCvn10' | 'visaCvn18' | 'ccd5';

/** What each version uses: a session key or not, the padding of the data, the ARPC method. */
export const VERSIONS: Record<CryptogramVersion, { sessionKey: boolean; padding: 1 | 2; arpcMethod: 1 | 2 }> = {
  visaCvn10: { sessionKey: false, padding: 1, arpcMethod: 1 },
  visaCvn18: { sessionKey: true, padding: 2, arpcMethod: 2 },
  ccd5: { sessionKey: true, padding: 2, arpcMethod: 2 },
};

/**
 * The cryptogram version the IAD names (EMV 4.4 Book 3, Annex C7; Visa VIS):
 * - CCD format A: byte 1 is the length 0x0F, byte 2 the Common Core Identifier whose high nibble
 *   'A' is the format and low nibble the cryptogram version ('5': triple DES);
 * - Visa format: byte 1 is the length 0x06, byte 2 the derivation key index, byte 3 the CVN
 *   (0x0A = 10, 0x12 = 18), bytes 4-7 the CVR (its first byte is its length, 03).
 * Throws EmvCryptoError naming what is not supported (the reason given with the refusal).
 */
export function cryptogramVersionOf(iad: Buffer): CryptogramVersion {
  if (iad[0] === 0x0f && (iad.length === 16 || iad.length === 32)) {
    const cci = iad[1]!;
    if (cci >> 4 !== 0xa) throw new EmvCryptoError('IAD: Common Core Identifier is not format A');
    if ((cci & 0x0f) === 5) return 'ccd5';
    throw new EmvCryptoError(`IAD: CCD cryptogram version ${(cci & 0x0f).toString(16)} is not supported`);
  }
  if (iad[0] === 0x06 && iad.length >= 7) {
    if (iad[2] === 0x0a) return 'visaCvn10';
    if (iad[2] === 0x12) return 'visaCvn18';
    throw new EmvCryptoError(`IAD: Visa cryptogram version ${iad[2]!} is not supported`);
  }
  throw new EmvCryptoError('IAD: neither Visa nor CCD format');
}

/** The terminal's and card's data objects of the ARQC, in their order (Book 2, 8.1.1, Table 26), with their lengths. */
export const ARQC_TAGS: readonly (readonly [string, number])[] = [
  ['9F02', 6], // amount, authorised
  ['9F03', 6], // amount, other
  ['9F1A', 2], // terminal country code
  ['95', 5], // terminal verification results
  ['5F2A', 2], // transaction currency code
  ['9A', 3], // transaction date
  ['9C', 1], // transaction type
  ['9F37', 4], // unpredictable number
  ['82', 2], // application interchange profile
  ['9F36', 2], // application transaction counter
];

/**
 * The data the ARQC is computed over: the objects above, then the CVR (CVN 10: IAD bytes 4-7)
 * or the whole IAD (CVN 18, CCD). A missing object or one of the wrong length throws an
 * EmvCryptoError naming its tag.
 */
export function arqcData(version: CryptogramVersion, byTag: ReadonlyMap<string, Buffer>): Buffer {
  const parts = ARQC_TAGS.map(([tag, length]) => {
    const value = byTag.get(tag);
    if (value === undefined) throw new EmvCryptoError(`tag ${tag} missing`);
    if (value.length !== length) throw new EmvCryptoError(`tag ${tag}: length ${value.length}, not ${length}`);
    return value;
  });
  const iad = byTag.get('9F10');
  if (iad === undefined) throw new EmvCryptoError('tag 9F10 missing');
  return Buffer.concat([...parts, version === 'visaCvn10' ? iad.subarray(3, 7) : iad]);
}

/** The key the cryptograms of this version are computed under: the card's master key or its session key for the ATC. */
export function cryptogramKey(version: CryptogramVersion, cardMasterKey: Buffer, atc: Buffer): Buffer {
  checkKey(cardMasterKey, 'card master key');
  return VERSIONS[version].sessionKey ? deriveAcSessionKey(cardMasterKey, atc) : cardMasterKey;
}

/** The application cryptogram (ARQC, TC or AAC: the same computation) over `data` under `key`. */
export function applicationCryptogram(version: CryptogramVersion, key: Buffer, data: Buffer): Buffer {
  return retailMac(key, data, VERSIONS[version].padding);
}

/** Whether `arqc` is the cryptogram of `data` under `key`, compared in constant time. */
export function arqcMatches(version: CryptogramVersion, key: Buffer, data: Buffer, arqc: Buffer): boolean {
  const expected = applicationCryptogram(version, key, data);
  return arqc.length === expected.length && timingSafeEqual(arqc, expected);
}

/** ARPC method 1 (Book 2, 8.2.1): 3DES(key, ARQC xor (ARC || '00' x 6)), 8 bytes; the ARC is 2 bytes. */
export function arpcMethod1(key: Buffer, arqc: Buffer, arc: Buffer): Buffer {
  checkKey(key, 'ARPC key');
  if (arqc.length !== 8) throw new EmvCryptoError('ARPC: ARQC must be 8 bytes');
  if (arc.length !== 2) throw new EmvCryptoError('ARPC: ARC must be 2 bytes');
  return tdesEncrypt(key, xor(arqc, arc));
}

/**
 * ARPC method 2 (Book 2, 8.2.2): MAC algorithm 3 with padding method 2 over
 * ARQC || CSU || proprietary authentication data (0 to 8 bytes), its first 4 bytes.
 */
export function arpcMethod2(key: Buffer, arqc: Buffer, csu: Buffer, proprietary: Buffer = Buffer.alloc(0)): Buffer {
  if (arqc.length !== 8) throw new EmvCryptoError('ARPC: ARQC must be 8 bytes');
  if (csu.length !== 4) throw new EmvCryptoError('ARPC: CSU must be 4 bytes');
  if (proprietary.length > 8) throw new EmvCryptoError('ARPC: proprietary authentication data over 8 bytes');
  return retailMac(key, Buffer.concat([arqc, csu, proprietary]), 2, 4);
}

/**
 * The Card Status Update of method 2 (CCD, EMV 4.4 Book 3 Annex C10): byte 2 bit 8 "issuer
 * approves online transaction"; nothing else is asked of the card (no PIN try counter update, no
 * block, counters left alone).
 */
export function cardStatusUpdate(approved: boolean): Buffer {
  return Buffer.from([0x00, approved ? 0x80 : 0x00, 0x00, 0x00]);
}

/**
 * The issuer's answer to the card: tag 91's value. Method 1: ARPC (8) || ARC (2), the ARC being
 * the 2-character response code the issuer gives. Method 2: ARPC (4) || CSU (4).
 */
export function issuerAuthenticationData(
  version: CryptogramVersion,
  key: Buffer,
  arqc: Buffer,
  answer: { approved: boolean; arc: string },
): Buffer {
  if (VERSIONS[version].arpcMethod === 1) {
    const arc = Buffer.from(answer.arc, 'latin1');
    return Buffer.concat([arpcMethod1(key, arqc, arc), arc]);
  }
  const csu = cardStatusUpdate(answer.approved);
  return Buffer.concat([arpcMethod2(key, arqc, csu), csu]);
}

/** What a card (the terminal emulator) makes of tag 91: whether the ARPC is right, and what the issuer said. */
export interface IssuerAuthentication {
  valid: boolean;
  approved: boolean;
}

export function checkIssuerAuthentication(
  version: CryptogramVersion,
  key: Buffer,
  arqc: Buffer,
  tag91: Buffer,
): IssuerAuthentication {
  if (VERSIONS[version].arpcMethod === 1) {
    if (tag91.length !== 10) return { valid: false, approved: false };
    const arc = tag91.subarray(8);
    const valid = timingSafeEqual(arpcMethod1(key, arqc, arc), tag91.subarray(0, 8));
    return { valid, approved: valid && arc.toString('latin1') === '00' };
  }
  if (tag91.length < 8 || tag91.length > 16) return { valid: false, approved: false };
  const csu = tag91.subarray(4, 8);
  const valid = timingSafeEqual(arpcMethod2(key, arqc, csu, tag91.subarray(8)), tag91.subarray(0, 4));
  return { valid, approved: valid && (csu[1]! & 0x80) !== 0 };
}
