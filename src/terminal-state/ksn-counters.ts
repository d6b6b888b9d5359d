/**
 * DUKPT transaction counters used, per device: a KSN is good for one transaction, so a counter
 * already used by another transaction, or one too far below the highest to tell, is refused (a
 * replayed or stale PIN block). The PIN key depends only on the vendor's BDK and the KSN, not on
 * field 41, so the counters are the device's (vendor and the KSN without its counter), whatever
 * terminal id a request names: a PIN block replayed under another terminal id of the same vendor
 * finds its counter used. Like a chip's ATC, the highest counter and a mask of the 32 below it:
 * requests answered out of order still pass. One hash per device, hash-tagged by device, expiring
 * `keepMs` after its last use.
 */
import type { RegisterRedis } from '../redis/client.js';
import { asReply, defineScript } from '../redis/scripts.js';

export type KsnUse = 'ok' | 'repeat' | 'reused' | 'stale';

/** use-ksn.lua: records the counter if not used before (within the window); the same transaction again is a repeat. */
export const useKsnScript = defineScript({
  name: 'swUseKsn',
  file: new URL('./use-ksn.lua', import.meta.url),
  include: [new URL('../redis/replay-window.lua', import.meta.url)],
  keys: ['device'],
  args: ['counter', 'txn', 'keepMs'],
  reply: asReply<KsnUse>(),
});

/** A DUKPT device: its vendor (the BDK's name in the key file) and its KSN without the counter (hex). */
export interface DukptDevice {
  vendor: string;
  device: string;
}

export class KsnCounters {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    /** ms a device's counters are kept after its last use. */
    private readonly keepMs: number,
  ) {}

  key(d: DukptDevice): string {
    return `${this.prefix}dukpt:{${d.vendor}:${d.device}}`;
  }

  /** Records the use of `counter` by the device for transaction `txn`, or says why it may not be used. */
  use(d: DukptDevice, counter: number, txn: string): Promise<KsnUse> {
    return useKsnScript.run(this.redis, { device: this.key(d) }, { counter, txn, keepMs: this.keepMs });
  }

  /** The highest counter the device used, if any. */
  async last(d: DukptDevice): Promise<number | undefined> {
    const v = await this.redis.hget(this.key(d), 'last');
    return v === null ? undefined : Number(v);
  }
}
