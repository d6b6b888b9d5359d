/**
 * One field's packer and unpacker, compiled once from its plain-data spec.
 *
 * Why classes with primitive fields: specs differ in shape (padding, mask, nibblePad are
 * optional), and reading them on the hot path made V8's property caches megamorphic, which cost
 * more than the encoding itself. Every TextField (and every BinaryField) has one shape.
 */
import type { FieldSpec, IsoValue, LengthPrefix, PrefixEncoding } from './spec.js';
import { Iso8583Error } from './errors.js';
import { type CharTable, KIND_WORDS, charTable, firstInvalidByte, firstInvalidChar } from './charset.js';
import { bcdSize, readBcd, writeBcd } from './bcd.js';
import { readHex, writeHex } from './hex.js';
import { prefixSize, readPrefix, writePrefix } from './prefix.js';

/** Where an unpacker reads: the buffer, the next byte, and the end of the message. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
  /**
   * The message as one Latin-1 string, made on first need: text fields are slices of it, one
   * native call per message instead of one per field.
   */
  text: string | undefined;
}

export interface FieldCodec {
  readonly number: number;
  readonly spec: FieldSpec;
  /** The most bytes this field can take on the wire, prefix included. */
  readonly maxWireSize: number;
  /** Writes the value at `offset` and returns the offset after it. */
  pack(value: IsoValue, buf: Buffer, offset: number): number;
  unpack(r: Reader): IsoValue;
}

/**
 * Buffer#latin1Slice is what Buffer#toString('latin1') calls after checking its arguments; calling
 * it directly saves ~10% of an unpack. It has been on Buffer.prototype since Node 0.x; the
 * fallback keeps the codec correct should it ever go.
 */
type Latin1Sliceable = Buffer & { latin1Slice(start: number, end: number): string };
const latin1: (buf: Buffer, end: number) => string =
  typeof (Buffer.prototype as Partial<Latin1Sliceable>).latin1Slice === 'function'
    ? (buf, end) => (buf as Latin1Sliceable).latin1Slice(0, end)
    : (buf, end) => buf.toString('latin1', 0, end);

const SIGN_C = 0x43;
const SIGN_D = 0x44;

/** Bytes the body of a field of logical length `len` takes on the wire. */
export function bodySize(spec: Pick<FieldSpec, 'encoding' | 'kind'>, len: number): number {
  switch (spec.encoding) {
    case 'hex':
      return 2 * len;
    case 'bcd':
      return spec.kind === 'amount' ? 1 + bcdSize(len - 1) : bcdSize(len);
    default:
      return len;
  }
}

export function compileField(number: number, spec: FieldSpec): FieldCodec {
  return spec.kind === 'binary' ? new BinaryField(number, spec) : new TextField(number, spec);
}

/** What text and binary fields share: length prefix, length checks, errors. */
abstract class BaseField {
  readonly maxWireSize: number;
  protected readonly length: number;
  protected readonly fixed: boolean;
  protected readonly prefix: LengthPrefix;
  protected readonly prefixEncoding: PrefixEncoding;
  protected readonly psize: number;

  constructor(
    readonly number: number,
    readonly spec: FieldSpec,
  ) {
    this.length = spec.length;
    this.fixed = spec.prefix === 'fixed';
    this.prefix = spec.prefix;
    this.prefixEncoding = spec.prefixEncoding;
    this.psize = prefixSize(spec.prefix, spec.prefixEncoding);
    this.maxWireSize = this.psize + bodySize(spec, spec.length);
  }

  protected fail(reason: string, offset: number): never {
    throw new Iso8583Error({ field: this.number, offset, reason });
  }

  /** Over the max, or short of a fixed length that is not padded. */
  protected checkLength(len: number, padded: boolean, offset: number): void {
    if (len > this.length) this.fail(`length ${len} exceeds max ${this.length}`, offset);
    if (this.fixed && len < this.length && !padded) this.fail(`length ${len}, expected ${this.length}`, offset);
  }

  protected writeLength(len: number, buf: Buffer, offset: number): number {
    return this.fixed ? offset : writePrefix(len, this.prefix, this.prefixEncoding, buf, offset);
  }

  /** Reads the length prefix (or takes the fixed length), leaving r.pos at the body. */
  protected readLength(r: Reader): number {
    if (this.fixed) return this.length;
    const len = r.pos + this.psize > r.end ? -2 : readPrefix(r.buf, r.pos, this.prefix, this.prefixEncoding);
    if (len < 0 || len > this.length) this.badLength(r, len);
    r.pos += this.psize;
    return len;
  }

  /** Kept out of readLength so that the hot path stays small enough to inline. */
  private badLength(r: Reader, len: number): never {
    if (len === -2) this.fail(`length prefix needs ${this.psize} bytes, only ${r.end - r.pos} left`, r.pos);
    if (len < 0) this.fail('length prefix is not a number', r.pos);
    return this.fail(`length ${len} exceeds max ${this.length}`, r.pos);
  }

  protected needBytes(r: Reader, wire: number): void {
    if (r.pos + wire > r.end) this.fail(`needs ${wire} bytes, only ${r.end - r.pos} left`, r.pos);
  }
}

