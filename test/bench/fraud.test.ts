/**
 * The fraud mix (bench/load/fraud.ts), the bench's rules (bench-rules.ts) and the monitoring's
 * figures (monitoring.ts): the metrics parsed from a real prom-client registry holding the
 * switch's own monitoring metrics.
 */
import { Registry } from 'prom-client';
import t from 'tap';
import { RULE_SCALE, benchRules } from '../../bench/load/bench-rules.js';
import { FRAUD_AMOUNT, firingIndex, fraudTally, withFraud } from '../../bench/load/fraud.js';
import { loadMix, validateMix } from '../../bench/load/mix.js';
import {
  bucketQuantile,
  monitoringRatios,
  parseMonitoringMetrics,
  summarizeDelay,
} from '../../bench/load/monitoring.js';
import { MonitoringMetrics } from '../../src/monitoring/monitoring-metrics.js';
import shipped from '../../src/monitoring/default-rules.json' with { type: 'json' };

t.test('the fraud mix: the share of the cards and of the requests, 105 expected only there', async (t) => {
  const mix = loadMix('default');
  const cards = Object.values(mix.cards).reduce((s, p) => s + p.count, 0);
  const weight = mix.entries.reduce((s, e) => s + e.weight, 0);
  const f = withFraud(mix, 0.01);
  t.same(f.cards.fraud, { count: Math.round(cards * 0.01), state: 'active', description: f.cards.fraud!.description });
  const entry = f.entries.at(-1)!;
  t.match(entry, { name: 'fraud-internet', cards: 'fraud', channel: 'internet', amount: FRAUD_AMOUNT, pin: 'none' });
  t.same(entry.expect, ['approved', 'blockedByMonitoring']);
  t.equal(Number((entry.weight / (weight + entry.weight)).toFixed(6)), 0.01, 'the same share of the requests');
  t.same(f.entries.slice(0, -1), mix.entries, 'the ordinary entries as they were');
  t.notOk(
    mix.entries.some((e) => e.cards !== 'blocked' && e.expect.includes('blockedByMonitoring')),
    'no ordinary entry expects a block by the monitoring',
  );
  t.equal(
    withFraud(
      validateMix({
        ...mix,
        cards: { active: { count: 10, state: 'active' } },
        entries: mix.entries.filter((e) => e.cards === 'active'),
      }),
      0.01,
    ).cards.fraud!.count,
    1,
    'at least one',
  );
  t.throws(() => withFraud(mix, 0));
  t.throws(() => withFraud(f, 0.01), /already has/);
});

t.test("the bench's rules: the shipped ones, counts scaled, amounts and windows as shipped", async (t) => {
  const rules = benchRules();
  t.equal(rules.rules.length, shipped.rules.length);
  const remote = rules.rules.find((r) => r.id === 'velocity-remote')!;
  t.match(remote, { kind: 'velocity', maxCount: 199, maxAmount: 1_500_000, windowMinutes: 60 });
  t.match(
    rules.rules.find((r) => r.id === 'card-testing'),
    { minCards: 3 * RULE_SCALE, windowMinutes: 10 },
  );
  t.match(
    rules.rules.find((r) => r.id === 'velocity-card-present'),
    { maxCount: 199 },
    'cut to what a card keeps (10 x 50 would never be reached)',
  );
  t.match(
    rules.rules.find((r) => r.id === 'other-bank-atms'),
    { maxCount: 3 * RULE_SCALE, maxPlaces: 2 * RULE_SCALE },
  );
  t.same(rules.sparing, shipped.sparing);
  t.match(rules.description, /multiplied by 50/);
  // 3 x 5,000.00 kr stay within 15,000.00 kr; the 4th goes over.
  t.equal(firingIndex(rules.rules), 4);
  t.equal(firingIndex(benchRules(1).rules), 4, 'the amount limit, not the count, fires');
  t.throws(() => firingIndex([]), /no velocity rule/);
});

t.test('the fraud cards: approvals after the firing one', async (t) => {
  t.same(fraudTally([4, 7, 2, 0, 5], 4), { cards: 5, fired: 3, slipped: 4, slippedMax: 3 });
  t.same(fraudTally([], 4), { cards: 0, fired: 0, slipped: 0, slippedMax: 0 });
});

t.test("the switch's monitoring metrics as /metrics shows them", async (t) => {
  const registry = new Registry();
  const m = new MonitoringMetrics(registry);
  m.blocks.inc({ rule: 'velocity-remote', issuer: 'bench-bank' }, 3);
  m.blocks.inc({ rule: 'card-testing', issuer: 'bench-bank' });
  m.observed.inc({ outcome: 'approved' }, 90);
  m.observed.inc({ outcome: 'refused' }, 10);
  m.spared.inc({ rule: 'velocity-remote' }, 2);
  for (const s of [0.0004, 0.0008, 0.003, 0.004]) m.blockDelay.observe(s);
  const scraped = parseMonitoringMetrics(await registry.metrics());
  t.match(scraped, {
    blocks: 4,
    blocksByRule: { 'velocity-remote': 3, 'card-testing': 1 },
    evaluated: 100,
    spared: 2,
    dropped: 0,
    failures: 0,
    delay: { count: 4 },
  });
  t.equal(scraped.delay.buckets.at(-1)!.le, Infinity);
  // Two in the first bucket (0-1 ms), two in 2.5-5 ms.
  t.equal(bucketQuantile(scraped.delay, 0.5), 0.001);
  t.equal(Number(bucketQuantile(scraped.delay, 0.75).toFixed(6)), 0.00375);
  const d = summarizeDelay(scraped.delay)!;
  t.match(d, { count: 4, mean: 2.05, p50: 1, maxAtMost: 5 });
  t.ok(d.p99 > 4.9 && d.p99 <= 5);
  t.same(d.buckets.slice(0, 4), [
    { leMs: 1, count: 2 },
    { leMs: 2.5, count: 2 },
    { leMs: 5, count: 4 },
    { leMs: 10, count: 4 },
  ]);
  t.same(d.buckets.at(-1), { leMs: null, count: 4 });
  t.equal(summarizeDelay({ buckets: [], sumSeconds: 0, count: 0 }), null);
  const late = summarizeDelay({
    buckets: [
      { le: 10, count: 0 },
      { le: Infinity, count: 1 },
    ],
    sumSeconds: 12,
    count: 1,
  })!;
  t.match(late, { p50: 10_000, maxAtMost: null }, 'beyond the last bound: only that bound is known');
});

t.test('monitoring on / off', async (t) => {
  const cpu = (target: number, redis: number) => ({ target, redis, targetAndRedis: target + redis, generator: 20 });
  const r = monitoringRatios(
    { achievedRate: 900, cpuPerAuthorizationUs: cpu(120, 90) },
    { achievedRate: 1000, cpuPerAuthorizationUs: cpu(100, 60) },
  );
  t.match(r, { throughput: 0.9, cpuPerAuthorization: { switch: 1.2, redis: 1.5, switchAndRedis: 1.313 } });
});
