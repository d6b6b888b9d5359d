/**
 * The card module: everything under a card's hash tag {id} (record, PIN tries, reservations,
 * transaction records, offline advices posted, the two outboxes, the holds of postings not yet
 * booked, the booked postings and the statement of them, the fraud monitoring's recent transactions and holder profile), the Lua that changes it, and the holder index (`holder:<kind>:<hash>`, beside the
 * cards' slots).
 */
import type { RegisterRedis } from '../redis/client.js';
import type { RegisterConfig } from '../config/types.js';
import type { Clock } from '../time/clock.js';
import { CardRegister } from './card-register.js';
import { CardTransactions } from './card-transactions.js';
import { OfflineAdvices } from './offline-advices.js';
import { CardBooking } from './card-booking.js';
import { CardStatement } from './card-statement.js';
import { CardOutboxes } from './outboxes.js';
import { HolderIndex } from './holder-index.js';
import { IssuerScripts } from './issuer-scripts.js';
import { CardWatch, PROFILE_KEPT_MS } from './card-watch.js';

export interface CardModuleDeps {
  redis: RegisterRedis;
  /** Key prefix of the switch's keys (config redis.keyPrefix). */
  prefix: string;
  config: RegisterConfig;
  clock: Clock;
}

export interface CardModule {
  register: CardRegister;
  /** Completions and reversals of the card's recorded transactions. */
  transactions: CardTransactions;
  /** Sales terminals approved offline, posted from their advices. */
  offlineAdvices: OfflineAdvices;
  /** Delivered postings booked on their cards (balance, holds), for the clearing delivery. */
  booking: CardBooking;
  /** The card's booked postings by purchase time and its status at given times, for the disputes. */
  statement: CardStatement;
  /** The notices the card's changes wrote, for the notice relay. */
  noticeOutboxes: CardOutboxes;
  /** The postings the card's approvals made, for the posting relay. */
  postingOutboxes: CardOutboxes;
  /** Cards by their holder's account and personal number, for the block service. */
  holders: HolderIndex;
  /** Issuer scripts for the cards' chips: queued, sent in chip answers, their results. */
  scripts: IssuerScripts;
  /** The fraud monitoring's state on the cards: recent transactions, holder profiles, its blocks. */
  watch: CardWatch;
}

export function createCardRegister({ redis, prefix, config, clock }: CardModuleDeps): CardModule {
  const register = new CardRegister(redis, prefix, config, clock);
  return {
    register,
    transactions: new CardTransactions(redis, prefix, register, clock, config.transactionRetentionDays),
    offlineAdvices: new OfflineAdvices(redis, prefix, register, clock, config.transactionRetentionDays),
    booking: new CardBooking(redis, prefix, clock, config.transactionRetentionDays * 86_400_000),
    statement: new CardStatement(redis, prefix),
    noticeOutboxes: new CardOutboxes(redis, prefix, 'notices'),
    postingOutboxes: new CardOutboxes(redis, prefix, 'postings'),
    holders: new HolderIndex(redis, prefix, Buffer.from(config.secret, 'hex'), register),
    scripts: new IssuerScripts(redis, prefix, clock),
    watch: new CardWatch(redis, prefix, clock, PROFILE_KEPT_MS),
  };
}
