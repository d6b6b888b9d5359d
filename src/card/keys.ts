/**
 * The key layout of one card, the one place it is written: every key of a card shares the hash
 * tag {id}, so that one Lua script can touch them all, on Redis Cluster too.
 */
import type { CardId } from '../crypto/card-id.js';

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
  /** Debit posting id -> øre still held for it until it is booked (hash); their sum is the record's `unbooked`. */
  holds: string;
  /** Posting ids booked on the card, scored by booking time (sorted set): a posting is booked once. */
  booked: string;
  /** The card's booked postings: their journal ids scored by purchase time (sorted set; card-statement.ts). */
  statement: string;
  /** The card's series of stored-card payments: the first purchase's transaction id -> its merchant (hash). */
  series: string;
  /** The card's issuer scripts for its chip: script id -> JSON, and the count 'seq' (hash; src/card/issuer-scripts.ts). */
  scripts: string;
  /** The fraud monitoring's: the card's transactions within the rules' longest window, JSON, oldest first (list). */
  recent: string;
  /** The fraud monitoring's: the holder profile, the card's history before that window (hash; card-watch.ts). */
  profile: string;
}

/** One transaction's record (hash): its answer, for retransmissions; its state, for completions and reversals. */
export function transactionKey(prefix: string, id: CardId, txn: string): string {
  return `${prefix}card:{${id}}:t:${txn}`;
}

/**
 * What erasing a card deletes (CardRegister.erase): its record, reservations, holds, booked
 * postings and statement, stored-card series, notice outbox, issuer scripts and the monitoring's recent
 * transactions and profile.
 */
export function erasedKeys(k: CardKeys): string[] {
  return [
    k.card,
    k.reservations,
    k.reservationAmounts,
    k.outbox,
    k.holds,
    k.booked,
    k.statement,
    k.series,
    k.scripts,
    k.recent,
    k.profile,
  ];
}

export function cardKeys(prefix: string, id: CardId): CardKeys {
  const base = `${prefix}card:{${id}}`;
  return {
    card: base,
    reservations: `${base}:res`,
    reservationAmounts: `${base}:resamt`,
    outbox: `${base}:outbox`,
    posts: `${base}:posts`,
    holds: `${base}:holds`,
    booked: `${base}:booked`,
    statement: `${base}:statement`,
    series: `${base}:series`,
    scripts: `${base}:scripts`,
    recent: `${base}:recent`,
    profile: `${base}:profile`,
  };
}
