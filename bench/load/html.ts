/**
 * The run's report as one self-contained HTML page: tables, and charts drawn as inline SVG (no
 * scripts, no CDN, so the page opens anywhere and can be archived as is): latency by percentile
 * on HdrHistogram's log scale (0 %, 90 %, 99 %, 99.9 %, ...), throughput, p99 and the target's
 * CPU over time, one line per target (switch, floor, echo); CPU per authorization, and the
 * switch / floor ratios when the floor baseline ran.
 */
import type { PhaseReport, RunReport } from './report.js';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  xTicks: { at: number; label: string }[];
  xMax: number;
  series: Series[];
  /** Shaded x ranges, e.g. the warm-up. */
  bands?: { from: number; to: number; label: string }[];
}

const COLORS: Record<string, string> = {
  switch: '#1f6fb4',
  'monitoring-off': '#7b4fa0',
  echo: '#d9822b',
  floor: '#2e8b57',
};
const W = 760;
const H = 300;
const M = { left: 64, right: 16, top: 44, bottom: 44 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Up to about six round ticks (1, 2 or 5 times a power of ten) from 0 to at least `max`. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(4)));

/** A line chart as an <svg> element: linear y from 0, x from 0 to xMax with the given ticks. */
export function lineChart(c: ChartSpec): string {
  const yMaxData = Math.max(0, ...c.series.flatMap((s) => s.points.map(([, y]) => y)));
  const yTicks = niceTicks(yMaxData);
  const yMax = yTicks.at(-1)!;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (c.xMax > 0 ? (v / c.xMax) * pw : 0);
  const y = (v: number): number => M.top + ph - (v / yMax) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(c.title)}">`,
  );
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(c.title)}</text>`);
  for (const b of c.bands ?? []) {
    parts.push(
      `<rect x="${x(b.from).toFixed(1)}" y="${M.top}" width="${(x(b.to) - x(b.from)).toFixed(1)}" height="${ph}" fill="#eee"/>`,
    );
    parts.push(
      `<text x="${((x(b.from) + x(b.to)) / 2).toFixed(1)}" y="${M.top + 14}" text-anchor="middle" fill="#888" font-size="11">${escapeHtml(b.label)}</text>`,
    );
  }
  for (const t of yTicks) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(t)}</text>`,
    );
  }
  for (const t of c.xTicks) {
    parts.push(
      `<line x1="${x(t.at).toFixed(1)}" x2="${x(t.at).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${x(t.at).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(
    `<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${escapeHtml(c.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(c.yLabel)}</text>`,
  );
  c.series.forEach((s) => {
    if (s.points.length > 0) {
      const d = s.points
        .map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    }
  });
  // The legend in one row between the title and the plot, where it can hide no line.
  let lx = M.left;
  for (const s of c.series) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="30" y2="30" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${lx + 30}" y="34" font-size="12">${escapeHtml(s.name)}</text>`);
    lx += 50 + 7 * s.name.length;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Position of a percentile on HdrHistogram's axis: log10(1 / (1 - p)); 90 % -> 1, 99 % -> 2. */
export function percentileX(percentile: number): number {
  return Math.log10(100 / (100 - percentile));
}

const colorOf = (p: PhaseReport): string => COLORS[p.target] ?? '#555';

export function percentileChart(phases: PhaseReport[]): string {
  // The 100 % point (the maximum) has no place on a log axis: it is in the table instead.
  const series = phases.map((p) => ({
    name: `${p.target} (${p.latencyMs.count.toLocaleString('en-US')} requests)`,
    color: colorOf(p),
    points: p.percentiles
      .filter((q) => q.percentile < 100)
      .map((q): [number, number] => [percentileX(q.percentile), q.ms]),
  }));
  // Less a hair: 99.9 % lands on 3.0000000000000004, which must not open a decade of its own.
  const xMax = Math.max(1, Math.ceil(Math.max(0, ...series.flatMap((s) => s.points.map(([px]) => px))) - 1e-9));
  const xTicks = Array.from({ length: xMax + 1 }, (_, i) => ({
    at: i,
    label: i === 0 ? '0%' : `${(100 - 100 / 10 ** i).toFixed(Math.max(0, i - 2))}%`,
  }));
  return lineChart({
    title: 'Latency by percentile (from planned send to answer)',
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    xTicks,
    xMax,
    series,
  });
}

function overTime(
  phases: PhaseReport[],
  title: string,
  yLabel: string,
  value: (t: PhaseReport['timeline'][number]) => number | null,
  offered: boolean,
): string {
  const series: Series[] = phases.map((p) => ({
    name: p.target,
    color: colorOf(p),
    points: p.timeline.flatMap((t): [number, number][] => {
      const v = value(t);
      return v === null ? [] : [[t.second + 0.5, v]];
    }),
  }));
  if (offered) {
    for (const p of phases) {
      if (p.offeredRate !== null && p.timeline.length > 0)
        series.push({
          name: `offered (${p.target})`,
          color: '#999',
          dashed: true,
          points: [
            [0, p.offeredRate],
            [p.timeline.length, p.offeredRate],
          ],
        });
    }
  }
  // The axis ends on its last round tick, so every tick lies on the plot.
  const ticks = niceTicks(Math.max(1, ...phases.map((p) => p.timeline.length)));
  const warm = phases[0]?.warmupS ?? 0;
  return lineChart({
    title,
    xLabel: 'seconds since start',
    yLabel,
    xTicks: ticks.map((t) => ({ at: t, label: `${t} s` })),
    xMax: ticks.at(-1)!,
    series,
    bands: warm > 0 ? [{ from: 0, to: warm, label: 'warm-up' }] : [],
  });
}

const cell = (v: unknown): string =>
  `<td>${escapeHtml(v === null || v === undefined ? 'n/a' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v))}</td>`;
const row = (cells: unknown[]): string => `<tr>${cells.map(cell).join('')}</tr>`;
const head = (cells: string[]): string => `<tr>${cells.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;

function phaseTable(phases: PhaseReport[]): string {
  const rows = phases.map((p) => {
    const l = p.latencyMs;
    return row([
      p.target,
      p.mode === 'closed' ? `closed, depth ${p.depth}` : `open, ${p.offeredRate}/s`,
      p.connections,
      p.achievedRate,
      p.requests.answered,
      p.requests.timeouts,
      p.requests.failed,
      l.min,
      l.mean,
      l.p50,
      l.p90,
      l.p99,
      l.p99_9,
      l.max,
      p.process.cpuPercent,
      p.process.rssMaxMiB,
      p.generator.processCpuPercent,
      p.redisCpuPercent,
      p.cpuPerAuthorizationUs.target,
      p.cpuPerAuthorizationUs.redis,
      p.cpuPerAuthorizationUs.targetAndRedis,
      p.cpuPerAuthorizationUs.generator,
    ]);
  });
  return `<table>${head(['target', 'loop', 'connections', 'answers/s', 'answered', 'timeouts', 'failed', 'min ms', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'target CPU %', 'target RSS MiB', 'generator CPU %', 'Redis CPU %', 'target µs/auth', 'Redis µs/auth', 'target + Redis µs/auth', 'generator µs/auth'])}${rows.join('')}</table>
<p>µs/auth: CPU time per request answered in the measured window (for the echo, per frame echoed).</p>`;
}

/** Switch / floor (--baseline floor): 1 is as the floor; throughput higher is better, the rest lower. */
function floorTable(r: RunReport): string {
  const f = r.floorRatios;
  if (f === null) return '';
  const cells: [string, number | null][] = [
    ['throughput', f.throughput],
    ['CPU per authorization (switch + Redis)', f.cpuPerAuthorization],
    ...(f.latency === null
      ? []
      : ([
          ['p50 latency', f.latency.p50],
          ['p99 latency', f.latency.p99],
          ['p99.9 latency', f.latency.p99_9],
        ] as [string, number | null][])),
  ];
  return `<h2>Switch / floor</h2><table>${head(cells.map(([name]) => name))}${row(cells.map(([, v]) => v))}</table>`;
}

/** The fraud monitoring of the switch's phases: blocks, their delay, the fraud cards; on / off when both ran. */
function monitoringTable(r: RunReport): string {
  const phases = r.phases.filter((p) => p.monitoring !== undefined);
  if (phases.length === 0) return '';
  const rows = phases.map((p) => {
    const m = p.monitoring!;
    const d = m.delayMs;
    const f = m.fraud;
    return row([
      p.target,
      m.enabled ? 'on' : 'off',
      m.evaluated,
      m.blocks,
      d?.p50 ?? null,
      d?.p99 ?? null,
      d === null ? null : `≤ ${d.maxAtMost ?? '> 10000'}`,
      d?.mean ?? null,
      f?.cards ?? null,
      f?.fired ?? null,
      f?.slipped ?? null,
    ]);
  });
  const x = r.monitoringRatios;
  const ratios =
    x === null
      ? ''
      : `<p>Monitoring on / off: throughput <b>${x.throughput ?? 'n/a'}</b>, CPU per authorization switch ${x.cpuPerAuthorization.switch ?? 'n/a'}, Redis ${x.cpuPerAuthorization.redis ?? 'n/a'}, both ${x.cpuPerAuthorization.switchAndRedis ?? 'n/a'}.</p>`;
  return `<h2>Fraud monitoring</h2><table>${head(['phase', 'monitoring', 'evaluated', 'blocks', 'delay p50 ms', 'delay p99 ms', 'delay max ms', 'delay mean ms', 'fraud cards', 'fired', 'approved after firing'])}${rows.join('')}</table>
<p>Delay: from the firing transaction's answer to its card's block, the switch's own histogram (p50 and p99 interpolated within its buckets, the largest as its bucket's bound).</p>${ratios}`;
}

function entriesTable(p: PhaseReport): string {
  const rows = p.entries.map((e) =>
    row([
      e.name,
      e.followUpOf === undefined ? e.weight : 'follow-up',
      e.sent,
      e.answered,
      e.timeouts,
      e.expected,
      e.unexpected,
      Object.entries(e.codes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, n]) => `${c}: ${n.toLocaleString('en-US')}`)
        .join(', '),
    ]),
  );
  return `<table>${head(['mix entry', 'weight', 'sent', 'answered', 'timeouts', 'expected', 'unexpected', 'action codes'])}${rows.join('')}</table>`;
}

export function renderHtml(r: RunReport): string {
  const m = r.machine;
  const switchPhase = r.phases.find((p) => p.target === 'switch');
  const generatorRows = r.phases.flatMap((p) =>
    p.generator.workers.map((w) => row([p.target, w.worker, w.connections, w.cpuPercent, w.eventLoopUtilization])),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switch load benchmark ${escapeHtml(r.date)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}th{background:#f4f4f4}td:first-child{text-align:left}code{background:#f4f4f4;padding:1px 4px}svg{display:block;margin:12px 0;font-family:system-ui,sans-serif}</style>
</head><body>
<h1>Switch load benchmark</h1>
<p>${escapeHtml(r.date)} &middot; <code>${escapeHtml(r.command)}</code></p>
<p>Machine: ${escapeHtml(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}`)}. Mix <code>${escapeHtml(r.mix.name)}</code>.${r.baselineRatio === null ? '' : ` Switch throughput / echo throughput: <b>${r.baselineRatio}</b>.`}</p>
${phaseTable(r.phases)}
${floorTable(r)}
${monitoringTable(r)}
${percentileChart(r.phases)}
${overTime(r.phases, 'Throughput (answers received per second)', 'answers/s', (t) => t.answered, true)}
${overTime(r.phases, "p99 latency per second (measured seconds: the warm-up's would set the scale)", 'p99 (ms)', (t) => (t.warmup ? null : t.p99Ms), false)}
${overTime(r.phases, 'Target process CPU per second', '% of one core', (t) => t.targetCpuPercent, false)}
${switchPhase ? `<h2>Mix entries (switch)</h2>${entriesTable(switchPhase)}` : ''}
<h2>Generator threads</h2>
<table>${head(['target', 'worker', 'connections', 'CPU % of a core', 'event-loop utilization'])}${generatorRows.join('')}</table>
<p>Latency runs from each request's planned send time (open loop) or its send time (closed loop) to its answer, so time spent queued counts. Timeouts are counted, not put into the histogram.</p>
</body></html>
`;
}
