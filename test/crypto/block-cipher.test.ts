/**
 * The block cipher operations with their reused cipher objects (src/crypto/block-cipher.ts): the
 * same bytes as a fresh Node cipher for every key, direction and order of calls, published
 * vectors, the cache's bound and eviction order, and the same errors as before for bad keys and
 * partial blocks.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import t from 'tap';
import {
  CIPHER_CACHE_SIZE,
  type Direction,
  aesEncrypt,
  cachedCipherCount,
  clearCipherCache,
  desCbcLast,
  desDecrypt,
  desEncrypt,
  ecb,
  hasCachedCipher,
  tdesEncrypt,
  xor,
} from '../../src/crypto/block-cipher.js';
import { oddParity } from '../../src/crypto/emv/des.js';

const hex = (s: string) => Buffer.from(s, 'hex');

/** A fresh cipher for every call, as block-cipher.ts did before it reused them. */
function freshEcb(algorithm: string, key: Buffer, data: Buffer, direction: Direction): Buffer {
  const cipher =
    direction === 'encrypt' ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** The error a call throws (undefined if none). */
function errorOf(f: () => unknown): Error | undefined {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

const ALGORITHMS = [
  { algorithm: 'des-ede-ecb', keyLength: 16, block: 8 },
  { algorithm: 'des-ede3-ecb', keyLength: 24, block: 8 },
  { algorithm: 'aes-128-ecb', keyLength: 16, block: 16 },
] as const;

t.beforeEach(() => clearCipherCache());

t.test('published vectors', async (t) => {
  // FIPS 81 Appendix B, Table B1 (ECB): "Now is the time for all " under 0123456789ABCDEF.
  const desKey = hex('0123456789ABCDEF');
  const plain = Buffer.from('Now is the time for all ', 'ascii');
  const cipher = hex('3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53');
  for (let round = 0; round < 2; round++) {
    t.same(desEncrypt(desKey, plain), cipher, `single DES encrypt, round ${round}`);
    t.same(desDecrypt(desKey, cipher), plain, `single DES decrypt, round ${round}`);
    t.same(tdesEncrypt(Buffer.concat([desKey, desKey]), plain), cipher, `triple DES under K || K, round ${round}`);
  }
  // FIPS 197 Appendix C.1 (AES-128).
  const aesKey = hex('000102030405060708090A0B0C0D0E0F');
  const aesPlain = hex('00112233445566778899AABBCCDDEEFF');
  const aesCipher = hex('69C4E0D86A7B0430D8CDB78070B4C55A');
  for (let round = 0; round < 2; round++) {
    t.same(aesEncrypt(aesKey, aesPlain), aesCipher, `AES encrypt, round ${round}`);
    t.same(ecb('aes-128-ecb', aesKey, aesCipher, 'decrypt'), aesPlain, `AES decrypt, round ${round}`);
  }
});

t.test('whole blocks in give as many bytes out, both directions, on a new and on a reused cipher', async (t) => {
  for (const { algorithm, keyLength, block } of ALGORITHMS) {
    const key = randomBytes(keyLength);
    for (const direction of ['encrypt', 'decrypt'] as const) {
      for (let blocks = 1; blocks <= 4; blocks++) {
        const data = randomBytes(blocks * block);
        // Twice: the first call makes the cipher, the second reuses it.
        for (let round = 0; round < 2; round++) {
          const out = ecb(algorithm, key, data, direction);
          t.equal(out.length, data.length, `${algorithm} ${direction} ${blocks} blocks, round ${round}`);
          t.same(out, freshEcb(algorithm, key, data, direction));
        }
      }
    }
  }
});

t.test('many keys, encrypt and decrypt interleaved, the same bytes as a fresh cipher', async (t) => {
  let mismatches = 0;
  let calls = 0;
  for (const { algorithm, keyLength, block } of ALGORITHMS) {
    const keys = Array.from({ length: 200 }, () => randomBytes(keyLength));
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        const data = randomBytes(block * randomInt(1, 4));
        const encrypted = ecb(algorithm, key, data, 'encrypt');
        const decrypted = ecb(algorithm, key, data, 'decrypt');
        calls += 3;
        if (!encrypted.equals(freshEcb(algorithm, key, data, 'encrypt'))) mismatches++;
        if (!decrypted.equals(freshEcb(algorithm, key, data, 'decrypt'))) mismatches++;
        if (!ecb(algorithm, key, encrypted, 'decrypt').equals(data)) mismatches++;
      }
    }
  }
  t.equal(mismatches, 0, `${calls} calls`);
  t.ok(cachedCipherCount() <= CIPHER_CACHE_SIZE);
});

t.test('single DES shares the triple DES entry of K || K and agrees with it', async (t) => {
  const key8 = randomBytes(8);
  const kk = Buffer.concat([key8, key8]);
  const data = randomBytes(16);
  t.same(desEncrypt(key8, data), freshEcb('des-ede-ecb', kk, data, 'encrypt'));
  t.same(desDecrypt(key8, data), freshEcb('des-ede-ecb', kk, data, 'decrypt'));
  t.ok(hasCachedCipher('des-ede-ecb', kk, 'encrypt'));
  t.ok(hasCachedCipher('des-ede-ecb', kk, 'decrypt'));
  t.equal(cachedCipherCount(), 2);
  t.same(tdesEncrypt(kk, data), desEncrypt(key8, data));
  t.equal(cachedCipherCount(), 2, 'no third entry for the same key');
});

