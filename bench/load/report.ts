/**
 * The results: the workers' counts and histograms added up into one phase report per target
 * (switch, floor, echo), the run's report (machine, command line, mix, phases, ratios) as JSON, and the
 * lines printed at the end. Pure functions of their inputs, so the JSON's shape is tested.
 */
import type { Machine } from '../support/machine.js';
export type { Machine };
import type { Histogram } from 'hdr-histogram-js';
import { type LatencySummary, type PercentilePoint, merge, percentileCurve, summarize } from './histogram.js';
import { type FollowUp, type MixEntry, mixRows } from './mix.js';
import type { LoopMode, WorkerResult } from './protocol.js';
import type { HostileCounts } from './hostile.js';
import {
  type CpuPerAuthorization,
  type FloorRatios,
  cpuPerAuthorization,
  floorRatios,
  formatCpuPerAuthorization,
  formatFloorRatios,
} from './cost.js';
import {
  type MonitoringRatios,
  type PhaseMonitoring,
  formatMonitoring,
  formatMonitoringRatios,
  monitoringRatios,
} from './monitoring.js';

export const REPORT_VERSION = 1;

export { machine } from '../support/machine.js';

export interface ProcessFigures {
  pid: number;
  /** % of one core over the measurement window; null when /proc could not be read. */
  cpuPercent: number | null;
  rssMaxMiB: number | null;
  rssEndMiB: number | null;
  /** Warning and error log lines of the child, by message. */
  warnings: Record<string, number>;
}

/** What a phase runs against: the switch, or a baseline (bench/load/cli.ts BASELINES). */
export type PhaseTarget = 'switch' | 'monitoring-off' | 'floor' | 'echo';

export interface PhaseInput {
  target: PhaseTarget;
  mode: LoopMode;
  /** Offered requests/s (open loop); null in the closed loop. */
  rate: number | null;
  depth: number;
  connections: number;
  warmupS: number;
  durationS: number;
  results: WorkerResult[];
  /** Per second of the run: the workers' encoded interval histograms. */
  intervals: string[][];
  entries: MixEntry[];
  /**
   * Per row of the mix (mixRows: each entry, then its follow-up when it has one), the action codes
   * that count as expected; null when answers carry none (echo).
   */
  expected: string[][] | null;
  generator: { windowMs: number; processCpuMs: number | null; mainThreadCpuMs: number | null; cores: number };
  process: ProcessFigures;
  /** Redis's CPU over the window (% of one core), when its process could be read. */
  redisCpuPercent: number | null;
  /** CPU ms over the window of the target (its processes) and of Redis; null when unreadable. */
  cpuMs: { target: number | null; redis: number | null };
  /** Per second of the run: the target's CPU (% of one core). */
  cpuTimeline: (number | null)[];
}

/** A row of the mix: an entry, or an entry's follow-up ("<entry> then", with `followUpOf`). */
export interface EntryReport {
  name: string;
  /** A follow-up's row: its entry's weight (one follow-up per answered request of the entry). */
  weight: number;
  /** Only on a follow-up's row: the name of its entry. */
  followUpOf?: string;
  sent: number;
  answered: number;
  timeouts: number;
  expected: number | null;
  unexpected: number | null;
  codes: Record<string, number>;
}

export interface TimelinePoint {
  second: number;
  warmup: boolean;
  sent: number;
  answered: number;
  /** p99 of the answers received in that second (ms); null when none. */
  p99Ms: number | null;
  targetCpuPercent: number | null;
}

