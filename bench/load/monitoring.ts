/**
 * The fraud monitoring in a run: what the switch's own metrics say at the end of its phase
 * (blocks made, and the delay from each firing transaction's answer to its card's block, the
 * histogram switch_monitoring_block_delay_seconds, src/monitoring/monitoring-metrics.ts), what
 * the fraud cards' answers say (bench/load/fraud.ts), and the cost of monitoring: the switch
 * with it on over the same run's phase with it off (--baseline monitoring-off).
 */
import { HOST } from './switch-config.js';
import type { CpuPerAuthorization } from './cost.js';
import type { FraudTally } from './fraud.js';

/** What the switch's /metrics said about its monitoring at the end of the phase. */
export interface MonitoringScrape {
  blocks: number;
  blocksByRule: Record<string, number>;
  /** Transactions the rules evaluated. */
  evaluated: number;
  spared: number;
  dropped: number;
  failures: number;
  delay: DelayHistogram;
}

/** The delay histogram as scraped: cumulative counts per upper bound (s), +Inf last. */
export interface DelayHistogram {
  buckets: { le: number; count: number }[];
  sumSeconds: number;
  count: number;
}

/**
 * ms. p50 and p99 interpolated within the histogram's buckets (as Prometheus's
 * histogram_quantile does); the largest only as its bucket's upper bound; the mean exact.
 */
export interface DelaySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  /** The upper bound of the highest bucket holding one; null beyond the last finite bound. */
  maxAtMost: number | null;
  /** The histogram as scraped: blocks at or under each bound (ms; null: +Inf), cumulative. */
  buckets: { leMs: number | null; count: number }[];
}

export interface PhaseMonitoring {
  enabled: boolean;
  /** The rule file's description (bench/load/bench-rules.ts); null when off. */
  rules: string | null;
  /** null when off, or when /metrics could not be read. */
  blocks: number | null;
  blocksByRule: Record<string, number>;
  evaluated: number | null;
  spared: number | null;
  dropped: number | null;
  failures: number | null;
  delayMs: DelaySummary | null;
  /** --fraud: the fraud cards' share, their firing purchase and what their answers say. */
  fraud: (FraudTally & { share: number; firingPurchase: number }) | null;
}

const sample = /^([a-z_]+)(?:\{([^}]*)\})? ([^ ]+)$/;

function labels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** The monitoring's figures in a Prometheus text exposition. */
export function parseMonitoringMetrics(text: string): MonitoringScrape {
  const s: MonitoringScrape = {
    blocks: 0,
    blocksByRule: {},
    evaluated: 0,
    spared: 0,
    dropped: 0,
    failures: 0,
    delay: { buckets: [], sumSeconds: 0, count: 0 },
  };
  for (const line of text.split('\n')) {
    const m = sample.exec(line);
    if (m === null) continue;
    const [, name, tags, raw] = m;
    const value = Number(raw);
    const l = labels(tags);
    if (name === 'switch_monitoring_blocks_total') {
      s.blocks += value;
      s.blocksByRule[l.rule ?? '?'] = (s.blocksByRule[l.rule ?? '?'] ?? 0) + value;
    } else if (name === 'switch_monitoring_transactions_total') s.evaluated += value;
    else if (name === 'switch_monitoring_spared_total') s.spared += value;
    else if (name === 'switch_monitoring_dropped_total') s.dropped += value;
    else if (name === 'switch_monitoring_failures_total') s.failures += value;
    else if (name === 'switch_monitoring_block_delay_seconds_bucket')
      s.delay.buckets.push({ le: l.le === '+Inf' ? Infinity : Number(l.le), count: value });
    else if (name === 'switch_monitoring_block_delay_seconds_sum') s.delay.sumSeconds = value;
    else if (name === 'switch_monitoring_block_delay_seconds_count') s.delay.count = value;
  }
  s.delay.buckets.sort((a, b) => a.le - b.le);
  return s;
}

const ms = (seconds: number): number => Number((seconds * 1000).toFixed(3));

/** The q-quantile (0..1) of a cumulative histogram, in seconds, interpolated within its bucket. */
export function bucketQuantile(h: DelayHistogram, q: number): number {
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank && b.count > below) {
      // Beyond the last finite bound nothing is known but that bound.
      if (b.le === Infinity) return lower;
      return lower + ((b.le - lower) * (rank - below)) / (b.count - below);
    }
    if (b.le !== Infinity) lower = b.le;
    below = b.count;
  }
  return lower;
}

