/**
 * The parts of message security on their own: the key file's MAC keys and DUKPT vendors, the
 * MAC field and its bytes (field 64 or 128, hex or binary on the wire), the KSN's places, the
 * 16-byte field 52 variant, the emulator's DUKPT counter.
 */
import t from 'tap';
import { TerminalKeys } from '../../src/crypto/terminal-keys.js';
import { dialect, Dialect } from '../../src/codec/index.js';
import { withVariablePinBlock } from '../../src/codec/pin-block-field.js';
import { MessageMacs, macFieldOf, macStatus, packWithMac } from '../../src/authorization/message-mac.js';
import { retailMac } from '../../src/crypto/retail-mac.js';
import { ksnOf } from '../../src/messages/security-data.js';
import { dukptTransaction, DukptError } from '../../src/crypto/dukpt.js';
import { TerminalSecurity, nextCounter } from '../../terminals/security.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const KEY = '0123456789ABCDEFFEDCBA9876543210';
const TDES_BDK = '0123456789ABCDEFFEDCBA9876543210';
const AES_BDK = 'FEDCBA9876543210F1F1F1F1F1F1F1F1';

t.test('key file: macKey and dukpt per terminal, the vendors at the top level', async (t) => {
  const keys = TerminalKeys.fromJson({
    terminals: {
      M: { format: 0, key: KEY, macKey: KEY },
      D: { format: 0, dukpt: 'v-tdes' },
      A: { format: 4, dukpt: 'v-aes', macKey: KEY },
    },
    dukpt: { 'v-tdes': { algorithm: 'tdes', bdk: TDES_BDK }, 'v-aes': { algorithm: 'aes128', bdk: AES_BDK } },
  });
  t.same(keys.keyFor('M').macKey, hex(KEY));
  t.equal(keys.keyFor('M').dukpt, undefined);
  t.match(keys.keyFor('D'), { format: 0, dukpt: { name: 'v-tdes', algorithm: 'tdes', bdk: hex(TDES_BDK) } });
  t.equal(keys.keyFor('D').key.length, 0, 'no fixed key');
  t.match(keys.keyFor('A'), { format: 4, dukpt: { name: 'v-aes', algorithm: 'aes128' } });
  t.equal(keys.keyFor('unknown').macKey, undefined, 'the default has none');

  const bad = (json: unknown, why: RegExp, what: string) =>
    t.throws(() => TerminalKeys.fromJson(json, 'k.json'), why, what);
  bad(
    { terminals: { X: { format: 0 } } },
    /k\.json: .*\/terminals\/X must match exactly one schema in oneOf/,
    'neither key nor dukpt',
  );
  bad(
    { terminals: { X: { format: 0, key: KEY, dukpt: 'v' } }, dukpt: { v: { algorithm: 'tdes', bdk: KEY } } },
    /exactly one/,
    'both',
  );
  bad({ terminals: { X: { format: 0, dukpt: 'nobody' } } }, /DUKPT vendor "nobody" is not listed/, 'an unknown vendor');
  bad(
    { terminals: { X: { format: 4, dukpt: 'v' } }, dukpt: { v: { algorithm: 'tdes', bdk: KEY } } },
    /DUKPT tdes PIN blocks are format 0/,
    'tdes in format 4',
  );
  bad(
    { terminals: { X: { format: 0, dukpt: 'v' } }, dukpt: { v: { algorithm: 'aes128', bdk: KEY } } },
    /DUKPT aes128 PIN blocks are format 4/,
    'aes in format 0',
  );
  bad({ terminals: { X: { format: 0, key: KEY, macKey: 'ABCD' } } }, /macKey must match pattern/, 'a short MAC key');
  bad(
    { dukpt: { v: { algorithm: 'des', bdk: KEY } } },
    /algorithm must be equal to one of the allowed values/,
    'an unknown algorithm',
  );
  try {
    TerminalKeys.fromJson({ terminals: { X: { format: 0, key: KEY, macKey: 'ABCD' } } }, 'k.json');
  } catch (e) {
    t.notMatch((e as Error).message, /0123456789ABCDEF/i, 'no key bytes in the message');
  }
});

