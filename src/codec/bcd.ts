/**
 * Packed BCD: two decimal digits a byte. With an odd digit count one nibble is filler (0):
 * on the right by default ("123" -> 0x12 0x30, as jPOS packagers without the pad flag write it),
 * or on the left ("123" -> 0x01 0x23) when a spec asks for it.
 */

/** Byte -> its two digits, or '' when either nibble is above 9. */
const PAIRS: string[] = Array.from({ length: 256 }, (_, b) => {
  const hi = b >> 4;
  const lo = b & 0x0f;
  return hi > 9 || lo > 9 ? '' : String(hi) + String(lo);
});

export const bcdSize = (digits: number): number => (digits + 1) >> 1;

/** Writes `digits` (already validated as digits) and returns the offset after them. */
export function writeBcd(digits: string, buf: Buffer, offset: number, nibblePad: 'left' | 'right'): number {
  const n = digits.length;
  let i = 0;
  let o = offset;
  if (n & 1 && nibblePad === 'left') {
    buf[o++] = digits.charCodeAt(0) - 0x30;
    i = 1;
  }
  for (; i + 1 < n; i += 2) buf[o++] = ((digits.charCodeAt(i) - 0x30) << 4) | (digits.charCodeAt(i + 1) - 0x30);
  if (i < n) buf[o++] = (digits.charCodeAt(i) - 0x30) << 4;
  return o;
}

/** Reads `count` digits; returns null when a nibble is not a decimal digit. */
export function readBcd(buf: Buffer, offset: number, count: number, nibblePad: 'left' | 'right'): string | null {
  const size = bcdSize(count);
  let out = '';
  for (let i = 0; i < size; i++) {
    const pair = PAIRS[buf[offset + i]!]!;
    if (pair === '') return readOddNibbles(buf, offset, count, nibblePad);
    out += pair;
  }
  if (count & 1) return nibblePad === 'left' ? out.slice(1) : out.slice(0, count);
  return out;
}

/**
 * Slow path for a byte with a nibble above 9: accepted only when that nibble is the filler,
 * which a sender may set to F (a common convention) instead of 0.
 */
function readOddNibbles(buf: Buffer, offset: number, count: number, nibblePad: 'left' | 'right'): string | null {
  const size = bcdSize(count);
  const skipFirst = count & 1 && nibblePad === 'left';
  const skipLast = count & 1 && nibblePad === 'right';
  let out = '';
  for (let i = 0; i < size; i++) {
    const b = buf[offset + i]!;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (!(skipFirst && i === 0)) {
      if (hi > 9) return null;
      out += String(hi);
    }
    if (!(skipLast && i === size - 1)) {
      if (lo > 9) return null;
      out += String(lo);
    }
  }
  return out;
}
