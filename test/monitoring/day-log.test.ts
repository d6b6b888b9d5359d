/**
 * The day's log of monitored transactions (src/monitoring/day-log.ts) on a real Redis: entries
 * written in batches under the local business day (a batch at midnight goes to two days), kept
 * eight days, written by the timer without a drain, read back in order across reads of many
 * entries; a write that fails is logged, counted and dropped, and the drain still resolves.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { Counter, Registry } from 'prom-client';
import { createLogger } from '../../src/log/logger.js';
import { DayLog, dayLogKey, readDayLog } from '../../src/monitoring/day-log.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import type { RegisterRedis } from '../../src/redis/client.js';
import { testClient, testRedis } from '../support/redis.js';
import { watched } from './fixtures.js';

const tx = (n: number, at: string): WatchedTransaction =>
  watched({ txn: `TERM0001-${String(n).padStart(6, '0')}`, at: Date.parse(at) });

/** A day log of the test's prefix, its lost counter and its log lines. */
function parts(redis: RegisterRedis, prefix: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const lost = new Counter({ name: 'lost', help: 'lost', registers: [new Registry()] });
  const log = new DayLog({ redis, prefix, timeZone: 'Europe/Copenhagen', log: createLogger('info', sink), lost });
  return { log, lost, lines };
}

t.test('batches go to the local day, kept eight days, read back in order', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const { log } = parts(redis, prefix);
  // Copenhagen is UTC+1 in winter: 22:59:59 UTC is the 20th's last second there, 23:00 UTC the 21st's first.
  const evening = [tx(1, '2026-11-20T22:59:00Z'), tx(2, '2026-11-20T22:59:59Z')];
  const night = Array.from({ length: 600 }, (_, i) => tx(10 + i, '2026-11-20T23:00:00Z'));
  for (const e of [...evening, ...night]) log.append(e, 'bank-a');
  await log.drain();
  const logged = (txs: WatchedTransaction[]) => txs.map((e) => ({ ...e, issuer: 'bank-a' }));
  t.same(await readDayLog(redis, prefix, '2026-11-20'), logged(evening), "with the card's issuer");
  t.same(
    await readDayLog(redis, prefix, '2026-11-21'),
    logged(night),
    '600 entries: a full batch and the rest, in order',
  );
  t.same(await readDayLog(redis, prefix, '2026-11-22'), []);
  const ttl = await redis.pttl(dayLogKey(prefix, '2026-11-21'));
  t.ok(ttl > 7.9 * 86_400_000 && ttl <= 8 * 86_400_000, 'kept eight days');
  await log.drain();
  t.equal(await redis.llen(dayLogKey(prefix, '2026-11-21')), 600, 'a drain with nothing gathered writes nothing');
});

t.test('without a drain the timer writes what was gathered', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const { log } = parts(redis, prefix);
  log.append(tx(1, '2026-11-21T10:00:00Z'), 'bank-a');
  while ((await redis.llen(dayLogKey(prefix, '2026-11-21'))) === 0) await sleep(10);
  t.same(await readDayLog(redis, prefix, '2026-11-21'), [{ ...tx(1, '2026-11-21T10:00:00Z'), issuer: 'bank-a' }]);
});

t.test('a day of more entries than one read takes', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const key = dayLogKey(prefix, '2026-11-21');
  const many = Array.from({ length: 10_001 }, (_, i) => JSON.stringify({ txn: String(i) }));
  await redis.rpush(key, ...many);
  const read = await readDayLog(redis, prefix, '2026-11-21');
  t.equal(read.length, 10_001);
  t.equal(read.at(-1)?.txn, '10000');
});

t.test('a failed write is logged, counted and dropped', async (t) => {
  const { prefix } = await testRedis(t);
  const closed = await testClient({ maxRetriesPerRequest: 0 });
  await closed.quit();
  const { log, lost, lines } = parts(closed, prefix);
  log.append(tx(1, '2026-11-21T10:00:00Z'), 'bank-a');
  log.append(tx(2, '2026-11-21T10:00:01Z'), 'bank-a');
  await log.drain();
  t.equal((await lost.get()).values[0]?.value, 2);
  t.match(lines, [{ level: 40, entries: 2, msg: 'fraud monitoring: day log entries lost' }]);
});
