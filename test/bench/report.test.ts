/** The results: workers' reports added up, the report JSON's shape, the printed summary and the HTML page. */
import t from 'tap';
import { encode, newHistogram, recordMs } from '../../bench/load/histogram.js';
import { escapeHtml, lineChart, niceTicks, percentileChart, percentileX, renderHtml } from '../../bench/load/html.js';
import { loadMix } from '../../bench/load/mix.js';
import type { WorkerResult } from '../../bench/load/protocol.js';
import {
  type PhaseInput,
  type PhaseReport,
  REPORT_VERSION,
  aggregatePhase,
  buildReport,
  formatReport,
  machine,
} from '../../bench/load/report.js';

const mix = loadMix('default');
const entries = mix.entries.slice(0, 2); // purchase-pin (expects 000), authorization-pin (expects 000)

function encoded(values: number[]): string {
  const h = newHistogram();
  for (const v of values) recordMs(h, v);
  return encode(h);
}

function worker(n: number, latencies: number[], extra: Partial<WorkerResult> = {}): WorkerResult {
  return {
    worker: n,
    connections: 2,
    sent: latencies.length + 1,
    answered: latencies.length,
    timeouts: 1,
    skipped: 0,
    errors: {},
    warmup: { sent: 10, answered: 10 },
    histogram: encoded(latencies),
    sendLag: encoded([0.1, 0.2]),
    perEntry: [
      {
        sent: latencies.length,
        answered: latencies.length - 1,
        timeouts: 0,
        codes: { '000': latencies.length - 2, '116': 1 },
      },
      { sent: 1, answered: 1, timeouts: 1, codes: { '000': 1 } },
    ],
    timeline: { sent: [5, 6], answered: [5, 6] },
    approvals: {},
    cpuMs: 500,
    elu: 0.4567,
    ...extra,
  };
}

function input(over: Partial<PhaseInput> = {}): PhaseInput {
  return {
    target: 'switch',
    mode: 'open',
    rate: 100,
    depth: 1,
    connections: 4,
    warmupS: 1,
    durationS: 2,
    results: [
      worker(0, [1, 2, 3, 4]),
      worker(1, [5, 6, 7, 100], {
        errors: { 'wrong answer MTI': 2, 'connection lost': 1 },
        cpuMs: null,
        timeline: { sent: [1, 1, 7], answered: [0, 1, 1] },
      }),
    ],
    intervals: [[encoded([1, 2]), encoded([50])], [encoded([3])]],
    entries,
    expected: [['000'], ['000']],
    generator: { windowMs: 2000, processCpuMs: 1000, mainThreadCpuMs: 20, cores: 2 },
    process: { pid: 42, cpuPercent: 55.5, rssMaxMiB: 120, rssEndMiB: 110, warnings: {} },
    redisCpuPercent: 10,
    cpuMs: { target: 1110, redis: 200 },
    cpuTimeline: [40, null, 60],
    ...over,
  };
}

