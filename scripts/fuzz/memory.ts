/**
 * Does the switch leak under fuzz? Its RSS (and V8 heap) are sampled through the run; the median
 * of the samples taken while frames 10-20 % went by (after warm-up: code compiled, heap grown to
 * its working size, the codec's template caches full) is compared with the median over the last
 * 10 %. Medians, because a single sample may land just before a GC. A leak of one small object per
 * frame or one socket per connection grows without bound, far beyond the allowed growth; a heap
 * that merely settles does not. The default bound, 64 MiB, is reached over the 800,000 frames
 * after warm-up of a default run by 84 bytes kept per frame or ~150 per connection, while what may
 * rightly still grow (the trace filling up to 10,000 terminals, ~12 MiB) stays well below it.
 */
export interface MemorySample {
  /** Frames judged when the sample was taken. */
  frames: number;
  rssMiB: number | null;
  heapMiB: number | null;
}

export interface MemoryVerdict {
  /** RSS and heap medians after warm-up and at the end; null when the run was too short to tell. */
  rssStartMiB: number | null;
  rssEndMiB: number | null;
  heapStartMiB: number | null;
  heapEndMiB: number | null;
  growthMiB: number | null;
  /** true: within the bound; false: grew beyond it; null: not enough samples to judge. */
  ok: boolean | null;
}

/** Samples needed in each window to judge at all. */
const MIN_SAMPLES = 3;

function median(values: number[]): number | null {
  if (values.length < MIN_SAMPLES) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const window = (samples: MemorySample[], from: number, to: number, key: 'rssMiB' | 'heapMiB'): number[] =>
  samples.filter((s) => s.frames >= from && s.frames < to && s[key] !== null).map((s) => s[key]!);

export function memoryVerdict(samples: MemorySample[], totalFrames: number, maxGrowthMiB: number): MemoryVerdict {
  const [w0, w1, e0] = [0.1 * totalFrames, 0.2 * totalFrames, 0.9 * totalFrames];
  const rssStart = median(window(samples, w0, w1, 'rssMiB'));
  const rssEnd = median(window(samples, e0, Infinity, 'rssMiB'));
  const growth = rssStart === null || rssEnd === null ? null : rssEnd - rssStart;
  return {
    rssStartMiB: rssStart,
    rssEndMiB: rssEnd,
    heapStartMiB: median(window(samples, w0, w1, 'heapMiB')),
    heapEndMiB: median(window(samples, e0, Infinity, 'heapMiB')),
    growthMiB: growth,
    ok: growth === null ? null : growth <= maxGrowthMiB,
  };
}

const mib = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} MiB`);

export function formatMemory(v: MemoryVerdict, maxGrowthMiB: number): string {
  const judged =
    v.ok === null
      ? 'not judged: too few samples in the windows (run longer)'
      : v.ok
        ? `within the ${maxGrowthMiB} MiB bound`
        : `MORE than the ${maxGrowthMiB} MiB bound`;
  return [
    `switch memory after warm-up (frames 10-20 %) -> end (last 10 %), medians: RSS ${mib(v.rssStartMiB)} -> ${mib(v.rssEndMiB)}, V8 heap used ${mib(v.heapStartMiB)} -> ${mib(v.heapEndMiB)}`,
    `RSS growth ${mib(v.growthMiB)}: ${judged}`,
  ].join('\n');
}
