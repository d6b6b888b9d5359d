/**
 * The journal's Lua script on its own, on a real Redis (no relay, no switch): append.lua through
 * the registry (src/journal/journal.ts appendScript), with crafted keys and postings.
 */
import t from 'tap';
import { appendScript } from '../../src/journal/journal.js';
import { testRedis } from '../support/redis.js';

t.test('append: each posting id once, in order; ids older than forgetBefore are forgotten', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const keys = { stream: `${prefix}{journal}:postings`, seen: `${prefix}{journal}:seen` };
  const p = (id: string): string => JSON.stringify({ id, amount: 1 });

  t.equal(await appendScript.run(redis, keys, { now: 1000, forgetBefore: 0 }, ['a', p('a'), 'b', p('b')]), 2);
  t.equal(
    await appendScript.run(redis, keys, { now: 2000, forgetBefore: 0 }, ['b', p('b'), 'c', p('c'), 'c', p('c')]),
    1,
    'b seen before, c twice in one call',
  );
  const entries = await redis.xrange(keys.stream, '-', '+');
  t.same(
    entries.map(([, fields]) => fields),
    [
      ['p', p('a')],
      ['p', p('b')],
      ['p', p('c')],
    ],
    "one field 'p' per entry, the posting's JSON",
  );
  t.same(
    await redis.zrange(keys.seen, '0', '-1', 'WITHSCORES'),
    ['a', '1000', 'b', '1000', 'c', '2000'],
    'each id by the time first seen',
  );

  t.equal(
    await appendScript.run(redis, keys, { now: 3000, forgetBefore: 1500 }, []),
    0,
    'an empty tail appends nothing',
  );
  t.same(await redis.zrange(keys.seen, '0', '-1'), ['c'], 'ids seen at or before forgetBefore forgotten');
  t.equal(
    await appendScript.run(redis, keys, { now: 4000, forgetBefore: 0 }, ['a', p('a')]),
    1,
    'a forgotten id is new again',
  );
  t.equal(await redis.xlen(keys.stream), 4);
});
