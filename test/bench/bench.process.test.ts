/**
 * One short load run end to end, as `npm run bench` does it but from the sources: the bench's
 * main module under tsx starts its switch child (src/main.ts under tsx), seeds the cards, runs an
 * open loop and both baselines (the floor server, the echo server), writes JSON and HTML, and
 * leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import t from 'tap';
import type { RunReport } from '../../bench/load/report.js';
import { runTool } from '../support/process.js';
import { testRedisUrl } from '../support/redis.js';

const MAIN = fileURLToPath(new URL('../../bench/load/main.ts', import.meta.url));

t.test('rate 200 for 2 s on 4 connections, with both baselines, through a real switch process', async (t) => {
  const url = await testRedisUrl();
  const dir = t.testdir();
  const json = join(dir, 'run.json');
  const html = join(dir, 'run.html');
  const { code, out, err } = await runTool(t, MAIN, [
    '--rate',
    '200',
    '--duration',
    '2',
    '--connections',
    '4',
    '--warmup',
    '0',
    '--baseline',
    'echo,floor',
    '--json',
    json,
    '--html',
    html,
    '--redis',
    url,
  ]);
  t.equal(code, 0, err.slice(-3000));

  const r = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
  t.equal(r.kind, 'load');
  t.match(r.command, /--rate 200 --duration 2 --connections 4 --warmup 0 --baseline echo,floor/);
  t.same(
    r.phases.map((p) => p.target),
    ['switch', 'floor', 'echo'],
  );
  const [sw, floor, echo] = r.phases;
  t.match(sw, { target: 'switch', mode: 'open', offeredRate: 200, connections: 4, warmupS: 0, durationS: 2 });
  // The schedule plans exactly rate x duration; every one is answered, as the mix expects.
  t.match(sw!.requests, { sent: 400, answered: 400, timeouts: 0, skipped: 0, failed: 0, warmupSent: 0 });
  t.same(sw!.requests.errors, {});
  t.equal(sw!.achievedRate, 200);
  t.equal(sw!.unexpected, 0, JSON.stringify(sw!.entries));
  t.equal(sw!.latencyMs.count, 400);
  t.ok(sw!.latencyMs.min > 0 && sw!.latencyMs.p99 < 5000);
  t.ok(sw!.actionCodes['000']! > 250, 'mostly approvals');
  t.equal(
    sw!.entries.reduce((s, e) => s + e.sent, 0),
    400,
  );
  t.ok(sw!.entries.find((e) => e.name === 'purchase-pin')!.sent > 100, 'weights are followed');
  // Completions and reversal advices go after their originals' answers, at the connection's next planned send.
  const then = sw!.entries.filter((e) => e.followUpOf !== undefined);
  t.same(
    then.map((e) => [e.name, e.followUpOf]),
    [
      ['fuel-completion then', 'fuel-completion'],
      ['psam-reversal then', 'psam-reversal'],
    ],
  );
  t.ok(
    then.every((e) => e.sent > 3),
    JSON.stringify(then),
  );
  t.same(then[0]!.codes, { '000': then[0]!.sent }, 'every completion approved');
  t.same(then[1]!.codes, { '400': then[1]!.sent }, 'every reversal accepted');
  t.same(r.mix.entries.find((e) => e.name === 'psam-reversal')!.then, {
    mti: '1420',
    amount: 31500,
    expect: ['reversalAccepted'],
  });
  t.match(out, /^ {4}fuel-completion then +sent +\d+ {2}000 \d+$/m);
  t.type(sw!.process.cpuPercent, 'number');
  t.ok(sw!.process.rssMaxMiB! > 20);
  t.type(sw!.generator.processCpuPercent, 'number');
  // CPU per authorization: the switch, Redis (its pid from INFO, on this machine) and the generator.
  for (const p of r.phases)
    for (const k of ['target', 'redis', 'targetAndRedis', 'generator'] as const)
      t.type(p.cpuPerAuthorizationUs[k], 'number', `${p.target} ${k}`);
  t.match(out, /^ {2}CPU per authorization {2}switch [\d.]+ µs \+ Redis [\d.]+ µs = [\d.]+ µs; generator [\d.]+ µs$/m);

  // The floor: the same load, every request answered 000 (a card found), its keys cleaned by itself.
  t.match(floor, {
    target: 'floor',
    mode: 'open',
    offeredRate: 200,
    requests: { sent: 400, answered: 400, timeouts: 0, failed: 0 },
    unexpected: 0,
  });
  t.same(Object.keys(floor!.actionCodes), ['000']);
  t.same(
    floor!.entries.map((e) => e.sent),
    sw!.entries.map((e) => e.sent),
    'the same requests, in the same order (the same seed)',
  );
  t.equal(r.floorRatios!.throughput, 1, 'both keep up with 200/s');
  t.type(r.floorRatios!.cpuPerAuthorization, 'number');
  t.same(Object.keys(r.floorRatios!.latency!), ['p50', 'p99', 'p99_9']);
  t.match(
    out,
    /^switch \/ floor: throughput 1, CPU per authorization \(switch \+ Redis\) [\d.]+, latency p50 [\d.]+ p99 [\d.]+ p99\.9 [\d.]+$/m,
  );
  t.match(err, /bench: floor server pid \d+/);
  t.equal(
    sw!.timeline.reduce((s, x) => s + x.sent, 0),
    400,
  );
  t.match(echo, { target: 'echo', requests: { sent: 400, answered: 400, timeouts: 0, failed: 0 }, unexpected: null });
  t.same(Object.keys(echo!.actionCodes), ['echo']);
  t.equal(r.baselineRatio, 1, 'both keep up with 200/s');

  t.match(out, /^switch: open loop, offered 200\/s/m);
  t.match(out, /switch \/ echo throughput: 1/);
  t.match(err, /\[switch +1 s\] sent \d+ {2}answered \d+/, 'a progress line each second');
  t.match(err, /deleted \d+ keys under bench:/);
  t.match(readFileSync(html, 'utf8'), /<svg[^]*Latency by percentile/);
  t.match(readFileSync(html, 'utf8'), /<td>psam-reversal then<\/td><td>follow-up<\/td>/);
  t.match(readFileSync(html, 'utf8'), /<h2>Switch \/ floor<\/h2>/);

  // Nothing left behind: the run's keys, the switch and the echo server.
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  t.teardown(() => redis.quit());
  t.match(r.keyPrefix, /^bench:\d+:\w+:$/);
  const left: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${r.keyPrefix}*`, 'COUNT', 10_000);
    left.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  t.same(left, [], "no keys under the run's prefix");
  for (const p of r.phases)
    t.throws(() => process.kill(p.process.pid, 0), { code: 'ESRCH' }, `${p.target} process gone`);
});
