/**
 * What a remote purchase (internet, mail order, phone order) says besides the card number: the
 * expiry (field 14), and in field 48 the CVC (02), the holder's authentication (03) and the
 * series of a stored card (04) (docs/PROTOCOL.md, "Remote purchases"). Pure reading: the rules
 * are the card register's (src/card/scripts/remote.lua).
 */
import type { IsoMessage } from '../codec/index.js';
import type { Authentication, Channel } from '../journal/posting.js';
import { FIELD_48, subElementsOf } from './transaction-data.js';

/** The channels with neither PIN nor track, where the card's face is checked instead. */
export const REMOTE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['internet', 'mailOrder', 'phoneOrder']);

/** Field 48 sub-element 03: the result of 3-D Secure or MitID, one letter; absent is 'none'. */
export const HOLDER_AUTHENTICATION: Readonly<Record<string, Exclude<Authentication, '' | 'none'>>> = {
  T: 'threeDs',
  M: 'mitId',
  A: 'attempted',
  N: 'notAuthenticated',
};

/** Field 48 sub-element 04 on a series' first purchase: "start a series" (its answer names it). */
export const SERIES_START = 'F';

export interface RemoteData {
  /** Field 14 (YYMM) as sent. */
  expiry: string | undefined;
  /** Field 48 sub-element 02: three digits, as the holder gave them. */
  cvc: string | undefined;
  authentication: Exclude<Authentication, ''>;
  /** Sub-element 04: undefined none, SERIES_START the first of a series, else the series a merchant's later payment belongs to. */
  series: string | undefined;
}

/** The remote data of a request, or why it cannot be read (a format error naming the field). */
export function remoteDataOf(request: IsoMessage): RemoteData | { unreadable: string } {
  const elements = subElementsOf(request);
  if (elements === 'unreadable') return { unreadable: 'field 48: sub-elements unreadable' };
  const cvc = elements?.get(FIELD_48.cvc);
  if (cvc !== undefined && !/^\d{3}$/.test(cvc)) return { unreadable: 'field 48 sub-element 02: the CVC is 3 digits' };
  const result = elements?.get(FIELD_48.authentication);
  const authentication = result === undefined ? 'none' : HOLDER_AUTHENTICATION[result];
  if (authentication === undefined)
    return { unreadable: `field 48 sub-element 03: one of ${Object.keys(HOLDER_AUTHENTICATION).join(', ')}` };
  const series = elements?.get(FIELD_48.series);
  if (series === '') return { unreadable: 'field 48 sub-element 04: empty' };
  const expiry = request[14];
  return { expiry: typeof expiry === 'string' ? expiry : undefined, cvc, authentication, series };
}

/** A sub-element of field 48: tag, length (3 digits), value. */
export function subElement(tag: string, value: string): string {
  return `${tag}${String(value.length).padStart(3, '0')}${value}`;
}
