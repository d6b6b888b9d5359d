/**
 * Hostile frames, reproducibly: the same seed gives the same sequence of cases, so a violation
 * is replayed from its seed and case number. Categories:
 *
 * - valid: well-formed requests of several MTIs (purchase, refund, authorization, repeat,
 *   completion, reversal, network management, an MTI the switch does not route);
 * - mutated/<kind>: the same, then damaged: bit flips, a field made longer or shorter, a broken
 *   bitmap, a non-digit in a numeric field, a lying LL/LLL prefix, truncated, trailing bytes,
 *   another MTI (now and then two damages at once);
 * - random-bytes: a well-framed body of random bytes (half of them behind a valid MTI, so the
 *   bitmap and fields get parsed too);
 * - huge-length / bad-header: a length header above the listener's maximum, or not a number;
 * - keep-alive: zero-length frames, and on TPDU listeners a TPDU without a message;
 * - short-tpdu: a TPDU listener's frame of 1-4 bytes;
 * - stalled: a header that promises more than is sent (or half a header), then nothing;
 * - interleaved: 2-4 frames on as many connections, each cut into pieces written in turn.
 *
 * Each frame carries what the switch must do with it (oracle.ts).
 */
import { prng } from '../../bench/support/prng.js';
import { type CodeSet, codeSetOf } from '../../src/messages/action-codes.js';
import { type Dialect, type FieldSpec, type IsoMessage, type IsoValue, dialect } from '../../src/codec/index.js';
import { writeBcd } from '../../src/codec/bcd.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';
import { PREFIX_DIGITS, prefixSize } from '../../src/codec/prefix.js';
import { HEADER_CAPACITY, TPDU_SIZE, encodeFrame, headerSize } from '../../src/transport/framing.js';
import { type Expectation, expectWholeFrame } from './oracle.js';
import { FUZZ_TARGETS, type FuzzTarget } from './targets.js';

export type Rng = () => number;

export interface FuzzFrame {
  target: FuzzTarget;
  /** Everything written: length header, TPDU, message (or less, when stalled). */
  bytes: Buffer;
  expect: Expectation;
  /** Offsets where the bytes are cut into separate writes; empty: one write. */
  cuts: number[];
}

export interface FuzzCase {
  /** 0, 1, 2...: with the seed, all it takes to make this case again. */
  index: number;
  category: string;
  /** One frame, except for interleaved cases. */
  frames: FuzzFrame[];
}