export interface PhaseReport {
  target: PhaseTarget;
  mode: LoopMode;
  offeredRate: number | null;
  depth: number | null;
  connections: number;
  workers: number;
  warmupS: number;
  durationS: number;
  requests: {
    sent: number;
    answered: number;
    timeouts: number;
    skipped: number;
    errors: Record<string, number>;
    failed: number;
    warmupSent: number;
    warmupAnswered: number;
  };
  /** Measured requests answered per second of the window. */
  achievedRate: number;
  latencyMs: LatencySummary;
  percentiles: PercentilePoint[];
  /** Open loop: how late requests left after their planned time. */
  sendLagMs: LatencySummary | null;
  actionCodes: Record<string, number>;
  unexpected: number | null;
  entries: EntryReport[];
  timeline: TimelinePoint[];
  generator: {
    processCpuPercent: number | null;
    machinePercent: number | null;
    mainThreadCpuPercent: number | null;
    workers: {
      worker: number;
      connections: number;
      cpuPercent: number | null;
      machinePercent: number | null;
      eventLoopUtilization: number;
    }[];
  };
  process: ProcessFigures;
  redisCpuPercent: number | null;
  /** µs of CPU per request answered in the window: the target, Redis, both, the generator. */
  cpuPerAuthorizationUs: CpuPerAuthorization;
  /** The switch's phases: its fraud monitoring, blocks and their delay (bench/load/monitoring.ts). */
  monitoring?: PhaseMonitoring;
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const pct = (cpuMs: number | null, windowMs: number): number | null =>
  cpuMs === null || windowMs <= 0 ? null : round((100 * cpuMs) / windowMs);
const add = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};
const sumSeries = (series: number[][]): number[] => {
  const out: number[] = [];
  for (const s of series) s.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  return Array.from(out, (v) => v ?? 0);
};

function p99Of(encoded: string[] | undefined): number | null {
  if (encoded === undefined || encoded.length === 0) return null;
  const h = merge(encoded);
  const p = h.totalCount === 0 ? null : summarize(h).p99;
  h.destroy();
  return p;
}

/** One target's phase: the workers' results added up, with rates, percentiles and CPU. */
export function aggregatePhase(input: PhaseInput): PhaseReport {
  const { results } = input;
  const histogram: Histogram = merge(results.map((r) => r.histogram));
  const lag: Histogram = merge(results.map((r) => r.sendLag));
  const errors: Record<string, number> = {};
  for (const r of results) add(errors, r.errors);
  const sum = (f: (r: WorkerResult) => number): number => results.reduce((s, r) => s + f(r), 0);

  const entries: EntryReport[] = mixRows(input.entries).map((row, i) => {
    const codes: Record<string, number> = {};
    for (const r of results) add(codes, r.perEntry[i]?.codes ?? {});
    const expectedCodes = input.expected?.[i];
    const expected =
      expectedCodes === undefined
        ? null
        : Object.entries(codes).reduce((s, [c, n]) => s + (expectedCodes.includes(c) ? n : 0), 0);
    const answered = sum((r) => r.perEntry[i]?.answered ?? 0);
    return {
      name: row.name,
      weight: row.weight,
      ...(row.followUp ? { followUpOf: input.entries[row.entry]!.name } : {}),
      sent: sum((r) => r.perEntry[i]?.sent ?? 0),
      answered,
      timeouts: sum((r) => r.perEntry[i]?.timeouts ?? 0),
      expected,
      unexpected: expected === null ? null : answered - expected,
      codes,
    };
  });
  const actionCodes: Record<string, number> = {};
  for (const e of entries) add(actionCodes, e.codes);

  const sent = sumSeries(results.map((r) => r.timeline.sent));
  const answeredPerSecond = sumSeries(results.map((r) => r.timeline.answered));
  const seconds = Math.max(sent.length, answeredPerSecond.length);
  const timeline: TimelinePoint[] = Array.from({ length: seconds }, (_, s) => ({
    second: s,
    warmup: s < input.warmupS,
    sent: sent[s] ?? 0,
    answered: answeredPerSecond[s] ?? 0,
    p99Ms: p99Of(input.intervals[s]),
    targetCpuPercent: input.cpuTimeline[s] ?? null,
  }));

  const g = input.generator;
  const processCpuPercent = pct(g.processCpuMs, g.windowMs);
  const failedErrors = Object.entries(errors).reduce((s, [k, v]) => s + (k === 'connection lost' ? 0 : v), 0);
  const report: PhaseReport = {
    target: input.target,
    mode: input.mode,
    offeredRate: input.rate,
    depth: input.mode === 'closed' ? input.depth : null,
    connections: input.connections,
    workers: results.length,
    warmupS: input.warmupS,
    durationS: input.durationS,
    requests: {
      sent: sum((r) => r.sent),
      answered: sum((r) => r.answered),
      timeouts: sum((r) => r.timeouts),
      skipped: sum((r) => r.skipped),
      errors,
      failed: sum((r) => r.timeouts + r.skipped) + failedErrors,
      warmupSent: sum((r) => r.warmup.sent),
      warmupAnswered: sum((r) => r.warmup.answered),
    },
    achievedRate: round(sum((r) => r.answered) / input.durationS),
    latencyMs: summarize(histogram),
    percentiles: percentileCurve(histogram),
    sendLagMs: input.mode === 'open' ? summarize(lag) : null,
    actionCodes,
    unexpected: input.expected === null ? null : entries.reduce((s, e) => s + (e.unexpected ?? 0), 0),
    entries,
    timeline,
    generator: {
      processCpuPercent,
      machinePercent: processCpuPercent === null ? null : round(processCpuPercent / g.cores),
      mainThreadCpuPercent: pct(g.mainThreadCpuMs, g.windowMs),
      workers: results.map((r) => {
        const cpu = pct(r.cpuMs, g.windowMs);
        return {
          worker: r.worker,
          connections: r.connections,
          cpuPercent: cpu,
          machinePercent: cpu === null ? null : round(cpu / g.cores),
          eventLoopUtilization: round(r.elu, 3),
        };
      }),
    },
    process: input.process,
    redisCpuPercent: input.redisCpuPercent,
    cpuPerAuthorizationUs: cpuPerAuthorization(
      { ...input.cpuMs, generator: g.processCpuMs },
      g.windowMs,
      sum((r) => r.answered) / input.durationS,
    ),
  };
  histogram.destroy();
  lag.destroy();
  return report;
}

