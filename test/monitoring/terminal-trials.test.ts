/**
 * A terminal's recent wrong PINs (src/monitoring/terminal-trials.ts and its Lua) on a real Redis:
 * each call answers the terminal's other trials within the window, oldest first, and drops the
 * older ones; terminals are apart; the key expires a window after its last trial and keeps at
 * most MAX_TRIALS.
 */
import t from 'tap';
import { testRedis } from '../support/redis.js';
import { ManualClock } from '../../src/time/clock.js';
import { MAX_TRIALS, TerminalTrials } from '../../src/monitoring/terminal-trials.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';

const MINUTE = 60_000;
const WINDOW = 10 * MINUTE;
const T0 = new Date('2026-12-06T12:00:00Z');

function trial(card: string, at: Date, terminal = 'CHIP0001', txn = `${card}-${at.getTime()}`): WatchedTransaction {
  return {
    card,
    txn,
    at: at.getTime(),
    kind: 'purchase',
    channel: 'attended',
    entryMode: 'chip',
    verification: 'pinOnline',
    amount: 10_000,
    terminal,
    merchant: 'MERCHANT0001',
    city: '',
    country: '208',
    atmOwner: '',
    outcome: 'wrongPin',
  };
}

t.test("the terminal's other trials within the window, oldest first; older ones dropped", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(T0);
  const trials = new TerminalTrials(redis, prefix, clock);
  const first = trial('card-a', clock.now());
  t.same(await trials.record(first, WINDOW), [], 'the first trial: none before it');
  clock.advance(4 * MINUTE);
  const second = trial('card-b', clock.now());
  t.same(await trials.record(second, WINDOW), [first]);
  t.same(await trials.record(trial('card-c', clock.now(), 'CHIP0002'), WINDOW), [], 'another terminal: its own');
  clock.advance(7 * MINUTE);
  const third = trial('card-c', clock.now());
  t.same(await trials.record(third, WINDOW), [second], 'the first is 11 minutes old: dropped');
  t.same(await redis.zcard(trials.key('CHIP0001')), 2, 'and gone from Redis');
  const ttl = await redis.pttl(trials.key('CHIP0001'));
  t.ok(ttl > 0 && ttl <= WINDOW, `expires a window after the last trial (${ttl} ms)`);
  t.match(trials.key('CHIP0001'), /monitoring:terminal:\{CHIP0001\}:trials$/, "the terminal's own hash tag");
});

t.test(`a terminal keeps at most ${MAX_TRIALS} trials`, async (t) => {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(T0);
  const trials = new TerminalTrials(redis, prefix, clock);
  for (let i = 0; i < MAX_TRIALS + 5; i++) {
    await trials.record(trial(`card-${i}`, clock.now(), 'ATM00001', `T${i}`), WINDOW);
    clock.advance(1);
  }
  const kept = await trials.record(trial('card-last', clock.now(), 'ATM00001', 'T-last'), WINDOW);
  t.equal(kept.length, MAX_TRIALS);
  t.equal(await redis.zcard(trials.key('ATM00001')), MAX_TRIALS);
  t.same([kept[0]?.txn, kept.at(-1)?.txn], ['T5', `T${MAX_TRIALS + 4}`], 'the oldest went first');
});
