/**
 * The run's clock: ms from process.hrtime, which is monotonic and the same in every thread of the
 * process (performance.now() is not: each worker has its own time origin), so the main thread can
 * hand the workers one start time.
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
