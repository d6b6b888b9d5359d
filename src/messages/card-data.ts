/** What a request says about the card and how it was read. */
import type { IsoMessage } from '../codec/index.js';
import type { CodeSet } from './action-codes.js';
import type { EntryMode, Verification } from '../journal/posting.js';

/** The PAN: field 2, else the digits of track 2 (field 35) before its separator ('=' or 'D'). */
export function panOf(request: IsoMessage): string | undefined {
  if (typeof request[2] === 'string') return request[2];
  const track = request[35];
  if (typeof track !== 'string') return undefined;
  return /^;?(\d{12,19})[=D]/.exec(track)?.[1];
}

/**
 * Contactless, read from the point-of-service field 22:
 * - 1993 dialects (POS data code, an12): position 7, card data input mode, 'A' (contactless chip)
 *   or 'M' (contactless magnetic stripe);
 * - 1987 dialects (POS entry mode, n3): entry mode '07' (contactless chip) or '91' (contactless stripe).
 */
export function isContactless(request: IsoMessage, codes: CodeSet): boolean {
  const pos = request[22];
  if (typeof pos !== 'string') return false;
  if (codes === 'iso93') return pos[6] === 'A' || pos[6] === 'M';
  const mode = pos.slice(0, 2);
  return mode === '07' || mode === '91';
}

/** 1993: position 7 of the POS data code (card data input mode). */
const ENTRY93: Record<string, EntryMode> = {
  '1': 'manual',
  '2': 'magstripe',
  '5': 'chip',
  '6': 'manual',
  A: 'contactless',
  M: 'contactless',
  S: 'remote',
};
/** 1987: the first two digits of the POS entry mode. */
const ENTRY87: Record<string, EntryMode> = {
  '01': 'manual',
  '02': 'magstripe',
  '05': 'chip',
  '07': 'contactless',
  '80': 'magstripe',
  '81': 'remote',
  '90': 'magstripe',
  '91': 'contactless',
};

/** How the card was read: field 22 as in the tables above; without it, track 2 (field 35) is the stripe. */
export function entryModeOf(request: IsoMessage, codes: CodeSet): EntryMode {
  const pos = request[22];
  if (typeof pos !== 'string') return request[35] === undefined ? 'unknown' : 'magstripe';
  const mode = codes === 'iso93' ? ENTRY93[pos[6] ?? ''] : ENTRY87[pos.slice(0, 2)];
  return mode ?? 'unknown';
}

/**
 * Read from the card's chip in a contact reader (the card inserted): entry mode 'chip' (1993 field
 * 22 position 7 '5', 1987 entry mode '05'). Only such a read with the PIN meets the contactless
 * cumulative challenge (004: "the chip and the PIN").
 */
export function isChipRead(request: IsoMessage, codes: CodeSet): boolean {
  return entryModeOf(request, codes) === 'chip';
}

/**
 * From what the request shows: a PIN block (field 52) is an online PIN; else 1993 field 22
 * position 8 (cardholder authentication method) '1' is a PIN the chip checked (offline); else a
 * contactless read is contactless without PIN; else position 8 '5' is a signature and '0' none.
 * A 1987 entry mode carries no method: without a PIN block only contactless is known.
 */
export function verificationOf(request: IsoMessage, codes: CodeSet): Verification {
  if (Buffer.isBuffer(request[52])) return 'pinOnline';
  const method = codes === 'iso93' && typeof request[22] === 'string' ? request[22][7] : undefined;
  if (method === '1') return 'pinOffline';
  if (isContactless(request, codes)) return 'contactlessNoPin';
  if (method === '5') return 'signature';
  if (method === '0') return 'none';
  return 'unknown';
}

/** Where the terminal stands: 1993 field 22 position 4 (operating environment); 1987 does not say. */
export type Environment = 'attended' | 'unattended' | 'remote' | 'unknown';

const ENVIRONMENT93: Record<string, Environment> = {
  '1': 'attended',
  '2': 'unattended',
  '3': 'attended',
  '4': 'unattended',
  '5': 'remote',
  '6': 'remote',
};

export function environmentOf(request: IsoMessage, codes: CodeSet): Environment {
  const pos = request[22];
  if (codes !== 'iso93' || typeof pos !== 'string') return 'unknown';
  return ENVIRONMENT93[pos[3] ?? ''] ?? 'unknown';
}