export const MUTATIONS = [
  'bit-flip',
  'field-length',
  'bitmap',
  'non-digit',
  'lying-prefix',
  'truncated',
  'trailing',
  'mti',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Relative weights of the categories; stalled cases each hold a connection for the frame timeout, so they are rare. */
const WEIGHTS: [string, number][] = [
  ['valid', 5],
  ['mutated', 56],
  ['random-bytes', 15],
  ['huge-length', 4],
  ['bad-header', 2],
  ['keep-alive', 5],
  ['short-tpdu', 1],
  ['stalled', 0.25],
  ['interleaved', 8],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0);

const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const ALPHABET: Record<Exclude<FieldSpec['kind'], 'binary' | 'amount'>, string> = {
  numeric: DIGITS,
  alpha: LETTERS + ' ',
  alphanumeric: LETTERS + DIGITS + ' ',
  ans: PRINTABLE,
  track: DIGITS + '=',
};

function chars(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[(r() * alphabet.length) | 0];
  return s;
}

/** A value its field accepts: full length when fixed; when variable, mostly short, now and then up to its maximum. */
function randomValue(r: Rng, spec: FieldSpec): IsoValue {
  const len = spec.prefix === 'fixed' ? spec.length : int(r, 1, r() < 0.05 ? spec.length : Math.min(spec.length, 24));
  if (spec.kind === 'binary') return randomBytes(r, len);
  if (spec.kind === 'amount') return pick(r, ['C', 'D']) + chars(r, DIGITS, Math.max(len, 2) - 1);
  return chars(r, ALPHABET[spec.kind], len);
}

/**
 * Card numbers no register holds (Luhn-valid, so the switch does ask the register; none is
 * registered, so no fuzzed request reserves or posts anything), and a few terminals.
 */
const PANS = ['501999000000001', '501999000000002', '457199000000003', '501999000000004'].map(
  (body) => body + luhnCheckDigit(body),
);
const TERMINALS = ['FUZZ0001', 'FUZZ0002', 'FUZZ0003', 'FUZZ0004'];

interface Template {
  mti: string;
  fields: number[];
  optional?: number[];
  /** Values that make the request what it is (processing code, function code...). */
  set?: (r: Rng) => IsoMessage;
}

const PURCHASE_93 = [2, 3, 4, 7, 11, 12, 22, 24, 26, 32, 37, 41, 42, 49];
const PURCHASE_87 = [2, 3, 4, 7, 11, 12, 13, 22, 32, 37, 41, 42, 49];
const CARD_EXTRAS = [14, 35, 48, 52, 55];

/** Requests of each kind the switch routes, and one it does not, in 1993 and 1987 MTIs. */
const TEMPLATES: Record<CodeSet, Template[]> = {
  iso93: [
    { mti: '1200', fields: PURCHASE_93, optional: CARD_EXTRAS, set: () => ({ 3: '000000', 24: '200' }) },
    { mti: '1200', fields: PURCHASE_93, optional: CARD_EXTRAS, set: () => ({ 3: '200000', 24: '200' }) },
    { mti: '1100', fields: PURCHASE_93, optional: CARD_EXTRAS, set: () => ({ 3: '000000', 24: '100' }) },
    { mti: '1201', fields: PURCHASE_93, optional: CARD_EXTRAS, set: () => ({ 3: '000000', 24: '200' }) },
    {
      mti: '1220',
      fields: [2, 3, 4, 7, 11, 12, 24, 25, 32, 41, 42, 49, 56],
      set: (r) => ({ 3: '000000', 24: '201', 56: `1100${chars(r, DIGITS, 18)}` }),
    },
    {
      mti: '1420',
      fields: [2, 3, 4, 7, 11, 12, 24, 25, 32, 41, 49, 56],
      set: (r) => ({ 3: '000000', 24: '400', 25: '4021', 56: `1200${chars(r, DIGITS, 18)}` }),
    },
    { mti: '1804', fields: [7, 11, 24, 41], set: (r) => ({ 24: pick(r, ['801', '802', '831']) }) },
    { mti: '1304', fields: [7, 11, 41] },
  ],
  iso87: [
    { mti: '0200', fields: PURCHASE_87, optional: CARD_EXTRAS, set: () => ({ 3: '000000' }) },
    { mti: '0200', fields: PURCHASE_87, optional: CARD_EXTRAS, set: () => ({ 3: '200000' }) },
    { mti: '0100', fields: PURCHASE_87, optional: CARD_EXTRAS, set: () => ({ 3: '000000' }) },
    { mti: '0201', fields: PURCHASE_87, optional: CARD_EXTRAS, set: () => ({ 3: '000000' }) },
    {
      mti: '0220',
      fields: [2, 3, 4, 7, 11, 12, 13, 32, 41, 42, 49, 56],
      set: (r) => ({ 3: '000000', 56: `0100${chars(r, DIGITS, 18)}` }),
    },
    {
      mti: '0420',
      fields: [2, 3, 4, 7, 11, 12, 13, 32, 41, 49, 56],
      set: (r) => ({ 3: '000000', 56: `0200${chars(r, DIGITS, 18)}` }),
    },
    { mti: '0800', fields: [7, 11, 70], optional: [41], set: (r) => ({ 70: pick(r, ['001', '002', '301']) }) },
    { mti: '0300', fields: [7, 11, 41] },
  ],
};

/** A well-formed request: a template's fields with random valid values, a known currency, one of a few PANs and terminals. */
export function validMessage(r: Rng, d: Dialect): IsoMessage {
  const template = pick(r, TEMPLATES[codeSetOf(d)]);
  const m: IsoMessage = { 0: template.mti };
  const numbers = [...template.fields, ...(template.optional ?? []).filter(() => r() < 0.3)];
  for (const n of numbers) m[n] = randomValue(r, d.field(n)!);
  const pan = pick(r, PANS);
  if (m[2] !== undefined) m[2] = pan;
  if (m[35] !== undefined) m[35] = `${pan}=3012101${chars(r, DIGITS, 8)}`;
  if (m[41] !== undefined) m[41] = pick(r, TERMINALS);
  if (m[49] !== undefined) m[49] = '208';
  return Object.assign(m, template.set?.(r));
}

export class FrameGenerator {
  private readonly r: Rng;
  private index = 0;

  constructor(
    readonly seed: number,
    private readonly targets: readonly FuzzTarget[] = FUZZ_TARGETS,
  ) {
    this.r = prng(seed);
  }

  next(): FuzzCase {
    // Most cases make (and catch) an Iso8583Error or two in the codec; their stacks are never
    // read, and capturing them was a third of the generator's time.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.make();
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  private make(): FuzzCase {
    const index = this.index++;
    let roll = this.r() * TOTAL_WEIGHT;
    const kind = WEIGHTS.find(([, w]) => (roll -= w) < 0)?.[0] ?? 'mutated';
    const target = pick(this.r, this.targets);
    if (kind === 'interleaved') return { index, category: kind, frames: this.interleaved() };
    const [category, frame] = this.frameOf(kind, target);
    return { index, category, frames: [frame] };
  }

  private frameOf(kind: string, target: FuzzTarget): [string, FuzzFrame] {
    const r = this.r;
    const d = dialect(target.dialect);
    switch (kind) {
      case 'valid':
        return [kind, this.whole(target, d.pack(validMessage(r, d)))];
      case 'mutated': {
        const mutation = pick(r, MUTATIONS);
        let body = mutate(r, d, d.pack(validMessage(r, d)), mutation);
        // Now and then a second damage on top of the first.
        if (r() < 0.15) body = mutate(r, d, body, pick(r, MUTATIONS));
        return [`mutated/${mutation}`, this.whole(target, body)];
      }
      case 'random-bytes':
        return [kind, this.whole(target, this.randomBody(d))];
      case 'huge-length':
        return [kind, this.huge(target)];
      case 'bad-header':
        // A binary2 header is a number whatever its bytes: there it is a huge length instead.
        return target.framing.header === 'binary2'
          ? ['huge-length', this.huge(target)]
          : [kind, this.badHeader(target)];
      case 'keep-alive':
        return [kind, this.keepAlive(target)];
      case 'short-tpdu': {
        const withTpdu = this.targets.find((t) => t.framing.tpdu);
        if (withTpdu === undefined) return [kind, this.keepAlive(target)];
        const frame = randomBytes(r, int(r, 1, TPDU_SIZE - 1));
        return [
          kind,
          {
            target: withTpdu,
            bytes: Buffer.concat([header(withTpdu, frame.length), frame]),
            expect: { kind: 'close' },
            cuts: [],
          },
        ];
      }
      default:
        return ['stalled', this.stalled(target)];
    }
  }

  /**
   * A body framed as the target wants it (TPDU included), with what the switch must do with it.
   * A body too long for the listener is cut to its maximum: a truncated message, judged as such.
   */
  private whole(target: FuzzTarget, body: Buffer): FuzzFrame {
    const tpdu = target.framing.tpdu ? randomBytes(this.r, TPDU_SIZE) : undefined;
    const room = target.framing.maxFrameSize - (tpdu?.length ?? 0);
    const bytes = encodeFrame(target.framing, body.length > room ? body.subarray(0, room) : body, tpdu);
    return {
      target,
      bytes,
      expect: expectWholeFrame(target, bytes.subarray(headerSize(target.framing.header))),
      cuts: [],
    };
  }

  private randomBody(d: Dialect): Buffer {
    const r = this.r;
    const noise = randomBytes(r, int(r, 1, 600));
    if (r() < 0.5) return noise;
    // Behind a valid MTI, so that the bitmap and the fields are what gets parsed.
    const mti = d
      .pack({ 0: pick(r, ['1200', '1100', '1804', '0200', '0800', '1420']) })
      .subarray(0, d.spec.mti.encoding === 'bcd' ? 2 : 4);
    return Buffer.concat([mti, noise]);
  }

  private huge(target: FuzzTarget): FuzzFrame {
    const r = this.r;
    const { header: kind, maxFrameSize } = target.framing;
    const len = int(r, maxFrameSize + 1, HEADER_CAPACITY[kind]);
    return {
      target,
      bytes: Buffer.concat([header(target, len), randomBytes(r, int(r, 0, 64))]),
      expect: { kind: 'close' },
      cuts: [],
    };
  }

  /** An ascii4 header with a non-digit, or a bcd2 header with a nibble above 9. */
  private badHeader(target: FuzzTarget): FuzzFrame {
    const r = this.r;
    const h = header(target, int(r, 1, target.framing.maxFrameSize));
    const at = int(r, 0, h.length - 1);
    if (target.framing.header === 'ascii4') h[at] = pick(r, [0x20, 0x2f, 0x3a, 0x41, 0x61, 0x00, 0xff, 0x2d]);
    else h[at] = r() < 0.5 ? (h[at]! & 0x0f) | (int(r, 10, 15) << 4) : (h[at]! & 0xf0) | int(r, 10, 15);
    return { target, bytes: Buffer.concat([h, randomBytes(r, int(r, 0, 64))]), expect: { kind: 'close' }, cuts: [] };
  }

  private keepAlive(target: FuzzTarget): FuzzFrame {
    if (target.framing.tpdu && this.r() < 0.3) {
      const tpdu = randomBytes(this.r, TPDU_SIZE);
      return { target, bytes: Buffer.concat([header(target, TPDU_SIZE), tpdu]), expect: { kind: 'ignored' }, cuts: [] };
    }
    return { target, bytes: header(target, 0), expect: { kind: 'ignored' }, cuts: [] };
  }

  /** Half a header, or a header and less than it announces; the switch must wait, then time out. */
  private stalled(target: FuzzTarget): FuzzFrame {
    const r = this.r;
    const size = headerSize(target.framing.header);
    if (r() < 0.2)
      return {
        target,
        bytes: header(target, int(r, 1, 600)).subarray(0, int(r, 1, size - 1)),
        expect: { kind: 'stalled' },
        cuts: [],
      };
    const d = dialect(target.dialect);
    const full = this.whole(target, r() < 0.5 ? d.pack(validMessage(r, d)) : this.randomBody(d)).bytes;
    return { target, bytes: full.subarray(0, int(r, size, full.length - 1)), expect: { kind: 'stalled' }, cuts: [] };
  }

  private interleaved(): FuzzFrame[] {
    const r = this.r;
    return Array.from({ length: int(r, 2, 4) }, () => {
      const [, frame] = this.frameOf(
        pick(r, ['valid', 'mutated', 'mutated', 'random-bytes', 'keep-alive']),
        pick(r, this.targets),
      );
      const cuts = Array.from({ length: int(r, 1, 5) }, () => int(r, 1, frame.bytes.length - 1))
        .filter((c) => c > 0 && c < frame.bytes.length)
        .sort((a, b) => a - b);
      return { ...frame, cuts: [...new Set(cuts)] };
    });
  }
}

/** A length header of the target's kind announcing `len` (which may exceed the maximum). */
export function header(target: FuzzTarget, len: number): Buffer {
  const kind = target.framing.header;
  if (kind === 'binary2') return Buffer.from([len >> 8, len & 0xff]);
  const digits = String(len).padStart(4, '0');
  if (kind === 'ascii4') return Buffer.from(digits, 'latin1');
  const out = Buffer.alloc(2);
  writeBcd(digits, out, 0, 'right');
  return out;
}

/** Damages a well-formed message in one way; its field layout says where each field lies. */
export function mutate(r: Rng, d: Dialect, body: Buffer, mutation: Mutation): Buffer {
  const layout: { field: number; start: number; end: number }[] = [];
  d.unpackPartial(body, layout);
  const mtiSize = d.spec.mti.encoding === 'bcd' ? 2 : 4;
  const b = Buffer.from(body);
  // A body already damaged (a second mutation) may have no readable field left to aim at.
  if (layout.length === 0 && FIELD_MUTATIONS.has(mutation)) mutation = 'bit-flip';
  switch (mutation) {
    case 'bit-flip':
      for (let i = int(r, 1, 6); i > 0; i--) b[int(r, 0, b.length - 1)]! ^= 1 << int(r, 0, 7);
      return b;
    case 'field-length':
      return fieldLength(r, d, b, layout);
    case 'bitmap':
      return bitmap(r, d, b, mtiSize, layout[0]?.start ?? b.length);
    case 'non-digit':
      return nonDigit(r, d, b, layout);
    case 'lying-prefix':
      return lyingPrefix(r, d, b, layout);
    case 'truncated':
      return b.subarray(0, int(r, 1, b.length - 1));
    case 'trailing':
      return Buffer.concat([b, randomBytes(r, int(r, 1, 40))]);
    case 'mti':
      return mti(r, d, b);
  }
}

const FIELD_MUTATIONS = new Set<Mutation>(['field-length', 'bitmap', 'non-digit', 'lying-prefix']);

type Layout = { field: number; start: number; end: number }[];

/** Bytes taken out of a field or put into it: every later field shifts. */
function fieldLength(r: Rng, d: Dialect, b: Buffer, layout: Layout): Buffer {
  const f = pick(r, layout);
  if (r() < 0.5 && f.end - f.start > 1) {
    const at = int(r, f.start, f.end - 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(f.end, at + int(r, 1, 3)))]);
  }
  const spec = d.field(f.field)!;
  const extra =
    spec.kind === 'binary'
      ? randomBytes(r, int(r, 1, 3))
      : Buffer.from(chars(r, spec.kind === 'numeric' ? DIGITS : PRINTABLE, int(r, 1, 3)), 'latin1');
  const at = int(r, f.start, f.end);
  return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
}

