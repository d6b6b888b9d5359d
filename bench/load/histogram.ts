/**
 * Latency histograms (HdrHistogram, hdr-histogram-js): values in microseconds, 3 significant
 * digits, so percentiles keep µs resolution from 1 µs to a minute. Workers record into their
 * own and send them encoded (compressed base64, the HdrHistogram interchange format); the main
 * thread decodes and adds them, which gives exactly the histogram one recorder would have had.
 */
import { type Histogram, build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';

/** µs: a minute, far beyond any timeout; larger values are clamped to it. */
export const HIGHEST_US = 60_000_000;

export function newHistogram(): Histogram {
  // autoResize off: recordValue beyond HIGHEST_US would grow the arrays; we clamp instead.
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

/** Records a duration in ms, as whole µs (at least 1, at most HIGHEST_US). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function encode(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** The sum of encoded histograms (e.g. one per worker) as one histogram. */
export function merge(encoded: readonly string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) {
    const h = decodeFromCompressedBase64(e);
    total.add(h);
    h.destroy();
  }
  return total;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** ms with µs resolution: three decimals. */
export const ms = (us: number): number => Math.round(us) / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0 };
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p99_9: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

export interface PercentilePoint {
  /** 0..100 */
  percentile: number;
  ms: number;
}

/**
 * The latency-by-percentile curve as HdrHistogram plots it: percentiles evenly spaced on a
 * log scale of 1 / (1 - p) (0 %, 90 %, 99 %, 99.9 %, ...), `perDecade` points per nine, up to
 * the last percentile the count can resolve (1 - 1 / count), then the maximum at 100 %.
 */
export function percentileCurve(h: Histogram, perDecade = 10): PercentilePoint[] {
  if (h.totalCount === 0) return [];
  const points: PercentilePoint[] = [];
  const lastX = Math.log10(h.totalCount);
  for (let i = 0; ; i++) {
    const x = Math.min(i / perDecade, lastX);
    const percentile = 100 * (1 - 10 ** -x);
    points.push({ percentile: Number(percentile.toPrecision(8)), ms: ms(h.getValueAtPercentile(percentile)) });
    if (x >= lastX) break;
  }
  points.push({ percentile: 100, ms: ms(h.maxValue) });
  return points;
}
