/**
 * The switch's last approved transaction per old terminal (DKT1, DKT1+, OEM): what the
 * ReversalDetector compares with the STAN the terminal says it completed. Written before the
 * answer leaves (and again by the posting relay, which also covers a crash in between); cleared
 * once the switch has reversed it. One key per terminal, hash-tagged by terminal.
 */
import type { RegisterRedis } from '../redis/client.js';

export interface LastApproved {
  txn: string;
  card: string;
  stan: string;
  localTime: string;
  /** ms the switch received it: a later record never gives way to an earlier one. */
  at: number;
}

/**
 * KEYS: 1 terminal key  ARGV: 1 at, 2 'live' | 'late', then field/value pairs. Sets only if newer:
 * a live record (the request's own step) also at the same moment (two approvals in one ms, the same
 * one again); a late copy (the posting relay's, moved later) only if strictly newer, so that it can
 * never replace a later approval of the same millisecond, nor bring back one the switch reversed.
 */
const RECORD_LUA = `
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
local t = tonumber(ARGV[1])
if t < at or (t == at and ARGV[2] == 'late') then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[1], unpack(ARGV, 3))
return 1
`;

/**
 * KEYS: 1 terminal key  ARGV: 1 txn. Only if it still names that transaction: what is left is its
 * time alone (no transaction), which keeps a late copy of it out.
 */
const CLEAR_LUA = `
if redis.call('HGET', KEYS[1], 'txn') ~= ARGV[1] then return 0 end
local at = redis.call('HGET', KEYS[1], 'at')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', at)
return 1
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
    await this.redis.swLastRecord(this.key(terminal), last.at, when, 'txn', last.txn, 'card', last.card, 'stan', last.stan, 'localTime', last.localTime);
  }

  async clear(terminal: string, txn: string): Promise<void> {
    await this.redis.swLastClear(this.key(terminal), txn);
  }
}