/** Bits flipped in the bitmap (the secondary-bitmap bit now and then), or a non-hex character in a hex one. */
function bitmap(r: Rng, d: Dialect, b: Buffer, from: number, to: number): Buffer {
  if (d.spec.bitmap.encoding === 'hex') {
    const at = int(r, from, to - 1);
    b[at] = r() < 0.3 ? pick(r, [0x47, 0x67, 0x20, 0x00, 0x2f, 0x3a]) : '0123456789ABCDEF'.charCodeAt(int(r, 0, 15));
    if (r() < 0.2) b[from] = r() < 0.5 ? 0x38 : 0x46; // '8'/'F': a secondary bitmap announced
    return b;
  }
  for (let i = int(r, 1, 3); i > 0; i--) b[int(r, from, to - 1)]! ^= 1 << int(r, 0, 7);
  if (r() < 0.2) b[from]! |= 0x80;
  return b;
}

/** A numeric field's character made a non-digit (ASCII), or one of its nibbles made A-F (BCD). */
function nonDigit(r: Rng, d: Dialect, b: Buffer, layout: Layout): Buffer {
  const numeric = layout.filter((f) => d.field(f.field)?.kind === 'numeric');
  if (numeric.length === 0) return mti(r, d, b);
  const f = pick(r, numeric);
  const spec = d.field(f.field)!;
  const dataStart = f.start + prefixSize(spec.prefix, spec.prefixEncoding);
  if (dataStart >= f.end) return mti(r, d, b);
  const at = int(r, dataStart, f.end - 1);
  if (spec.encoding === 'bcd')
    b[at] = r() < 0.5 ? (b[at]! & 0x0f) | (int(r, 10, 15) << 4) : (b[at]! & 0xf0) | int(r, 10, 15);
  else b[at] = pick(r, [0x20, 0x41, 0x7a, 0x2e, 0x2d, 0x00, 0x0a, 0x7f, 0xc6, 0xff]);
  return b;
}

