/**
 * Offline advices: sales a terminal approved offline below its floor limit and sends afterwards
 * (docs/PROTOCOL.md, "Offline advices"). Each is one Lua call on the card's keys
 * (scripts/offline-advice.lua): posted once, with the card's status at the purchase time, never
 * refused for the card's status (the money has been handed over).
 */
import { randomUUID } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { CardId } from '../crypto/card-id.js';
import type { CardRegister, PostingTemplate } from './card-register.js';
import { transactionKey } from './keys.js';
import { postingArgs } from './posting-args.js';
import { offlineAdviceScript } from './scripts/offline-advice.js';

export type OfflineAdviceOutcome = 'approved' | 'notRegistered' | 'duplicateTransmission';

export interface OfflineAdvice {
  pan: string;
  kind: 'purchase' | 'refund';
  /** øre (a foreign amount converted) */
  amount: number;
  /** Field 38: the terminal's own approval code ('' none). */
  approvalCode: string;
  /** What a repeat must repeat to get the first answer (src/messages/transaction-data.ts signatureOf). */
  signature: string;
  /** The posting, less what the register fills in from the card record; its `txn` names the advice's record. */
  posting: PostingTemplate;
}

export interface OfflineAdviceResult {
  outcome: OfflineAdviceOutcome;
  /** The card's status at the purchase time, as the posting's cardStatus ('' when nothing was posted). */
  cardStatus: string;
  /** Notices written to the card's outbox (an offline sale on a card blocked or deleted then). */
  notices: number;
  card: CardId;
  approvalCode: string;
  /** The posting made, as JSON; '' when none. */
  posting: string;
  /** A repeat: answered as the first time, nothing posted. */
  repeat: boolean;
}

export class OfflineAdvices {
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

  async post(a: OfflineAdvice): Promise<OfflineAdviceResult> {
    const id = this.register.idOf(a.pan);
    const k = this.register.keysOf(id);
    const { track: _, ...posting } = postingArgs(a.posting);
    const [outcome, detail, notices, , approvalCode, json, repeat] = await offlineAdviceScript.run(
      this.redis,
      {
        card: k.card,
        transaction: transactionKey(this.prefix, id, a.posting.txn),
        posts: k.posts,
        holds: k.holds,
        outbox: k.outbox,
      },
      {
        now: this.clock.now().getTime(),
        signature: a.signature,
        kind: a.kind,
        amount: a.amount,
        approvalCode: a.approvalCode,
        keepFor: this.retentionDays * 86_400_000,
        noticeId: randomUUID(),
        ...posting,
      },
    );
    return {
      outcome: outcome as OfflineAdviceOutcome,
      cardStatus: detail,
      notices,
      card: id,
      approvalCode,
      posting: json,
      repeat: repeat !== undefined,
    };
  }
}
