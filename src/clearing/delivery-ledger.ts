/**
 * Which postings each delivery holds. Sealing delivery n of a day takes, in one atomic step,
 * every journal entry after the previous seal up to the journal's end, and remembers the range:
 * so each posting falls in exactly one delivery, however often (or by however many workers) a
 * cut-off is run. A delivery is rebuilt from its range, so a retried delivery writes the same
 * file byte for byte. Keys share the journal's hash tag (one slot on Redis Cluster).
 *
 * Booking: a delivery whose file is recorded is also listed as to be booked (in the same
 * transaction) until its postings are booked on their cards, so a run that dies between the file
 * and the booking leaves the booking to the next run (clearing-delivery.ts).
 */
import type { RegisterRedis } from '../redis/client.js';
import { defineScript } from '../redis/scripts.js';

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
  /** Set once its postings are booked on their cards (absent on deliveries made before booking existed). */
  booked?: true;
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
  /** Fields ('date#nn') of the deliveries written whose postings are not booked yet (set). */
  private readonly toBook: string;
  private readonly redis: RegisterRedis;

  constructor(
    redis: RegisterRedis,
    prefix: string,
    private readonly stream: string,
  ) {
    this.deliveries = `${prefix}{journal}:deliveries`;
    this.sealedTo = `${prefix}{journal}:sealed-to`;
    this.toBook = `${prefix}{journal}:to-book`;
    this.redis = redis;
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

  /**
   * Records that the file is in place; the first time, also that its postings are to be booked (a
   * file written again is booked already, is listed still, or was made before booking existed).
   */
  async delivered(d: SealedDelivery, file: string, postings: number): Promise<SealedDelivery> {
    const written: SealedDelivery = { ...d, file, postings };
    const f = field(d.date, d.number);
    const tx = this.redis.multi().hset(this.deliveries, f, JSON.stringify(written));
    if (d.file === undefined) tx.sadd(this.toBook, f);
    await tx.exec();
    return written;
  }

  /** Records that the delivery's postings are booked on their cards. */
  async booked(d: SealedDelivery): Promise<void> {
    const f = field(d.date, d.number);
    await this.redis
      .multi()
      .hset(this.deliveries, f, JSON.stringify({ ...d, booked: true }))
      .srem(this.toBook, f)
      .exec();
  }

  /** The deliveries written but not yet booked (a run died in between), oldest first. */
  async notBooked(): Promise<SealedDelivery[]> {
    const fields = (await this.redis.smembers(this.toBook)).sort();
    if (fields.length === 0) return [];
    const values = await this.redis.hmget(this.deliveries, ...fields);
    return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as SealedDelivery]));
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
