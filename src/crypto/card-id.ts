/**
 * A card's name in Redis: a keyed hash of its PAN, never the PAN itself, and the keys of one
 * card share the hash tag {id} so that one Lua script can touch them all on Redis Cluster too.
 */
import { createHmac } from 'node:crypto';

export type CardId = string;

export function cardId(pan: string, secret: Buffer): CardId {
  return createHmac('sha256', secret).update(pan).digest('hex').slice(0, 32);
}

export interface CardKeys {
  /** The card record (hash). */
  card: string;
  /** Reservation ids scored by the time they lapse (sorted set). */
  reservations: string;
  /** Reservation id -> amount in øre (hash). */
  reservationAmounts: string;
  /** Issuer notices written with the change that caused them, before they reach the issuer's feed (list). */
  outbox: string;
  /** Postings made with the change that caused them, before the relay appends them to the journal (list). */
  posts: string;
}

/** One transaction's record (hash): its answer, for retransmissions; its state, for completions and reversals. */
export function transactionKey(prefix: string, id: CardId, txn: string): string {
  return `${prefix}card:{${id}}:t:${txn}`;
}

export function cardKeys(prefix: string, id: CardId): CardKeys {
  const base = `${prefix}card:{${id}}`;
  return { card: base, reservations: `${base}:res`, reservationAmounts: `${base}:resamt`, outbox: `${base}:outbox`, posts: `${base}:posts` };
}

/** Luhn check digit test: a PAN failing it is answered "not registered" without asking Redis. */
export function luhnValid(pan: string): boolean {
  return /^\d{12,19}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === pan.charCodeAt(pan.length - 1) - 48;
}

/** The Luhn check digit to append to `digits` (PANs, block reference numbers). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right, the digit next to the check digit is doubled first.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** PAN as first 6 + last 4 (as describe() shows it), kept in the record for display. */
export { maskPan } from '../codec/mask.js';
