/**
 * The switch's last approved transaction per old terminal (DKT1, DKT1+, OEM): what the
 * reverseLostAnswer step compares with the STAN the terminal says it completed. Written before the
 * answer leaves (and again by the posting relay, which also covers a crash in between); cleared
 * once the switch has reversed it. One key per terminal, hash-tagged by terminal.
 */
import type { RegisterRedis } from '../redis/client.js';
import { asReply, defineScript } from '../redis/scripts.js';

export interface LastApproved {
  txn: string;
  card: string;
  stan: string;
  localTime: string;
  /** ms the switch received it: a later record never gives way to an earlier one. */
  at: number;
}

/**
 * record-last.lua: sets the record (field/value pairs, the tail) only if newer: a live record
 * (the request's own step) also at the same moment (two approvals in one ms, the same one
 * again); a late copy (the posting relay's, moved later) only if strictly newer, so that it can
 * never replace a later approval of the same millisecond, nor bring back one the switch reversed.
 * 1 when set.
 */
export const recordLastScript = defineScript({
  name: 'swLastRecord',
  file: new URL('./record-last.lua', import.meta.url),
  keys: ['terminal'],
  args: ['at', 'when'],
  rest: 'fields',
  reply: asReply<number>(),
});

/**
 * clear-last.lua: only if the record still names that transaction; what is left is its time
 * alone (no transaction), which keeps a late copy of it out. 1 when cleared.
 */
export const clearLastScript = defineScript({
  name: 'swLastClear',
  file: new URL('./clear-last.lua', import.meta.url),
  keys: ['terminal'],
  args: ['txn'],
  reply: asReply<number>(),
});

export class LastApprovedTransactions {
  private readonly redis: RegisterRedis;

  constructor(
    redis: RegisterRedis,
    private readonly prefix: string,
  ) {
    this.redis = redis;
  }

  key(terminal: string): string {
    return `${this.prefix}terminal:{${terminal}}:last`;
  }

  async get(terminal: string): Promise<LastApproved | undefined> {
    const h = await this.redis.hgetall(this.key(terminal));
    // No transaction: none yet, or the last one was reversed (only its time is kept).
    if (h.txn === undefined) return undefined;
    return { txn: h.txn, card: h.card!, stan: h.stan!, localTime: h.localTime!, at: Number(h.at) };
  }

  /** The request's own step, before its answer leaves. */
  async record(terminal: string, last: LastApproved): Promise<void> {
    await this.set(terminal, last, 'live');
  }

  /** The posting relay's copy, which may come after later approvals (or the reversal) of the terminal. */
  async recordLate(terminal: string, last: LastApproved): Promise<void> {
    await this.set(terminal, last, 'late');
  }

  private async set(terminal: string, last: LastApproved, when: 'live' | 'late'): Promise<void> {
    await recordLastScript.run(this.redis, { terminal: this.key(terminal) }, { at: last.at, when }, [
      'txn',
      last.txn,
      'card',
      last.card,
      'stan',
      last.stan,
      'localTime',
      last.localTime,
    ]);
  }

  async clear(terminal: string, txn: string): Promise<void> {
    await clearLastScript.run(this.redis, { terminal: this.key(terminal) }, { txn });
  }
}
