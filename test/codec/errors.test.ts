import t from 'tap';
import { type Iso8583Error, dialect, loadDialect } from '../../src/codec/index.js';
import type { IsoMessage } from '../../src/codec/index.js';

const d = dialect('iso93ascii');
const PAN = '5019123456789012';
const purchase: IsoMessage = {
  0: '1200',
  2: PAN,
  3: '000000',
  4: '000000012500',
  7: '1121101530',
  11: '000123',
  12: '261121101530',
  14: '2812',
  35: `${PAN}=2812101`,
};

t.test('an unpack error names the field, the byte offset, the reason and the MTI', async (t) => {
  const bytes = d.pack(purchase);
  // Field 35 starts at offset 88: MTI 4 + bitmap 16 + fields 2 (18), 3 (6), 4 (12), 7 (10), 11 (6), 12 (12), 14 (4).
  bytes.write('41', 88, 'latin1');
  const err = t.throws(() => d.unpack(bytes)) as Iso8583Error;
  t.equal(err.message, 'field 35: length 41 exceeds max 37 at offset 88 (MTI 1200)');
  t.match(err, { name: 'Iso8583Error', field: 35, offset: 88, mti: '1200', reason: 'length 41 exceeds max 37' });
  t.same(JSON.parse(JSON.stringify(err)), {
    name: 'Iso8583Error',
    message: err.message,
    reason: err.reason,
    field: 35,
    offset: 88,
    mti: '1200',
  });
});

t.test('packing invalid values throws the same error, naming the field and never the value', async (t) => {
  // Offsets: field 4 starts at 44; a field after 35 at 114 (130 when field 97 brings the secondary bitmap).
  const cases: [IsoMessage, string][] = [
    [{ ...purchase, 4: '12a' }, 'field 4: non-digit character at position 2 at offset 44 (MTI 1200)'],
    [{ ...purchase, 2: PAN + '1234' }, 'field 2: length 20 exceeds max 19 at offset 20 (MTI 1200)'],
    [{ ...purchase, 2: PAN + 'X' }, 'field 2: non-digit character at position 16 at offset 20 (MTI 1200)'],
    [{ ...purchase, 52: Buffer.alloc(7) }, 'field 52: length 7, expected 8 at offset 114 (MTI 1200)'],
    [
      { ...purchase, 52: 'ABCDEF0123456789' },
      'field 52: expected binary data (a Buffer), got a string at offset 114 (MTI 1200)',
    ],
    [{ ...purchase, 4: Buffer.from('12') }, 'field 4: expected a string, got binary data at offset 44 (MTI 1200)'],
    [{ ...purchase, 35: `${PAN}=28\n12` }, 'field 35: control character at position 19 at offset 88 (MTI 1200)'],
    [{ ...purchase, 97: 'X12' }, 'field 97: amount must start with C or D at offset 130 (MTI 1200)'],
    [{ ...purchase, 41: 'TERMINAL9' }, 'field 41: length 9 exceeds max 8 at offset 114 (MTI 1200)'],
    [{ ...purchase, 43: 'Café ☕' }, 'field 43: control character at position 5 at offset 114 (MTI 1200)'],
    [{ ...purchase, 0: '12X0' }, 'field 0: MTI must be 4 digits at offset 0'],
  ];
  for (const [message, expected] of cases) {
    const err = t.throws(() => d.pack(message), { name: 'Iso8583Error' }) as Error;
    t.equal(err.message, expected);
    t.notMatch(err.message, PAN.slice(6), 'no card digits in the message');
  }
  const narrow = loadDialect({ ...d.toJSON(), name: 'narrow', fields: { 3: d.field(3)! } });
  t.throws(() => narrow.pack({ 0: '1200', 3: '000000', 97: 'C1' }), {
    message: 'field 97: not defined in dialect narrow (MTI 1200)',
  });
  const withExtras = { ...purchase, 200: 'x', foo: 'x' } as IsoMessage;
  t.same(d.pack(withExtras), d.pack(purchase), 'keys that are not field numbers 0-128 are not looked at');
  const noSign = dialect('iso87ascii');
  t.throws(() => noSign.pack({ 0: '0200', 28: '' }), {
    message: 'field 28: amount must start with C or D at offset 20 (MTI 0200)',
  });
});

