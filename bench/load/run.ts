/**
 * One phase of a run against one target (the switch, or a baseline's floor or echo server): starts
 * the workers with their share of the connections, starts them together, prints a progress line
 * each second (stderr), samples the target's CPU and RSS, and adds up what the workers report.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { now } from './clock.js';
import { merge, summarize } from './histogram.js';
import type { LoadOptions } from './cli.js';
import { type MixEntry, mixRows, rowIndexes } from './mix.js';
import { FROM_SOURCE, siblingModule } from './paths.js';
import { ProcessMonitor, type Sample, clockTicksPerSecond, cpuPercent, threadCpuMs } from './procstat.js';
import type { FromWorker, Progress, WorkerResult, WorkerSetup } from './protocol.js';
import { type PhaseReport, type PhaseTarget, type ProcessFigures, aggregatePhase } from './report.js';
import { type TemplateWire, mtiIn } from './templates.js';
import { dialect } from '../../src/codec/index.js';
import type { FramingSpec } from '../../src/transport/framing.js';

export interface PhaseSpec {
  target: PhaseTarget;
  port: number;
  /** The target's process, for CPU and RSS. */
  pid: number;
  warnings: () => Record<string, number>;
  redisPid: number | null;
  options: LoadOptions;
  dialect: string;
  framing: FramingSpec;
  templates: TemplateWire;
  byEntry: number[][];
  entries: MixEntry[];
  /** Per row of the mix (mixRows: each entry, then its follow-up), the expected action codes; null for the echo (no field 39). */
  expected: string[][] | null;
  cores: number;
  log: (line: string) => void;
  /** Called once every terminal connection is open, before the warm-up (bench/load/hostile.ts starts there). */
  onConnected?: () => void;
  /** --fraud: an entry whose approvals are counted per template over the whole run, handed to `done`. */
  tally?: { entry: number; approved: string; done: (approvals: Record<number, number>) => void };
}

/** CPU counters at the start and the end of the measurement window. */
interface Snapshot {
  target: Sample;
  redis: Sample | undefined;
  mainThreadMs: number | null;
  process: NodeJS.CpuUsage;
}

/** Lead time between 'start' and the first request, so every worker starts on the same tick. */
const START_LEAD_MS = 300;

/**
 * A worker thread running worker.js, or worker.ts from source: Node 20 does not carry tsx's
 * loader (--import tsx) into worker threads, so the worker registers it before importing.
 */
function startWorker(setup: WorkerSetup): Worker {
  const url = pathToFileURL(siblingModule('worker')).href;
  if (!FROM_SOURCE) return new Worker(new URL(url), { workerData: setup });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(boot, { eval: true, workerData: setup });
}

function answerMti(mti: string, echo: boolean): string {
  return echo ? mti : mti.slice(0, 2) + String(Number(mti[2]) + 1) + mti[3];
}