t.test('a phase adds up its workers', async (t) => {
  const p = aggregatePhase(input());
  t.same(p.requests, {
    sent: 10,
    answered: 8,
    timeouts: 2,
    skipped: 0,
    errors: { 'wrong answer MTI': 2, 'connection lost': 1 },
    failed: 4,
    warmupSent: 20,
    warmupAnswered: 20,
  });
  t.equal(p.achievedRate, 4, '8 answers in 2 s');
  t.equal(p.latencyMs.count, 8);
  t.equal(p.latencyMs.min, 1);
  t.ok(p.latencyMs.max >= 100 && p.latencyMs.max < 100.1);
  t.ok(p.latencyMs.p50 >= 4 && p.latencyMs.p50 <= 4.004);
  t.equal(p.sendLagMs!.count, 4);
  t.same(p.actionCodes, { '000': 6, '116': 2 });
  t.match(p.entries[0], {
    name: 'purchase-pin',
    weight: 40,
    sent: 8,
    answered: 6,
    expected: 4,
    unexpected: 2,
    codes: { '000': 4, '116': 2 },
  });
  t.match(p.entries[1], { name: 'authorization-pin', sent: 2, answered: 2, timeouts: 2, expected: 2, unexpected: 0 });
  t.equal(p.unexpected, 2);
  t.same(
    p.timeline.map((x) => [x.second, x.warmup, x.sent, x.answered, x.targetCpuPercent]),
    [
      [0, true, 6, 5, 40],
      [1, false, 7, 7, null],
      [2, false, 7, 1, 60],
    ],
  );
  t.ok(p.timeline[0]!.p99Ms! >= 50 && p.timeline[0]!.p99Ms! < 50.1, 'p99 of the second from every worker');
  t.equal(p.timeline[2]!.p99Ms, null);
  t.same(p.generator, {
    processCpuPercent: 50,
    machinePercent: 25,
    mainThreadCpuPercent: 1,
    workers: [
      { worker: 0, connections: 2, cpuPercent: 25, machinePercent: 12.5, eventLoopUtilization: 0.457 },
      { worker: 1, connections: 2, cpuPercent: null, machinePercent: null, eventLoopUtilization: 0.457 },
    ],
  });
  // 8 answers in 2 s (4/s): 55.5 % of a core is 138,750 µs an answer, Redis's 10 % 25,000, the generator's 50 % 125,000.
  t.same(p.cpuPerAuthorizationUs, { target: 138_750, redis: 25_000, targetAndRedis: 163_750, generator: 125_000 });
  t.equal(p.depth, null, 'open loop: no depth');
  t.equal(p.percentiles.at(-1)!.percentile, 100);
});

t.test('closed loop, the echo target (no action codes), unreadable CPU', async (t) => {
  const p = aggregatePhase(
    input({
      target: 'echo',
      mode: 'closed',
      rate: null,
      depth: 3,
      expected: null,
      generator: { windowMs: 0, processCpuMs: null, mainThreadCpuMs: null, cores: 2 },
    }),
  );
  t.equal(p.depth, 3);
  t.equal(p.offeredRate, null);
  t.equal(p.sendLagMs, null);
  t.equal(p.unexpected, null);
  t.equal(p.entries[0]!.expected, null);
  t.equal(p.entries[0]!.unexpected, null);
  t.same(p.generator.processCpuPercent, null);
  t.same(p.generator.machinePercent, null);
  t.same(p.cpuPerAuthorizationUs, { target: null, redis: null, targetAndRedis: null, generator: null }, 'no window');
  const noRedis = aggregatePhase(input({ cpuMs: { target: 1110, redis: null } }));
  t.same(noRedis.cpuPerAuthorizationUs, { target: 138_750, redis: null, targetAndRedis: null, generator: 125_000 });
  const empty = aggregatePhase(input({ results: [], intervals: [], cpuTimeline: [] }));
  t.equal(empty.latencyMs.count, 0);
  t.same(empty.timeline, []);
  t.same(empty.percentiles, []);
});

const REPORT_KEYS = [
  'version',
  'kind',
  'date',
  'machine',
  'command',
  'options',
  'mix',
  'keyPrefix',
  'phases',
  'baselineRatio',
  'floorRatios',
  'monitoringRatios',
];
const PHASE_KEYS = [
  'target',
  'mode',
  'offeredRate',
  'depth',
  'connections',
  'workers',
  'warmupS',
  'durationS',
  'requests',
  'achievedRate',
  'latencyMs',
  'percentiles',
  'sendLagMs',
  'actionCodes',
  'unexpected',
  'entries',
  'timeline',
  'generator',
  'process',
  'redisCpuPercent',
  'cpuPerAuthorizationUs',
];

function reportParts(phases: PhaseReport[]) {
  return {
    date: new Date('2026-11-21T12:00:00Z'),
    machine: machine(),
    command: 'npm run bench -- --rate 100',
    options: { rate: 100 },
    mix: { name: mix.name, entries, cards: mix.cards },
    keyPrefix: 'bench:1:a:',
    phases,
  };
}

