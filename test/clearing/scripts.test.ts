/**
 * The clearing's Lua script on its own, on a real Redis (no ledger, no worker): seal-delivery.lua
 * through the registry (src/clearing/delivery-ledger.ts sealDeliveryScript), on a crafted journal.
 */
import t from 'tap';
import { sealDeliveryScript } from '../../src/clearing/delivery-ledger.js';
import { testRedis } from '../support/redis.js';

t.test('seal: each delivery takes the journal after the previous seal up to its end, once', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const keys = {
    deliveries: `${prefix}{journal}:deliveries`,
    sealedTo: `${prefix}{journal}:sealed-to`,
    journal: `${prefix}{journal}:postings`,
  };
  const delivery = (number: number) => JSON.stringify({ date: '2026-11-21', number, cutoff: '12:00' });

  t.same(
    await sealDeliveryScript.run(redis, keys, { field: '2026-11-21#01', delivery: delivery(1), empty: '0' }),
    { date: '2026-11-21', number: 1, cutoff: '12:00', from: '0-0', to: '0-0' },
    'an empty journal: an empty range',
  );
  await redis.xadd(keys.journal, '*', 'p', '{}');
  const last = await redis.xadd(keys.journal, '*', 'p', '{}');
  const second = await sealDeliveryScript.run(redis, keys, {
    field: '2026-11-21#02',
    delivery: delivery(2),
    empty: '0',
  });
  t.same(second, { date: '2026-11-21', number: 2, cutoff: '12:00', from: '0-0', to: last });
  t.equal(await redis.get(keys.sealedTo), last, 'sealed up to the last entry');
  t.same(
    JSON.parse((await redis.hget(keys.deliveries, '2026-11-21#02'))!),
    second,
    'the delivery kept under its field',
  );

  await redis.xadd(keys.journal, '*', 'p', '{}');
  t.same(
    await sealDeliveryScript.run(redis, keys, { field: '2026-11-21#02', delivery: delivery(2), empty: '0' }),
    second,
    'sealed before: the same range, whatever came since',
  );
  t.equal(await redis.get(keys.sealedTo), last, 'and nothing moved');
  const third = await sealDeliveryScript.run(redis, keys, {
    field: '2026-11-21#03',
    delivery: delivery(3),
    empty: '0',
  });
  t.equal(third.from, last, 'the next starts after the previous');
  t.not(third.to, last);

  // A delivery whose cut-off passed while none was made: sealed empty, the postings left for the next.
  const fourth = await sealDeliveryScript.run(redis, keys, {
    field: '2026-11-21#04',
    delivery: delivery(4),
    empty: '1',
  });
  t.same([fourth.from, fourth.to], [third.to, third.to], 'empty: from and to at the previous seal');
  await redis.xadd(keys.journal, '*', 'p', '{}');
  const fifth = await sealDeliveryScript.run(redis, keys, {
    field: '2026-11-21#05',
    delivery: delivery(5),
    empty: '0',
  });
  t.equal(fifth.from, third.to, 'the next takes what the empty one left');
  t.not(fifth.to, third.to);
});
