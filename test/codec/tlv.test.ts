/**
 * BER-TLV (EMV 4.4 Book 3, Annex B). The samples are written byte by byte from the annex's rules,
 * so each expectation can be read off the input: tag bytes, then the length (short form, or 81 /
 * 82 followed by one or two length bytes), then the value.
 */
import t from 'tap';
import { TlvError, decodeTlv, encodeTlv, tlvByTag } from '../../src/codec/tlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('one- and two-byte tags, short-form lengths: a typical field 55', async (t) => {
  // 9F26 (two-byte tag: 9F has all five low bits set) length 08; 82 (one byte) length 02; 9F36 length 02.
  const objects = decodeTlv(hex('9F26 08 1122334455667788  82 02 1800  9F36 02 0021'));
  t.same(
    objects.map((o) => [o.tag, o.value.toString('hex')]),
    [
      ['9F26', '1122334455667788'],
      ['82', '1800'],
      ['9F36', '0021'],
    ],
  );
  t.equal(objects[0]!.children, undefined, 'primitive');
});

t.test('a three-byte tag: a second byte with bit 8 set says another follows', async (t) => {
  const [o] = decodeTlv(hex('DF8101 01 AA'));
  t.equal(o!.tag, 'DF8101');
  t.equal(o!.value.toString('hex'), 'aa');
});

t.test('long-form lengths 81 and 82', async (t) => {
  const v200 = Buffer.alloc(200, 0x5a);
  const v300 = Buffer.alloc(300, 0x33);
  const objects = decodeTlv(Buffer.concat([hex('C1 81 C8'), v200, hex('C2 82 012C'), v300]));
  t.equal(objects[0]!.value.length, 0xc8);
  t.equal(objects[1]!.value.length, 0x012c);
  t.same(encodeTlv([{ tag: 'C1', value: v200 }]).subarray(0, 3), hex('C1 81 C8'), 'encoded in the same form');
  t.same(encodeTlv([{ tag: 'C2', value: v300 }]).subarray(0, 4), hex('C2 82 012C'));
});

t.test('constructed objects: an issuer script template 71 holding 9F18 and 86', async (t) => {
  // 71 has bit 6 (0x20) set: constructed. 9F18 04 (script id) + 86 05 (a command) = 7 + 7 = 14 bytes.
  const data = hex('71 0E 9F18 04 00000001 86 05 8424000000');
  const [script] = decodeTlv(data);
  t.equal(script!.tag, '71');
  t.same(
    script!.children!.map((o) => o.tag),
    ['9F18', '86'],
  );
  t.same(tlvByTag(decodeTlv(data)).get('86'), hex('8424000000'), 'found inside the template');
  t.same(
    encodeTlv([
      {
        tag: '71',
        value: [
          { tag: '9F18', value: hex('00000001') },
          { tag: '86', value: hex('8424000000') },
        ],
      },
    ]),
    data,
    'and encoded back byte for byte',
  );
});

t.test('tlvByTag keeps the first of a tag given twice', async (t) => {
  t.same(tlvByTag(decodeTlv(hex('95 01 01  95 01 02'))).get('95'), hex('01'));
});

t.test('errors name the tag and the byte offset, never the value', async (t) => {
  const cases: [string, RegExp][] = [
    ['9F26 08 11223344', /^tag 9F26: length 8 runs past the end of the data at offset 0$/],
    ['82 02 1800 9F', /^tag runs past the end of the data at offset 4$/],
    ['9F36', /^tag 9F36: no length at offset 2$/],
    ['95 84 00000001', /^tag 95: length byte 84 is not BER at offset 1$/],
    ['95 80', /^tag 95: length byte 80 is not BER at offset 1$/],
    ['95 82 01', /^tag 95: length runs past the end of the data at offset 1$/],
    ['DF818101 01 00', /^tag longer than 3 bytes at offset 0$/],
    ['9F10 02 0000 71 04 9F18 09 00', /^tag 9F18: length 9 runs past the end of the data at offset 7$/],
  ];
  for (const [input, message] of cases) {
    const error = t.throws(() => decodeTlv(hex(input)), TlvError, input) as TlvError;
    t.match(error.message, message, input);
  }
  const secret = t.throws(() => decodeTlv(hex('57 20 4571234567890123D2512'))) as Error;
  t.notMatch(secret.message, /4571/, 'a track 2 equivalent never reaches the message');
});

t.test('encodeTlv refuses what it cannot write', async (t) => {
  t.throws(() => encodeTlv([{ tag: '9G', value: hex('00') }]), /bad tag/);
  t.throws(() => encodeTlv([{ tag: 'DF818101', value: hex('00') }]), /bad tag/);
  t.throws(() => encodeTlv([{ tag: 'C1', value: Buffer.alloc(70_000) }]), /too long/);
});
