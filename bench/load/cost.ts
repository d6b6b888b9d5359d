/**
 * What an authorization costs and how far the switch is from the floor: CPU per answered
 * request (the target process, Redis, the generator, in µs), and the switch / floor ratios of a
 * run with `--baseline floor` (throughput; CPU per authorization, switch + Redis; in the open
 * loop, latency percentiles at the same offered rate). Pure, like report.ts, which calls them.
 */
import type { LatencySummary } from './histogram.js';
import type { LoopMode } from './protocol.js';

/** µs of CPU per request answered in the measurement window; null where /proc could not be read. */
export interface CpuPerAuthorization {
  /** The target's process (the switch, all of its processes; the floor or echo server). */
  target: number | null;
  redis: number | null;
  /** What the targets compare: the target's and Redis's together. */
  targetAndRedis: number | null;
  /** The load generator's process (its main thread and workers). */
  generator: number | null;
}

/** CPU ms over the window of each process measured (null: unreadable). */
export interface WindowCpuMs {
  target: number | null;
  redis: number | null;
  generator: number | null;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** cpuMs over windowMs at answersPerSecond, as µs per answer: (cpuMs / windowMs) cores × 10⁶ µs/s ÷ answers/s. */
export function perAnswerUs(cpuMs: number | null, windowMs: number, answersPerSecond: number): number | null {
  if (cpuMs === null || windowMs <= 0 || answersPerSecond <= 0) return null;
  return round(((cpuMs / windowMs) * 1e6) / answersPerSecond, 1);
}

export function cpuPerAuthorization(cpu: WindowCpuMs, windowMs: number, answersPerSecond: number): CpuPerAuthorization {
  const us = (ms: number | null): number | null => perAnswerUs(ms, windowMs, answersPerSecond);
  return {
    target: us(cpu.target),
    redis: us(cpu.redis),
    targetAndRedis: cpu.target === null || cpu.redis === null ? null : us(cpu.target + cpu.redis),
    generator: us(cpu.generator),
  };
}

/** What the comparison needs of a phase (a PhaseReport has it). */
export interface ComparedPhase {
  target: string;
  mode: LoopMode;
  achievedRate: number;
  latencyMs: LatencySummary;
  cpuPerAuthorizationUs: CpuPerAuthorization;
}

/** Switch / floor in one run: each a ratio (1 = as the floor; throughput higher is better, the others lower). */
export interface FloorRatios {
  throughput: number | null;
  /** CPU per authorization, switch + Redis over floor + Redis. */
  cpuPerAuthorization: number | null;
  /** Open loop only (the same offered rate); in the closed loop latency follows throughput. */
  latency: { p50: number | null; p99: number | null; p99_9: number | null } | null;
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b <= 0 ? null : round(a / b, 3);

export function floorRatios(sw: ComparedPhase, floor: ComparedPhase): FloorRatios {
  const open = sw.mode === 'open' && floor.mode === 'open' && sw.latencyMs.count > 0;
  return {
    throughput: ratio(sw.achievedRate, floor.achievedRate),
    cpuPerAuthorization: ratio(sw.cpuPerAuthorizationUs.targetAndRedis, floor.cpuPerAuthorizationUs.targetAndRedis),
    latency: open
      ? {
          p50: ratio(sw.latencyMs.p50, floor.latencyMs.p50),
          p99: ratio(sw.latencyMs.p99, floor.latencyMs.p99),
          p99_9: ratio(sw.latencyMs.p99_9, floor.latencyMs.p99_9),
        }
      : null,
  };
}

const maybe = (x: number | null, unit = ''): string => (x === null ? 'n/a' : `${x}${unit}`);

/** The summary's line of a phase: CPU per authorization. */
export function formatCpuPerAuthorization(target: string, c: CpuPerAuthorization): string {
  return `  CPU per authorization  ${target} ${maybe(c.target, ' µs')} + Redis ${maybe(c.redis, ' µs')} = ${maybe(c.targetAndRedis, ' µs')}; generator ${maybe(c.generator, ' µs')}`;
}

/** The summary's line of the floor comparison. */
export function formatFloorRatios(r: FloorRatios): string {
  const latency =
    r.latency === null
      ? ''
      : `, latency p50 ${maybe(r.latency.p50)} p99 ${maybe(r.latency.p99)} p99.9 ${maybe(r.latency.p99_9)}`;
  return `switch / floor: throughput ${maybe(r.throughput)}, CPU per authorization (switch + Redis) ${maybe(r.cpuPerAuthorization)}${latency}`;
}
