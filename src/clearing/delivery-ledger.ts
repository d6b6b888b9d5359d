/**
 * Which postings each delivery holds. Sealing delivery n of a day takes, in one atomic step,
 * every journal entry after the previous seal up to the journal's end, and remembers the range:
 * so each posting falls in exactly one delivery, however often (or by however many workers) a
 * cut-off is run. A delivery is rebuilt from its range, so a retried delivery writes the same
 * file byte for byte. Keys share the journal's hash tag (one slot on Redis Cluster).
 */
import type { RegisterRedis } from '../redis/client.js';

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

/**
 * KEYS: 1 deliveries hash ('date#nn' -> JSON), 2 last sealed journal id, 3 journal stream
 * ARGV: 1 field, 2 JSON of date/number/cutoff. Returns the delivery's JSON (existing or new).
 */
const SEAL_LUA = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
local d = cjson.decode(ARGV[2])
d.from = redis.call('GET', KEYS[2]) or '0-0'
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
d.to = d.from
if last[1] then d.to = last[1][1] end
local json = cjson.encode(d)
redis.call('HSET', KEYS[1], ARGV[1], json)
redis.call('SET', KEYS[2], d.to)
return json
`;

interface Commands {
  swSealDelivery(...args: string[]): Promise<string>;
}

export class DeliveryLedger {
  private readonly deliveries: string;
  private readonly sealedTo: string;
  private readonly redis: RegisterRedis & Commands;

  constructor(
    redis: RegisterRedis,
    prefix: string,
    private readonly stream: string,
  ) {
    this.deliveries = `${prefix}{journal}:deliveries`;
    this.sealedTo = `${prefix}{journal}:sealed-to`;
    if (!('swSealDelivery' in redis)) redis.defineCommand('swSealDelivery', { numberOfKeys: 3, lua: SEAL_LUA });
    this.redis = redis as RegisterRedis & Commands;
  }

  /** Seals delivery `number` of `date` (or returns it as sealed before). */
  async seal(date: string, number: number, cutoff: string): Promise<SealedDelivery> {
    const json = await this.redis.swSealDelivery(this.deliveries, this.sealedTo, this.stream, field(date, number), JSON.stringify({ date, number, cutoff }));
    return JSON.parse(json) as SealedDelivery;
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
