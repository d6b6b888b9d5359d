/**
 * The fraud mix end to end, as `npm run bench` runs it but from the sources: a real switch child
 * with its fraud monitoring on (the bench's rules, bench/load/bench-rules.ts), a share of the
 * cards bursting 5,000.00 DKK internet purchases, then the same load against the switch with
 * monitoring off on cards seeded afresh (--baseline monitoring-off).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { RunReport } from '../../bench/load/report.js';
import { runTool } from '../support/process.js';
import { testRedisUrl } from '../support/redis.js';

const MAIN = fileURLToPath(new URL('../../bench/load/main.ts', import.meta.url));

/** 100 ordinary cards: PIN purchases and now and then an ordinary internet purchase. */
const MIX = {
  name: 'fraud-test',
  cards: { active: { count: 100, state: 'active' } },
  entries: [
    {
      name: 'purchase-pin',
      weight: 8,
      mti: '1200',
      processingCode: '000000',
      amount: 12550,
      cards: 'active',
      pin: 'right',
      contactless: false,
      expect: ['approved'],
    },
    {
      name: 'internet',
      weight: 2,
      mti: '1200',
      processingCode: '000000',
      amount: 34900,
      cards: 'active',
      pin: 'none',
      contactless: false,
      channel: 'internet',
      expect: ['approved'],
    },
  ],
};

t.test(
  '--fraud 0.05 --baseline monitoring-off: fraud cards blocked, ordinary ones not, the cost reported',
  async (t) => {
    const url = await testRedisUrl();
    const dir = t.testdir();
    const mix = join(dir, 'mix.json');
    writeFileSync(mix, JSON.stringify(MIX));
    const json = join(dir, 'run.json');
    const html = join(dir, 'run.html');
    const { code, out, err } = await runTool(t, MAIN, [
      ...['--rate', '400', '--duration', '4', '--warmup', '0', '--connections', '4'],
      ...['--mix', mix, '--fraud', '0.05', '--baseline', 'monitoring-off'],
      ...['--json', json, '--html', html, '--redis', url],
    ]);
    t.equal(code, 0, err.slice(-3000));
    const r = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
    t.same(
      r.phases.map((p) => p.target),
      ['switch', 'monitoring-off'],
    );
    t.same(r.mix.cards.fraud, { count: 5, state: 'active' }, '5 % of the 100 cards');
    const [on, off] = r.phases;

    // Monitoring on: the fraud cards are blocked (105 after the block); no ordinary card is.
    const m = on!.monitoring!;
    t.equal(m.enabled, true);
    t.match(m.rules, /multiplied by 50/);
    t.ok(m.blocks! > 0, `blocks made: ${m.blocks}`);
    t.same(Object.keys(m.blocksByRule), ['velocity-remote'], 'every block by the rule the burst trips');
    t.ok(m.evaluated! >= on!.requests.answered, 'every answered purchase evaluated');
    t.equal(m.dropped, 0);
    t.equal(m.failures, 0);
    t.equal(m.delayMs!.count, m.blocks);
    for (const k of ['p50', 'p99', 'mean', 'maxAtMost'] as const) t.type(m.delayMs![k], 'number', k);
    t.ok(m.delayMs!.p50 <= m.delayMs!.p99 && m.delayMs!.p99 <= m.delayMs!.maxAtMost!);
    t.match(m.fraud, { share: 0.05, cards: 5, firingPurchase: 4 });
    t.ok(m.fraud!.fired >= m.blocks!, 'a card is blocked only once its rule fired');
    t.ok(m.fraud!.slipped >= 0 && m.fraud!.slippedMax <= m.fraud!.slipped);
    const fraud = on!.entries.find((e) => e.name === 'fraud-internet')!;
    t.ok(fraud.codes['105']! > 0, `fraud cards answered 105 after their block: ${JSON.stringify(fraud.codes)}`);
    t.equal(on!.unexpected, 0, JSON.stringify(on!.entries));
    for (const e of on!.entries.filter((x) => x.name !== 'fraud-internet')) {
      t.equal(e.codes['105'], undefined, `${e.name}: no ordinary card blocked`);
      t.ok(e.sent > 0);
    }
    t.match(out, /^ {2}monitoring {3}on; evaluated \d+, blocks [1-9]\d* \{"velocity-remote":\d+\}/m);
    t.match(out, /^ {2}block delay ms {2}p50 [\d.]+ {2}p99 [\d.]+ {2}max <= [\d.]+ {2}mean [\d.]+/m);
    t.match(
      out,
      /^ {2}fraud cards {2}5 \(0\.05 of the cards\); \d+ reached their firing purchase .*approved after it: \d+/m,
    );

    // Monitoring off, the same load on the cards as seeded: nothing blocked, the fraud cards approved.
    t.match(off!.monitoring, { enabled: false, blocks: null, delayMs: null, fraud: null });
    t.equal(off!.unexpected, 0, JSON.stringify(off!.entries));
    t.equal(off!.actionCodes['105'], undefined, 'no 105 with monitoring off');
    t.ok(off!.entries.find((e) => e.name === 'fraud-internet')!.codes['000']! > 0);
    t.match(out, /^ {2}monitoring {3}off$/m);

    // The cost: on / off in one run.
    const x = r.monitoringRatios!;
    t.type(x.throughput, 'number');
    for (const k of ['switch', 'redis', 'switchAndRedis'] as const) t.type(x.cpuPerAuthorization[k], 'number', k);
    t.same(x.cpuPerAuthorization.on, on!.cpuPerAuthorizationUs);
    t.same(x.cpuPerAuthorization.off, off!.cpuPerAuthorizationUs);
    t.match(out, /^monitoring on \/ off: throughput [\d.]+, CPU per authorization switch [\d.]+ /m);
    const page = readFileSync(html, 'utf8');
    t.match(page, /<h2>Fraud monitoring<\/h2>/);
    t.match(page, /<td>monitoring-off<\/td><td>off<\/td>/);
    t.match(page, /Monitoring on \/ off: throughput <b>[\d.]+<\/b>/);
    t.match(err, /deleted \d+ keys under bench:/);
  },
);
