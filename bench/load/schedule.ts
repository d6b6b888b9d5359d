/**
 * The open-loop schedule: request i of the run is planned at start + i / rate, whatever happened
 * to earlier ones, and goes to connection i mod C. So each connection sends every C / rate
 * seconds, the connections staggered by 1 / rate, and the whole run is evenly spaced. Latency is
 * measured from these planned times (not from when the request actually left), so time a request
 * spends waiting, behind a slow answer or a busy generator, is counted: no coordinated omission.
 */
export class OpenLoopSchedule {
  /** ms between two requests of the run. */
  readonly gapMs: number;

  constructor(
    /** Requests per second over all connections. */
    readonly rate: number,
    readonly connections: number,
    /** ms (same clock as the caller's) of request 0. */
    readonly startAt: number,
  ) {
    if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`rate must be a positive number, got ${rate}`);
    if (!(Number.isInteger(connections) && connections > 0))
      throw new RangeError(`connections must be a positive integer, got ${connections}`);
    this.gapMs = 1000 / rate;
  }

  /** Planned time (ms) of the k-th request (k = 0, 1, ...) of connection c. */
  at(c: number, k: number): number {
    return this.startAt + (k * this.connections + c) * this.gapMs;
  }

  /** How many requests connection c has planned before `t` (ms): the k of its next one at or after t. */
  countBefore(c: number, t: number): number {
    const first = this.at(c, 0);
    if (t <= first) return 0;
    return Math.ceil((t - first) / (this.connections * this.gapMs));
  }

  /** Requests of the whole run planned in [from, to). */
  plannedIn(from: number, to: number): number {
    let n = 0;
    for (let c = 0; c < this.connections; c++) n += this.countBefore(c, to) - this.countBefore(c, from);
    return n;
  }
}
