/**
 * The MAC of an issuer script command (EMV 4.4 Book 2 §9.2.1 and Annex A1): secure messaging
 * integrity. The card's MAC master key MK-SMI is derived from the issuer's IMK-SMI by option A
 * (Annex A1.4.1), the session key SK-SMI from MK-SMI by the common session key method with
 * R = the ARQC (Annex A1.3.1), and the MAC is ISO/IEC 9797-1 MAC algorithm 3 (single DES CBC,
 * the last block triple DES) with padding method 2, over CLA INS P1 P2 Lc, the ATC, the ARQC
 * and the command data; the whole 8 bytes are sent.
 *
 * Kept to one function the issuer-script answer calls (scriptCommandMac): the EMV key derivations
 * and retail MAC of src/crypto/emv/ and src/crypto/retail-mac.ts compute the same and may take
 * its place. Node 20's OpenSSL 3 has no single DES: it is des-ede-ecb with K1 = K2. Errors never
 * carry key bytes.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export class ScriptMacError extends Error {
  override name = 'ScriptMacError';
}

function ecb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('des-ede-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Triple DES with a double-length key. */
const tdes = (key: Buffer, block: Buffer): Buffer => ecb(key, block);
/** Single DES as triple DES with K1 = K2. */
const des = (key8: Buffer, block: Buffer): Buffer => ecb(Buffer.concat([key8, key8]), block);
/** Single DES decryption (MAC algorithm 3's last block but one step). */
function decryptDes(key8: Buffer, block: Buffer): Buffer {
  const d = createDecipheriv('des-ede-ecb', Buffer.concat([key8, key8]), null);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(block), d.final()]);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Each byte with odd parity in its lowest bit, as DES keys are written. */
function oddParity(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    let ones = 0;
    for (let b = 1; b < 8; b++) ones += (out[i]! >> b) & 1;
    out[i] = (out[i]! & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

function checkKey(key: Buffer, what: string): void {
  if (key.length !== 16) throw new ScriptMacError(`${what} must be 16 bytes (double-length triple DES)`);
}

/** Option A (Book 2 A1.4.1): Y = rightmost 16 digits of PAN || PSN; MK = 3DES(IMK, Y) || 3DES(IMK, Y xor FF..FF). */
export function cardMacMasterKey(imkSmi: Buffer, pan: string, panSequence: string): Buffer {
  checkKey(imkSmi, 'IMK-SMI');
  if (!/^\d{12,19}$/.test(pan)) throw new ScriptMacError('PAN must be 12 to 19 digits');
  if (!/^\d{2}$/.test(panSequence)) throw new ScriptMacError('PAN sequence number must be 2 digits');
  const y = Buffer.from((pan + panSequence).slice(-16).padStart(16, '0'), 'hex');
  return oddParity(Buffer.concat([tdes(imkSmi, y), tdes(imkSmi, xor(y, Buffer.alloc(8, 0xff)))]));
}

/** The common session key (Book 2 A1.3.1) with R = the ARQC: 3DES(MK, R0 R1 F0 R3..R7) || 3DES(MK, R0 R1 0F R3..R7). */
export function scriptSessionKey(mkSmi: Buffer, arqc: Buffer): Buffer {
  checkKey(mkSmi, 'MK-SMI');
  if (arqc.length !== 8) throw new ScriptMacError('ARQC must be 8 bytes');
  const left = Buffer.from(arqc);
  left[2] = 0xf0;
  const right = Buffer.from(arqc);
  right[2] = 0x0f;
  return oddParity(Buffer.concat([tdes(mkSmi, left), tdes(mkSmi, right)]));
}

/** ISO/IEC 9797-1 MAC algorithm 3, padding method 2 (0x80 then zeros to a multiple of 8 bytes). */
export function macAlgorithm3(key: Buffer, data: Buffer): Buffer {
  checkKey(key, 'MAC key');
  const padded = Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(7 - (data.length % 8))]);
  const k1 = key.subarray(0, 8);
  const k2 = key.subarray(8, 16);
  let h: Buffer = Buffer.alloc(8);
  for (let i = 0; i < padded.length; i += 8) h = des(k1, xor(h, padded.subarray(i, i + 8)));
  return des(k1, decryptDes(k2, h));
}

/**
 * The 8-byte MAC of one script command: `header` is CLA INS P1 P2 Lc (Lc counting the data and
 * the MAC), `data` the command data; under SK-SMI from the card's MK-SMI and the ARQC.
 */
export function scriptCommandMac(mkSmi: Buffer, atc: Buffer, arqc: Buffer, header: Buffer, data: Buffer): Buffer {
  if (atc.length !== 2) throw new ScriptMacError('ATC must be 2 bytes');
  return macAlgorithm3(scriptSessionKey(mkSmi, arqc), Buffer.concat([header, atc, arqc, data]));
}

/** A key's check value (the first bytes of 3DES(key, zeros)): how a test or a log names a key without showing it. */
export function keyCheckValue(key: Buffer, length = 2): Buffer {
  checkKey(key, 'key');
  return tdes(key, Buffer.alloc(8)).subarray(0, length);
}