t.test('unpack errors for each way a message can be broken', async (t) => {
  const good = d.pack(purchase);
  const at = (b: Buffer, offset: number, text: string): Buffer => {
    const c = Buffer.from(b);
    c.write(text, offset, 'latin1');
    return c;
  };
  const cases: [Buffer, RegExp | string][] = [
    [Buffer.from('12'), 'field 0: MTI needs 4 bytes, only 2 left at offset 0'],
    [at(good, 0, '1x00'), 'field 0: MTI must be 4 digits at offset 0'],
    [good.subarray(0, 10), 'field 1: bitmap needs 16 bytes, only 6 left at offset 4 (MTI 1200)'],
    [at(good, 4, 'Z'), 'field 1: bitmap is not hexadecimal at offset 4 (MTI 1200)'],
    [at(good, 20, 'xx'), 'field 2: length prefix is not a number at offset 20 (MTI 1200)'],
    [good.subarray(0, 21), 'field 2: length prefix needs 2 bytes, only 1 left at offset 20 (MTI 1200)'],
    [good.subarray(0, 30), 'field 2: needs 16 bytes, only 8 left at offset 22 (MTI 1200)'],
    [at(good, 46, 'A'), 'field 4: non-digit character at position 2 at offset 46 (MTI 1200)'],
    [Buffer.concat([good, Buffer.from('zz')]), '2 bytes left after the last field at offset 114 (MTI 1200)'],
  ];
  for (const [bytes, expected] of cases) {
    const err = t.throws(() => d.unpack(bytes), { name: 'Iso8583Error' }) as Error;
    t.equal(err.message, expected);
  }
  const withPin = d.pack({ 0: '1200', 52: Buffer.from('0123456789abcdef', 'hex') });
  t.throws(() => d.unpack(at(withPin, 20, 'G')), {
    message: 'field 52: invalid hex character at offset 20 (MTI 1200)',
  });
});

t.test('binary dialect: invalid BCD, amount signs, and fields the dialect does not define', async (t) => {
  const b = dialect('iso93binary');
  const packed = b.pack({ 0: '1100', 3: '000000', 97: 'C15' });
  const badBcd = Buffer.from(packed);
  badBcd[18] = 0xab; // first byte of field 3
  t.throws(() => b.unpack(badBcd), { message: 'field 3: invalid BCD digit at offset 18 (MTI 1100)' });
  const badSign = Buffer.from(packed);
  badSign[21] = 0x58; // field 97's sign
  t.throws(() => b.unpack(badSign), { message: 'field 97: amount must start with C or D at offset 21 (MTI 1100)' });
  t.throws(() => b.unpack(Buffer.from([0x1a, 0x00])), { message: 'field 0: MTI must be 4 digits at offset 0' });
  const narrow = loadDialect({ ...b.toJSON(), name: 'narrow', fields: { 3: b.field(3)! } });
  t.throws(() => narrow.unpack(packed), {
    message: 'field 97: bitmap announces a field not defined in dialect narrow at offset 21 (MTI 1100)',
  });
});

t.test('a BCD filler nibble may be F, as some senders write it', async (t) => {
  const b = dialect('iso93binary');
  // Field 24 (n3) "831": 0x83 0x1F instead of 0x83 0x10.
  const packed = b.pack({ 0: '1804', 24: '831' });
  t.equal(packed.subarray(-2).toString('hex'), '8310');
  packed[packed.length - 1] = 0x1f;
  t.equal(b.unpack(packed)[24], '831');
  packed[packed.length - 1] = 0xf0;
  t.throws(() => b.unpack(packed), { message: /field 24: invalid BCD digit/ });
  const left = loadDialect({ ...b.toJSON(), name: 'left', fields: { 24: { ...b.field(24)!, nibblePad: 'left' } } });
  const l = left.pack({ 0: '1804', 24: '831' });
  t.equal(l.subarray(-2).toString('hex'), '0831');
  l[l.length - 2] = 0xf8;
  t.equal(left.unpack(l)[24], '831');
});
