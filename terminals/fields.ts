/**
 * How the emulated terminals fill in fields: times (local time in Danish time, transmission time
 * in UTC), the point-of-service field 22, track 2, field 48 of old terminals and field 56 of
 * advices. Pure functions, no I/O.
 */
import type { IsoMessage } from '../src/codec/index.js';

/** The terminals' local time zone: a Danish terminal's clock shows Danish time. */
export const LOCAL_TIME_ZONE = 'Europe/Copenhagen';

const localFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LOCAL_TIME_ZONE,
  year: '2-digit',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** YYMMDDhhmmss in Danish time. */
export function localTime(at: Date): string {
  const part: Record<string, string> = {};
  for (const p of localFormat.formatToParts(at)) part[p.type] = p.value;
  return `${part.year}${part.month}${part.day}${part.hour}${part.minute}${part.second}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Field 7, MMDDhhmmss in UTC (ISO 8583 transmission time is GMT). */
export function transmissionTime(at: Date): string {
  return (
    pad2(at.getUTCMonth() + 1) +
    pad2(at.getUTCDate()) +
    pad2(at.getUTCHours()) +
    pad2(at.getUTCMinutes()) +
    pad2(at.getUTCSeconds())
  );
}

/**
 * The local time fields of a request: 1993 dialects field 12 YYMMDDhhmmss; 1987 dialects field 12
 * hhmmss and field 13 MMDD.
 */
export function localTimeFields(yymmddhhmmss: string, iso87: boolean): IsoMessage {
  return iso87 ? { 12: yymmddhhmmss.slice(6), 13: yymmddhhmmss.slice(2, 6) } : { 12: yymmddhhmmss };
}

/** How the card was read. */
export type Entry = 'magstripe' | 'chip' | 'contactless';

export interface PosData {
  entry: Entry;
  /** Online PIN (field 52) in this request. */
  pin: boolean;
  /** Unattended (a fuel pump). */
  unattended: boolean;
  /** What the terminal can read: 'magstripe' for old terminals. */
  capability: Entry;
  /** No PIN pad (a ticket or parking machine); default false. */
  noPinPad?: boolean;
}

const INPUT93: Record<Entry, string> = { magstripe: '2', chip: '5', contactless: 'A' };
const INPUT87: Record<Entry, string> = { magstripe: '90', chip: '05', contactless: '07' };

/**
 * Field 22. 1993 (POS data code, 12 positions): 1 input capability, 2 PIN capability, 3 capture,
 * 4 environment (1 attended, 2 unattended), 5 cardholder present, 6 card present, 7 card data
 * input mode (2 magstripe, 5 chip, A contactless chip), 8
 * cardholder authentication (1 PIN, 5 signature, 0 none), 9 authenticating entity, 10 card data
 * output, 11 terminal output, 12 PIN capture capability (C: 12 digits; 0 none, with position 2
 * '0', for a machine without a PIN pad). 1987 (POS entry mode, n3): 90 magstripe, 05 chip, 07
 * contactless, then the PIN entry capability (1 can take a PIN, 2 cannot).
 */
export function posData(p: PosData, iso87: boolean): string {
  const pinPad = p.noPinPad !== true;
  if (iso87) return `${INPUT87[p.entry]}${pinPad ? '1' : '2'}`;
  const method = p.pin ? '1' : p.entry === 'contactless' || p.unattended ? '0' : '5';
  const entity = p.pin ? '3' : method === '5' ? '4' : '0';
  const env = p.unattended ? '2' : '1';
  return `${INPUT93[p.capability]}${pinPad ? '1' : '0'}0${env}01${INPUT93[p.entry]}${method}${entity}04${pinPad ? 'C' : '0'}`;
}

/** Track 2 as a magstripe reader sends it: PAN, separator, expiry YYMM, service code 101, discretionary data. */
export function track2(pan: string, expiry: string): string {
  return `${pan}=${expiry}1010000000`;
}

/** Field 48 of an old terminal: sub-element 01 (length 006), the STAN of the last approved transaction completed. */
export function lastCompletedField(stan: string): string {
  return `01006${stan}`;
}

/** Field 56 of a completion or reversal advice: original MTI, STAN and local date and time YYMMDDhhmmss. */
export function originalData(mti: string, stan: string, yymmddhhmmss: string): string {
  return `${mti}${stan}${yymmddhhmmss}`;
}

/** Field 4: the amount in øre as 12 digits. */
export function amountField(amount: number): string {
  return String(amount).padStart(12, '0');
}
