import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import t, { type Test } from 'tap';
import {
  PinBlockError,
  decryptPinBlock,
  decryptPinBlockFormat0,
  decryptPinBlockFormat4,
  encryptPinBlockFormat0,
  encryptPinBlockFormat4,
} from '../../src/crypto/pin-block.js';
import type { PinBlockFormat } from '../../src/crypto/pin-block.js';
import { pinVerificationValue, verifyPinBlock } from '../../src/crypto/pin-verification.js';

// Plain ECB with node's crypto, independent of the module, to build and open blocks by hand.
function ecb(algorithm: string, key: Buffer, data: Buffer, encrypt: boolean): Buffer {
  const cipher = encrypt ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
const hex = (s: string) => Buffer.from(s, 'hex');
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b.readUInt8(i)));

const K16 = hex('0123456789ABCDEFFEDCBA9876543210');
const K24 = hex('0123456789ABCDEFFEDCBA987654321089ABCDEF01234567');
const AES = hex('00112233445566778899AABBCCDDEEFF');
const PAN = '4000001234562000';

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

/** Format 0 block from a clear PIN field (hex), XORed with the PAN field (hex), under 3DES. */
function format0Block(pinField: string, panField: string, key = K16): Buffer {
  return ecb(key.length === 16 ? 'des-ede-ecb' : 'des-ede3-ecb', key, xor(hex(pinField), hex(panField)), true);
}

/** Format 4 block from a clear PIN field (hex, 32 nibbles) and a PAN field (hex, 32 nibbles). */
function format4Block(pinField: string, panField: string, key = AES): Buffer {
  const a = ecb('aes-128-ecb', key, hex(pinField), true);
  return ecb('aes-128-ecb', key, xor(a, hex(panField)), true);
}

/** Format 4 decipherment done by hand: the clear PIN field, as upper-case hex. */
function format4Open(block: Buffer, panField: string, key = AES): string {
  const b = ecb('aes-128-ecb', key, block, false);
  return ecb('aes-128-ecb', key, xor(b, hex(panField)), false)
    .toString('hex')
    .toUpperCase();
}

function throwsPinBlockError(t: Test, fn: () => unknown, message: string): void {
  try {
    fn();
    t.fail(`no error, expected: ${message}`);
  } catch (err) {
    t.ok(err instanceof PinBlockError && err.message === message, message, { found: err });
  }
}

t.test('format 0: clear block built by hand', async (t) => {
  // PIN 1234: 0 | length 4 | 1234 | F padding to 16 nibbles.
  const pinField = '041234FFFFFFFFFF';
  // PAN 4000001234562000: drop the check digit (…200|0) → 400000123456200; 12 rightmost digits
  // → 000123456200; prefixed with 0000.
  const panField = '0000000123456200';
  // 04^00 12^00 34^00 FF^01 FF^23 FF^45 FF^62 FF^00
  const clear = '041234FEDCBA9DFF';
  t.equal(xor(hex(pinField), hex(panField)).toString('hex').toUpperCase(), clear);
  const block = encryptPinBlockFormat0('1234', PAN, K16);
  t.equal(block.length, 8);
  t.equal(ecb('des-ede-ecb', K16, block, false).toString('hex').toUpperCase(), clear);
  t.equal(decryptPinBlockFormat0(block, PAN, K16), '1234');

  // PIN 92389, PAN 4111111111111111 → 411111111111111 → 111111111111.
  // 05^00 92^00 38^11 9F^11 FF^11 FF^11 FF^11 FF^11
  t.equal(xor(hex('0592389FFFFFFFFF'), hex('0000111111111111')).toString('hex').toUpperCase(), '0592298EEEEEEEEE');
  const block2 = encryptPinBlockFormat0('92389', '4111111111111111', K24);
  t.equal(ecb('des-ede3-ecb', K24, block2, false).toString('hex').toUpperCase(), '0592298EEEEEEEEE');

  // PIN 0000, 12-digit PAN 123456789012 → 12345678901 is only 11 digits → 012345678901.
  // 04^00 00^00 00^01 FF^23 FF^45 FF^67 FF^89 FF^01
  t.equal(xor(hex('040000FFFFFFFFFF'), hex('0000012345678901')).toString('hex').toUpperCase(), '040001DCBA9876FE');
  const block3 = encryptPinBlockFormat0('0000', '123456789012', K16);
  t.equal(ecb('des-ede-ecb', K16, block3, false).toString('hex').toUpperCase(), '040001DCBA9876FE');
});

