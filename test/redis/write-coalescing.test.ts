/**
 * src/redis/write-coalescing.ts on a real Redis: the commands of one event-loop turn leave in
 * one socket write, replies match their commands, a later turn's commands do not wait for an
 * earlier turn's replies, pipelines and the offline queue work as before.
 */
import t from 'tap';
import { Redis } from 'ioredis';
import { coalesceWrites } from '../../src/redis/write-coalescing.js';
import { testRedis, testRedisUrl } from '../support/redis.js';
import { countWrites } from '../support/socket-writes.js';

async function coalesced(): Promise<Redis> {
  const redis = new Redis(await testRedisUrl(), { lazyConnect: true, enableAutoPipelining: false });
  coalesceWrites(redis);
  await redis.connect();
  return redis;
}

// One Redis only (testRedisUrl refuses a Cluster, where the switch uses auto-pipelining instead).
t.test('write coalescing', async (t) => {
  const { prefix } = await testRedis(t);

  await t.test('100 commands issued in one turn: one write, each reply its own', async (t) => {
    const redis = await coalesced();
    t.teardown(() => redis.disconnect());
    const writes = countWrites(redis);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => redis.incrby(`${prefix}n${i % 7}`, i)));
    t.equal(writes(), 1, 'one socket write for the turn');
    // Each key's running sum, in issue order: a reply given to another command would break it.
    const sums = new Map<number, number>();
    const expected = Array.from({ length: 100 }, (_, i) => {
      sums.set(i % 7, (sums.get(i % 7) ?? 0) + i);
      return sums.get(i % 7);
    });
    t.same(replies, expected);
  });

  await t.test('without coalescing the same 100 commands are 100 writes (what the module saves)', async (t) => {
    const redis = new Redis(await testRedisUrl(), { lazyConnect: true, enableAutoPipelining: false });
    await redis.connect();
    t.teardown(() => redis.disconnect());
    const writes = countWrites(redis);
    await Promise.all(Array.from({ length: 100 }, () => redis.ping()));
    t.equal(writes(), 100);
  });

  await t.test("a later turn's command is sent while an earlier turn's is still out", async (t) => {
    const redis = await coalesced();
    t.teardown(() => redis.disconnect());
    // A Lua call that keeps Redis busy ~100 ms; a second client watches what arrives meanwhile.
    const busy = redis.eval(
      'local t = redis.call("TIME"); local s = t[1] * 1e6 + t[2]; repeat local n = redis.call("TIME") until (n[1] * 1e6 + n[2]) - s > 100000; return 1',
      0,
    );
    await new Promise((r) => setImmediate(r));
    const writes = countWrites(redis);
    const second = redis.set(`${prefix}second`, 'x');
    await new Promise((r) => setTimeout(r, 20));
    t.equal(writes(), 1, 'written at once, not held until the busy call answered');
    t.same(await Promise.all([busy, second]), [1, 'OK']);
  });

  await t.test('pipelines and single commands of one turn keep their order', async (t) => {
    const redis = await coalesced();
    t.teardown(() => redis.disconnect());
    const key = `${prefix}order`;
    const first = redis.rpush(key, 'a');
    const piped = redis.pipeline().rpush(key, 'b').rpush(key, 'c').exec();
    const last = redis.rpush(key, 'd');
    t.same(await Promise.all([first, last]), [1, 4]);
    t.same(await piped, [
      [null, 2],
      [null, 3],
    ]);
    t.same(await redis.lrange(key, 0, -1), ['a', 'b', 'c', 'd']);
  });

  await t.test('commands issued before the connection is ready wait in the offline queue and run', async (t) => {
    const redis = new Redis(await testRedisUrl(), { lazyConnect: true, enableAutoPipelining: false });
    coalesceWrites(redis);
    t.teardown(() => redis.disconnect());
    // lazyConnect: the first command starts connecting and waits for 'ready' in the offline queue.
    t.equal(redis.status, 'wait');
    const early = redis.set(`${prefix}early`, '1');
    t.not(redis.status, 'ready', 'issued before the connection was ready');
    t.equal(await early, 'OK');
    t.equal(await redis.get(`${prefix}early`), '1');
  });
});
