/** The PAN cipher (src/crypto/pan-cipher.ts): AES-256-GCM with a synthetic IV under a key of its own. */
import t from 'tap';
import { createCipheriv, createHmac } from 'node:crypto';
import { PanCipher } from '../../src/crypto/pan-cipher.js';

const KEY = 'ab'.repeat(32);
const PAN = '5019000000000008';

t.test('round trip; the same PAN gives the same value, another PAN another IV', async (t) => {
  const c = new PanCipher(KEY);
  const v = c.encrypt(PAN);
  t.equal(c.decrypt(v), PAN);
  t.equal(c.encrypt(PAN), v, 'deterministic');
  const other = c.encrypt('5019000000000016');
  t.not(
    Buffer.from(other, 'base64').subarray(0, 12).toString('hex'),
    Buffer.from(v, 'base64').subarray(0, 12).toString('hex'),
    'IVs differ',
  );
  t.notMatch(v, /5019/, 'no clear digits');
});

t.test('the IV is not a hash under the cipher key: the two keys are separate', async (t) => {
  const iv = Buffer.from(new PanCipher(KEY).encrypt(PAN), 'base64').subarray(0, 12);
  const underCipherKey = createHmac('sha256', Buffer.from(KEY, 'hex')).update(PAN).digest().subarray(0, 12);
  t.not(iv.toString('hex'), underCipherKey.toString('hex'));
});

t.test('a value written before the IV key was separated still decrypts', async (t) => {
  // As the cipher wrote values until 2026-12: the IV an HMAC of the PAN under the data key itself.
  const key = Buffer.from(KEY, 'hex');
  const iv = createHmac('sha256', key).update(PAN).digest().subarray(0, 12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(PAN, 'latin1'), c.final()]);
  const old = Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  t.equal(new PanCipher(KEY).decrypt(old), PAN);
});

t.test('another key cannot decrypt; a key of the wrong size is refused', async (t) => {
  const v = new PanCipher(KEY).encrypt(PAN);
  t.throws(() => new PanCipher('cd'.repeat(32)).decrypt(v));
  t.throws(() => new PanCipher('ab'.repeat(16)), { message: 'data key: 32 bytes (64 hex digits) for AES-256' });
});