function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function runPhase(spec: PhaseSpec): Promise<PhaseReport> {
  const o = spec.options;
  const mode = o.rate === 'max' ? 'closed' : 'open';
  const workerCount = Math.min(o.workers, o.connections);
  const echo = spec.target === 'echo';
  const d = dialect(spec.dialect);
  const { entryRow, followRow } = rowIndexes(spec.entries);
  const answerMtis = mixRows(spec.entries).map((r) => answerMti(mtiIn(d, r.mti), echo));
  const workers: Worker[] = [];
  const results: WorkerResult[] = [];
  const latest = new Map<number, Progress>();
  const intervals: string[][] = [];
  let resolveReady: () => void = () => undefined;
  let resolveDone: () => void = () => undefined;
  let failWith: (e: Error) => void = () => undefined;
  let ready = 0;
  const allReady = new Promise<void>((resolve) => (resolveReady = resolve));
  const allDone = new Promise<void>((resolve) => (resolveDone = resolve));
  // A worker that fails, before or during the run, ends the phase at once.
  const failure = new Promise<never>((_, reject) => (failWith = reject));
  failure.catch(() => undefined);

  for (let w = 0; w < workerCount; w++) {
    const setup: WorkerSetup = {
      worker: w,
      host: '127.0.0.1',
      port: spec.port,
      framing: spec.framing,
      dialect: spec.dialect,
      // Interleaved, so each worker's share of an open-loop schedule is evenly spread in time.
      connections: Array.from({ length: o.connections }, (_, n) => n).filter((n) => n % workerCount === w),
      totalConnections: o.connections,
      templates: spec.templates,
      weights: spec.entries.map((e) => e.weight),
      byEntry: spec.byEntry,
      entryRow,
      followRow,
      answerMti: answerMtis,
      mode,
      rate: o.rate === 'max' ? 0 : o.rate,
      depth: o.depth,
      warmupMs: o.warmupS * 1000,
      durationMs: o.durationS * 1000,
      timeoutMs: o.timeoutMs,
      seed: o.seed,
      maxPending: 100_000,
      expectActionCode: !echo,
      tally: spec.tally === undefined ? null : { row: entryRow[spec.tally.entry]!, approved: spec.tally.approved },
    };
    const worker = startWorker(setup);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready' && ++ready === workerCount) resolveReady();
      else if (m.type === 'failed') failWith(new Error(`worker ${m.worker}: ${m.error}`));
      else if (m.type === 'progress') {
        latest.set(m.worker, m);
        (intervals[m.second - 1] ??= []).push(m.interval);
      } else if (m.type === 'done') {
        results.push(m.result);
        if (results.length === workerCount) resolveDone();
      }
    });
    worker.on('error', (e) => failWith(e));
    workers.push(worker);
  }

  clockTicksPerSecond(); // runs getconf once, now rather than in the middle of the run
  const monitor = new ProcessMonitor(spec.pid, now);
  const redis = spec.redisPid === null ? null : new ProcessMonitor(spec.redisPid, now);
  try {
    await waitFor(Promise.race([allReady, failure]), 60_000, `${spec.target}: opening ${o.connections} connections`);
    // After the terminals are connected: a flood must not take their places.
    spec.onConnected?.();
    const startAt = now() + START_LEAD_MS;
    const measureFrom = startAt + o.warmupS * 1000;
    const endAt = measureFrom + o.durationS * 1000;
    for (const w of workers) w.postMessage({ type: 'start', startAt });
    monitor.start(1000);

    // The measurement window's CPU figures: the target's, Redis's, and the generator's own.
    const window: { from?: Snapshot; to?: Snapshot } = {};
    const snap = (): Snapshot => ({
      target: monitor.sample(),
      redis: redis?.sample(),
      mainThreadMs: threadCpuMs(),
      process: process.cpuUsage(),
    });
    const timers = [
      setTimeout(() => (window.from = snap()), measureFrom - now()),
      setTimeout(() => (window.to = snap()), endAt - now()),
    ];

    // Progress, a little after each second of the run so that the workers' ticks are in.
    let shown = 0;
    let second = 0;
    const show = (): void => {
      const t = now();
      let sent = 0;
      let answered = 0;
      let failed = 0;
      for (const p of latest.values()) {
        sent += p.sent;
        answered += p.answered;
        failed += p.failed;
      }
      const inWarmup = t < measureFrom;
      // p99 so far: of the warm-up while in it, then of the measured seconds only.
      const h = merge(intervals.slice(inWarmup ? 0 : Math.ceil(o.warmupS)).flat());
      const p99 = h.totalCount > 0 ? `${summarize(h).p99.toFixed(3)} ms` : '-';
      h.destroy();
      const rate = answered - shown;
      shown = answered;
      spec.log(
        `[${spec.target} ${((t - startAt) / 1000).toFixed(0).padStart(3)} s${inWarmup ? ' warm-up' : t < endAt ? '' : ' draining'}] sent ${sent}  answered ${answered}  failed ${failed}  rate ${rate}/s  p99 ${p99}`,
      );
      tick = setTimeout(show, startAt + ++second * 1000 + 150 - now());
    };
    let tick = setTimeout(show, startAt + ++second * 1000 + 150 - now());

    await waitFor(
      Promise.race([allDone, failure]),
      endAt - now() + o.timeoutMs + 15_000,
      `${spec.target}: workers finishing`,
    );
    clearTimeout(tick);
    timers.forEach(clearTimeout);
    // On a loaded machine the main thread's timer can fire after the workers have finished (they
    // keep their own time): the window then ends now, rather than having no end and no CPU figures.
    if (window.from !== undefined) window.to ??= snap();
    monitor.stop();

    const { from, to } = window;
    const windowMs = from && to ? to.target.t - from.target.t : o.durationS * 1000;
    const diffCpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1000;
    const diffMs = (a: Sample | undefined, b: Sample | undefined): number | null =>
      a?.cpuMs == null || b?.cpuMs == null ? null : b.cpuMs - a.cpuMs;
    const rss = monitor.samples.map((s) => s.rssKb).filter((k): k is number => k !== null);
    const mib = (kb: number | undefined): number | null => (kb === undefined ? null : Number((kb / 1024).toFixed(1)));
    const processFigures: ProcessFigures = {
      pid: spec.pid,
      cpuPercent: from && to ? round1(cpuPercent(from.target, to.target)) : null,
      rssMaxMiB: mib(rss.length > 0 ? Math.max(...rss) : undefined),
      rssEndMiB: mib(rss.at(-1)),
      warnings: spec.warnings(),
    };
    // Per second of the run: the target's CPU between consecutive 1 s samples.
    const cpuTimeline: (number | null)[] = [];
    const samples = monitor.samples.filter((s) => s.t >= startAt - 1000);
    for (let i = 1; i < samples.length; i++) {
      const s = Math.floor((samples[i]!.t - startAt) / 1000);
      if (s >= 0) cpuTimeline[s] = round1(cpuPercent(samples[i - 1]!, samples[i]!));
    }
    if (spec.tally !== undefined) {
      const approvals: Record<number, number> = {};
      for (const r of results)
        for (const [template, n] of Object.entries(r.approvals))
          approvals[Number(template)] = (approvals[Number(template)] ?? 0) + n;
      spec.tally.done(approvals);
    }
    return aggregatePhase({
      target: spec.target,
      mode,
      rate: o.rate === 'max' ? null : o.rate,
      depth: o.depth,
      connections: o.connections,
      warmupS: o.warmupS,
      durationS: o.durationS,
      results: results.sort((a, b) => a.worker - b.worker),
      intervals,
      entries: spec.entries,
      expected: spec.expected,
      generator: {
        windowMs,
        processCpuMs: from && to ? diffCpu(from.process, to.process) : null,
        mainThreadCpuMs:
          from?.mainThreadMs != null && to?.mainThreadMs != null ? to.mainThreadMs - from.mainThreadMs : null,
        cores: spec.cores,
      },
      process: processFigures,
      redisCpuPercent: from?.redis && to?.redis ? round1(cpuPercent(from.redis, to.redis)) : null,
      cpuMs: { target: diffMs(from?.target, to?.target), redis: diffMs(from?.redis, to?.redis) },
      cpuTimeline: Array.from(cpuTimeline, (c) => c ?? null),
    });
  } finally {
    monitor.stop();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function round1(x: number | null): number | null {
  return x === null ? null : Number(x.toFixed(1));
}
