/**
 * A card's name in Redis: a keyed hash of its PAN, never the PAN itself (src/card/keys.ts has
 * the keys named by it).
 */
import { createHmac } from 'node:crypto';

export type CardId = string;

export function cardId(pan: string, secret: Buffer): CardId {
  return createHmac('sha256', secret).update(pan).digest('hex').slice(0, 32);
}
