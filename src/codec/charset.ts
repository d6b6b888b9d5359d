/**
 * Character classes of the ISO 8583 field kinds, as 256-entry lookup tables over Latin-1 bytes,
 * so that validating a field is one table read per character on the hot path.
 */
import type { FieldKind } from './spec.js';

export type CharTable = Uint8Array;

function table(accept: (code: number) => boolean): CharTable {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = accept(c) ? 1 : 0;
  return t;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** Printable Latin-1: no C0 or C1 control characters and no DEL. */
const isPrintable = (c: number): boolean => (c >= 0x20 && c <= 0x7e) || c >= 0xa0;

export const DIGITS = table(isDigit);
export const HEX_DIGITS = table((c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

const TABLES: Record<Exclude<FieldKind, 'binary' | 'amount'>, CharTable> = {
  numeric: DIGITS,
  alpha: table((c) => isLetter(c) || c === 0x20),
  alphanumeric: table((c) => isLetter(c) || isDigit(c) || c === 0x20),
  ans: table(isPrintable),
  track: table(isPrintable),
};

/** The table for a text kind; an amount's digits use DIGITS after its sign. */
export function charTable(kind: Exclude<FieldKind, 'binary'>): CharTable {
  return kind === 'amount' ? DIGITS : TABLES[kind];
}

/** Words for error messages: what the kind allows, never what was found. */
export const KIND_WORDS: Record<FieldKind, string> = {
  numeric: 'non-digit character',
  alpha: 'character not a letter or space',
  alphanumeric: 'character not a letter, digit or space',
  ans: 'control character',
  track: 'control character',
  amount: 'non-digit character',
  binary: 'not binary',
};

/** Index of the first character of `value` outside `t`, or -1. Characters above 0xFF are outside every table. */
export function firstInvalidChar(value: string, t: CharTable, from = 0): number {
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || t[c] === 0) return i;
  }
  return -1;
}

/** Index (relative to `start`) of the first byte in buf[start, end) outside `t`, or -1. */
export function firstInvalidByte(buf: Buffer, start: number, end: number, t: CharTable): number {
  for (let i = start; i < end; i++) if (t[buf[i]!] === 0) return i - start;
  return -1;
}