t.test('a key changed after use does not change what the cached cipher does', async (t) => {
  const key = randomBytes(16);
  const original = Buffer.from(key);
  const data = randomBytes(8);
  const before = tdesEncrypt(key, data);
  key.fill(0); // as callers wipe their copies
  t.same(tdesEncrypt(original, data), before, 'the original key still gives the same block');
  t.same(tdesEncrypt(key, data), freshEcb('des-ede-ecb', key, data, 'encrypt'), 'the zero key its own');
});

t.test('the cache holds at most CIPHER_CACHE_SIZE ciphers, and keeps the keys in use', async (t) => {
  const data = Buffer.alloc(8);
  const half = CIPHER_CACHE_SIZE / 2;
  const keyOf = (i: number) => {
    const key = Buffer.alloc(16);
    key.writeUInt32BE(i, 0);
    return key;
  };
  const has = (i: number) => hasCachedCipher('des-ede-ecb', keyOf(i), 'encrypt');
  for (let i = 0; i < CIPHER_CACHE_SIZE; i++) tdesEncrypt(keyOf(i), data);
  t.equal(cachedCipherCount(), CIPHER_CACHE_SIZE, 'full');
  t.ok(has(0) && has(CIPHER_CACHE_SIZE - 1), 'the first and the last key are in');
  // Key 0 used again: kept, while the other keys of its half, not used since, are dropped.
  tdesEncrypt(keyOf(0), data);
  t.ok(has(0), 'the key used again is kept');
  t.notOk(has(1), 'a key of the older half, not used since, is dropped');
  t.notOk(has(half - 1), 'so is the last of them');
  t.ok(has(half) && has(CIPHER_CACHE_SIZE - 1), 'the recent half is kept');
  t.ok(cachedCipherCount() <= CIPHER_CACHE_SIZE);
  // A key used once every half of new keys is never dropped, however many keys pass.
  let lost = 0;
  let maxCount = 0;
  for (let i = 1; i <= 4 * CIPHER_CACHE_SIZE; i++) {
    desEncrypt(randomBytes(8), data);
    if (i % (half - 1) === 0) {
      if (!has(0)) lost++;
      tdesEncrypt(keyOf(0), data);
    }
    maxCount = Math.max(maxCount, cachedCipherCount());
  }
  t.equal(lost, 0, 'the key in use stayed');
  t.equal(maxCount, CIPHER_CACHE_SIZE, 'never above the bound');
  t.notOk(has(CIPHER_CACHE_SIZE - 1), 'a key not used for a whole cache of new keys is dropped');
  // A dropped key is made again and still right.
  t.same(tdesEncrypt(keyOf(1), data), freshEcb('des-ede-ecb', keyOf(1), data, 'encrypt'));
  t.ok(has(1));
});

t.test('a bad key length throws what a fresh cipher throws, and caches nothing', async (t) => {
  const cases: [string, Buffer, Buffer][] = [
    ['des-ede-ecb', randomBytes(15), Buffer.alloc(8)],
    ['des-ede-ecb', randomBytes(24), Buffer.alloc(8)],
    ['des-ede3-ecb', randomBytes(16), Buffer.alloc(8)],
    ['aes-128-ecb', randomBytes(15), Buffer.alloc(16)],
    ['aes-128-ecb', randomBytes(32), Buffer.alloc(16)],
  ];
  for (const [algorithm, key, data] of cases) {
    for (const direction of ['encrypt', 'decrypt'] as const) {
      const expected = errorOf(() => freshEcb(algorithm, key, data, direction));
      t.ok(expected, `${algorithm}, ${key.length}-byte key: a fresh cipher throws`);
      const found = errorOf(() => ecb(algorithm, key, data, direction));
      t.equal(found?.constructor, expected?.constructor);
      t.equal(found?.message, expected?.message);
      t.equal((found as NodeJS.ErrnoException | undefined)?.code, (expected as NodeJS.ErrnoException).code);
    }
  }
  const desExpected = errorOf(() => freshEcb('des-ede-ecb', Buffer.alloc(14), Buffer.alloc(8), 'encrypt'));
  t.equal(errorOf(() => desEncrypt(Buffer.alloc(7), Buffer.alloc(8)))?.message, desExpected?.message);
  t.equal(
    errorOf(() => desDecrypt(Buffer.alloc(9), Buffer.alloc(8)))?.message,
    errorOf(() => freshEcb('des-ede-ecb', Buffer.alloc(18), Buffer.alloc(8), 'decrypt'))?.message,
  );
  t.equal(cachedCipherCount(), 0, 'nothing cached');
});