t.test('format 0: a 16-byte key is K1 K2 K1', async (t) => {
  const k1k2k1 = Buffer.concat([K16, K16.subarray(0, 8)]);
  t.same(encryptPinBlockFormat0('1234', PAN, K16), encryptPinBlockFormat0('1234', PAN, k1k2k1));
  t.notSame(encryptPinBlockFormat0('1234', PAN, K16), encryptPinBlockFormat0('1234', PAN, K24));
});

t.test('format 0: round trips, 4 to 12 digits, both key lengths', async (t) => {
  for (const key of [K16, K24]) {
    for (let n = 4; n <= 12; n++) {
      const pin = digits(n);
      t.equal(decryptPinBlockFormat0(encryptPinBlockFormat0(pin, PAN, key), PAN, key), pin);
    }
  }
  // PAN lengths 12 and 19.
  for (const pan of ['123456789012', '1234567890123456789']) {
    t.equal(decryptPinBlockFormat0(encryptPinBlockFormat0('0000', pan, K16), pan, K16), '0000');
  }
});

t.test('format 0: another PAN does not give the PIN back', async (t) => {
  const block = encryptPinBlockFormat0('1234', PAN, K16);
  for (const other of ['4000001234562001' /* same field: only the check digit differs */, '4000009876543210']) {
    let pin: string | undefined;
    try {
      pin = decryptPinBlockFormat0(block, other, K16);
    } catch (err) {
      t.type(err, PinBlockError);
    }
    if (other === '4000001234562001') t.equal(pin, '1234', 'check digit is not part of the PAN field');
    else t.not(pin, '1234');
  }
});

t.test('format 0: every error', async (t) => {
  const panField = '0000000123456200';
  throwsPinBlockError(t, () => decryptPinBlockFormat0(Buffer.alloc(7), PAN, K16), 'PIN block: wrong length');
  throwsPinBlockError(t, () => decryptPinBlockFormat0(Buffer.alloc(16), PAN, K16), 'PIN block: wrong length');
  const bad: [string, string][] = [
    ['141234FFFFFFFFFF', 'PIN block: not format 0'],
    ['031234FFFFFFFFFF', 'PIN block: PIN length out of range'],
    ['0D1234567890123F', 'PIN block: PIN length out of range'],
    ['04123AFFFFFFFFFF', 'PIN block: PIN is not all digits'],
    ['041234FFFFFFFFFE', 'PIN block: fill is not F'],
    ['041234AAAAAAAAAA', 'PIN block: fill is not F'],
  ];
  for (const [pinField, message] of bad) {
    throwsPinBlockError(t, () => decryptPinBlockFormat0(format0Block(pinField, panField), PAN, K16), message);
  }
  const wrongKey = hex('FEDCBA98765432100123456789ABCDEF');
  t.throws(() => decryptPinBlockFormat0(encryptPinBlockFormat0('1234', PAN, K16), PAN, wrongKey), PinBlockError);

  const keyLength = 'PIN block: triple DES key must be 16 or 24 bytes';
  throwsPinBlockError(t, () => decryptPinBlockFormat0(Buffer.alloc(8), PAN, Buffer.alloc(8)), keyLength);
  throwsPinBlockError(t, () => encryptPinBlockFormat0('1234', PAN, Buffer.alloc(32)), keyLength);
  for (const pin of ['123', '1234567890123', '12a4', '']) {
    throwsPinBlockError(t, () => encryptPinBlockFormat0(pin, PAN, K16), 'PIN block: PIN must be 4 to 12 digits');
  }
  for (const pan of ['12345678901', '12345678901234567890', '400000123456200X']) {
    throwsPinBlockError(t, () => encryptPinBlockFormat0('1234', pan, K16), 'PIN block: PAN must be 12 to 19 digits');
    throwsPinBlockError(
      t,
      () => decryptPinBlockFormat0(Buffer.alloc(8), pan, K16),
      'PIN block: PAN must be 12 to 19 digits',
    );
  }
  // A crypto failure (here: a key that only looks like a Buffer) is reported without its detail.
  const notAKey = { length: 16 } as unknown as Buffer;
  throwsPinBlockError(t, () => encryptPinBlockFormat0('1234', PAN, notAKey), 'PIN block: cannot encrypt');
  throwsPinBlockError(t, () => decryptPinBlockFormat0(Buffer.alloc(8), PAN, notAKey), 'PIN block: cannot decrypt');
});

