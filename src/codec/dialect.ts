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
const BITMAP_FIELD = 1;

export class Dialect {
  readonly name: string;
  readonly spec: DialectSpec;
  private readonly codecs: (FieldCodec | undefined)[] = new Array(129);
  private readonly mtiBcd: boolean;
  private readonly bitmapHex: boolean;
  /** Reused between pack calls (packing is synchronous), grown when a message needs more. */
  private scratch = Buffer.allocUnsafe(4096);

  constructor(spec: unknown) {
    this.spec = structuredClone(validateDialectSpec(spec));
    this.name = this.spec.name;
    this.mtiBcd = this.spec.mti.encoding === 'bcd';
    this.bitmapHex = this.spec.bitmap.encoding === 'hex';
    for (const [key, field] of Object.entries(this.spec.fields)) this.codecs[Number(key)] = compileField(Number(key), field);
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
    // Integer keys enumerate in ascending order, so fields are written in field-number order.
    const keys = Object.keys(message);
    const numbers: number[] = [];
    for (const key of keys) {
      const n = Number(key);
      if (n === MTI_FIELD || n === BITMAP_FIELD || (message as Record<string, unknown>)[key] === undefined) continue;
      if (this.codecs[n] === undefined) throw new Iso8583Error({ field: Number.isInteger(n) ? n : undefined, reason: `field "${key}" is not defined in dialect ${this.name}` });
      numbers.push(n);
    }
    const secondary = numbers.length > 0 && numbers[numbers.length - 1]! > 64;
    const bitmap = Buffer.alloc(secondary ? 16 : 8);
    if (secondary) bitmap[0] = 0x80;
    let o = this.mtiBcd ? writeBcd(mti, this.ensure(0, 2), 0, 'right') : this.ensure(0, 4).write(mti, 0, 'latin1');
    const bitmapAt = o;
    o += this.bitmapHex ? 2 * bitmap.length : bitmap.length;
    for (const n of numbers) {
      const codec = this.codecs[n]!;
      o = codec.pack(message[n]!, this.ensure(o, codec.maxWireSize), o);
      bitmap[(n - 1) >> 3]! |= 0x80 >> ((n - 1) & 7);
    }
    if (this.bitmapHex) writeHex(bitmap, this.scratch, bitmapAt);
    else bitmap.copy(this.scratch, bitmapAt);
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
    const r: Reader = { buf, pos: 0, end: buf.length };
    const mti = this.readMti(r);
    try {
      return this.unpackFields(r, mti);
    } catch (e) {
      throw e instanceof Iso8583Error ? e.withMti(mti) : e;
    }
  }

  /** Reads just the MTI, or returns undefined when the buffer does not start with one. */
  peekMti(buf: Buffer): string | undefined {
    try {
      return this.readMti({ buf, pos: 0, end: buf.length });
    } catch {
      return undefined;
    }
  }

  private readMti(r: Reader): string {
    const size = this.mtiBcd ? 2 : 4;
    if (r.end < size) throw new Iso8583Error({ field: MTI_FIELD, offset: 0, reason: `MTI needs ${size} bytes, only ${r.end} left` });
    const mti = this.mtiBcd ? readBcd(r.buf, 0, 4, 'right') : firstInvalidByte(r.buf, 0, 4, DIGITS) < 0 ? r.buf.toString('latin1', 0, 4) : null;
    if (mti === null) throw new Iso8583Error({ field: MTI_FIELD, offset: 0, reason: 'MTI must be 4 digits' });
    r.pos = size;
    return mti;
  }

  private unpackFields(r: Reader, mti: string): IsoMessage {
    const message: IsoMessage = { [MTI_FIELD]: mti };
    const primary = this.readBitmap(r);
    const bitmap = primary[0]! & 0x80 ? Buffer.concat([primary, this.readBitmap(r)]) : primary;
    for (let byte = 0; byte < bitmap.length; byte++) {
      const bits = bitmap[byte]!;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (!(bits & (0x80 >> bit))) continue;
        const n = byte * 8 + bit + 1;
        if (n === BITMAP_FIELD) continue;
        const codec = this.codecs[n];
        if (codec === undefined) throw new Iso8583Error({ field: n, offset: r.pos, reason: `bitmap announces a field not defined in dialect ${this.name}` });
        message[n] = codec.unpack(r);
      }
    }
    if (r.pos !== r.end) throw new Iso8583Error({ offset: r.pos, reason: `${r.end - r.pos} bytes left after the last field` });
    return message;
  }

  private readBitmap(r: Reader): Buffer {
    const size = this.bitmapHex ? 16 : 8;
    if (r.pos + size > r.end) throw new Iso8583Error({ field: BITMAP_FIELD, offset: r.pos, reason: `bitmap needs ${size} bytes, only ${r.end - r.pos} left` });
    const bitmap = this.bitmapHex ? readHex(r.buf, r.pos, 8) : r.buf.subarray(r.pos, r.pos + 8);
    if (bitmap === null) throw new Iso8583Error({ field: BITMAP_FIELD, offset: r.pos, reason: 'bitmap is not hexadecimal' });
    r.pos += size;
    return bitmap;
  }

  /** A readable field-by-field listing; card data masked unless `{ clear: true }`. */
  describe(message: IsoMessage, options: DescribeOptions = {}): string {
    return describeMessage(this, message, options);
  }
}

/** A dialect from its JSON text or an already parsed object. */
export function loadDialect(json: string | object): Dialect {
  return new Dialect(typeof json === 'string' ? JSON.parse(json) : json);
}

/** The dialect's spec as JSON text (loadDialect reads it back). */
export function saveDialect(dialect: Dialect): string {
  return JSON.stringify(dialect.toJSON(), null, 2) + '\n';
}
