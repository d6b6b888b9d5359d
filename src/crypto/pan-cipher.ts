/**
 * The full PAN, kept only encrypted: AES-256-GCM under the configured data key. Deliveries that
 * need the PAN (clearing files, the offline block list) decrypt it when they are written;
 * everything else shows the masked PAN.
 *
 * The IV is synthetic: a keyed hash of the PAN (as in SIV modes), so encryption is deterministic
 * by design: the same PAN always gives the same value (a card registered again keeps its stored
 * value; no random source is needed on the register's path), and two different PANs get different
 * IVs (a 96-bit hash collision aside), so GCM never sees an IV twice with different plaintexts.
 * What it reveals is only that two values hold the same PAN.
 *
 * The hash and the cipher have separate keys: the IV key is derived from the data key with HKDF
 * (SHA-256, its own label), and the cipher uses the data key as configured, so every value written
 * before the IV key was separated still decrypts (the IV travels in the value).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/** HKDF's info for the IV key: no other use of the data key shares it. */
const IV_KEY_INFO = 'dankort-switch pan-cipher synthetic-iv v1';

export class PanCipher {
  private readonly key: Buffer;
  private readonly ivKey: Buffer;

  constructor(keyHex: string) {
    this.key = Buffer.from(keyHex, 'hex');
    if (this.key.length !== 32) throw new Error('data key: 32 bytes (64 hex digits) for AES-256');
    this.ivKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), IV_KEY_INFO, 32));
  }

  /** base64 of IV (12) | tag (16) | ciphertext */
  encrypt(pan: string): string {
    const iv = createHmac('sha256', this.ivKey).update(pan).digest().subarray(0, 12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(pan, 'latin1'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the value was not made under this key (the tag does not verify). */
  decrypt(value: string): string {
    const raw = Buffer.from(value, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('latin1');
  }
}
