/**
 * The decision's Redis call on its own (issue 19): CardRegister.authorize against a real Redis,
 * N times, without the switch around it. Reports the switch's CPU per call (process.cpuUsage
 * around the loop: building the call, ioredis, the reply) and Redis's (INFO commandstats, evalsha
 * usec_per_call, after CONFIG RESETSTAT: give it a Redis of its own, e.g. `redis-server --port
 * 6390 --save ''`, as RESETSTAT clears every client's statistics).
 *
 *   npx tsx bench/authorize-call.ts [--url redis://127.0.0.1:6390] [--calls 20000] [--inflight 32]
 *
 * The requests rotate like the default mix's card-present share: a single-message PIN purchase
 * (posts), a dual-message PIN authorization (reserves), a PIN-less contactless purchase (its 6th
 * in a row is refused for the cumulative rule), each on cards seeded as the bench seeds them
 * (the register's own register()), under a key prefix of its own that is removed at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CardRegister, type AuthorizeRequest, type PostingTemplate } from '../src/card/card-register.js';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';
import { connectRedis } from '../src/redis/connect.js';
import { globLiteral } from '../src/redis/client.js';
import { systemClock } from '../src/time/clock.js';
import { luhnCheckDigit } from '../src/card/luhn.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'redis://127.0.0.1:6379' },
    calls: { type: 'string', default: '20000' },
    inflight: { type: 'string', default: '32' },
    cards: { type: 'string', default: '64' },
  },
});
const calls = Number(values.calls);
const inflight = Number(values.inflight);
const cardCount = Number(values.cards);

const { redis, stop } = await connectRedis({ url: values.url });
const prefix = `bench-authcall-${randomBytes(4).toString('hex')}:`;
const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, systemClock);

const PIN = '1234';
const pans: string[] = [];
for (let i = 0; i < cardCount; i++) {
  const body = `5019${String(900_000_000 + i).padStart(11, '0')}`;
  pans.push(`${body}${luhnCheckDigit(body)}`);
}
for (const pan of pans) {
  await register.register({
    pan,
    issuer: 'bank-a',
    product: 'classic',
    expiry: '4912',
    pin: PIN,
    activationCode: '1234',
    account: 'DK5000400440116243',
    balance: 1_000_000_000_000,
    currency: 'DKK',
    status: 'active',
  });
}
const pvvs = pans.map((pan) => register.pvvOf(pan, PIN));

function template(i: number, stan: string): PostingTemplate {
  const localTime = '261206101530';
  return {
    id: randomUUID(),
    txn: `BENCH001-${localTime}-${stan}-${i}`,
    type: 'purchase',
    direction: 'D',
    amount: 12_550,
    currency: '208',
    originalAmount: 12_550,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    terminal: 'BENCH001',
    merchant: 'MERCHANT000001',
    stan,
    localTime,
    purchasedAt: Date.now(),
    receivedAt: Date.now(),
    merchantName: 'Bench Shop',
    merchantCity: 'Copenhagen',
    mcc: '5411',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'attended',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
  };
}

function request(i: number): AuthorizeRequest {
  const c = i % cardCount;
  const shape = i % 3;
  const stan = String(i % 1_000_000).padStart(6, '0');
  const posting = template(i, stan);
  const contactless = shape === 2;
  return {
    pan: pans[c]!,
    kind: 'purchase',
    amount: contactless ? 9_900 : 12_550,
    pvv: contactless ? undefined : pvvs[c],
    contactless,
    chip: !contactless,
    reserve: true,
    terminalId: 'BENCH001',
    transaction: {
      txn: posting.txn,
      signature: `sig-${i}`,
      message: shape === 1 ? 'dual' : 'single',
      approvalCode: String(100_000 + (i % 900_000)),
      posting: contactless ? { ...posting, amount: 9_900, verification: 'none', entryMode: 'contactless' } : posting,
    },
  };
}

async function run(from: number, n: number): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  let next = from;
  const end = from + n;
  async function lane(): Promise<void> {
    while (next < end) {
      const r = await register.authorize(request(next++));
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: inflight }, lane));
  return outcomes;
}

/** Redis's own CPU time so far (s): unlike commandstats' usec, not inflated when the shared machine preempts it. */
async function redisCpu(): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function evalshaUsec(): Promise<{ calls: number; usec: number }> {
  const info = await redis.info('commandstats');
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
  return m === null ? { calls: 0, usec: 0 } : { calls: Number(m[1]), usec: Number(m[2]) };
}

try {
  await run(0, Math.min(2000, calls)); // warm-up: JIT, the script loaded in Redis
  await redis.config('RESETSTAT');
  const redisCpuBefore = await redisCpu();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const outcomes = await run(10_000_000, calls);
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const stats = await evalshaUsec();
  const redisCpuUs = ((await redisCpu()) - redisCpuBefore) * 1e6;
  const switchUs = (used.user + used.system) / calls;
  console.log(
    JSON.stringify({
      calls,
      inflight,
      outcomes: Object.fromEntries(outcomes),
      switchCpuUsPerCall: Number(switchUs.toFixed(1)),
      redisEvalshaCalls: stats.calls,
      redisUsecPerCall: Number((stats.usec / Math.max(1, stats.calls)).toFixed(1)),
      redisCpuUsPerCall: Number((redisCpuUs / calls).toFixed(1)),
      wallMs: Math.round(wall),
    }),
  );
} finally {
  // The run's keys: its cards and everything beside them, and their transaction records.
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globLiteral(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await stop();
}
