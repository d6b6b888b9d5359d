/**
 * A dialect compiled from its plain-data spec: packs messages to bytes and unpacks bytes to
 * messages. MTI, bitmap and fields; nothing about framing (see src/transport/framing.ts).
 */
import type { DialectSpec, FieldSpec, IsoMessage } from './spec.js';
import { Iso8583Error } from './errors.js';
import { type FieldCodec, type Reader, compileField } from './field.js';
import { validateDialectSpec } from './validate-spec.js';
import { readBcd, writeBcd } from './bcd.js';
import { readHex, writeHex } from './hex.js';
import { DIGITS, firstInvalidByte, firstInvalidChar } from './charset.js';
import { type DescribeOptions, describeMessage } from './describe.js';

const MTI_FIELD = 0;
/** Templates remembered per bitmap half at most; a run uses a handful, random or hostile traffic many. */
const MAX_TEMPLATES = 256;
const BITMAP_FIELD = 1;

/** Where a field sat in the bytes it was unpacked from (prefix included), for masked hex dumps. */
export interface FieldLayout {
  field: number;
  start: number;
  end: number;
}

export class Dialect {
  readonly name: string;
  readonly spec: DialectSpec;
  private readonly codecs: (FieldCodec | undefined)[] = new Array(129);
  private readonly mtiBcd: boolean;
  private readonly bitmapHex: boolean;
  /** Reused between pack calls (packing is synchronous), grown when a message needs more. */
  private scratch = Buffer.allocUnsafe(4096);
  /** Reused bitmaps (pack and unpack are synchronous): no allocation per message. */
  private readonly packBitmap = new Uint8Array(16);
  private readonly unpackBitmap = new Uint8Array(16);
  /** Result-object templates by primary bitmap (see template()). */
  private readonly templates = new Map<number, Map<number, IsoMessage>>();

  constructor(spec: unknown) {
    this.spec = structuredClone(validateDialectSpec(spec));
    this.name = this.spec.name;
    this.mtiBcd = this.spec.mti.encoding === 'bcd';
    this.bitmapHex = this.spec.bitmap.encoding === 'hex';
    for (const [key, field] of Object.entries(this.spec.fields))
      this.codecs[Number(key)] = compileField(Number(key), field);
  }

  field(n: number): FieldSpec | undefined {
    return this.codecs[n]?.spec;
  }

  /** The spec as plain data, ready for JSON.stringify. */
  toJSON(): DialectSpec {
    return structuredClone(this.spec);
  }

  pack(message: IsoMessage): Buffer {
    const mti = message[MTI_FIELD];
    if (typeof mti !== 'string' || mti.length !== 4 || firstInvalidChar(mti, DIGITS) >= 0) {
      throw new Iso8583Error({ field: MTI_FIELD, offset: 0, reason: 'MTI must be 4 digits' });
    }
    try {
      return this.packFields(mti, message);
    } catch (e) {
      throw e instanceof Iso8583Error ? e.withMti(mti) : e;
    }
  }

  private packFields(mti: string, message: IsoMessage): Buffer {
    // Walking the field numbers is ~3x cheaper than Object.keys, which makes a string per key.
    // Keys that are not field numbers (0-128) are therefore not looked at.
    let last = 128;
    while (last > 1 && message[last] === undefined) last--;
    const bitmapSize = last > 64 ? 16 : 8;
    const bitmap = this.packBitmap.fill(0);
    if (last > 64) bitmap[0] = 0x80;
    const head = this.ensure(0, 4);
    if (this.mtiBcd) writeBcd(mti, head, 0, 'right');
    else for (let i = 0; i < 4; i++) head[i] = mti.charCodeAt(i);
    let o = this.mtiBcd ? 2 : 4;
    const bitmapAt = o;
    o += this.bitmapHex ? 2 * bitmapSize : bitmapSize;
    for (let n = 2; n <= last; n++) {
      const value = message[n];
      if (value === undefined) continue;
      const codec = this.codecs[n];
      if (codec === undefined) throw new Iso8583Error({ field: n, reason: `not defined in dialect ${this.name}` });
      o = codec.pack(value, this.ensure(o, codec.maxWireSize), o);
      bitmap[(n - 1) >> 3]! |= 0x80 >> ((n - 1) & 7);
    }
    if (this.bitmapHex) writeHex(bitmap, this.scratch, bitmapAt, bitmapSize);
    else for (let i = 0; i < bitmapSize; i++) this.scratch[bitmapAt + i] = bitmap[i]!;
    const out = Buffer.allocUnsafe(o);
    this.scratch.copy(out, 0, 0, o);
    return out;
  }

