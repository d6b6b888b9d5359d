/**
 * The terminal-state scripts on their own, on a real Redis: record-last.lua, clear-last.lua and
 * use-ksn.lua through the registry (last-approved.ts, ksn-counters.ts), on crafted keys.
 */
import t from 'tap';
import { clearLastScript, recordLastScript } from '../../src/terminal-state/last-approved.js';
import { testRedis } from '../support/redis.js';
import { KsnCounters } from '../../src/terminal-state/ksn-counters.js';

t.test(
  'record: live also at the same moment, late only if strictly newer; clear: only the transaction named',
  async (t) => {
    const { redis, prefix } = await testRedis(t);
    const keys = { terminal: `${prefix}terminal:{TERM0001}:last` };
    const fields = (txn: string) => ['txn', txn, 'card', 'c1', 'stan', '000001', 'localTime', '261121101530'];

    t.equal(await recordLastScript.run(redis, keys, { at: 1000, when: 'live' }, fields('t1')), 1);
    t.same(await redis.hgetall(keys.terminal), {
      at: '1000',
      txn: 't1',
      card: 'c1',
      stan: '000001',
      localTime: '261121101530',
    });
    t.equal(
      await recordLastScript.run(redis, keys, { at: 1000, when: 'live' }, fields('t2')),
      1,
      'live at the same ms: set',
    );
    t.equal(
      await recordLastScript.run(redis, keys, { at: 1000, when: 'late' }, fields('t1')),
      0,
      'late at the same ms: not',
    );
    t.equal(await recordLastScript.run(redis, keys, { at: 999, when: 'live' }, fields('t0')), 0, 'older: not');
    t.equal(await redis.hget(keys.terminal, 'txn'), 't2');
    t.equal(
      await recordLastScript.run(redis, keys, { at: 1001, when: 'late' }, ['txn', 't3']),
      1,
      'late and newer: set',
    );
    t.same(await redis.hgetall(keys.terminal), { at: '1001', txn: 't3' }, 'the record replaced whole');

    t.equal(await clearLastScript.run(redis, keys, { txn: 't2' }), 0, 'another transaction: not cleared');
    t.equal(await clearLastScript.run(redis, keys, { txn: 't3' }), 1);
    t.same(await redis.hgetall(keys.terminal), { at: '1001' }, 'its time alone is left');
    t.equal(
      await recordLastScript.run(redis, keys, { at: 1001, when: 'late' }, fields('t3')),
      0,
      'so a late copy of it stays out',
    );
    t.equal(await clearLastScript.run(redis, keys, { txn: 't3' }), 0, 'cleared once');
  },
);

t.test('use-ksn: keyed by the device, not the terminal; the same transaction again is a repeat', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const counters = new KsnCounters(redis, prefix, 60_000);
  const device = { vendor: 'vendor-tdes', device: 'FFFF9876543210E00000' };
  t.equal(counters.key(device), `${prefix}dukpt:{vendor-tdes:FFFF9876543210E00000}`);
  t.equal(await counters.last(device), undefined);
  t.equal(await counters.use(device, 5, 'txn-a'), 'ok');
  t.equal(await counters.use(device, 5, 'txn-a'), 'repeat', 'the same transaction repeated');
  t.equal(
    await counters.use(device, 5, 'txn-b'),
    'reused',
    'another transaction (another terminal id) with the same KSN',
  );
  t.equal(await counters.use(device, 6, 'txn-d'), 'ok');
  t.equal(await counters.last(device), 6);
  t.equal(
    await counters.use({ ...device, device: 'FFFF0000000000E00000' }, 1, 'txn-e'),
    'ok',
    'another device: its own counters',
  );
  t.equal(await counters.use({ ...device, vendor: 'vendor-b' }, 5, 'txn-f'), 'ok', "another vendor's device: its own");
});

t.test('use-ksn: a window of 32 below the highest, each counter once', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const counters = new KsnCounters(redis, prefix, 60_000);
  const d = { vendor: 'v', device: 'FFFF9876543210E00000' };
  t.equal(await counters.use(d, 6, 'six'), 'ok');
  t.equal(await counters.use(d, 5, 'five'), 'ok', 'answered out of order: 5 after 6 passes');
  t.equal(await counters.use(d, 5, 'other'), 'reused', 'but once');
  t.equal(await counters.use(d, 5, 'five'), 'repeat', 'its own transaction again: a repeat');
  t.equal(await counters.last(d), 6, 'the highest stays');
  t.equal(await counters.use(d, 40, 'forty'), 'ok', 'a jump of 34');
  t.equal(await counters.use(d, 8, 'eight'), 'ok', 'exactly 32 below the highest: in the window');
  t.equal(await counters.use(d, 8, 'again'), 'reused');
  t.equal(await counters.use(d, 7, 'seven'), 'stale', '33 below: refused, whether used or not');
  t.equal(await counters.use(d, 6, 'six'), 'stale', 'a retransmission out of the window too');
  t.equal(await counters.use(d, 39, 'n39'), 'ok', 'the one just below');
  t.equal(await counters.use(d, 72, 'n72'), 'ok', 'a move of exactly 32 (no shift by 32 in LuaBitOp)');
  t.equal(await counters.use(d, 40, 'not-forty'), 'reused', 'the old highest, now 32 below: still marked used');
  t.equal(await counters.use(d, 39, 'again'), 'stale');
  t.equal(await counters.use(d, 71, 'n71'), 'ok');
  t.equal(await counters.use(d, 73, 'n73'), 'ok', 'a move of one keeps the marks');
  t.equal(await counters.use(d, 71, 'x'), 'reused');
  t.equal(await counters.use(d, 41, 'n41'), 'ok', 'the lowest in the window (32 below 73)');
  t.equal(await counters.use(d, 41, 'y'), 'reused', "the mask's top bit (bit 31) holds");
  t.equal(await counters.use(d, 40, 'n40'), 'stale', 'left the window');
  const fields = Object.keys(await redis.hgetall(counters.key(d))).sort();
  t.same(
    fields,
    ['last', 'seen', 't:41', 't:71', 't:72', 't:73'],
    'the transactions of counters below the window are gone',
  );
});

t.test('use-ksn: the state expires after its last use, refreshed by each use', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const counters = new KsnCounters(redis, prefix, 60_000);
  const d = { vendor: 'v', device: 'FFFF9876543210E00000' };
  await counters.use(d, 1, 'a');
  const ttl = await redis.pttl(counters.key(d));
  t.ok(ttl > 55_000 && ttl <= 60_000, `kept for the retention (${ttl} ms)`);
  await redis.pexpire(counters.key(d), 1_000);
  t.equal(await counters.use(d, 1, 'a'), 'repeat');
  t.ok((await redis.pttl(counters.key(d))) > 55_000, 'a repeat refreshes it');
  await redis.pexpire(counters.key(d), 1_000);
  t.equal(await counters.use(d, 1, 'b'), 'reused');
  t.ok((await redis.pttl(counters.key(d))) <= 1_000, 'a refusal does not');
  await redis.pexpire(counters.key(d), 1_000);
  t.equal(await counters.use(d, 2, 'c'), 'ok');
  t.ok((await redis.pttl(counters.key(d))) > 55_000, 'a new counter refreshes it');
});
