/** Binary data written as uppercase hexadecimal characters (jPOS IFA_BINARY, hex bitmaps). */

const UPPER = Buffer.from('0123456789ABCDEF', 'latin1');
/** Character code -> nibble value, -1 for a character that is not a hex digit (either case accepted). */
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[0x41 + i] = 10 + i;
  NIBBLE[0x61 + i] = 10 + i;
}

export function writeHex(bytes: Uint8Array, buf: Buffer, offset: number, count = bytes.length): number {
  let o = offset;
  for (let i = 0; i < count; i++) {
    const b = bytes[i]!;
    buf[o++] = UPPER[b >> 4]!;
    buf[o++] = UPPER[b & 0x0f]!;
  }
  return o;
}

/**
 * Reads `count` bytes written as 2*count hex characters, into `out` when given (no allocation);
 * null when a character is not hex.
 */
export function readHex(
  buf: Buffer,
  offset: number,
  count: number,
  out: Uint8Array = Buffer.allocUnsafe(count),
  outAt = 0,
): Buffer | null {
  for (let i = 0; i < count; i++) {
    const hi = NIBBLE[buf[offset + 2 * i]!]!;
    const lo = NIBBLE[buf[offset + 2 * i + 1]!]!;
    if (hi < 0 || lo < 0) return null;
    out[outAt + i] = (hi << 4) | lo;
  }
  return out as Buffer;
}
