/**
 * DUKPT transaction counters used, per terminal and device (the KSN without its counter): a KSN
 * is good for one transaction, so a counter already used or one below the last is refused (a
 * replayed or stale PIN block). One hash per terminal, hash-tagged by terminal.
 */
import type { RegisterRedis } from '../redis/client.js';
import { asReply, defineScript, defineScriptsOn } from '../redis/scripts.js';

export type KsnUse = 'ok' | 'repeat' | 'reused' | 'backwards';

/** use-ksn.lua: records the counter if above the device's last; the same transaction again is a repeat. */
export const useKsnScript = defineScript({
  name: 'swUseKsn',
  file: new URL('./use-ksn.lua', import.meta.url),
  keys: ['ksn'],
  args: ['device', 'counter', 'txn'],
  reply: asReply<KsnUse>(),
});

export class KsnCounters {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
  ) {
    defineScriptsOn(redis);
  }

  key(terminal: string): string {
    return `${this.prefix}terminal:{${terminal}}:ksn`;
  }

  /** Records the use of `counter` by `device` for transaction `txn`, or says why it may not be used. */
  use(terminal: string, device: string, counter: number, txn: string): Promise<KsnUse> {
    return useKsnScript.run(this.redis, { ksn: this.key(terminal) }, { device, counter, txn });
  }

  /** The last counter the device used at the terminal, if any. */
  async last(terminal: string, device: string): Promise<number | undefined> {
    const v = await this.redis.hget(this.key(terminal), device);
    return v === null ? undefined : Number(v);
  }
}
