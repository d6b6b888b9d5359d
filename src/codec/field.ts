/**
 * One field's packer and unpacker, compiled once from its plain-data spec so that the hot path
 * does no spec interpretation: a field is a prefix, a body and a character check.
 */
import type { FieldSpec, IsoValue } from './spec.js';
import { Iso8583Error } from './errors.js';
import { KIND_WORDS, charTable, firstInvalidByte, firstInvalidChar } from './charset.js';
import { bcdSize, readBcd, writeBcd } from './bcd.js';
import { readHex, writeHex } from './hex.js';
import { prefixSize, readPrefix, writePrefix } from './prefix.js';

/** Where an unpacker reads: the buffer, the next byte, and the end of the message. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
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

const SIGN_C = 0x43;
const SIGN_D = 0x44;

/** Bytes the body of a field of logical length `len` takes on the wire. */
export function bodySize(spec: FieldSpec, len: number): number {
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
  const psize = prefixSize(spec.prefix, spec.prefixEncoding);
  const maxWireSize = psize + bodySize(spec, spec.length);
  const fail = (reason: string, offset?: number): never => {
    throw new Iso8583Error({ field: number, offset, reason });
  };
  const parts: FieldParts = { number, spec, psize, fail };
  const { pack, unpack } = spec.kind === 'binary' ? binaryField(parts) : textField(parts);
  return { number, spec, maxWireSize, pack, unpack };
}

interface FieldParts {
  number: number;
  spec: FieldSpec;
  psize: number;
  fail: (reason: string, offset?: number) => never;
}

/** Reads the length prefix (or takes the fixed length) and checks the body fits in the message. */
function readLength({ spec, psize, fail }: FieldParts, r: Reader): number {
  if (spec.prefix === 'fixed') return spec.length;
  if (r.pos + psize > r.end) fail(`length prefix needs ${psize} bytes, only ${r.end - r.pos} left`, r.pos);
  const len = readPrefix(r.buf, r.pos, spec.prefix, spec.prefixEncoding);
  if (len < 0) fail('length prefix is not a number', r.pos);
  if (len > spec.length) fail(`length ${len} exceeds max ${spec.length}`, r.pos);
  r.pos += psize;
  return len;
}

function needBytes({ fail }: FieldParts, r: Reader, wire: number): void {
  if (r.pos + wire > r.end) fail(`needs ${wire} bytes, only ${r.end - r.pos} left`, r.pos);
}

/** The length check shared by text and binary values: over the max, or not the fixed length. */
function checkLength({ spec, fail }: FieldParts, len: number, padded: boolean, offset: number): void {
  if (len > spec.length) fail(`length ${len} exceeds max ${spec.length}`, offset);
  if (spec.prefix === 'fixed' && len < spec.length && !padded) fail(`length ${len}, expected ${spec.length}`, offset);
}

function textField(parts: FieldParts): Pick<FieldCodec, 'pack' | 'unpack'> {
  const { spec, fail } = parts;
  const chars = charTable(spec.kind as Exclude<FieldSpec['kind'], 'binary'>);
  const amount = spec.kind === 'amount';
  const bcd = spec.encoding === 'bcd';
  const nibblePad = spec.nibblePad ?? 'right';
  const padding = spec.prefix === 'fixed' ? spec.padding : undefined;
  const word = KIND_WORDS[spec.kind];

  const pad = (value: string): string => {
    if (value.length >= spec.length || padding === undefined) return value;
    // An amount is padded between its sign and its digits: C123 -> C00000123.
    if (amount) return value[0] + value.slice(1).padStart(spec.length - 1, padding.char);
    return padding.side === 'left' ? value.padStart(spec.length, padding.char) : value.padEnd(spec.length, padding.char);
  };

  const pack = (value: IsoValue, buf: Buffer, offset: number): number => {
    if (typeof value !== 'string') return fail('expected a string, got binary data', offset);
    checkLength(parts, value.length, padding !== undefined, offset);
    if (amount) {
      const sign = value.charCodeAt(0);
      if (sign !== SIGN_C && sign !== SIGN_D) fail('amount must start with C or D', offset);
    }
    const bad = firstInvalidChar(value, chars, amount ? 1 : 0);
    if (bad >= 0) fail(`${word} at position ${bad}`, offset);
    const v = pad(value);
    let o = spec.prefix === 'fixed' ? offset : writePrefix(v.length, spec.prefix, spec.prefixEncoding, buf, offset);
    if (!bcd) return o + buf.write(v, o, 'latin1');
    if (!amount) return writeBcd(v, buf, o, nibblePad);
    buf[o++] = v.charCodeAt(0);
    return writeBcd(v.slice(1), buf, o, nibblePad);
  };

  const unpack = (r: Reader): IsoValue => {
    const len = readLength(parts, r);
    if (amount && len < 1) fail('amount without its C/D sign', r.pos);
    const wire = bodySize(spec, len);
    needBytes(parts, r, wire);
    const start = r.pos;
    const { buf } = r;
    let sign = '';
    let digitsAt = start;
    if (amount) {
      const s = buf[start];
      if (s !== SIGN_C && s !== SIGN_D) fail('amount must start with C or D', start);
      sign = s === SIGN_C ? 'C' : 'D';
      digitsAt = start + 1;
    }
    let value: string;
    if (bcd) {
      const digits = readBcd(buf, digitsAt, amount ? len - 1 : len, nibblePad);
      if (digits === null) return fail('invalid BCD digit', digitsAt);
      value = sign + digits;
    } else {
      const bad = firstInvalidByte(buf, digitsAt, start + wire, chars);
      if (bad >= 0) fail(`${word} at position ${bad + digitsAt - start}`, digitsAt + bad);
      value = buf.toString('latin1', start, start + wire);
    }
    r.pos = start + wire;
    return value;
  };
  return { pack, unpack };
}

function binaryField(parts: FieldParts): Pick<FieldCodec, 'pack' | 'unpack'> {
  const { spec, fail } = parts;
  const hex = spec.encoding === 'hex';

  const pack = (value: IsoValue, buf: Buffer, offset: number): number => {
    if (!Buffer.isBuffer(value)) return fail('expected binary data (a Buffer), got a string', offset);
    checkLength(parts, value.length, false, offset);
    const o = spec.prefix === 'fixed' ? offset : writePrefix(value.length, spec.prefix, spec.prefixEncoding, buf, offset);
    return hex ? writeHex(value, buf, o) : o + value.copy(buf, o);
  };

  const unpack = (r: Reader): IsoValue => {
    const len = readLength(parts, r);
    const wire = hex ? 2 * len : len;
    needBytes(parts, r, wire);
    const start = r.pos;
    let value: Buffer | null;
    if (hex) value = readHex(r.buf, start, len);
    // A copy, so that a message does not keep a whole socket chunk alive.
    else value = Buffer.from(r.buf.subarray(start, start + len));
    if (value === null) return fail('invalid hex character', start);
    r.pos = start + wire;
    return value;
  };
  return { pack, unpack };
}
