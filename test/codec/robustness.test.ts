import t from 'tap';
import { Iso8583Error, SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import type { Dialect } from '../../src/codec/index.js';
import { type Rng, bytes, int, randomMessage, rng } from '../support/random.js';

const BUFFERS = 100_000;

/** Ways to break a valid message, each aimed at one part of the decoder. */
const MUTATIONS: Record<string, (b: Buffer, r: Rng, d: Dialect) => Buffer> = {
  truncated: (b, r) => b.subarray(0, int(r, 0, b.length - 1)),
  flippedBits: (b, r) => {
    const c = Buffer.from(b);
    for (let i = int(r, 1, 4); i > 0; i--) c[int(r, 0, c.length - 1)]! ^= 1 << int(r, 0, 7);
    return c;
  },
  // Overwrite a few bytes with digits: in ASCII dialects this rewrites length prefixes to lie.
  lyingDigits: (b, r) => {
    const c = Buffer.from(b);
    const at = int(r, 0, c.length - 1);
    for (let i = at; i < Math.min(c.length, at + 3); i++) c[i] = 0x30 + int(r, 0, 9);
    return c;
  },
  // Set bitmap bits for fields that are not there.
  bitmapAnnouncesAbsent: (b, r, d) => {
    const c = Buffer.from(b);
    const mtiSize = d.spec.mti.encoding === 'bcd' ? 2 : 4;
    const bitmapBytes = d.spec.bitmap.encoding === 'hex' ? 16 : 8;
    const at = mtiSize + int(r, 0, bitmapBytes - 1);
    c[at] = d.spec.bitmap.encoding === 'hex' ? '0123456789ABCDEF'.charCodeAt(int(r, 0, 15)) : int(r, 0, 255);
    return c;
  },
  trailingGarbage: (b, r) => Buffer.concat([b, bytes(r, int(r, 1, 20))]),
  randomBytes: (_b, r) => bytes(r, int(r, 0, 300)),
  hugeLengthPrefix: (b, r) => {
    const c = Buffer.from(b);
    c.fill(0x39, int(r, 0, c.length - 1), undefined);
    return c;
  },
};

t.test(
  `${BUFFERS.toLocaleString('en')} random and mutated buffers per dialect: unpacked or a typed error, nothing else`,
  async (t) => {
    const names = Object.keys(MUTATIONS);
    for (const name of SHIPPED_DIALECTS) {
      const d = dialect(name);
      const r = rng(8583);
      const outcomes = { unpacked: 0, typedError: 0, otherError: 0, leakedPan: 0 };
      for (let i = 0; i < BUFFERS; i++) {
        const message = randomMessage(d, r, 0.1);
        message[2] = '5019' + String(int(r, 100000000000, 999999999999));
        const mutate = MUTATIONS[names[i % names.length]!]!;
        try {
          d.unpack(mutate(d.pack(message), r, d));
          outcomes.unpacked++;
        } catch (e) {
          if (e instanceof Iso8583Error) outcomes.typedError++;
          else outcomes.otherError++;
          if (String((e as Error).message).includes(message[2] as string)) outcomes.leakedPan++;
        }
      }
      t.equal(outcomes.otherError, 0, `${name}: no exception other than Iso8583Error`);
      t.equal(outcomes.leakedPan, 0, `${name}: no error message carries the PAN`);
      t.equal(outcomes.unpacked + outcomes.typedError, BUFFERS, `${name}: every buffer accounted for`);
      t.ok(
        outcomes.typedError > BUFFERS / 2,
        `${name}: most mutations are caught (${outcomes.typedError} typed errors)`,
      );
    }
  },
);
