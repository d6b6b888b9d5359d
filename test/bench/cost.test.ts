/** CPU per authorization and the switch / floor ratios (bench/load/cost.ts): the arithmetic and the printed lines. */
import t from 'tap';
import {
  type ComparedPhase,
  cpuPerAuthorization,
  floorRatios,
  formatCpuPerAuthorization,
  formatFloorRatios,
  perAnswerUs,
} from '../../bench/load/cost.js';

t.test('µs of CPU per answer: cores used over answers per second', async (t) => {
  t.equal(perAnswerUs(930, 1000, 10_000), 93, '93 % of a core at 10,000/s');
  t.equal(perAnswerUs(1, 3000, 7), 47.6, 'to 0.1 µs');
  t.equal(perAnswerUs(null, 1000, 10), null, 'unreadable');
  t.equal(perAnswerUs(100, 0, 10), null, 'no window');
  t.equal(perAnswerUs(100, 1000, 0), null, 'no answers');
  t.same(cpuPerAuthorization({ target: 900, redis: 500, generator: null }, 1000, 10_000), {
    target: 90,
    redis: 50,
    targetAndRedis: 140,
    generator: null,
  });
  t.same(cpuPerAuthorization({ target: null, redis: 500, generator: 200 }, 1000, 10_000), {
    target: null,
    redis: 50,
    targetAndRedis: null,
    generator: 20,
  });
});

const phase = (over: Partial<ComparedPhase>): ComparedPhase => ({
  target: 'switch',
  mode: 'open',
  achievedRate: 4000,
  latencyMs: { count: 1000, min: 0.5, mean: 2, p50: 1.5, p90: 3, p99: 10, p99_9: 20, max: 30 },
  cpuPerAuthorizationUs: { target: 180, redis: 60, targetAndRedis: 240, generator: 30 },
  ...over,
});

t.test('switch / floor: throughput, CPU per authorization, open-loop latency', async (t) => {
  const floor = phase({
    target: 'floor',
    achievedRate: 8000,
    latencyMs: { count: 1000, min: 0.2, mean: 1, p50: 0.5, p90: 1, p99: 2, p99_9: 0, max: 5 },
    cpuPerAuthorizationUs: { target: 60, redis: 40, targetAndRedis: 100, generator: 30 },
  });
  const r = floorRatios(phase({}), floor);
  t.same(r, { throughput: 0.5, cpuPerAuthorization: 2.4, latency: { p50: 3, p99: 5, p99_9: null } });
  t.equal(
    formatFloorRatios(r),
    'switch / floor: throughput 0.5, CPU per authorization (switch + Redis) 2.4, latency p50 3 p99 5 p99.9 n/a',
  );
  t.equal(floorRatios(phase({ mode: 'closed' }), { ...floor, mode: 'closed' }).latency, null, 'closed loop');
  t.equal(floorRatios(phase({ latencyMs: { ...floor.latencyMs, count: 0 } }), floor).latency, null, 'no answers');
  t.equal(
    formatFloorRatios({ throughput: null, cpuPerAuthorization: null, latency: null }),
    'switch / floor: throughput n/a, CPU per authorization (switch + Redis) n/a',
  );
});

t.test('the summary line of a phase', async (t) => {
  t.equal(
    formatCpuPerAuthorization('switch', { target: 93.1, redis: 54, targetAndRedis: 147.1, generator: 25 }),
    '  CPU per authorization  switch 93.1 µs + Redis 54 µs = 147.1 µs; generator 25 µs',
  );
  t.equal(
    formatCpuPerAuthorization('echo', { target: null, redis: null, targetAndRedis: null, generator: null }),
    '  CPU per authorization  echo n/a + Redis n/a = n/a; generator n/a',
  );
});