  /** The scratch buffer, grown so that `size` more bytes fit at `offset`. */
  private ensure(offset: number, size: number): Buffer {
    if (offset + size > this.scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, offset + size));
      this.scratch.copy(grown, 0, 0, offset);
      this.scratch = grown;
    }
    return this.scratch;
  }

  unpack(buf: Buffer): IsoMessage {
    const r: Reader = { buf, pos: 0, end: buf.length, text: undefined };
    const mti = this.readMti(r);
    try {
      return this.unpackFields(r, mti);
    } catch (e) {
      throw e instanceof Iso8583Error ? e.withMti(mti) : e;
    }
  }

  /**
   * Unpacks as far as the message can be read: the fields before the first error, and the error.
   * The switch uses it to answer a broken request with a format error when MTI and STAN are readable.
   */
  unpackPartial(buf: Buffer, layout?: FieldLayout[]): { message: IsoMessage; error: Iso8583Error | undefined } {
    const r: Reader = { buf, pos: 0, end: buf.length, text: undefined };
    const partial: { message: IsoMessage } = { message: {} };
    try {
      const mti = this.readMti(r);
      partial.message = { [MTI_FIELD]: mti };
      return { message: this.unpackFields(r, mti, layout, partial), error: undefined };
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
      const mti = partial.message[MTI_FIELD];
      return { message: partial.message, error: typeof mti === 'string' ? e.withMti(mti) : e };
    }
  }

  private readMti(r: Reader): string {
    const size = this.mtiBcd ? 2 : 4;
    if (r.end < size)
      throw new Iso8583Error({ field: MTI_FIELD, offset: 0, reason: `MTI needs ${size} bytes, only ${r.end} left` });
    const b = r.buf;
    // Four digits need no native string call: fromCharCode is several times cheaper here.
    const mti = this.mtiBcd
      ? readBcd(b, 0, 4, 'right')
      : firstInvalidByte(b, 0, 4, DIGITS) < 0
        ? String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!)
        : null;
    if (mti === null) throw new Iso8583Error({ field: MTI_FIELD, offset: 0, reason: 'MTI must be 4 digits' });
    r.pos = size;
    return mti;
  }

  /**
   * Reads bitmap and fields. `partial` gets the message as it is built, so that an error leaves
   * the fields read before it (and only those) to unpackPartial.
   */
  private unpackFields(r: Reader, mti: string, layout?: FieldLayout[], partial?: { message: IsoMessage }): IsoMessage {
    const bitmap = this.unpackBitmap;
    this.readBitmap(r, 0);
    const size = bitmap[0]! & 0x80 ? 16 : 8;
    if (size === 16) this.readBitmap(r, 8);
    const message: IsoMessage = { ...this.template(size) };
    message[MTI_FIELD] = mti;
    if (partial !== undefined) partial.message = message;
    let lastRead = 0;
    try {
      for (let byte = 0; byte < size; byte++) {
        // Visit only the set bits, highest-order first (= lowest field number first).
        for (
          let bits = byte === 0 ? bitmap[0]! & 0x7f : bitmap[byte]!;
          bits !== 0;
          bits &= ~(0x80000000 >>> Math.clz32(bits))
        ) {
          const n = byte * 8 + Math.clz32(bits) - 23;
          const codec = this.codecs[n];
          if (codec === undefined)
            throw new Iso8583Error({
              field: n,
              offset: r.pos,
              reason: `bitmap announces a field not defined in dialect ${this.name}`,
            });
          const start = r.pos;
          message[n] = codec.unpack(r);
          lastRead = n;
          layout?.push({ field: n, start, end: r.pos });
        }
      }
    } catch (e) {
      // The template announced every field of the bitmap; keep only those actually read.
      for (const key of Object.keys(message)) if (Number(key) > lastRead) delete message[Number(key)];
      throw e;
    }
    if (r.pos !== r.end)
      throw new Iso8583Error({ offset: r.pos, reason: `${r.end - r.pos} bytes left after the last field` });
    return message;
  }

  /**
   * An object with a key for every field of this bitmap, copied for each message: copying one
   * whose element store already has the right size is much cheaper than growing a new object
   * field by field, the largest fixed cost of an unpack. Keyed by the bitmap's 32-bit halves
   * (numbers hash far faster than a string key); messages of one kind share a bitmap, so a few
   * templates serve a whole run. Secondary bitmaps (rarer) build their object directly.
   */
  private template(size: number): IsoMessage {
    const b = this.unpackBitmap;
    if (size !== 8) return this.buildTemplate(size);
    const hi = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
    const lo = (b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!;
    let byLo = this.templates.get(hi);
    if (byLo === undefined) {
      if (this.templates.size >= MAX_TEMPLATES) this.templates.clear();
      byLo = new Map();
      this.templates.set(hi, byLo);
    }
    let t = byLo.get(lo);
    if (t === undefined) {
      if (byLo.size >= MAX_TEMPLATES) byLo.clear();
      t = this.buildTemplate(size);
      byLo.set(lo, t);
    }
    return t;
  }

  private buildTemplate(size: number): IsoMessage {
    const bitmap = this.unpackBitmap;
    const highest = highestBit(bitmap, size);
    const t: IsoMessage = {};
    if (highest > 1) t[highest] = ''; // the highest first: the element store is sized once
    t[MTI_FIELD] = '';
    for (let n = 2; n < highest; n++) if (bitmap[(n - 1) >> 3]! & (0x80 >> ((n - 1) & 7))) t[n] = '';
    return t;
  }

  /** Reads 8 bitmap bytes into unpackBitmap at `at` (0: primary, 8: secondary). */
  private readBitmap(r: Reader, at: number): void {
    const size = this.bitmapHex ? 16 : 8;
    if (r.pos + size > r.end)
      throw new Iso8583Error({
        field: BITMAP_FIELD,
        offset: r.pos,
        reason: `bitmap needs ${size} bytes, only ${r.end - r.pos} left`,
      });
    const into = this.unpackBitmap;
    if (!this.bitmapHex) for (let i = 0; i < 8; i++) into[at + i] = r.buf[r.pos + i]!;
    else if (readHex(r.buf, r.pos, 8, into, at) === null)
      throw new Iso8583Error({ field: BITMAP_FIELD, offset: r.pos, reason: 'bitmap is not hexadecimal' });
    r.pos += size;
  }

  /** A readable field-by-field listing; card data masked unless `{ clear: true }`. */
  describe(message: IsoMessage, options: DescribeOptions = {}): string {
    return describeMessage(this, message, options);
  }
}

/** The highest field number whose bit is set (bit 1, the secondary-bitmap flag, counts as 1). */
function highestBit(bitmap: Uint8Array, size: number): number {
  for (let byte = size - 1; byte >= 0; byte--) {
    const bits = bitmap[byte]!;
    // The lowest set bit of the byte is its highest field: 0x01 -> 8th, 0x80 -> 1st.
    if (bits !== 0) return byte * 8 + 8 - (31 - Math.clz32(bits & -bits));
  }
  return 0;
}

/** A dialect from its JSON text or an already parsed object. */
export function loadDialect(json: string | object): Dialect {
  return new Dialect(typeof json === 'string' ? JSON.parse(json) : json);
}

/** The dialect's spec as JSON text (loadDialect reads it back). */
export function saveDialect(dialect: Dialect): string {
  return JSON.stringify(dialect.toJSON(), null, 2) + '\n';
}
