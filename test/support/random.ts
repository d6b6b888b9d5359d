/**
 * Seeded, reproducible randomness for property tests: the same seed gives the same messages,
 * so a failure report names the seed and the case number and can be replayed.
 */
import type { Dialect, FieldSpec, IsoMessage, IsoValue } from '../../src/codec/index.js';
import { prng } from '../../bench/support/prng.js';

export type Rng = () => number;

/** The benchmark's seeded PRNG (mulberry32): small, fast, good enough for test data. */
export const rng = (seed: number): Rng => prng(seed);

export const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));

export function bytes(r: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
}

const range = (from: number, to: number): string =>
  String.fromCharCode(...Array.from({ length: to - from + 1 }, (_, i) => from + i));
const LETTERS = range(0x41, 0x5a) + range(0x61, 0x7a);
const DIGIT_CHARS = range(0x30, 0x39);
const ALPHABETS: Record<Exclude<FieldSpec['kind'], 'binary' | 'amount'>, string> = {
  numeric: DIGIT_CHARS,
  alpha: LETTERS + ' ',
  alphanumeric: LETTERS + DIGIT_CHARS + ' ',
  ans: range(0x20, 0x7e) + range(0xa0, 0xff),
  track: range(0x20, 0x7e),
};

function chars(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[int(r, 0, alphabet.length - 1)];
  return s;
}

/** A valid value in its wire form: fixed fields at full length, variable ones at any length. */
export function randomValue(spec: FieldSpec, r: Rng): IsoValue {
  // Variable fields: mostly realistic lengths, sometimes anything up to the maximum.
  const len = spec.prefix === 'fixed' ? spec.length : int(r, 0, r() < 0.9 ? Math.min(spec.length, 40) : spec.length);
  if (spec.kind === 'binary') return bytes(r, len);
  if (spec.kind === 'amount') return (r() < 0.5 ? 'C' : 'D') + chars(r, DIGIT_CHARS, Math.max(len, 1) - 1);
  return chars(r, ALPHABETS[spec.kind], len);
}

export function fieldNumbers(d: Dialect): number[] {
  return Object.keys(d.spec.fields).map(Number);
}

/** A random valid message: a random MTI and a random subset of the dialect's fields. */
export function randomMessage(d: Dialect, r: Rng, density = 0.15): IsoMessage {
  const m: IsoMessage = { 0: chars(r, DIGIT_CHARS, 4) };
  for (const n of fieldNumbers(d)) if (r() < density) m[n] = randomValue(d.field(n)!, r);
  return m;
}

/** Field-for-field equality of two messages, fast enough for 100,000 comparisons. */
export function sameMessage(a: IsoMessage, b: IsoMessage): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const x = a[Number(k)];
    const y = b[Number(k)];
    if (Buffer.isBuffer(x) ? !(Buffer.isBuffer(y) && x.equals(y)) : x !== y) return false;
  }
  return true;
}
