/**
 * Completions and reversals of a card's transactions, each one Lua call on the card's keys
 * (src/card/scripts/complete.lua and reverse.lua, declared in scripts/transactions.ts): at most
 * once per original, posting made atomically.
 */
import { randomUUID } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { CardRegister } from './card-register.js';
import { type CardId } from '../crypto/card-id.js';
import { transactionKey } from './keys.js';
import { type TransactionReply, completeScript, reverseScript } from './scripts/transactions.js';

export type CompletionOutcome =
  | 'approved'
  | 'notRegistered'
  | 'originalNotFound'
  | 'invalidTransaction'
  | 'alreadyCompleted'
  | 'alreadyReversed'
  | 'amountExceedsAuthorized'
  | 'duplicateTransmission';

/** What a reversal did: posted a reversal or cancellation, released a reservation, nothing (already reversed, unknown original). */
export type ReversalEffect = 'posted' | 'released' | 'alreadyReversed' | 'unmatched';

export interface TransactionResult<O extends string> {
  outcome: O;
  detail: string;
  card: CardId;
  /** The original's approval code (completions). */
  approvalCode: string;
  /** The posting made, as JSON; '' when none. */
  posting: string;
  /** A withdrawal's fee given back with it (a reversal in full), as JSON; '' when none. */
  fee: string;
  /** A repeated request: answered as the first time, nothing changed. */
  repeat: boolean;
}

export interface Reference {
  pan: string;
  /** The original's transaction id. */
  original: string;
  /** The request's own transaction id (its retransmissions are answered as the first time), and what they must repeat. */
  own: string;
  signature: string;
  /** When the switch received the request (ms): the posting's receivedAt. Default: the clock's now. */
  receivedAt?: number;
}

export class CardTransactions {
  private readonly redis: RegisterRedis;

  constructor(
    redis: RegisterRedis,
    private readonly prefix: string,
    private readonly register: CardRegister,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {
    this.redis = redis;
  }

  /**
   * Completes a dual-message authorization with its final amount, in minor units of the
   * authorization's currency; `currency` (field 49, '' when absent) must be that currency.
   */
  async complete(ref: Reference, amount: number, currency = ''): Promise<TransactionResult<CompletionOutcome>> {
    const id = this.register.idOf(ref.pan);
    const k = this.register.keysOf(id);
    const r = await completeScript.run(
      this.redis,
      {
        card: k.card,
        reservations: k.reservations,
        reservationAmounts: k.reservationAmounts,
        own: transactionKey(this.prefix, id, ref.own),
        original: transactionKey(this.prefix, id, ref.original),
        posts: k.posts,
        holds: k.holds,
      },
      {
        now: ref.receivedAt ?? this.clock.now().getTime(),
        signature: ref.signature,
        amount,
        keepFor: this.keepForMs(),
        postingId: randomUUID(),
        currency,
      },
    );
    return result<CompletionOutcome>(r, id);
  }

  /**
   * Reverses a transaction: `amount` (minor units of the original's currency) 0 reverses all of
   * it. `ref.own` '' is the switch's own reversal (no request of its own to remember).
   */
  async reverse(
    ref: Reference,
    amount: number,
    type: 'reversal' | 'cancellation',
    reason: string,
  ): Promise<TransactionResult<'reversalAccepted' | 'duplicateTransmission'>> {
    const id = this.register.idOf(ref.pan);
    return this.reverseCard(id, ref, amount, type, reason);
  }

  /** As reverse(), for a card known by its id (the switch's own reversals know no PAN). */
  async reverseCard(
    id: CardId,
    ref: Omit<Reference, 'pan'>,
    amount: number,
    type: 'reversal' | 'cancellation',
    reason: string,
  ): Promise<TransactionResult<'reversalAccepted' | 'duplicateTransmission'>> {
    const k = this.register.keysOf(id);
    const original = transactionKey(this.prefix, id, ref.original);
    const own = ref.own === '' ? original : transactionKey(this.prefix, id, ref.own);
    const r = await reverseScript.run(
      this.redis,
      {
        card: k.card,
        reservations: k.reservations,
        reservationAmounts: k.reservationAmounts,
        own,
        original,
        posts: k.posts,
        holds: k.holds,
      },
      {
        now: ref.receivedAt ?? this.clock.now().getTime(),
        signature: ref.signature,
        amount,
        keepFor: this.keepForMs(),
        postingId: randomUUID(),
        postingType: type,
        reason,
        hasOwn: ref.own === '' ? '0' : '1',
        feePostingId: randomUUID(),
      },
    );
    return result<'reversalAccepted' | 'duplicateTransmission'>(r, id);
  }

  private keepForMs(): number {
    return this.retentionDays * 86_400_000;
  }
}

function result<O extends string>(r: TransactionReply, card: CardId): TransactionResult<O> {
  return {
    outcome: r[0] as O,
    detail: r[1],
    card,
    approvalCode: r[4] ?? '',
    posting: r[5] ?? '',
    fee: r[7] ?? '',
    repeat: r[6] === 'repeat',
  };
}
