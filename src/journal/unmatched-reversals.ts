/**
 * Reversal advices whose original the switch does not know: acknowledged (so the terminal stops
 * repeating) and kept here for the operator and the reconciliation report; nothing is posted.
 * One entry per advice (terminal, STAN, local time): a repeated advice does not add another.
 */
import type { RegisterRedis } from '../redis/client.js';

export interface UnmatchedReversal {
  /** The advice's own transaction id. */
  advice: string;
  /** The transaction id it names (field 56). */
  original: string;
  maskedPan: string;
  terminal: string;
  amount: number;
  reason: string;
  /** ms received */
  at: number;
}

export class UnmatchedReversals {
  readonly key: string;

  constructor(
    private readonly redis: RegisterRedis,
    prefix: string,
  ) {
    this.key = `${prefix}{journal}:unmatched`;
  }

  async add(entry: UnmatchedReversal): Promise<void> {
    await this.redis.hsetnx(this.key, entry.advice, JSON.stringify(entry));
  }

  /** Oldest first. */
  async list(): Promise<UnmatchedReversal[]> {
    const all = Object.values(await this.redis.hgetall(this.key)).map((j) => JSON.parse(j) as UnmatchedReversal);
    return all.sort((a, b) => a.at - b.at);
  }
}