/** A variable field's length prefix overwritten: near the truth, anywhere up to its capacity, or not a number. */
function lyingPrefix(r: Rng, d: Dialect, b: Buffer, layout: Layout): Buffer {
  const variable = layout.filter((f) => d.field(f.field)!.prefix !== 'fixed');
  if (variable.length === 0) return Buffer.concat([b, randomBytes(r, int(r, 1, 8))]);
  const f = pick(r, variable);
  const spec = d.field(f.field)!;
  const digits = PREFIX_DIGITS[spec.prefix];
  const size = prefixSize(spec.prefix, spec.prefixEncoding);
  if (r() < 0.1) {
    b[f.start + int(r, 0, size - 1)] = spec.prefixEncoding === 'bcd' ? 0xaf : 0x41;
    return b;
  }
  const capacity = spec.prefixEncoding === 'binary' ? (digits <= 2 ? 0xff : 0xffff) : 10 ** digits - 1;
  const len =
    r() < 0.5
      ? Math.max(0, Math.min(capacity, f.end - f.start - size + pick(r, [-3, -2, -1, 1, 2, 3])))
      : int(r, 0, capacity);
  const text = String(len).padStart(digits, '0');
  if (spec.prefixEncoding === 'ascii') b.write(text, f.start, 'latin1');
  else if (spec.prefixEncoding === 'bcd') writeBcd(text, b, f.start, 'left');
  else if (size === 1) b[f.start] = len;
  else b.writeUInt16BE(len, f.start);
  return b;
}

/** Another MTI: four random digits (a response, an unknown request, another kind), or not digits at all. */
function mti(r: Rng, d: Dialect, b: Buffer): Buffer {
  const bcd = d.spec.mti.encoding === 'bcd';
  if (r() < 0.2) {
    b[int(r, 0, bcd ? 1 : 3)] = bcd ? 0xfa : pick(r, [0x41, 0x20, 0x00, 0xff]);
    return b;
  }
  const digits = chars(r, DIGITS, 4);
  if (bcd) writeBcd(digits, b, 0, 'right');
  else b.write(digits, 0, 'latin1');
  return b;
}
