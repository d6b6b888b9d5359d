/**
 * Which postings each delivery holds. Sealing delivery n of a day takes, in one atomic step,
 * every journal entry after the previous seal up to the journal's end, and remembers the range:
 * so each posting falls in exactly one delivery, however often (or by however many workers) a
 * cut-off is run. A delivery is rebuilt from its range, so a retried delivery writes the same
 * file byte for byte. Keys share the journal's hash tag (one slot on Redis Cluster).
 */
import type { RegisterRedis } from '../redis/client.js';
import { defineScript, defineScriptsOn } from '../redis/scripts.js';

export interface SealedDelivery {
  date: string;
  number: number;
  cutoff: string;
  /** Journal range: after `from` (exclusive) up to `to` (inclusive). */
  from: string;
  to: string;
  /** Set once the file is in place. */
  file?: string;
  postings?: number;
}

/** seal-delivery.lua: the delivery in field 'date#nn' (of JSON date/number/cutoff), sealed now or before. */
export const sealDeliveryScript = defineScript({
  name: 'swSealDelivery',
  file: new URL('./seal-delivery.lua', import.meta.url),
  keys: ['deliveries', 'sealedTo', 'journal'],
  args: ['field', 'delivery', 'empty'],
  reply: (r) => JSON.parse(r as string) as SealedDelivery,
});

export class DeliveryLedger {
  private readonly deliveries: string;
  private readonly sealedTo: string;
  private readonly redis: RegisterRedis;

  constructor(
    redis: RegisterRedis,
    prefix: string,
    private readonly stream: string,
  ) {
    this.deliveries = `${prefix}{journal}:deliveries`;
    this.sealedTo = `${prefix}{journal}:sealed-to`;
    this.redis = redis;
    defineScriptsOn(redis);
  }

  /** Seals delivery `number` of `date` (or returns it as sealed before); `empty`: with no postings. */
  async seal(date: string, number: number, cutoff: string, empty = false): Promise<SealedDelivery> {
    return sealDeliveryScript.run(
      this.redis,
      { deliveries: this.deliveries, sealedTo: this.sealedTo, journal: this.stream },
      { field: field(date, number), delivery: JSON.stringify({ date, number, cutoff }), empty: empty ? '1' : '0' },
    );
  }

  async get(date: string, number: number): Promise<SealedDelivery | undefined> {
    const json = await this.redis.hget(this.deliveries, field(date, number));
    return json === null ? undefined : (JSON.parse(json) as SealedDelivery);
  }

  /** Records that the file is in place. */
  async delivered(d: SealedDelivery, file: string, postings: number): Promise<void> {
    await this.redis.hset(this.deliveries, field(d.date, d.number), JSON.stringify({ ...d, file, postings }));
  }

  /** The sealed deliveries of a date, by number. */
  async ofDate(date: string): Promise<SealedDelivery[]> {
    const all = await this.redis.hgetall(this.deliveries);
    return Object.entries(all)
      .filter(([k]) => k.startsWith(`${date}#`))
      .map(([, v]) => JSON.parse(v) as SealedDelivery)
      .sort((a, b) => a.number - b.number);
  }
}

function field(date: string, number: number): string {
  return `${date}#${String(number).padStart(2, '0')}`;
}