function report(phases: PhaseReport[]) {
  return buildReport(reportParts(phases));
}

t.test('the report JSON: its shape, the mix as run, the baseline ratio', async (t) => {
  const sw = aggregatePhase(input({ mode: 'closed', rate: null }));
  const echo = aggregatePhase(
    input({
      target: 'echo',
      mode: 'closed',
      rate: null,
      expected: null,
      results: [
        worker(
          0,
          Array.from({ length: 16 }, () => 1),
        ),
      ],
    }),
  );
  const r = JSON.parse(JSON.stringify(report([sw, echo])));
  t.same(Object.keys(r), REPORT_KEYS);
  t.equal(r.version, REPORT_VERSION);
  t.equal(r.kind, 'load');
  t.equal(r.date, '2026-11-21T12:00:00.000Z');
  t.same(Object.keys(r.machine), ['cpu', 'cores', 'memoryGiB', 'node', 'platform']);
  t.equal(r.machine.node, process.version);
  for (const p of r.phases) t.same(Object.keys(p), PHASE_KEYS);
  t.same(Object.keys(r.phases[0].latencyMs), ['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99_9', 'max']);
  t.same(Object.keys(r.phases[0].requests), [
    'sent',
    'answered',
    'timeouts',
    'skipped',
    'errors',
    'failed',
    'warmupSent',
    'warmupAnswered',
  ]);
  t.same(r.mix.entries[0], {
    name: 'purchase-pin',
    weight: 40,
    mti: '1200',
    processingCode: '000000',
    amount: 12550,
    cards: 'active',
    pin: 'right',
    contactless: false,
    expect: ['approved'],
  });
  t.same(r.mix.cards.active, { count: 2000, state: 'active' }, 'descriptions left out');
  t.equal(r.baselineRatio, 0.5, '4 answers/s against 8');
  t.equal(r.floorRatios, null, 'no floor baseline');
  t.same(Object.keys(r.phases[0].cpuPerAuthorizationUs), ['target', 'redis', 'targetAndRedis', 'generator']);
  t.equal(report([sw]).baselineRatio, null, 'no baseline');
  t.equal(
    report([sw, aggregatePhase(input({ target: 'echo', results: [] }))]).baselineRatio,
    null,
    'an echo without answers gives no ratio',
  );
});

t.test('the printed summary', async (t) => {
  const open = aggregatePhase(input());
  const text = formatReport(
    report([
      open,
      aggregatePhase(
        input({
          target: 'echo',
          mode: 'closed',
          rate: null,
          expected: null,
          process: { ...open.process, cpuPercent: null, rssMaxMiB: null, warnings: {} },
        }),
      ),
    ]),
  );
  t.match(text, /^switch: open loop, offered 100\/s, 4 connections, 2 worker\(s\), 2 s measured after 1 s warm-up$/m);
  t.match(text, /throughput {3}4 answers\/s {2}\(sent 10, answered 8, timeouts 2, failed 4\)/);
  t.match(text, /latency ms {3}min 1 {2}mean [\d.]+ {2}p50 4\.?\d* /);
  t.match(text, /send lag ms/);
  t.match(text, /switch CPU 55.5% of a core, RSS max 120 MiB; Redis CPU 10%/);
  t.match(text, /^ {2}CPU per authorization {2}switch 138750 µs \+ Redis 25000 µs = 163750 µs; generator 125000 µs$/m);
  t.match(text, /^ {2}CPU per authorization {2}echo 138750 µs \+ Redis 25000 µs = 163750 µs; generator 125000 µs$/m);
  t.notMatch(text, /switch \/ floor/);
  t.match(
    text,
    /generator CPU 50% of a core \(25% of the machine\); main thread 1%; workers 25% \(ELU 0.457\), n\/a \(ELU 0.457\)/,
  );
  t.match(text, /errors {7}\{"wrong answer MTI":2,"connection lost":1\}/);
  t.match(text, /action codes 000: 6, 116: 2; unexpected 2/);
  t.match(text, /purchase-pin .* 000 4, 116 2 {2}UNEXPECTED 2/);
  t.match(text, /^echo: closed loop, 1 in flight per connection/m);
  t.match(text, /echo CPU n\/a of a core, RSS max n\/a/);
  t.match(text, /switch \/ echo throughput: 1$/);
  const warned = formatReport(
    report([aggregatePhase(input({ process: { ...open.process, warnings: { 'framing lost': 3 } } }))]),
  );
  t.match(warned, /switch warnings \{"framing lost":3\}/);
  t.notMatch(warned, /switch \/ echo/);
  t.notMatch(warned, /hostile/, 'no hostile clients, no line');
  const hostile = { slow: 200, flood: 2000, slowClosed: 410, floodShed: 23_000, floodHeld: 1000 };
  const withHostile = buildReport({ ...reportParts([open]), hostile });
  t.same(JSON.parse(JSON.stringify(withHostile)).hostile, hostile, 'in the JSON');
  t.match(
    formatReport(withHostile),
    /^hostile clients beside the switch's terminals: 200 slow \(closed by the switch 410 times\), 2,000 flooding \(shed 23,000 times, 1,000 held at the end\)$/m,
  );
});

