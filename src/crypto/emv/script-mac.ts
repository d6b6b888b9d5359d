/**
 * The MAC of an issuer script command (EMV 4.4 Book 2 §9.2.1 and Annex A1): secure messaging
 * integrity. The card's MAC master key MK-SMI is derived from the issuer's IMK-SMI by option A
 * (Annex A1.4.1), the session key SK-SMI from MK-SMI by the common session key method with
 * R = the ARQC (Annex A1.3.1), and the MAC is ISO/IEC 9797-1 MAC algorithm 3 with padding
 * method 2, over CLA INS P1 P2 Lc, the ATC, the ARQC and the command data; the whole 8 bytes are
 * sent. The derivations are keys.ts's, the MAC ../retail-mac.ts's; this file says which inputs go
 * where. Errors name what is wrong, never key bytes.
 */
import { EmvCryptoError, checkKey } from './des.js';
import { MacError, retailMac } from '../retail-mac.js';
import { deriveCardMasterKey, deriveCommonSessionKey, keyCheckValue as checkValue } from './keys.js';

export class ScriptMacError extends Error {
  override name = 'ScriptMacError';
}

/** EmvCryptoError's and MacError's fixed messages, as this file's error (the callers catch one class). */
function scriptError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EmvCryptoError || e instanceof MacError) throw new ScriptMacError(e.message);
    throw e;
  }
}

/** Option A (Book 2 A1.4.1) from the IMK-SMI, the PAN and its sequence number (keys.ts). */
export function cardMacMasterKey(imkSmi: Buffer, pan: string, panSequence: string): Buffer {
  return scriptError(() => {
    checkKey(imkSmi, 'IMK-SMI');
    return deriveCardMasterKey(imkSmi, pan, panSequence);
  });
}

/** The common session key (Book 2 A1.3.1) with R = the ARQC. */
export function scriptSessionKey(mkSmi: Buffer, arqc: Buffer): Buffer {
  if (arqc.length !== 8) throw new ScriptMacError('ARQC must be 8 bytes');
  return scriptError(() => {
    checkKey(mkSmi, 'MK-SMI');
    return deriveCommonSessionKey(mkSmi, arqc);
  });
}

/** ISO/IEC 9797-1 MAC algorithm 3, padding method 2 (../retail-mac.ts). */
export function macAlgorithm3(key: Buffer, data: Buffer): Buffer {
  return scriptError(() => retailMac(key, data, 2, 8));
}

/**
 * The 8-byte MAC of one script command: `header` is CLA INS P1 P2 Lc (Lc counting the data and
 * the MAC), `data` the command data; under SK-SMI from the card's MK-SMI and the ARQC.
 */
export function scriptCommandMac(mkSmi: Buffer, atc: Buffer, arqc: Buffer, header: Buffer, data: Buffer): Buffer {
  if (atc.length !== 2) throw new ScriptMacError('ATC must be 2 bytes');
  return macAlgorithm3(scriptSessionKey(mkSmi, arqc), Buffer.concat([header, atc, arqc, data]));
}

/** A key's check value (keys.ts): how a test or a log names a key without showing it. */
export function keyCheckValue(key: Buffer, length = 2): Buffer {
  return scriptError(() => checkValue(key, length));
}
