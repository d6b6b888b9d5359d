/**
 * The offline block list's Lua scripts on their own, on a real Redis (no card scan, no files):
 * commit-daily.lua, swap.lua and unlock.lua through the registry (src/blocking/offline-block-list.ts).
 */
import t from 'tap';
import { commitDailyScript, swapScript, unlockScript } from '../../src/blocking/offline-block-list.js';
import { testRedis } from '../support/redis.js';

t.test(
  'commit: removes and sets snapshot entries, chains the day, keeps its counts; refuses a day made or moved',
  async (t) => {
    const { redis, prefix } = await testRedis(t);
    const base = `${prefix}{blocklist}`;
    const keys = { snapshot: `${base}:snapshot`, days: `${base}:days`, made: `${base}:made` };
    const made = (added: number, removed: number) => JSON.stringify({ added, removed, madeAt: 1 });
    await redis.hset(keys.snapshot, 'gone1', '{}', 'gone2', '{}', 'stays', '{"s":1}');

    t.equal(
      await commitDailyScript.run(
        redis,
        keys,
        { date: '2026-11-20', day: 20_412, latest: '', made: made(2, 2), removed: 2 },
        ['gone1', 'gone2', 'new1', '{"n":1}', 'stays', '{"s":2}'],
      ),
      'ok',
    );
    t.same(
      await redis.hgetall(keys.snapshot),
      { stays: '{"s":2}', new1: '{"n":1}' },
      'the removed ids taken out, the pairs set',
    );
    t.same(await redis.zrange(keys.days, '0', '-1', 'WITHSCORES'), ['2026-11-20', '20412']);
    t.equal(await redis.hget(keys.made, '2026-11-20'), made(2, 2));

    t.equal(
      await commitDailyScript.run(
        redis,
        keys,
        { date: '2026-11-20', day: 20_412, latest: '', made: made(0, 0), removed: 0 },
        [],
      ),
      'made',
      'the date made meanwhile',
    );
    t.equal(
      await commitDailyScript.run(
        redis,
        keys,
        { date: '2026-11-21', day: 20_413, latest: '', made: made(0, 0), removed: 0 },
        [],
      ),
      'moved',
      'another file came in between',
    );
    t.equal(await redis.hlen(keys.made), 1, 'a refusal changes nothing');
    t.equal(
      await commitDailyScript.run(
        redis,
        keys,
        { date: '2026-11-21', day: 20_413, latest: '2026-11-20', made: made(0, 1), removed: 1 },
        ['new1'],
      ),
      'ok',
      'removals only',
    );
    t.same(await redis.hgetall(keys.snapshot), { stays: '{"s":2}' });
    t.same(await redis.zrange(keys.days, '0', '-1'), ['2026-11-20', '2026-11-21']);
  },
);

t.test("swap sets only over the value expected; unlock deletes only the holder's lock", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const key = `${prefix}{blocklist}:fetched:op1`;
  await redis.set(key, '2026-11-20');
  t.equal(await swapScript.run(redis, { key }, { expected: '2026-11-19', value: '2026-11-21' }), 0);
  t.equal(await redis.get(key), '2026-11-20');
  t.equal(await swapScript.run(redis, { key }, { expected: '2026-11-20', value: '2026-11-21' }), 1);
  t.equal(await redis.get(key), '2026-11-21');

  const lock = `${prefix}{blocklist}:lock`;
  await redis.set(lock, 'token-a');
  t.equal(await unlockScript.run(redis, { lock }, { token: 'token-b' }), 0, "another's lock stays");
  t.equal(await redis.get(lock), 'token-a');
  t.equal(await unlockScript.run(redis, { lock }, { token: 'token-a' }), 1);
  t.equal(await redis.exists(lock), 0);
  t.equal(await unlockScript.run(redis, { lock }, { token: 'token-a' }), 0, 'no lock: nothing to do');
});