t.test('the MAC field: 64 without secondary fields, 128 with; its wire size by dialect', async (t) => {
  t.equal(macFieldOf({ 0: '1200', 11: '000001' }), 64);
  t.equal(macFieldOf({ 0: '1200', 11: '000001', 100: '1' }), 128);
  const keys = TerminalKeys.fromJson({ terminals: { M: { format: 0, key: KEY, macKey: KEY } } });
  for (const name of ['iso93ascii', 'iso93binary', 'iso87ascii']) {
    const d = dialect(name);
    const message = { 0: name === 'iso87ascii' ? '0800' : '1804', 7: '1121101530', 11: '000001', 41: 'M       ' };
    const body = packWithMac(d, message, hex(KEY));
    const wire = name === 'iso93binary' ? 8 : 16;
    const unpacked = d.unpack(body);
    t.same(
      unpacked[64],
      retailMac(hex(KEY), body.subarray(0, body.length - wire)),
      `${name}: field 64 over the bytes before it`,
    );
    t.equal(macStatus(d, body, unpacked, hex(KEY)), 'right');
    t.equal(macStatus(d, body, unpacked, hex(TDES_BDK.replace('0', '1'))), 'wrong', `${name}: another key`);
    t.equal(macStatus(d, d.pack(message), message, hex(KEY)), 'absent');
    const macs = new MessageMacs(d, 'required', keys);
    t.same(macs.check(body, unpacked, 'M'), { ok: true, key: hex(KEY) });
  }
  const d = dialect('iso93ascii');
  const secondary = { 0: '1804', 7: '1121101530', 11: '000001', 24: '831', 41: 'M       ', 100: '12345' };
  const body = packWithMac(d, secondary, hex(KEY));
  const unpacked = d.unpack(body);
  t.equal(unpacked[64], undefined, 'with a secondary bitmap field 64 stays empty');
  t.same(unpacked[128], retailMac(hex(KEY), body.subarray(0, body.length - 16)), 'and field 128 is the MAC');
  t.same(new MessageMacs(d, 'optional', keys).check(body, unpacked, 'M'), { ok: true, key: hex(KEY) });
  const { 64: _f64, ...withoutMac } = d.toJSON().fields;
  const noMacFields = new Dialect({ ...d.toJSON(), name: 'no-mac', fields: withoutMac });
  t.throws(
    () => new MessageMacs(noMacFields, 'optional', keys),
    /no field 64/,
    'a dialect without MAC fields: said at start',
  );
});

t.test('the KSN: field 53 (bytes), field 48 sub-element 05 (hex), or unreadable', async (t) => {
  t.same(ksnOf({ 53: hex('FFFF9876543210E00001') }), { ksn: hex('FFFF9876543210E00001'), field: '53' });
  t.same(ksnOf({ 53: hex('FFFF98') }), { unreadable: '53' });
  t.same(ksnOf({ 48: '05020FFFF9876543210E00001' }), { ksn: hex('FFFF9876543210E00001'), field: '48.05' });
  t.same(ksnOf({ 48: '01006000123' + '05024123456789012345600000001' }), {
    ksn: hex('123456789012345600000001'),
    field: '48.05',
  });
  t.same(ksnOf({ 48: '05004XYZW' }), { unreadable: '48.05' });
  t.equal(ksnOf({ 48: '01006000123' }), undefined);
  t.equal(ksnOf({ 48: '0X' }), undefined, 'unreadable sub-elements: no KSN');
  t.equal(ksnOf({ 53: '0000000000000000' }), undefined, 'the 1987 n16 field 53 is not a KSN');
  t.throws(() => dukptTransaction({ algorithm: 'aes128', bdk: hex(AES_BDK) }, hex('FFFF9876543210E00001')), DukptError);
  t.throws(
    () => dukptTransaction({ algorithm: 'tdes', bdk: hex(TDES_BDK) }, hex('123456789012345600000001')),
    DukptError,
  );
});

