/**
 * The switch's last approved transaction per old terminal (DKT1, DKT1+, OEM): what the
 * ReversalDetector compares with the STAN the terminal says it completed. Written before the
 * answer leaves (and again by the posting relay, which also covers a crash in between); cleared
 * once the switch has reversed it. One key per terminal, hash-tagged by terminal.
 */
import type { RegisterRedis } from '../register/redis-client.js';

export interface LastApproved {
  txn: string;
  card: string;
  stan: string;
  localTime: string;
  /** ms the switch received it: a later record never gives way to an earlier one. */
  at: number;
}

/** KEYS: 1 terminal key  ARGV: 1 at, then field/value pairs. Sets only if newer (or equal: the same one). */
const RECORD_LUA = `
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
if tonumber(ARGV[1]) < at then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[1], unpack(ARGV, 2))
return 1
`;

/** KEYS: 1 terminal key  ARGV: 1 txn. Deletes only if it still names that transaction. */
const CLEAR_LUA = `
if redis.call('HGET', KEYS[1], 'txn') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface Commands {
  swLastRecord(...args: (string | number)[]): Promise<number>;
  swLastClear(...args: string[]): Promise<number>;
}

export class LastApprovedTransactions {
  private readonly redis: RegisterRedis & Commands;

  constructor(
    redis: RegisterRedis,
    private readonly prefix: string,
  ) {
    if (!('swLastRecord' in redis)) redis.defineCommand('swLastRecord', { numberOfKeys: 1, lua: RECORD_LUA });
    if (!('swLastClear' in redis)) redis.defineCommand('swLastClear', { numberOfKeys: 1, lua: CLEAR_LUA });
    this.redis = redis as RegisterRedis & Commands;
  }

  key(terminal: string): string {
    return `${this.prefix}terminal:{${terminal}}:last`;
  }

  async get(terminal: string): Promise<LastApproved | undefined> {
    const h = await this.redis.hgetall(this.key(terminal));
    if (h.txn === undefined) return undefined;
    return { txn: h.txn, card: h.card!, stan: h.stan!, localTime: h.localTime!, at: Number(h.at) };
  }

  async record(terminal: string, last: LastApproved): Promise<void> {
    await this.redis.swLastRecord(this.key(terminal), last.at, 'txn', last.txn, 'card', last.card, 'stan', last.stan, 'localTime', last.localTime);
  }

  async clear(terminal: string, txn: string): Promise<void> {
    await this.redis.swLastClear(this.key(terminal), txn);
  }
}
