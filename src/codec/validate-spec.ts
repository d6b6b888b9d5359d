/**
 * Checks a dialect spec read from JSON before it is compiled, so that a bad spec fails at load
 * time with the field named, instead of producing wrong bytes later.
 */
import type { DialectSpec, FieldKind, FieldSpec } from './spec.js';
import { Iso8583Error } from './errors.js';
import { charTable, firstInvalidChar } from './charset.js';
import { PREFIX_DIGITS, prefixCapacity } from './prefix.js';

const KINDS: readonly FieldKind[] = ['numeric', 'alpha', 'alphanumeric', 'ans', 'track', 'amount', 'binary'];
const PREFIXES = Object.keys(PREFIX_DIGITS);
const PREFIX_ENCODINGS = ['ascii', 'bcd', 'binary'];
const ENCODINGS = ['ascii', 'bcd', 'binary', 'hex'];
const MASKS = ['pan', 'track', 'hide', 'subElements', 'icc'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateDialectSpec(input: unknown): DialectSpec {
  const bad = (reason: string): never => {
    throw new Iso8583Error({ reason: `dialect: ${reason}` });
  };
  if (!isObject(input)) return bad('expected an object');
  if (typeof input.name !== 'string' || input.name === '') bad('name must be a non-empty string');
  if (!isObject(input.mti) || !['ascii', 'bcd'].includes(input.mti.encoding as string))
    bad('mti.encoding must be ascii or bcd');
  if (!isObject(input.bitmap) || !['hex', 'binary'].includes(input.bitmap.encoding as string))
    bad('bitmap.encoding must be hex or binary');
  if (!isObject(input.fields)) return bad('fields must be an object keyed by field number');
  for (const [key, field] of Object.entries(input.fields)) {
    const n = Number(key);
    if (!Number.isInteger(n) || n < 2 || n > 128 || String(n) !== key)
      bad(`field key "${key}" is not a field number from 2 to 128`);
    validateFieldSpec(n, field);
  }
  return input as unknown as DialectSpec;
}

export function validateFieldSpec(n: number, input: unknown): FieldSpec {
  const bad = (reason: string): never => {
    throw new Iso8583Error({ field: n, reason: `spec: ${reason}` });
  };
  if (!isObject(input)) return bad('expected an object');
  const f = input as Partial<FieldSpec>;
  if (typeof f.name !== 'string') bad('name must be a string');
  if (!KINDS.includes(f.kind as FieldKind)) bad(`kind must be one of ${KINDS.join(', ')}`);
  if (!PREFIXES.includes(f.prefix as string)) bad(`prefix must be one of ${PREFIXES.join(', ')}`);
  if (!PREFIX_ENCODINGS.includes(f.prefixEncoding as string)) bad('prefixEncoding must be ascii, bcd or binary');
  if (!ENCODINGS.includes(f.encoding as string)) bad('encoding must be ascii, bcd, binary or hex');
  if (!Number.isInteger(f.length) || f.length! < 1) bad('length must be a positive integer');
  const spec = f as FieldSpec;
  const binaryKind = spec.kind === 'binary';
  const binaryEncoding = spec.encoding === 'binary' || spec.encoding === 'hex';
  if (binaryKind !== binaryEncoding) bad('the binary kind goes with binary or hex encoding, and only it');
  if (spec.encoding === 'bcd' && spec.kind !== 'numeric' && spec.kind !== 'amount')
    bad('bcd encoding is for numeric and amount kinds');
  if (spec.kind === 'amount' && spec.length < 2) bad('an amount needs a sign and at least one digit');
  if (spec.prefix !== 'fixed' && spec.length > prefixCapacity(spec.prefix, spec.prefixEncoding)) {
    bad(`length ${spec.length} does not fit a ${spec.prefix} prefix`);
  }
  if (spec.nibblePad !== undefined && !['left', 'right'].includes(spec.nibblePad))
    bad('nibblePad must be left or right');
  if (spec.mask !== undefined && !MASKS.includes(spec.mask)) bad('mask must be pan, track, hide, subElements or icc');
  if (spec.hiddenTags !== undefined) {
    if (spec.mask !== 'subElements') bad('hiddenTags go with the subElements mask');
    if (!Array.isArray(spec.hiddenTags) || !spec.hiddenTags.every((tag) => /^\d{2}$/.test(String(tag))))
      bad('hiddenTags must be a list of 2-digit tags');
  }
  if (spec.padding !== undefined) validatePadding(spec, bad);
  return spec;
}

function validatePadding(spec: FieldSpec, bad: (reason: string) => never): void {
  const p = spec.padding!;
  if (spec.prefix !== 'fixed') bad('padding is for fixed fields');
  if (spec.kind === 'binary') bad('binary fields are not padded');
  if (!isObject(p) || !['left', 'right'].includes(p.side)) bad('padding.side must be left or right');
  if (typeof p.char !== 'string' || p.char.length !== 1) bad('padding.char must be one character');
  if (firstInvalidChar(p.char, charTable(spec.kind as Exclude<FieldKind, 'binary'>)) >= 0)
    bad('padding.char is not valid for the kind');
  if (spec.kind === 'amount' && p.side !== 'left') bad('an amount is padded on the left of its digits');
}
