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

t.test('use-ksn: a counter once, above the last; the same transaction again is a repeat', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const counters = new KsnCounters(redis, prefix);
  const device = 'FFFF9876543210E00000';
  t.equal(await counters.last('TERM0001', device), undefined);
  t.equal(await counters.use('TERM0001', device, 5, 'txn-a'), 'ok');
  t.equal(await counters.use('TERM0001', device, 5, 'txn-a'), 'repeat', 'the same transaction repeated');
  t.equal(await counters.use('TERM0001', device, 5, 'txn-b'), 'reused', 'another transaction with the same KSN');
  t.equal(await counters.use('TERM0001', device, 4, 'txn-c'), 'backwards');
  t.equal(await counters.use('TERM0001', device, 6, 'txn-d'), 'ok');
  t.equal(await counters.last('TERM0001', device), 6);
  t.equal(await counters.use('TERM0001', 'FFFF0000000000E00000', 1, 'txn-e'), 'ok', 'another device: its own counter');
  t.equal(await counters.use('TERM0002', device, 1, 'txn-f'), 'ok', 'another terminal: its own counters');
  t.equal(counters.key('TERM0001'), `${prefix}terminal:{TERM0001}:ksn`);
});
