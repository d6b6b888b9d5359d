/**
 * EMV card keys (EMV 4.4 Book 2, Annex A1.3 and A1.4): the card's master key derived from the
 * issuer master key by option A, and the common session key derived from the card's master key
 * and the application transaction counter (ATC). Double-length triple DES throughout.
 *
 * Exported for every use of a card key: the application cryptograms (cryptogram.ts) and the
 * issuer scripts' secure messaging, whose MAC key is a session key from the card's MAC master key
 * derived the same way.
 */
import { EmvCryptoError, checkKey, oddParity } from './des.js';
import { tdesEncrypt, xor } from '../block-cipher.js';

/**
 * Option A (Book 2, A1.4.1): Y is the rightmost 16 digits of PAN || PAN sequence number (padded
 * on the left with zeros when shorter), as 8 bytes of packed BCD; the card's key is
 * 3DES(IMK, Y) || 3DES(IMK, Y xor FF..FF) with odd parity. A card without a PAN sequence number
 * uses '00'.
 */
export function deriveCardMasterKey(issuerMasterKey: Buffer, pan: string, panSequence = '00'): Buffer {
  checkKey(issuerMasterKey, 'issuer master key');
  if (!/^\d{12,19}$/.test(pan)) throw new EmvCryptoError('card key: PAN must be 12 to 19 digits');
  if (!/^\d{2}$/.test(panSequence)) throw new EmvCryptoError('card key: PAN sequence number must be 2 digits');
  const y = Buffer.from((pan + panSequence).slice(-16).padStart(16, '0'), 'hex');
  const left = tdesEncrypt(issuerMasterKey, y);
  const right = tdesEncrypt(issuerMasterKey, xor(y, Buffer.alloc(8, 0xff)));
  return oddParity(Buffer.concat([left, right]));
}

/**
 * The EMV common session key (Book 2, A1.3.1) from an 8-byte diversification value R:
 * 3DES(MK, R0 R1 F0 R3..R7) || 3DES(MK, R0 R1 0F R3..R7), odd parity.
 */
export function deriveCommonSessionKey(cardMasterKey: Buffer, r: Buffer): Buffer {
  checkKey(cardMasterKey, 'card master key');
  if (r.length !== 8) throw new EmvCryptoError('session key: diversification value must be 8 bytes');
  const left = Buffer.from(r);
  left[2] = 0xf0;
  const right = Buffer.from(r);
  right[2] = 0x0f;
  return oddParity(Buffer.concat([tdesEncrypt(cardMasterKey, left), tdesEncrypt(cardMasterKey, right)]));
}

/** The application cryptogram session key: R = ATC || '00' x 6 (Book 2, A1.3.1). */
export function deriveAcSessionKey(cardMasterKey: Buffer, atc: Buffer): Buffer {
  if (atc.length !== 2) throw new EmvCryptoError('session key: ATC must be 2 bytes');
  return deriveCommonSessionKey(cardMasterKey, Buffer.concat([atc, Buffer.alloc(6)]));
}

/** A key's check value: the first bytes of 3DES(key, 00..00), how keys are compared without showing them. */
export function keyCheckValue(key: Buffer, length = 3): Buffer {
  checkKey(key, 'key');
  return tdesEncrypt(key, Buffer.alloc(8)).subarray(0, length);
}
