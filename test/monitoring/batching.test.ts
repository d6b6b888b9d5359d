/**
 * The monitor's batches (src/monitoring/transaction-monitor.ts observe): a transaction handed over
 * is not recorded at once but with the others handed over within the batch window, which starts
 * by itself when the window ends, or at once when the monitor is drained. Real Redis, the real
 * card watch, the shipped rules.
 */
import t from 'tap';
import { Registry } from 'prom-client';
import { CardWatch, PROFILE_KEPT_MS } from '../../src/card/card-watch.js';
import { cardKeys } from '../../src/card/keys.js';
import type { CardId } from '../../src/crypto/card-id.js';
import { createLogger } from '../../src/log/logger.js';
import { MonitoringMetrics } from '../../src/monitoring/monitoring-metrics.js';
import { MonitoringStats } from '../../src/monitoring/monitoring-stats.js';
import { RuleBook } from '../../src/monitoring/rule-book.js';
import { TerminalTrials } from '../../src/monitoring/terminal-trials.js';
import { TransactionMonitor } from '../../src/monitoring/transaction-monitor.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import { systemClock } from '../../src/time/clock.js';
import { testRedis } from '../support/redis.js';

t.test('recorded with the batch: not at once, at the end of the window or when drained', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const cards = ['b1', 'b2'].map((n) => `${n}${'0'.repeat(30)}` as CardId);
  for (const card of cards) await redis.hset(cardKeys(prefix, card).card, { status: 'active', issuer: 'bank-a' });
  const monitor = new TransactionMonitor({
    cards: new CardWatch(redis, prefix, systemClock, PROFILE_KEPT_MS),
    trials: new TerminalTrials(redis, prefix, systemClock),
    rules: RuleBook.load(),
    stats: new MonitoringStats(redis, prefix),
    // No rule fires on these few purchases, so no block's notice is ever flushed.
    notices: { flushQuietly: () => Promise.resolve() },
    metrics: new MonitoringMetrics(new Registry()),
    clock: systemClock,
    log: createLogger('silent'),
    contactlessLimit: 35_000,
    // Long enough that the checks below run inside it even on a loaded machine.
    batchMs: 2_000,
  });
  let n = 0;
  const tx = (card: CardId): WatchedTransaction => ({
    card,
    txn: `T0000001-261206100000-${String(++n).padStart(6, '0')}`,
    at: Date.now(),
    kind: 'purchase',
    channel: 'attended',
    entryMode: 'chip',
    verification: 'pinOnline',
    amount: 12_550,
    terminal: 'T0000001',
    merchant: 'SHOP',
    city: '',
    country: '208',
    atmOwner: '',
    outcome: 'approved',
  });
  const recorded = (card: CardId): Promise<number> => redis.llen(cardKeys(prefix, card).recent);

  monitor.observe(tx(cards[0]!));
  // Past the turn in which an unbatched record would have been sent, and past its reply.
  await new Promise((resolve) => setImmediate(resolve));
  await redis.ping();
  t.equal(await recorded(cards[0]!), 0, 'not recorded yet: waiting for the others');
  monitor.observe(tx(cards[1]!));
  monitor.observe(tx(cards[0]!));
  await monitor.drain();
  t.same([await recorded(cards[0]!), await recorded(cards[1]!)], [2, 1], 'drained: the whole batch recorded');

  const started = Date.now();
  monitor.observe(tx(cards[1]!));
  while ((await recorded(cards[1]!)) < 2 && Date.now() - started < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal(await recorded(cards[1]!), 2, 'undrained: recorded when the window ended');
  t.ok(Date.now() - started >= 1_900, 'not before the window ended');
});
