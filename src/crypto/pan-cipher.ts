/**
 * The full PAN, kept only encrypted: AES-256-GCM under the configured data key, a fresh IV per
 * value. Deliveries that need the PAN (clearing files, the offline block list) decrypt it when
 * they are written; everything else shows the masked PAN.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export class PanCipher {
  private readonly key: Buffer;

  constructor(keyHex: string) {
    this.key = Buffer.from(keyHex, 'hex');
    if (this.key.length !== 32) throw new Error('data key: 32 bytes (64 hex digits) for AES-256');
  }

  /** base64 of IV (12) | tag (16) | ciphertext */
  encrypt(pan: string): string {
    const iv = createHmac('sha256', this.key).update(pan).digest().subarray(0, 12);
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
