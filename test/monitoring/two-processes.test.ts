/**
 * The monitoring across two switch processes: two switches (each its own Redis connection,
 * monitor, listeners) share one Redis and key prefix, as the processes of one deployment do. A
 * velocity pattern whose purchases are answered half by one, half by the other is seen whole:
 * the card is blocked once, and both refuse it. The same when the purchases arrive at both at
 * once (each evaluation's record on the card is one Lua call, so the last one sees them all).
 */
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import { isCluster } from '../../src/redis/client.js';
import { coalesceWrites } from '../../src/redis/write-coalescing.js';
import { createLogger } from '../../src/log/logger.js';
import { SwitchMetrics } from '../../src/metrics/metrics.js';
import { Switch } from '../../src/switch.js';
import { deleteKeys, testClient } from '../support/redis.js';
import { captureLog } from '../support/log-capture.js';
import type { TestSwitch } from '../support/switch.js';
import { type MonitoredSwitch, monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';
import { velocityRules } from './fixtures.js';

const MORE_THAN_3 = velocityRules(3);

/** A second switch on the first's config: the same Redis, key prefix and rule file; its own connection and ports. */
async function secondSwitch(t: Test, first: TestSwitch): Promise<TestSwitch> {
  const redis = await testClient({ maxRetriesPerRequest: 1 });
  if (!isCluster(redis)) coalesceWrites(redis);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      captureLog(chunk.toString('utf8'));
      done();
    },
  });
  const { config } = first;
  const sw = new Switch({
    config,
    redis,
    log: createLogger(config.log.level, sink),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
  });
  await sw.start();
  t.teardown(async () => {
    await sw.stop();
    // What it wrote after the first switch's teardown deleted the test's keys.
    await deleteKeys(redis, config.redis.keyPrefix);
    await redis.quit();
  });
  return {
    sw,
    config,
    port: (name) => sw.listeners.find((l) => l.name === name)!.port,
    adminUrl: `http://127.0.0.1:${sw.admin.port}`,
    logs: [],
    redis,
  };
}

async function bothEvaluated(a: MonitoredSwitch, b: TestSwitch): Promise<void> {
  await a.evaluated();
  await b.sw.monitoring.monitor!.drain();
}

t.test('purchases answered alternately by two switches: blocked on the fourth, refused by both', async (t) => {
  const a = await startMonitoredSwitch(t, MORE_THAN_3);
  const b = await secondSwitch(t, a);
  t.not(a.port('iso93'), b.port('iso93'), 'two switches, two listeners');
  const card = await monitoredCard(a);
  for (const [i, s] of [a, b, a].entries()) {
    t.equal(await pinPurchase(s, card.pan, 10_000), '000', `purchase ${i + 1}`);
    await bothEvaluated(a, b);
  }
  t.equal((await a.sw.register.state(card.id))?.block ?? '', '', 'three purchases: no block');
  t.equal(await pinPurchase(b, card.pan, 10_000), '000', 'the fourth, at the second switch');
  await bothEvaluated(a, b);
  const state = await a.sw.register.state(card.id);
  t.equal(state?.block, 'fraud', 'blocked by the monitoring');
  const last = state?.blocks.at(-1) as unknown as { rule: string; transactions: string[] };
  t.equal(last.rule, 'more-than-3-an-hour');
  t.equal(new Set(last.transactions).size, 4, 'the block names the four purchases, from both switches');
  t.equal(await pinPurchase(a, card.pan, 10_000), '105', 'the first switch refuses the card');
  t.equal(await pinPurchase(b, card.pan, 10_000), '105', 'the second switch refuses the card');
  const figures = await b.sw.monitoring.stats.all();
  t.equal(figures.get('more-than-3-an-hour')?.get('bank-a')?.blocks, 1, 'one block counted, seen from either');
});

t.test('purchases at both switches at once: the card is blocked once', async (t) => {
  const a = await startMonitoredSwitch(t, MORE_THAN_3);
  const b = await secondSwitch(t, a);
  const card = await monitoredCard(a);
  const answers = await Promise.all([a, b, a, b, a, b].map((s) => pinPurchase(s, card.pan, 10_000)));
  t.ok(
    answers.every((c) => c === '000' || c === '105'),
    `approved, or refused once the block landed (${answers.join(' ')})`,
  );
  await bothEvaluated(a, b);
  const state = await a.sw.register.state(card.id);
  t.equal(state?.block, 'fraud');
  t.equal(state?.blocks.length, 1, 'one block, however many evaluations saw more than 3');
  t.equal(await pinPurchase(a, card.pan, 10_000), '105');
  t.equal(await pinPurchase(b, card.pan, 10_000), '105');
});