class TextField extends BaseField implements FieldCodec {
  private readonly chars: CharTable;
  private readonly amount: boolean;
  private readonly bcd: boolean;
  private readonly nibblePad: 'left' | 'right';
  /** '' when the field is not padded. */
  private readonly padChar: string;
  private readonly padLeft: boolean;
  private readonly word: string;

  constructor(number: number, spec: FieldSpec) {
    super(number, spec);
    this.chars = charTable(spec.kind as Exclude<FieldSpec['kind'], 'binary'>);
    this.amount = spec.kind === 'amount';
    this.bcd = spec.encoding === 'bcd';
    this.nibblePad = spec.nibblePad ?? 'right';
    this.padChar = this.fixed && spec.padding !== undefined ? spec.padding.char : '';
    this.padLeft = spec.padding?.side !== 'right';
    this.word = KIND_WORDS[spec.kind];
  }

  private pad(value: string): string {
    if (value.length >= this.length || this.padChar === '') return value;
    // An amount is padded between its sign and its digits: C123 -> C00000123.
    if (this.amount) return value[0] + value.slice(1).padStart(this.length - 1, this.padChar);
    return this.padLeft ? value.padStart(this.length, this.padChar) : value.padEnd(this.length, this.padChar);
  }

  pack(value: IsoValue, buf: Buffer, offset: number): number {
    if (typeof value !== 'string') return this.fail('expected a string, got binary data', offset);
    const len = value.length;
    this.checkLength(len, this.padChar !== '', offset);
    let from = 0;
    if (this.amount) {
      const sign = value.charCodeAt(0);
      if (sign !== SIGN_C && sign !== SIGN_D) this.fail('amount must start with C or D', offset);
      from = 1;
    }
    const padding = this.fixed && len < this.length ? this.length - len : 0;
    if (this.bcd) {
      const bad = firstInvalidChar(value, this.chars, from);
      if (bad >= 0) this.fail(`${this.word} at position ${bad}`, offset);
      return this.packBcd(this.pad(value), buf, offset);
    }
    let o = this.writeLength(len + padding, buf, offset);
    if (from === 1) buf[o++] = value.charCodeAt(0);
    const padCode = padding > 0 ? this.padChar.charCodeAt(0) : 0;
    if (this.padLeft) for (let k = 0; k < padding; k++) buf[o++] = padCode;
    // Checks and writes each character in one pass: no native call, no padded copy of the string.
    const chars = this.chars;
    for (let i = from; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c > 0xff || chars[c] === 0) this.fail(`${this.word} at position ${i}`, offset);
      buf[o++] = c;
    }
    if (!this.padLeft) for (let k = 0; k < padding; k++) buf[o++] = padCode;
    return o;
  }

  private packBcd(v: string, buf: Buffer, offset: number): number {
    let o = this.writeLength(v.length, buf, offset);
    if (!this.amount) return writeBcd(v, buf, o, this.nibblePad);
    buf[o++] = v.charCodeAt(0);
    return writeBcd(v.slice(1), buf, o, this.nibblePad);
  }

  unpack(r: Reader): IsoValue {
    const len = this.readLength(r);
    if (this.amount && len < 1) this.fail('amount without its C/D sign', r.pos);
    const wire = this.bcd ? (this.amount ? 1 + bcdSize(len - 1) : bcdSize(len)) : len;
    this.needBytes(r, wire);
    const start = r.pos;
    const buf = r.buf;
    let sign = '';
    let digitsAt = start;
    if (this.amount) {
      const s = buf[start];
      if (s !== SIGN_C && s !== SIGN_D) this.fail('amount must start with C or D', start);
      sign = s === SIGN_C ? 'C' : 'D';
      digitsAt = start + 1;
    }
    let value: string;
    if (this.bcd) {
      const digits = readBcd(buf, digitsAt, this.amount ? len - 1 : len, this.nibblePad);
      if (digits === null) return this.fail('invalid BCD digit', digitsAt);
      value = sign + digits;
    } else {
      const bad = firstInvalidByte(buf, digitsAt, start + wire, this.chars);
      if (bad >= 0) this.fail(`${this.word} at position ${bad + digitsAt - start}`, digitsAt + bad);
      value = (r.text ??= latin1(buf, r.end)).slice(start, start + wire);
    }
    r.pos = start + wire;
    return value;
  }
}

class BinaryField extends BaseField implements FieldCodec {
  private readonly hex: boolean;

  constructor(number: number, spec: FieldSpec) {
    super(number, spec);
    this.hex = spec.encoding === 'hex';
  }

  pack(value: IsoValue, buf: Buffer, offset: number): number {
    if (!Buffer.isBuffer(value)) return this.fail('expected binary data (a Buffer), got a string', offset);
    this.checkLength(value.length, false, offset);
    const o = this.writeLength(value.length, buf, offset);
    return this.hex ? writeHex(value, buf, o) : o + value.copy(buf, o);
  }

  unpack(r: Reader): IsoValue {
    const len = this.readLength(r);
    const wire = this.hex ? 2 * len : len;
    this.needBytes(r, wire);
    const start = r.pos;
    // A copy, so that a message does not keep a whole socket chunk alive.
    const value = this.hex ? readHex(r.buf, start, len) : Buffer.from(r.buf.subarray(start, start + len));
    if (value === null) return this.fail('invalid hex character', start);
    r.pos = start + wire;
    return value;
  }
}
