/**
 * Length prefixes of variable fields: L..LLLL written as ASCII digits, packed BCD
 * (right-aligned: LLL 999 -> 0x09 0x99) or a big-endian binary integer (1 byte for L/LL, 2 for LLL/LLLL).
 * A prefix always counts the field's logical length: characters, digits, or bytes.
 */
import type { LengthPrefix, PrefixEncoding } from './spec.js';
import { bcdSize, readBcd, writeBcd } from './bcd.js';

export const PREFIX_DIGITS: Record<LengthPrefix, number> = { fixed: 0, L: 1, LL: 2, LLL: 3, LLLL: 4 };

export function prefixSize(prefix: LengthPrefix, encoding: PrefixEncoding): number {
  const digits = PREFIX_DIGITS[prefix];
  if (digits === 0) return 0;
  if (encoding === 'ascii') return digits;
  if (encoding === 'bcd') return bcdSize(digits);
  return digits <= 2 ? 1 : 2;
}

/** The largest length the prefix can announce. */
export function prefixCapacity(prefix: LengthPrefix, encoding: PrefixEncoding): number {
  const digits = PREFIX_DIGITS[prefix];
  if (encoding === 'binary') return digits <= 2 ? 0xff : 0xffff;
  return 10 ** digits - 1;
}

export function writePrefix(
  len: number,
  prefix: LengthPrefix,
  encoding: PrefixEncoding,
  buf: Buffer,
  offset: number,
): number {
  const digits = PREFIX_DIGITS[prefix];
  if (encoding === 'binary') {
    if (digits <= 2) {
      buf[offset] = len;
      return offset + 1;
    }
    buf.writeUInt16BE(len, offset);
    return offset + 2;
  }
  if (encoding === 'ascii') {
    // Digits written from the right: no string made for a number that is written on every field.
    for (let i = digits - 1, n = len; i >= 0; i--, n = Math.floor(n / 10)) buf[offset + i] = 0x30 + (n % 10);
    return offset + digits;
  }
  return writeBcd(String(len).padStart(digits, '0'), buf, offset, 'left');
}

/** The announced length, or -1 when the prefix bytes are not digits. */
export function readPrefix(buf: Buffer, offset: number, prefix: LengthPrefix, encoding: PrefixEncoding): number {
  const digits = PREFIX_DIGITS[prefix];
  if (encoding === 'binary') return digits <= 2 ? buf[offset]! : buf.readUInt16BE(offset);
  if (encoding === 'bcd') {
    const text = readBcd(buf, offset, digits, 'left');
    return text === null ? -1 : Number(text);
  }
  let n = 0;
  for (let i = 0; i < digits; i++) {
    const d = buf[offset + i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