t.test('the floor baseline: switch / floor in the JSON, the summary and the page', async (t) => {
  // The floor: twice the answers (16 in 2 s, 8/s) for the same CPU; half the latency.
  const floorInput = (over: Partial<PhaseInput>): PhaseInput =>
    input({
      target: 'floor',
      results: [worker(0, [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 50]), worker(1, [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 50])],
      ...over,
    });
  const sw = aggregatePhase(input());
  const floor = aggregatePhase(floorInput({}));
  t.equal(floor.achievedRate, 8);
  t.same(floor.cpuPerAuthorizationUs, { target: 69_375, redis: 12_500, targetAndRedis: 81_875, generator: 62_500 });
  const r = JSON.parse(JSON.stringify(report([sw, floor, aggregatePhase(input({ target: 'echo', expected: null }))])));
  t.same(Object.keys(r), REPORT_KEYS);
  t.equal(r.baselineRatio, 1, 'the echo ratio is kept');
  t.equal(r.floorRatios.throughput, 0.5);
  t.equal(r.floorRatios.cpuPerAuthorization, 2, '163,750 µs against 81,875');
  t.same(Object.keys(r.floorRatios.latency), ['p50', 'p99', 'p99_9']);
  t.ok(r.floorRatios.latency.p50 > 1.5 && r.floorRatios.latency.p50 < 2.5, String(r.floorRatios.latency.p50));
  t.ok(r.floorRatios.latency.p99 > 1.9 && r.floorRatios.latency.p99 < 2.1, String(r.floorRatios.latency.p99));

  const text = formatReport(report([sw, floor]));
  t.match(text, /^floor: open loop, offered 100\/s/m);
  t.match(text, /^ {2}CPU per authorization {2}floor 69375 µs \+ Redis 12500 µs = 81875 µs; generator 62500 µs$/m);
  t.match(
    text,
    /^switch \/ floor: throughput 0\.5, CPU per authorization \(switch \+ Redis\) 2, latency p50 [\d.]+ p99 [\d.]+ p99\.9 [\d.]+$/m,
  );
  t.notMatch(text, /switch \/ echo/);
  const html = renderHtml(report([sw, floor]));
  t.match(
    html,
    /<h2>Switch \/ floor<\/h2><table><tr><th>throughput<\/th><th>CPU per authorization \(switch \+ Redis\)<\/th><th>p50 latency<\/th>/,
  );
  t.match(html, /<td>0\.5<\/td><td>2<\/td>/);
  t.match(html, /<th>target \+ Redis µs\/auth<\/th>/);
  t.match(html, /<td>floor<\/td>/);
  t.match(html, /#2e8b57/, 'the floor has a colour of its own in the charts');

  // Closed loop: no latency ratios (latency follows throughput there); unreadable CPU: no CPU ratio.
  const closed = { mode: 'closed' as const, rate: null };
  const c = report([
    aggregatePhase(input({ ...closed, cpuMs: { target: null, redis: 200 } })),
    aggregatePhase(floorInput(closed)),
  ]).floorRatios!;
  t.same(c, { throughput: 0.5, cpuPerAuthorization: null, latency: null });
  t.match(
    formatReport(report([aggregatePhase(input(closed)), aggregatePhase(floorInput(closed))])),
    /^switch \/ floor: throughput 0\.5, CPU per authorization \(switch \+ Redis\) 2$/m,
  );
  const cHtml = renderHtml(report([aggregatePhase(input(closed)), aggregatePhase(floorInput(closed))]));
  t.notMatch(cHtml, /p50 latency/);
  const silent = report([sw, aggregatePhase(floorInput({ results: [] }))]).floorRatios!;
  t.same(
    silent,
    { throughput: null, cpuPerAuthorization: null, latency: { p50: null, p99: null, p99_9: null } },
    'a floor without answers gives no ratios',
  );
  t.notMatch(renderHtml(report([sw])), /Switch \/ floor/);
});

t.test('follow-ups have rows of their own, after their entry, in the JSON, the summary and the page', async (t) => {
  const withThen = [mix.entries[0]!, mix.entries.find((e) => e.name === 'psam-reversal')!];
  const rows = (codes: Record<string, number>[]): WorkerResult['perEntry'] =>
    codes.map((c) => ({
      sent: Object.values(c).reduce((a, b) => a + b, 0),
      answered: Object.values(c).reduce((a, b) => a + b, 0),
      timeouts: 0,
      codes: c,
    }));
  const results = [
    worker(0, [1, 2, 3, 4], { perEntry: rows([{ '000': 2 }, { '000': 1 }, { '400': 1 }]) }),
    worker(1, [1, 2, 3, 4], { perEntry: rows([{ '000': 1 }, { '000': 2 }, { '400': 1, '904': 1 }]) }),
  ];
  const p = aggregatePhase(input({ entries: withThen, expected: [['000'], ['000'], ['400']], results }));
  t.same(
    p.entries.map((e) => e.name),
    ['purchase-pin', 'psam-reversal', 'psam-reversal then'],
  );
  t.match(p.entries[2], {
    weight: 4,
    followUpOf: 'psam-reversal',
    sent: 3,
    answered: 3,
    expected: 2,
    unexpected: 1,
    codes: { '400': 2, '904': 1 },
  });
  t.notOk('followUpOf' in p.entries[1]!, 'only on follow-up rows');
  t.same(p.actionCodes, { '000': 6, '400': 2, '904': 1 }, 'follow-ups count like any request');
  t.equal(p.unexpected, 1);
  const r = buildReport({
    date: new Date('2026-11-21T12:00:00Z'),
    machine: machine(),
    command: 'x',
    options: {},
    mix: { name: mix.name, entries: withThen, cards: mix.cards },
    keyPrefix: 'b:',
    phases: [p],
  });
  t.same(
    r.mix.entries[1]!.then,
    { mti: '1420', amount: 31500, expect: ['reversalAccepted'] },
    "the amount as sent: the original's",
  );
  t.notOk('then' in r.mix.entries[0]!);
  const text = formatReport(r);
  t.match(text, /^ {4}psam-reversal +sent +3 {2}000 3$/m);
  t.match(text, /^ {4}psam-reversal then +sent +3 {2}400 2, 904 1 {2}UNEXPECTED 1$/m);
  const html = renderHtml(r);
  t.match(html, /<tr><td>psam-reversal then<\/td><td>follow-up<\/td><td>3<\/td>/);
  t.match(html, /<tr><td>psam-reversal<\/td><td>4<\/td>/);
});

t.test('the HTML page: self-contained, escaped, with the charts', async (t) => {
  const sw = aggregatePhase(input());
  const echo = aggregatePhase(input({ target: 'echo', expected: null }));
  const r = report([sw, echo]);
  r.command = 'npm run bench -- --mix "<script>alert(1)</script>"';
  const html = renderHtml(r);
  t.match(html, /^<!doctype html>/);
  t.notMatch(html, /<script/i, 'no scripts, not even from the command line');
  t.notMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'nothing fetched from elsewhere');
  t.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  t.equal(html.match(/<svg /g)!.length, 4, 'percentiles, throughput, p99, CPU');
  t.match(html, /Latency by percentile/);
  t.match(html, /Switch throughput \/ echo throughput: <b>1<\/b>/);
  t.match(html, />warm-up</);
  t.match(html, /offered \(switch\)/);
  t.match(html, /<td>purchase-pin<\/td>/);
  t.match(html, /AMD|Intel|unknown|\w/);
  // Every tick, grid line and point lies on the 760 x 300 canvas, inside the plot's x range.
  const long = aggregatePhase(
    input({ results: [worker(0, [1, 2], { timeline: { sent: Array(26).fill(1), answered: Array(26).fill(1) } })] }),
  );
  for (const svg of renderHtml(report([long])).match(/<svg[^]*?<\/svg>/g)!) {
    const xs = [...svg.matchAll(/ x[12]?="([\d.]+)"/g), ...svg.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
    t.ok(xs.length > 10 && xs.every((x) => x >= 0 && x <= 760), `x within the canvas: ${Math.max(...xs)}`);
    const ticks = [...svg.matchAll(/<line x1="([\d.]+)" x2="\1" y1="44"/g)].map((m) => Number(m[1]));
    t.ok(
      ticks.every((x) => x >= 64 && x <= 744),
      `grid lines within the plot: ${ticks.join(' ')}`,
    );
  }
  const noEcho = renderHtml(report([aggregatePhase(input({ warmupS: 0 }))]));
  t.notMatch(noEcho, /Switch throughput \/ echo/);
  t.notMatch(noEcho, />warm-up</);
  const echoOnly = renderHtml(report([echo]));
  t.notMatch(echoOnly, /Mix entries/);
});

t.test('chart helpers', async (t) => {
  t.same(niceTicks(7), [0, 2, 4, 6, 8]);
  t.same(niceTicks(1000), [0, 200, 400, 600, 800, 1000]);
  t.same(niceTicks(0.33), [0, 0.1, 0.2, 0.3, 0.4]);
  t.same(niceTicks(0), [0, 1]);
  t.same(niceTicks(NaN), [0, 1]);
  t.equal(percentileX(0), 0);
  t.equal(percentileX(90), 1);
  t.ok(Math.abs(percentileX(99.9) - 3) < 1e-9);
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  const svg = lineChart({
    title: 'T',
    xLabel: 'x',
    yLabel: 'y',
    xTicks: [{ at: 0, label: '0' }],
    xMax: 0,
    series: [
      { name: 'none', color: '#000', points: [] },
      { name: 'd', color: '#111', dashed: true, points: [[0, 1500]] },
    ],
  });
  t.match(svg, /stroke-dasharray/);
  t.match(svg, />1,500</, 'thousands separated');
  const curve = percentileChart([
    aggregatePhase(
      input({
        results: [
          worker(
            0,
            Array.from({ length: 1000 }, (_, i) => i / 10 + 0.1),
          ),
        ],
      }),
    ),
  ]);
  for (const tick of ['0%', '90%', '99%', '99.9%']) t.match(curve, `>${tick}<`);
  t.notMatch(curve, />99.99%</, 'no tick beyond what 1,000 values resolve');
  t.match(percentileChart([aggregatePhase(input())]), />90%</, 'at least up to 90 %');
  t.match(percentileChart([]), /<svg/);
});
