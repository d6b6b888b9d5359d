/**
 * What a request says about the merchant, for the holder's statement and a dispute (001 §9, §28):
 * the name and city of field 43 and the merchant category code.
 */
import type { IsoMessage } from '../codec/index.js';
import type { CodeSet } from './action-codes.js';

/** The widths the delivery file gives them (src/clearing/delivery-layout.ts): longer values are cut. */
export const MERCHANT_NAME_WIDTH = 40;
export const MERCHANT_CITY_WIDTH = 25;

export interface Acceptor {
  merchantName: string;
  merchantCity: string;
  /** ISO 18245 merchant category code, 4 digits; '' when the request has none. */
  mcc: string;
}

/**
 * Field 43, card acceptor name/location. Sub-fields separated by '\' (ISO 8583:1993: name \
 * street \ city \ postal code, region, country): the first is the name, the third (of two, the
 * second) the city. Otherwise positional, as the fixed 40 characters of 1987 dialects: name in
 * 1-25, city in 26-38, country in 39-40 (not kept). Trimmed, and cut to the delivery's widths.
 */
export function acceptorNameOf(request: IsoMessage): Pick<Acceptor, 'merchantName' | 'merchantCity'> {
  const v = typeof request[43] === 'string' ? request[43] : '';
  const parts = v.split('\\');
  const [name, city] = parts.length > 1 ? [parts[0]!, parts[2] ?? parts[1]!] : [v.slice(0, 25), v.slice(25, 38)];
  return {
    merchantName: name.trim().slice(0, MERCHANT_NAME_WIDTH),
    merchantCity: city.trim().slice(0, MERCHANT_CITY_WIDTH),
  };
}

/** 1993 dialects: field 26 (card acceptor business code), else 18; 1987 dialects: field 18 (merchant type). */
export function mccOf(request: IsoMessage, codes: CodeSet): string {
  const v = codes === 'iso93' ? (request[26] ?? request[18]) : request[18];
  return typeof v === 'string' && /^\d{4}$/.test(v) ? v : '';
}

export function acceptorOf(request: IsoMessage, codes: CodeSet): Acceptor {
  return { ...acceptorNameOf(request), mcc: mccOf(request, codes) };
}