t.test('format 4: PIN field and PAN field by hand', async (t) => {
  const random = hex('0123456789ABCDEF');
  const block = encryptPinBlockFormat4('1234', PAN, AES, random);
  t.equal(block.length, 16);
  // 4 | length 4 | 1234 | A fill to nibble 16 | 8 random bytes.
  // PAN field: 16 - 12 = 4 | 4000001234562000 | 0 nibbles to 32.
  t.equal(format4Open(block, '44000001234562000000000000000000'), '441234AAAAAAAAAA0123456789ABCDEF');
  t.equal(decryptPinBlockFormat4(block, PAN, AES), '1234');

  // 19-digit PAN: 7 | PAN | 12 zeros; 12-digit PAN: 0 | PAN | 19 zeros.
  const long = encryptPinBlockFormat4('123456789012', '1234567890123456789', AES, random);
  t.equal(format4Open(long, '71234567890123456789000000000000'), '4C123456789012AA0123456789ABCDEF');
  const short = encryptPinBlockFormat4('98765', '123456789012', AES, random);
  t.equal(format4Open(short, '01234567890120000000000000000000'), '4598765AAAAAAAAA0123456789ABCDEF');
});

t.test('format 4: round trips, random fill', async (t) => {
  for (let n = 4; n <= 12; n++) {
    const pin = digits(n);
    t.equal(decryptPinBlockFormat4(encryptPinBlockFormat4(pin, PAN, AES), PAN, AES), pin);
  }
  const a = encryptPinBlockFormat4('1234', PAN, AES);
  const b = encryptPinBlockFormat4('1234', PAN, AES);
  t.notSame(a, b, 'the random half changes the block');
  t.equal(decryptPinBlockFormat4(a, PAN, AES), '1234');
  t.equal(decryptPinBlockFormat4(b, PAN, AES), '1234');
});

t.test('format 4: another PAN does not give the PIN back', async (t) => {
  const block = encryptPinBlockFormat4('1234', PAN, AES);
  for (const other of ['4000001234562001', '40000012345620', '4000009876543210']) {
    let pin: string | undefined;
    try {
      pin = decryptPinBlockFormat4(block, other, AES);
    } catch (err) {
      t.type(err, PinBlockError);
    }
    t.not(pin, '1234', other);
  }
});

t.test('format 4: every error', async (t) => {
  const panField = '44000001234562000000000000000000';
  const random = '0123456789ABCDEF';
  throwsPinBlockError(t, () => decryptPinBlockFormat4(Buffer.alloc(8), PAN, AES), 'PIN block: wrong length');
  throwsPinBlockError(t, () => decryptPinBlockFormat4(Buffer.alloc(17), PAN, AES), 'PIN block: wrong length');
  const bad: [string, string][] = [
    ['041234AAAAAAAAAA', 'PIN block: not format 4'],
    ['431234AAAAAAAAAA', 'PIN block: PIN length out of range'],
    ['4D1234567890123A', 'PIN block: PIN length out of range'],
    ['44123FAAAAAAAAAA', 'PIN block: PIN is not all digits'],
    ['441234AAAAAAAAAF', 'PIN block: fill is not A'],
    ['441234FFFFFFFFFF', 'PIN block: fill is not A'],
  ];
  for (const [head, message] of bad) {
    throwsPinBlockError(t, () => decryptPinBlockFormat4(format4Block(head + random, panField), PAN, AES), message);
  }
  const wrongKey = hex('FFEEDDCCBBAA99887766554433221100');
  t.throws(() => decryptPinBlockFormat4(encryptPinBlockFormat4('1234', PAN, AES), PAN, wrongKey), PinBlockError);

  const keyLength = 'PIN block: AES key must be 16 bytes';
  throwsPinBlockError(t, () => decryptPinBlockFormat4(Buffer.alloc(16), PAN, K24), keyLength);
  throwsPinBlockError(t, () => encryptPinBlockFormat4('1234', PAN, K24), keyLength);
  throwsPinBlockError(t, () => encryptPinBlockFormat4('123', PAN, AES), 'PIN block: PIN must be 4 to 12 digits');
  throwsPinBlockError(t, () => encryptPinBlockFormat4('1234', '1234', AES), 'PIN block: PAN must be 12 to 19 digits');
  throwsPinBlockError(
    t,
    () => decryptPinBlockFormat4(Buffer.alloc(16), '1234', AES),
    'PIN block: PAN must be 12 to 19 digits',
  );
  throwsPinBlockError(
    t,
    () => encryptPinBlockFormat4('1234', PAN, AES, Buffer.alloc(7)),
    'PIN block: random fill must be 8 bytes',
  );
});

