/** What a request says about the card and how it was read. */
import type { IsoMessage } from '../codec/index.js';
import type { CodeSet } from './action-codes.js';

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

/**
 * Read from the card's chip in a contact reader (the card inserted), from field 22:
 * - 1993 dialects: position 7, card data input mode, '5' (integrated circuit card);
 * - 1987 dialects: entry mode '05' (integrated circuit card).
 * Only such a read with the PIN meets the contactless cumulative challenge (004: "the chip and the PIN").
 */
export function isChipRead(request: IsoMessage, codes: CodeSet): boolean {
  const pos = request[22];
  if (typeof pos !== 'string') return false;
  return codes === 'iso93' ? pos[6] === '5' : pos.slice(0, 2) === '05';
}
