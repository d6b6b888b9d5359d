/**
 * Register calls whose outcome the switch does not know when it answers: the call timed out,
 * or the connection to Redis broke while it was in flight. The terminal is answered 911
 * ("register unavailable"), which it treats as declined; but the Lua call may have run all the
 * same (Redis executed it and died before the reply left, or was slow and answered after the
 * timeout). So, once the call has settled and Redis answers:
 *  - a request (1100 / 1200) the register approved is reversed, as an acquirer sends a reversal
 *    for a request whose answer timed out: a posted sale gets a reversal posting (reason
 *    'switch'), an authorization its reservation back. What the terminal was told stands.
 *  - the card's outboxes are moved, so that postings and notices such a call made (which the
 *    step never saw) reach the journal and the issuer's feed now, not at the next sweep.
 * Advices (1220, 1420) are only moved: the terminal repeats them until acknowledged, and the
 * repeat gets the first answer.
 *
 * While the connection is not ready at all, no call is made: it would wait in ioredis's offline
 * queue and could run after the terminal had its 911 (src/redis/connect.ts, OUTAGE_OPTIONS).
 * The pending list is kept in memory: a switch killed during an outage forgets it, and such an
 * approval stands as the classic lost answer (docs/OPERATIONS.md).
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';
import type { CardRegister } from '../card/card-register.js';
import type { NoticeRelay } from '../notices/notice-relay.js';
import type { CardTransactions } from '../card/card-transactions.js';
import type { PostingRelay } from '../journal/posting-relay.js';
import { RegisterUnavailableError, registerCall } from '../redis/errors.js';
import { SWITCH_REVERSAL_REASON, reversalPostingType } from '../journal/reversal-reasons.js';

/** How often what could not be settled (Redis still down) is tried again. */
const RETRY_MS = 500;

export interface UncertainRef {
  /** The card's PAN (only its card id is kept). */
  pan: string;
  /** A request's own transaction id: reversed if the register approved it. Absent for advices. */
  reverse?: string;
}

interface Pending {
  card: CardId;
  reverse?: string;
}

export interface UncertainCallsDeps {
  redis: RegisterRedis;
  register: CardRegister;
  transactions: CardTransactions;
  postings: PostingRelay;
  notices: NoticeRelay;
  log: Logger;
}

export class UncertainCalls {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private settling: Promise<void> | undefined;

  constructor(private readonly deps: UncertainCallsDeps) {}

  /** Calls not settled yet (Redis down, or the call itself still out). */
  get size(): number {
    return this.pending.size;
  }

  /**
   * The register's answer within `timeoutMs`, or RegisterUnavailableError; a call that failed
   * after it may have reached Redis is settled later (above).
   */
  async run<T>(make: () => Promise<T>, timeoutMs: number, ref: UncertainRef): Promise<T> {
    const status = this.deps.redis.status;
    if (status !== 'ready') throw new RegisterUnavailableError(`Redis connection ${status}`);
    const call = make();
    try {
      return await registerCall(call, timeoutMs);
    } catch (e) {
      const later = (): void => this.add(ref);
      call.then(later, later);
      throw e;
    }
  }

  private add(ref: UncertainRef): void {
    const card = this.deps.register.idOf(ref.pan);
    this.pending.set(`${card}|${ref.reverse ?? ''}`, {
      card,
      ...(ref.reverse === undefined ? {} : { reverse: ref.reverse }),
    });
    void this.settleAll();
  }

  /** Settles every pending call now (or leaves it for the next try); resolves when done. */
  async settleAll(): Promise<void> {
    while (this.settling) await this.settling;
    this.settling = this.settlePending().finally(() => (this.settling = undefined));
    await this.settling;
  }

  private async settlePending(): Promise<void> {
    for (const [key, ref] of [...this.pending]) {
      try {
        await this.settle(ref);
        this.pending.delete(key);
      } catch (e) {
        this.deps.log.warn(
          { err: (e as Error).message, left: this.pending.size },
          'register calls with unknown outcome: settled when Redis answers',
        );
        this.retryLater();
        return;
      }
    }
  }

  /** The card's postings moved first, so that a reversal follows its original in the journal. */
  private async settle(ref: Pending): Promise<void> {
    await this.deps.postings.moveCard(ref.card);
    if (ref.reverse !== undefined) {
      const r = await this.deps.transactions.reverseCard(
        ref.card,
        { original: ref.reverse, own: '', signature: '' },
        0,
        reversalPostingType(SWITCH_REVERSAL_REASON),
        SWITCH_REVERSAL_REASON,
      );
      if (r.posting !== '') this.deps.postings.enqueue(r.card, r.posting);
      if (r.fee !== '') this.deps.postings.enqueue(r.card, r.fee);
      if (r.detail === 'posted' || r.detail === 'released')
        this.deps.log.warn(
          { txn: ref.reverse, effect: r.detail },
          'a request answered 911 had been approved after all: the switch reversed it',
        );
    }
    await this.deps.notices.flush(ref.card);
  }

  private retryLater(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.settleAll();
    }, RETRY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
