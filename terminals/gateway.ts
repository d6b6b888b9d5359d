/**
 * A web shop's payment gateway (kind 'gateway', model 'gateway' in the switch's key file): remote
 * purchases as docs/PROTOCOL.md §3.2.4 describes them. No PIN and no track: the card number in
 * field 2, the expiry in field 14, and in field 48 the CVC (02), the holder's authentication
 * (03, internet only) and a stored card's series (04). Pure functions building those fields;
 * the flows (1200, or 1100 + 1220 capture) are the Terminal's.
 */
import type { IsoMessage } from '../src/codec/index.js';
import { HOLDER_AUTHENTICATION, SERIES_START, subElement } from '../src/messages/remote-data.js';
import { FIELD_48, subElementsOf } from '../src/messages/transaction-data.js';

export type RemoteChannel = 'internet' | 'mailOrder' | 'phoneOrder';
export const REMOTE_CHANNELS: readonly RemoteChannel[] = ['internet', 'mailOrder', 'phoneOrder'];

/** The holder's authentication as the shop's 3-D Secure or MitID step gave it. */
export type HolderAuthentication = 'threeDs' | 'mitId' | 'attempted' | 'notAuthenticated';
export const HOLDER_AUTHENTICATIONS: readonly HolderAuthentication[] = [
  'threeDs',
  'mitId',
  'attempted',
  'notAuthenticated',
];

/** Sub-element 03's letter for each result (src/messages/remote-data.ts). */
const AUTHENTICATION_CODES = Object.fromEntries(
  Object.entries(HOLDER_AUTHENTICATION).map(([code, name]) => [name, code]),
) as Record<HolderAuthentication, string>;

export interface RemoteSale {
  channel: RemoteChannel;
  /** Field 14, YYMM; not sent when undefined. */
  expiry?: string | undefined;
  /** Field 48 sub-element 02; not sent when undefined. */
  cvc?: string | undefined;
  /** Field 48 sub-element 03 (internet); not sent when undefined ("none"). */
  authentication?: HolderAuthentication | undefined;
  /** The first payment of a series (a subscription, a stored card): sub-element 04 'F'. */
  startSeries?: boolean | undefined;
  /** A merchant's later payment of a series: sub-element 04 the series (no CVC, no expiry). */
  series?: string | undefined;
}

/**
 * 1993 field 22, a remote sale: position 1 '6' (key entry), 4 '5' (not at the merchant's), 5
 * cardholder presence ('5' electronic order, '2' mail order, '3' telephone order, '4' standing
 * order: an internet series' later payment), 7 card data input ('S' electronic commerce, '1'
 * key entered), 8 '0' (no PIN, no signature).
 */
const PRESENCE93: Record<RemoteChannel, string> = { internet: '5', mailOrder: '2', phoneOrder: '3' };

/** Fields 14, 22, 48 (and 25 in 1987 dialects: '59' electronic commerce, '08' mail or telephone order). */
export function remoteFields(s: RemoteSale, iso87: boolean): IsoMessage {
  const internet = s.channel === 'internet';
  const later = s.series !== undefined;
  const fields: IsoMessage = iso87
    ? { 22: internet ? '812' : '012', 25: internet ? '59' : '08' }
    : { 22: `6005${internet && later ? '4' : PRESENCE93[s.channel]}0${internet ? 'S' : '1'}00000` };
  if (s.expiry !== undefined) fields[14] = s.expiry;
  const f48 = [
    s.cvc === undefined ? '' : subElement(FIELD_48.cvc, s.cvc),
    s.authentication === undefined ? '' : subElement(FIELD_48.authentication, AUTHENTICATION_CODES[s.authentication]),
    later
      ? subElement(FIELD_48.series, s.series!)
      : s.startSeries === true
        ? subElement(FIELD_48.series, SERIES_START)
        : '',
  ].join('');
  if (f48 !== '') fields[48] = f48;
  return fields;
}

/** The series an answer names (field 48 sub-element 04): the first payment's transaction id. */
export function seriesOf(answer: IsoMessage | undefined): string | undefined {
  if (answer === undefined) return undefined;
  const elements = subElementsOf(answer);
  return elements === undefined || elements === 'unreadable' ? undefined : elements.get(FIELD_48.series);
}
