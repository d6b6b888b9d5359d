/**
 * A periodic sweep that runs only after markFailed(), until a sweep succeeds: the relays' outbox
 * sweeps SCAN the whole keyspace, not something to do every few seconds under load for nothing.
 */
import type { Logger } from '../log/logger.js';

export class SweepOnFailure {
  private timer: NodeJS.Timeout | undefined;
  private failed = false;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly what: string,
    private readonly log: Pick<Logger, 'warn'>,
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
