import t from 'tap';
import { SHIPPED_DIALECTS, dialect, loadDialect } from '../../src/codec/index.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { fieldNumbers, randomMessage, randomValue, rng, sameMessage } from '../support/random.js';

const MESSAGES = 100_000;

t.test('every field of every dialect round-trips at its maximum, minimum and a random length', async (t) => {
  for (const name of SHIPPED_DIALECTS) {
    const d = dialect(name);
    const r = rng(42);
    const failing: number[] = [];
    for (const n of fieldNumbers(d)) {
      const spec = d.field(n)!;
      for (const len of [spec.length, spec.prefix === 'fixed' ? spec.length : 0, -1]) {
        const value = randomValue(len < 0 ? spec : { ...spec, length: len, prefix: spec.prefix }, r);
        const m: IsoMessage = { 0: '1200', [n]: value };
        if (!sameMessage(d.unpack(d.pack(m)), m)) failing.push(n);
      }
    }
    t.same(failing, [], `${name}: all ${fieldNumbers(d).length} fields`);
  }
});

t.test(
  `${MESSAGES.toLocaleString('en')} random valid messages per dialect: pack -> unpack -> equal (seeded)`,
  async (t) => {
    for (const name of SHIPPED_DIALECTS) {
      const d = dialect(name);
      const seed = 20261121;
      const r = rng(seed);
      let failures = 0;
      let first = -1;
      for (let i = 0; i < MESSAGES; i++) {
        const m = randomMessage(d, r, i % 100 === 0 ? 0.6 : 0.12);
        if (!sameMessage(d.unpack(d.pack(m)), m)) {
          failures++;
          if (first < 0) first = i;
        }
      }
      t.equal(failures, 0, `${name}: no failures (seed ${seed}, first failing case ${first})`);
    }
  },
);

t.test('short values in padded fixed fields are padded the layout way', async (t) => {
  const d = dialect('iso93ascii');
  const m = d.unpack(d.pack({ 0: '1200', 4: '12500', 41: 'T1', 97: 'D15' }));
  t.equal(m[4], '000000012500', 'numeric: zeros on the left');
  t.equal(m[41], 'T1      ', 'text: spaces on the right');
  t.equal(m[97], 'D0000000000000015', 'amount: zeros between sign and digits');
  const b = dialect('iso93binary');
  t.equal(b.unpack(b.pack({ 0: '1100', 24: '100', 3: '0' }))[3], '000000');
});

t.test('values the packer is given undefined are left out; the bitmap is computed, not taken', async (t) => {
  const d = dialect('iso93ascii');
  const packed = d.pack({ 0: '1804', 1: 'ignored', 11: '000001', 24: '831', 41: undefined } as unknown as IsoMessage);
  t.same(d.unpack(packed), { 0: '1804', 11: '000001', 24: '831' });
  t.equal(packed.subarray(4, 20).toString('latin1'), '0020010000000000', 'bits 11 and 24, no secondary');
});

t.test('a message larger than the first scratch buffer packs whole', async (t) => {
  const d = dialect('iso93ascii');
  const big: IsoMessage = { 0: '1200' };
  for (const n of [48, 60, 61, 62, 63, 72, 111, 112, 113, 114, 115]) big[n] = 'x'.repeat(999);
  t.same(d.unpack(d.pack(big)), big);
});

t.test('custom dialects: binary length prefixes, BCD LLLL prefixes and left-aligned BCD round-trip', async (t) => {
  const base = dialect('iso93binary').toJSON();
  const custom = loadDialect({
    ...base,
    name: 'custom',
    fields: {
      ...base.fields,
      44: {
        name: 'L binary prefix',
        kind: 'ans',
        length: 200,
        prefix: 'L',
        prefixEncoding: 'binary',
        encoding: 'ascii',
      },
      48: {
        name: 'LLL binary prefix',
        kind: 'ans',
        length: 999,
        prefix: 'LLL',
        prefixEncoding: 'binary',
        encoding: 'ascii',
      },
      62: {
        name: 'LLLL BCD prefix',
        kind: 'binary',
        length: 9999,
        prefix: 'LLLL',
        prefixEncoding: 'bcd',
        encoding: 'hex',
      },
      32: {
        name: 'LL numeric, BCD right-aligned',
        kind: 'numeric',
        length: 11,
        prefix: 'LL',
        prefixEncoding: 'bcd',
        encoding: 'bcd',
        nibblePad: 'left',
      },
    },
  });
  const m: IsoMessage = {
    0: '1100',
    32: '12345',
    44: 'x'.repeat(200),
    48: 'y'.repeat(999),
    62: Buffer.alloc(1200, 0xab),
  };
  const packed = custom.pack(m);
  t.same(custom.unpack(packed), m);
  t.equal(packed.subarray(10, 14).toString('hex'), '05012345', 'field 32: count 05 then 0x01 0x23 0x45');
  t.equal(packed[14], 200, 'field 44: one binary length byte');
});

t.test('unpackPartial keeps the fields read before the error, and the error', async (t) => {
  const d = dialect('iso93ascii');
  const packed = d.pack({ 0: '1200', 3: '000000', 11: '000042', 41: 'TERM0001' });
  const broken = Buffer.concat([packed.subarray(0, packed.length - 3)]);
  const { message, error } = d.unpackPartial(broken);
  t.same(message, { 0: '1200', 3: '000000', 11: '000042' });
  t.match(error, { name: 'Iso8583Error', field: 41, mti: '1200' });
  t.same(d.unpackPartial(packed), { message: d.unpack(packed), error: undefined });
  const noMti = d.unpackPartial(Buffer.from('12'));
  t.same(noMti.message, {});
  t.match(noMti.error, { field: 0, mti: undefined });
});
