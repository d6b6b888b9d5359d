/**
 * What the two relays (issuer notices, postings) share: finding the cards' outboxes left behind
 * by a failure, and sweeping them periodically only while a failure has happened since the last
 * sweep (a sweep SCANs the whole keyspace: not something to do every few seconds under load).
 */
import { type RegisterRedis, scanEveryMaster } from '../redis/client.js';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';

/**
 * Calls `each` for every card with a `card:{id}:<suffix>` key (SCAN on every master, never KEYS);
 * sums what it returns.
 */
export async function forEachCardOutbox(redis: RegisterRedis, prefix: string, suffix: string, each: (card: CardId, key: string) => Promise<number>): Promise<number> {
  let total = 0;
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}card:{*}:${suffix}`;
  await scanEveryMaster(redis, match, 1000, async (keys) => {
    for (const key of keys) total += await each(/\{(.+)\}/.exec(key)![1]!, key);
  });
  return total;
}

/** A periodic sweep that runs only after markFailed(), until a sweep succeeds. */
export class SweepOnFailure {
  private timer: NodeJS.Timeout | undefined;
  private failed = false;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  markFailed(): void {
    this.failed = true;
  }

  /** Called by the sweep itself when it starts: what failed before is being swept now. */
  clear(): void {
    this.failed = false;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      if (!this.failed) return;
      void this.sweep().catch((e: Error) => {
        this.failed = true;
        this.log.warn({ err: e.message }, `${this.what} sweep failed`);
      });
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