t.test('a partial block or an unknown algorithm throws as before and leaves the cached cipher right', async (t) => {
  const key = randomBytes(16);
  const block = randomBytes(8);
  const good = tdesEncrypt(key, block);
  for (const length of [0, 7, 9, 15]) {
    for (const direction of ['encrypt', 'decrypt'] as const) {
      const data = randomBytes(length);
      const expected = errorOf(() => freshEcb('des-ede-ecb', key, data, direction));
      const found = errorOf(() => ecb('des-ede-ecb', key, data, direction));
      t.equal(found?.message, expected?.message, `${length} bytes, ${direction}`);
      if (expected === undefined)
        t.same(ecb('des-ede-ecb', key, data, direction), freshEcb('des-ede-ecb', key, data, direction));
    }
    t.equal(
      errorOf(() => desEncrypt(key.subarray(0, 8), randomBytes(length)))?.message,
      errorOf(() =>
        freshEcb(
          'des-ede-ecb',
          Buffer.concat([key.subarray(0, 8), key.subarray(0, 8)]),
          randomBytes(length),
          'encrypt',
        ),
      )?.message,
    );
  }
  t.same(tdesEncrypt(key, block), good, 'the cached cipher took no partial block');
  const unknown = errorOf(() => ecb('no-such-cipher', key, block, 'encrypt'));
  t.equal(unknown?.message, errorOf(() => freshEcb('no-such-cipher', key, block, 'encrypt'))?.message);
  // A chaining mode is never reused: ecb() hands it to a fresh cipher, which wants an IV.
  const cbcKey = randomBytes(16);
  const viaEcb = errorOf(() => ecb('des-ede-cbc', cbcKey, block, 'encrypt'));
  t.ok(viaEcb, 'CBC without an IV throws');
  t.equal(viaEcb?.message, errorOf(() => freshEcb('des-ede-cbc', cbcKey, block, 'encrypt'))?.message, 'the same error');
  t.equal(cachedCipherCount(), 1, 'only the good key');
});

/** Single-DES CBC from a zero IV with a fresh cipher: the last block. */
function freshCbcLast(key8: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('des-ede-cbc', Buffer.concat([key8, key8]), Buffer.alloc(8));
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(data), cipher.final()]);
  return out.subarray(out.length - 8);
}

t.test('DES CBC: every call starts from the zero IV, whatever came before under the key', async (t) => {
  const keys = Array.from({ length: 50 }, () => randomBytes(8));
  let mismatches = 0;
  let calls = 0;
  for (let round = 0; round < 4; round++) {
    for (const key of keys) {
      const data = randomBytes(8 * randomInt(1, 30));
      const last = desCbcLast(key, data);
      calls++;
      if (last.length !== 8 || !last.equals(freshCbcLast(key, data))) mismatches++;
      // The same data again right after: the same value (a chaining value left over would change it).
      if (!desCbcLast(key, data).equals(last)) mismatches++;
      // ECB under the same key in between does not disturb it.
      desEncrypt(key, data.subarray(0, 8));
    }
  }
  t.equal(mismatches, 0, `${calls * 2} calls`);
  // FIPS 81 Appendix C (CBC), IV 1234567890ABCDEF: with a zero IV, XOR the IV into the first block instead.
  const key = hex('0123456789ABCDEF');
  const plain = Buffer.from('Now is the time for all ', 'ascii');
  const firstWithIv = xor(plain, hex('1234567890ABCDEF'));
  t.same(desCbcLast(key, firstWithIv), hex('683788499A7C05F6'), 'FIPS 81 CBC example, last block');
});

t.test('DES CBC refuses a key that is not 8 bytes and data that is not whole blocks', async (t) => {
  t.throws(() => desCbcLast(Buffer.alloc(16), Buffer.alloc(8)), RangeError);
  t.throws(() => desCbcLast(Buffer.alloc(8), Buffer.alloc(0)), RangeError);
  t.throws(() => desCbcLast(Buffer.alloc(8), Buffer.alloc(12)), RangeError);
  t.equal(cachedCipherCount(), 0);
});

t.test('xor: as long as a, missing bytes of b count as zero', async (t) => {
  t.same(xor(hex('0F0F0F'), hex('FF00')), hex('F00F0F'));
  t.same(xor(hex('0F0F'), hex('FF00AA')), hex('F00F'));
  t.same(xor(Buffer.alloc(0), hex('FF')), Buffer.alloc(0));
  const a = randomBytes(64);
  const b = randomBytes(64);
  t.same(xor(a, b), Buffer.from(a.map((x, i) => x ^ b[i]!)));
  const out = xor(a, b);
  t.not(out, a, 'a new buffer');
});

t.test('odd parity: every byte value', async (t) => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const out = oddParity(all);
  let wrong = 0;
  for (let i = 0; i < 256; i++) {
    let ones = 0;
    for (let v = out[i]!; v > 0; v >>= 1) ones += v & 1;
    if (ones % 2 !== 1 || (out[i]! & 0xfe) !== (i & 0xfe)) wrong++;
  }
  t.equal(wrong, 0);
  t.equal(out.length, 256);
});