export interface RunReport {
  version: number;
  kind: 'load';
  date: string;
  machine: Machine;
  command: string;
  options: Record<string, unknown>;
  mix: {
    name: string;
    entries: {
      name: string;
      weight: number;
      mti: string;
      processingCode: string;
      amount: number;
      cards: string;
      pin: string;
      contactless: boolean;
      expect: string[];
      then?: Omit<FollowUp, 'description'>;
    }[];
    cards: Record<string, { count: number; state: string }>;
  };
  keyPrefix: string;
  phases: PhaseReport[];
  /** Switch throughput over echo throughput, when the echo baseline ran. */
  baselineRatio: number | null;
  /** Switch / floor, when the floor baseline ran (bench/load/cost.ts). */
  floorRatios: FloorRatios | null;
  /** Monitoring on / off, when the monitoring-off baseline ran (bench/load/monitoring.ts). */
  monitoringRatios: MonitoringRatios | null;
  /** Misbehaving clients beside the terminals in the switch phase (--slow, --flood), when there were any. */
  hostile?: HostileCounts;
}

export function buildReport(parts: {
  date: Date;
  machine: Machine;
  command: string;
  options: Record<string, unknown>;
  mix: { name: string; entries: MixEntry[]; cards: Record<string, { count: number; state: string }> };
  keyPrefix: string;
  phases: PhaseReport[];
  hostile?: HostileCounts;
}): RunReport {
  const sw = parts.phases.find((p) => p.target === 'switch');
  const echo = parts.phases.find((p) => p.target === 'echo');
  const floor = parts.phases.find((p) => p.target === 'floor');
  const off = parts.phases.find((p) => p.target === 'monitoring-off');
  return {
    version: REPORT_VERSION,
    kind: 'load',
    date: parts.date.toISOString(),
    machine: parts.machine,
    command: parts.command,
    options: parts.options,
    mix: {
      name: parts.mix.name,
      entries: parts.mix.entries.map(
        ({ name, weight, mti, processingCode, amount, cards, pin, contactless, expect, then }) => ({
          name,
          weight,
          mti,
          processingCode,
          amount,
          cards,
          pin,
          contactless,
          expect,
          ...(then === undefined
            ? {}
            : { then: { mti: then.mti, amount: then.amount ?? amount, expect: then.expect } }),
        }),
      ),
      cards: Object.fromEntries(
        Object.entries(parts.mix.cards).map(([k, v]) => [k, { count: v.count, state: v.state }]),
      ),
    },
    keyPrefix: parts.keyPrefix,
    phases: parts.phases,
    baselineRatio:
      sw !== undefined && echo !== undefined && echo.achievedRate > 0
        ? round(sw.achievedRate / echo.achievedRate, 3)
        : null,
    floorRatios: sw !== undefined && floor !== undefined ? floorRatios(sw, floor) : null,
    monitoringRatios: sw !== undefined && off !== undefined ? monitoringRatios(sw, off) : null,
    ...(parts.hostile === undefined ? {} : { hostile: parts.hostile }),
  };
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const maybe = (x: number | null, unit = ''): string => (x === null ? 'n/a' : `${x}${unit}`);

/** The human summary printed at the end of a run. */
export function formatReport(r: RunReport): string {
  const lines: string[] = [];
  for (const p of r.phases) {
    const how =
      p.mode === 'closed'
        ? `closed loop, ${p.depth} in flight per connection`
        : `open loop, offered ${n(p.offeredRate ?? 0)}/s`;
    lines.push(
      `${p.target}: ${how}, ${p.connections} connections, ${p.workers} worker(s), ${p.durationS} s measured after ${p.warmupS} s warm-up`,
    );
    lines.push(
      `  throughput   ${n(p.achievedRate)} answers/s  (sent ${n(p.requests.sent)}, answered ${n(p.requests.answered)}, timeouts ${n(p.requests.timeouts)}, failed ${n(p.requests.failed)})`,
    );
    const l = p.latencyMs;
    lines.push(
      `  latency ms   min ${l.min}  mean ${l.mean}  p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p99_9}  max ${l.max}`,
    );
    if (p.sendLagMs !== null)
      lines.push(
        `  send lag ms  p50 ${p.sendLagMs.p50}  p99 ${p.sendLagMs.p99}  max ${p.sendLagMs.max}  (how late the generator sent)`,
      );
    lines.push(
      `  ${p.target} CPU ${maybe(p.process.cpuPercent, '%')} of a core, RSS max ${maybe(p.process.rssMaxMiB, ' MiB')}; Redis CPU ${maybe(p.redisCpuPercent, '%')}`,
    );
    lines.push(formatCpuPerAuthorization(p.target, p.cpuPerAuthorizationUs));
    const w = p.generator.workers.map((x) => `${maybe(x.cpuPercent, '%')} (ELU ${x.eventLoopUtilization})`).join(', ');
    lines.push(
      `  generator CPU ${maybe(p.generator.processCpuPercent, '%')} of a core (${maybe(p.generator.machinePercent, '%')} of the machine); main thread ${maybe(p.generator.mainThreadCpuPercent, '%')}; workers ${w}`,
    );
    if (Object.keys(p.requests.errors).length > 0) lines.push(`  errors       ${JSON.stringify(p.requests.errors)}`);
    if (p.unexpected !== null) {
      lines.push(
        `  action codes ${Object.entries(p.actionCodes)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([c, k]) => `${c}: ${n(k)}`)
          .join(', ')}; unexpected ${n(p.unexpected)}`,
      );
      for (const e of p.entries) {
        const codes = Object.entries(e.codes)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([c, k]) => `${c} ${n(k)}`)
          .join(', ');
        lines.push(
          `    ${e.name.padEnd(20)} sent ${n(e.sent).padStart(9)}  ${codes}${e.unexpected ? `  UNEXPECTED ${n(e.unexpected)}` : ''}`,
        );
      }
    }
    if (Object.keys(p.process.warnings).length > 0)
      lines.push(`  ${p.target} warnings ${JSON.stringify(p.process.warnings)}`);
    if (p.monitoring !== undefined) lines.push(...formatMonitoring(p.monitoring));
  }
  const h = r.hostile;
  if (h !== undefined)
    lines.push(
      `hostile clients beside the switch's terminals: ${n(h.slow)} slow (closed by the switch ${n(h.slowClosed)} times), ${n(h.flood)} flooding (shed ${n(h.floodShed)} times, ${n(h.floodHeld)} held at the end)`,
    );
  if (r.baselineRatio !== null) lines.push(`switch / echo throughput: ${r.baselineRatio}`);
  if (r.floorRatios !== null) lines.push(formatFloorRatios(r.floorRatios));
  if (r.monitoringRatios !== null) lines.push(formatMonitoringRatios(r.monitoringRatios));
  return lines.join('\n');
}