t.test('field 52 up to 16 bytes: LL prefix as the dialect writes lengths', async (t) => {
  const ascii = withVariablePinBlock(dialect('iso93ascii'));
  t.equal(ascii.name, 'iso93ascii+pin16');
  t.equal(withVariablePinBlock(dialect('iso93ascii')), ascii, 'made once');
  t.match(ascii.field(52), { length: 16, prefix: 'LL', prefixEncoding: 'ascii' });
  const binary = withVariablePinBlock(dialect('iso93binary'));
  t.match(binary.field(52), { length: 16, prefix: 'LL', prefixEncoding: 'bcd' });
  for (const d of [ascii, binary]) {
    for (const size of [8, 16]) {
      const m = { 0: '1200', 11: '000001', 52: Buffer.alloc(size, 0xab) };
      t.same(d.unpack(d.pack(m))[52], m[52], `${d.name}: ${size} bytes`);
    }
    t.throws(() => d.pack({ 0: '1200', 52: Buffer.alloc(17) }), /52/, `${d.name}: not 17`);
  }
  const spec = dialect('iso93ascii').toJSON();
  const { 52: _f52, ...fields } = spec.fields;
  const without = new Dialect({ ...spec, name: 'no-52', fields });
  t.throws(() => withVariablePinBlock(without), /no field 52/);
});

t.test("the emulator's DUKPT counter: at most 10 (tdes) or 16 (aes) bits set, then exhausted", async (t) => {
  t.equal(nextCounter(1, 10), 2);
  t.equal(nextCounter(0x3ff, 10), 0x400, 'ten bits set, then one');
  t.equal(nextCounter(0x7fe, 10), 0x800, 'eleven bits would be set: skip to the next allowed');
  const d = dialect('iso93ascii');
  const last = new TerminalSecurity(d, {
    pinKey: TEST_PIN_KEY,
    pin16: false,
    dukpt: { algorithm: 'tdes', bdk: hex(TDES_BDK), ksn: hex('FFFF9876543210FFFC00') },
  });
  t.throws(() => last.addPin({}, '1234', '5019000000000016'), /counter is exhausted/);
  t.throws(
    () =>
      new TerminalSecurity(d, {
        pinKey: TEST_PIN_KEY,
        pin16: false,
        dukpt: { algorithm: 'aes128', bdk: hex(AES_BDK), ksn: hex('FFFF9876543210E00001') },
      }),
    /the KSN has 12 bytes/,
  );
  t.throws(
    () =>
      new TerminalSecurity(d, {
        pinKey: TEST_PIN_KEY,
        pin16: false,
        dukpt: { algorithm: 'aes128', bdk: hex(AES_BDK), ksn: hex('123456789012345600000001') },
      }),
    /format 4 blocks have 16 bytes/,
  );
  const aes = new TerminalSecurity(withVariablePinBlock(d), {
    pinKey: TEST_PIN_KEY,
    pin16: true,
    dukpt: { algorithm: 'aes128', bdk: hex(AES_BDK), ksn: hex('1234567890123456FFFE8000') },
  });
  const m: Record<number, unknown> = {};
  aes.addPin(m as never, '1234', '5019000000000016');
  t.same(aes.nextKsn, hex('1234567890123456FFFF0000'), 'AES: the next counter with at most 16 bits set');
  t.equal((m[52] as Buffer).length, 16);
  t.throws(
    () =>
      new TerminalSecurity(d, {
        pinKey: TEST_PIN_KEY,
        pin16: false,
        dukpt: { algorithm: 'tdes', bdk: hex(TDES_BDK), ksn: hex('FFFF9876543210E00000') },
      }),
    /counter must be at least 1/,
  );
  t.throws(
    () =>
      new TerminalSecurity(withVariablePinBlock(d), {
        pinKey: TEST_PIN_KEY,
        pin16: true,
        dukpt: { algorithm: 'aes128', bdk: hex(AES_BDK), ksn: hex('123456789012345600000000') },
      }),
    /counter must be at least 1/,
  );
  t.throws(
    () => new TerminalSecurity(d, { pinKey: TEST_PIN_KEY, pin16: false, macKey: hex('0011') }),
    /MAC key: 16 bytes/,
  );
  const plain = new TerminalSecurity(d, { pinKey: TEST_PIN_KEY, pin16: false });
  t.equal(plain.nextKsn, undefined);
  t.ok(plain.accepts(Buffer.alloc(0), {}), 'without a MAC key every answer is believed');
});