t.test('decryptPinBlock dispatches by the key format', async (t) => {
  t.equal(decryptPinBlock(encryptPinBlockFormat0('4321', PAN, K24), PAN, { format: 0, key: K24 }), '4321');
  t.equal(decryptPinBlock(encryptPinBlockFormat4('4321', PAN, AES), PAN, { format: 4, key: AES }), '4321');
  const wrong = 'PIN block: wrong length';
  throwsPinBlockError(
    t,
    () => decryptPinBlock(encryptPinBlockFormat4('4321', PAN, AES), PAN, { format: 0, key: K16 }),
    wrong,
  );
  throwsPinBlockError(
    t,
    () => decryptPinBlock(encryptPinBlockFormat0('4321', PAN, K16), PAN, { format: 4, key: AES }),
    wrong,
  );
  const format = 1 as unknown as PinBlockFormat;
  throwsPinBlockError(
    t,
    () => decryptPinBlock(Buffer.alloc(8), PAN, { format, key: K16 }),
    'PIN block: unknown format',
  );
});

t.test('no error message carries the PIN, the PAN, the key or the block', async (t) => {
  let errors = 0;
  for (let i = 0; i < 400; i++) {
    const pin = digits(randomInt(4, 13));
    const pan = '4' + digits(15);
    const format: PinBlockFormat = i % 2 === 0 ? 0 : 4;
    const key = format === 0 ? randomBytes(i % 4 === 0 ? 16 : 24) : randomBytes(16);
    const good = format === 0 ? encryptPinBlockFormat0(pin, pan, key) : encryptPinBlockFormat4(pin, pan, key);
    // A corrupted good block, a random one of the right length, or one of a wrong length.
    const block =
      i % 3 === 0
        ? Buffer.from(good.map((b, j) => (j === i % good.length ? b ^ (1 + randomInt(255)) : b)))
        : randomBytes(i % 3 === 1 ? good.length : randomInt(0, 33));
    let message: string;
    try {
      decryptPinBlock(block, pan, { format, key });
      continue; // a random block that happens to be valid: nothing to check
    } catch (err) {
      if (!(err instanceof PinBlockError)) throw err;
      message = err.message;
      t.equal(err.cause, undefined);
    }
    errors++;
    const secrets = [pin, pan, key.toString('hex'), key.toString('hex').toUpperCase(), block.toString('hex')];
    const leaked = secrets.filter((s) => s.length > 0 && message.includes(s));
    if (leaked.length > 0 || !/^PIN block: [A-Za-z0-9 ]+$/.test(message)) t.fail(`message leaks: ${message}`);
    const check = verifyPinBlock(block, pan, { format, key }, Buffer.from('secret'));
    t.same(check, { ok: false, reason: message });
  }
  t.ok(errors > 350, `${errors} of 400 bad blocks rejected`);
});

t.test('PIN verification value', async (t) => {
  const secret = Buffer.from('register secret');
  const pvv = pinVerificationValue(PAN, '1234', secret);
  t.match(pvv, /^[0-9a-f]{32}$/);
  t.equal(pinVerificationValue(PAN, '1234', Buffer.from('register secret')), pvv);
  t.not(pinVerificationValue(PAN, '1235', secret), pvv);
  t.not(pinVerificationValue('4000001234562018', '1234', secret), pvv);
  t.not(pinVerificationValue(PAN, '1234', Buffer.from('another secret')), pvv);
  t.not(pvv.includes('1234'), true);
  t.throws(() => pinVerificationValue(PAN, '1234', Buffer.alloc(0)), { message: 'PIN verification: secret is empty' });
});

t.test('verifyPinBlock', async (t) => {
  const secret = Buffer.from('register secret');
  const pvv = pinVerificationValue(PAN, '1234', secret);
  t.same(verifyPinBlock(encryptPinBlockFormat0('1234', PAN, K16), PAN, { format: 0, key: K16 }, secret), {
    ok: true,
    pvv,
  });
  t.same(verifyPinBlock(encryptPinBlockFormat4('1234', PAN, AES), PAN, { format: 4, key: AES }, secret), {
    ok: true,
    pvv,
  });
  const wrongPin = verifyPinBlock(encryptPinBlockFormat0('4321', PAN, K16), PAN, { format: 0, key: K16 }, secret);
  t.ok(wrongPin.ok && wrongPin.pvv !== pvv, 'another PIN: a PVV that does not match');
  t.same(verifyPinBlock(Buffer.from('garbage!'), PAN, { format: 0, key: K16 }, secret).ok, false);
  t.same(verifyPinBlock(Buffer.alloc(3), PAN, { format: 4, key: AES }, secret), {
    ok: false,
    reason: 'PIN block: wrong length',
  });
  // A configuration bug is not a bad PIN block: it is thrown, not answered.
  t.throws(
    () => verifyPinBlock(encryptPinBlockFormat0('1234', PAN, K16), PAN, { format: 0, key: K16 }, Buffer.alloc(0)),
    { message: 'PIN verification: secret is empty' },
  );
});