export function summarizeDelay(h: DelayHistogram): DelaySummary | null {
  if (h.count === 0) return null;
  const highest = h.buckets.find((b) => b.count === h.count);
  return {
    count: h.count,
    mean: ms(h.sumSeconds / h.count),
    p50: ms(bucketQuantile(h, 0.5)),
    p99: ms(bucketQuantile(h, 0.99)),
    maxAtMost: highest === undefined || highest.le === Infinity ? null : ms(highest.le),
    buckets: h.buckets.map((b) => ({ leMs: b.le === Infinity ? null : ms(b.le), count: b.count })),
  };
}

/** The switch's /metrics (operator token); null when it cannot be read. */
export async function scrapeMonitoring(adminPort: number, token: string): Promise<MonitoringScrape | null> {
  try {
    const res = await fetch(`http://${HOST}:${adminPort}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? parseMonitoringMetrics(await res.text()) : null;
  } catch {
    return null;
  }
}

export function phaseMonitoring(
  enabled: boolean,
  rules: string | null,
  scrape: MonitoringScrape | null,
  fraud: PhaseMonitoring['fraud'],
): PhaseMonitoring {
  const on = enabled && scrape !== null;
  return {
    enabled,
    rules: enabled ? rules : null,
    blocks: on ? scrape.blocks : null,
    blocksByRule: on ? scrape.blocksByRule : {},
    evaluated: on ? scrape.evaluated : null,
    spared: on ? scrape.spared : null,
    dropped: on ? scrape.dropped : null,
    failures: on ? scrape.failures : null,
    delayMs: on ? summarizeDelay(scrape.delay) : null,
    fraud,
  };
}

/** Monitoring on over off, in one run (--baseline monitoring-off). */
export interface MonitoringRatios {
  /** Throughput on / off (below 1: what monitoring costs). */
  throughput: number | null;
  /** CPU per authorization on / off, and the µs of each. */
  cpuPerAuthorization: {
    switch: number | null;
    redis: number | null;
    switchAndRedis: number | null;
    on: CpuPerAuthorization;
    off: CpuPerAuthorization;
  };
}

interface Compared {
  achievedRate: number;
  cpuPerAuthorizationUs: CpuPerAuthorization;
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b <= 0 ? null : Number((a / b).toFixed(3));

export function monitoringRatios(on: Compared, off: Compared): MonitoringRatios {
  const a = on.cpuPerAuthorizationUs;
  const b = off.cpuPerAuthorizationUs;
  return {
    throughput: ratio(on.achievedRate, off.achievedRate),
    cpuPerAuthorization: {
      switch: ratio(a.target, b.target),
      redis: ratio(a.redis, b.redis),
      switchAndRedis: ratio(a.targetAndRedis, b.targetAndRedis),
      on: a,
      off: b,
    },
  };
}

const maybe = (x: number | null, unit = ''): string => (x === null ? 'n/a' : `${x}${unit}`);

/** The summary's lines of a phase's monitoring. */
export function formatMonitoring(m: PhaseMonitoring): string[] {
  if (!m.enabled) return ['  monitoring   off'];
  const lines = [
    `  monitoring   on; evaluated ${maybe(m.evaluated)}, blocks ${maybe(m.blocks)} ${JSON.stringify(m.blocksByRule)}, spared ${maybe(m.spared)}, dropped ${maybe(m.dropped)}, failures ${maybe(m.failures)}`,
  ];
  const d = m.delayMs;
  if (d !== null)
    lines.push(
      `  block delay ms  p50 ${d.p50}  p99 ${d.p99}  max <= ${maybe(d.maxAtMost)}  mean ${d.mean}  (${d.count} blocks; from the firing answer to the block, the switch's histogram)`,
    );
  const f = m.fraud;
  if (f !== null)
    lines.push(
      `  fraud cards  ${f.cards} (${f.share} of the cards); ${f.fired} reached their firing purchase (the ${f.firingPurchase}th approved); approved after it: ${f.slipped} (at most ${f.slippedMax} on a card)`,
    );
  return lines;
}

export function formatMonitoringRatios(r: MonitoringRatios): string {
  const c = r.cpuPerAuthorization;
  return `monitoring on / off: throughput ${maybe(r.throughput)}, CPU per authorization switch ${maybe(c.switch)} (${maybe(c.on.target)} / ${maybe(c.off.target)} µs), Redis ${maybe(c.redis)} (${maybe(c.on.redis)} / ${maybe(c.off.redis)} µs), both ${maybe(c.switchAndRedis)}`;
}
