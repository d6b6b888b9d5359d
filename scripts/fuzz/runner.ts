/**
 * Throws generated frames at a running switch over TCP and checks what it does with each one
 * against the oracle: `connections` lanes run at once, each with one frame outstanding on its
 * connection to the frame's listener (so every answer, close or silence belongs to one frame);
 * a closed connection is replaced by a new one. Stalled frames go to a pool of their own, since
 * each holds its connection until the switch's frame timeout; interleaved cases get fresh
 * connections, their pieces written in turn.
 *
 * A violation is anything else: silence past the deadline, an answer where the connection should
 * have closed (or the reverse), a wrong MTI, STAN or action code, an unreadable answer, an answer
 * to a frame that must go unanswered, or a stalled frame never closed.
 */
import { dialect } from '../../src/codec/index.js';
import { FuzzConnection, PROBE_ANSWER_MTIS, PROBE_STAN, type SwitchEvent, probeFrame } from './connection.js';
import { type FuzzCase, type FuzzFrame, FrameGenerator } from './generator.js';
import { type Expectation, describeExpectation, formatErrorCode } from './oracle.js';
import { FUZZ_TARGETS, type FuzzTarget } from './targets.js';

export interface FuzzOptions {
  /** Listener name -> port. */
  ports: Record<string, number>;
  targets?: readonly FuzzTarget[];
  frames: number;
  seed: number;
  /** Lanes: frames outstanding at once (besides stalled ones). */
  connections: number;
  /** How long an answer or a close may take before it is silence. */
  answerTimeoutMs: number;
  /** The switch's frameTimeoutMs: a stalled frame must be closed within it plus answerTimeoutMs. */
  frameTimeoutMs: number;
  /** Stalled frames held at once (default 64). */
  stalledAtOnce?: number;
  /** Called every `progressEvery` frames with the count so far (not awaited). */
  onProgress?: (frames: number) => void;
  progressEvery?: number;
  /** Asked before each case: a reason ends the run (e.g. the switch process exited). */
  abort?: () => string | undefined;
}

export type Outcome = 'answered' | 'formatError' | 'closed' | 'ignored' | 'violation';

export interface CategoryStats {
  frames: number;
  answered: number;
  formatError: number;
  closed: number;
  ignored: number;
  violation: number;
}

export interface Violation {
  seed: number;
  index: number;
  category: string;
  listener: string;
  expected: string;
  got: string;
}

export interface FuzzSummary {
  seed: number;
  frames: number;
  durationMs: number;
  framesPerSecond: number;
  connectionsOpened: number;
  totals: CategoryStats;
  byCategory: Record<string, CategoryStats>;
  violations: number;
  /** The first violations, each reproducible from seed and index. */
  firstViolations: Violation[];
  /** Why the run ended early, if it did. */
  aborted: string | undefined;
}

const KEPT_VIOLATIONS = 50;
const emptyStats = (): CategoryStats => ({
  frames: 0,
  answered: 0,
  formatError: 0,
  closed: 0,
  ignored: 0,
  violation: 0,
});

/** What happened to one frame: the outcome, or a violation with what was seen. */
type Verdict = { outcome: Exclude<Outcome, 'violation'> } | { outcome: 'violation'; got: string };

/** Judges what the switch did against what it must do. */
export function judge(target: FuzzTarget, expect: Expectation, event: SwitchEvent): Verdict {
  if (event.kind === 'timeout')
    return { outcome: 'violation', got: expect.kind === 'stalled' ? 'never closed' : 'silence' };
  if (event.kind === 'garbage') return { outcome: 'violation', got: `unframed bytes (${event.reason})` };
  if (expect.kind === 'close' || expect.kind === 'stalled')
    return event.kind === 'close' ? { outcome: 'closed' } : { outcome: 'violation', got: 'an answer' };
  if (event.kind === 'close') return { outcome: 'violation', got: 'connection closed' };
  const d = dialect(target.dialect);
  let answer;
  try {
    answer = d.unpack(event.body);
  } catch (e) {
    return { outcome: 'violation', got: `unreadable answer (${(e as Error).message})` };
  }
  if (expect.kind === 'ignored') {
    const probe = PROBE_ANSWER_MTIS.includes(answer[0] as string) && answer[11] === PROBE_STAN;
    return probe
      ? { outcome: 'ignored' }
      : { outcome: 'violation', got: `answer ${String(answer[0])} instead of none` };
  }
  if (answer[0] !== expect.mti) return { outcome: 'violation', got: `answer MTI ${String(answer[0])}` };
  if (expect.stan !== undefined && answer[11] !== expect.stan)
    return { outcome: 'violation', got: 'answer with another STAN' };
  const formatError = answer[39] === formatErrorCode(d);
  if (expect.formatError && !formatError) return { outcome: 'violation', got: `action code ${String(answer[39])}` };
  return { outcome: formatError ? 'formatError' : 'answered' };
}

/** Runs at most `size` tasks at once; admit() waits for a free place, drained() for all to end. */
class Pool {
  private running = new Set<Promise<void>>();

  constructor(private readonly size: number) {}

  async admit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    const p = task().finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drained(): Promise<void> {
    await Promise.all(this.running);
  }
}

export class FuzzRun {
  private readonly generator: FrameGenerator;
  private readonly targets: readonly FuzzTarget[];
  private readonly stalledPool: Pool;
  private readonly byCategory: Record<string, CategoryStats> = {};
  private readonly violations: Violation[] = [];
  private violationCount = 0;
  private issued = 0;
  private done = 0;
  private nextProgress: number;
  private opened = 0;
  private aborted: string | undefined;

  constructor(private readonly o: FuzzOptions) {
    this.targets = o.targets ?? FUZZ_TARGETS;
    this.generator = new FrameGenerator(o.seed, this.targets);
    this.stalledPool = new Pool(o.stalledAtOnce ?? 64);
    this.nextProgress = o.progressEvery ?? Infinity;
  }

  async run(): Promise<FuzzSummary> {
    const started = performance.now();
    await Promise.all(Array.from({ length: this.o.connections }, () => this.lane()));
    await this.stalledPool.drained();
    const durationMs = performance.now() - started;
    const totals = emptyStats();
    for (const s of Object.values(this.byCategory))
      for (const k of Object.keys(totals) as (keyof CategoryStats)[]) totals[k] += s[k];
    return {
      seed: this.o.seed,
      frames: totals.frames,
      durationMs,
      framesPerSecond: totals.frames / (durationMs / 1000),
      connectionsOpened: this.opened,
      totals,
      byCategory: this.byCategory,
      violations: this.violationCount,
      firstViolations: this.violations,
      aborted: this.aborted,
    };
  }

  /** One lane: cases one after another, one connection per listener, replaced when the switch closes it. */
  private async lane(): Promise<void> {
    const connections = new Map<string, FuzzConnection>();
    try {
      while (this.issued < this.o.frames && this.aborted === undefined) {
        this.aborted = this.o.abort?.();
        if (this.aborted !== undefined) break;
        const c = this.generator.next();
        this.issued += c.frames.length;
        if (c.category === 'stalled') await this.stalledPool.admit(() => this.stalled(c));
        else if (c.frames.length > 1) await this.interleaved(c);
        else await this.exchange(c, connections);
      }
    } catch (e) {
      // A connect that fails (switch gone, no ports left) ends the run: nothing after it would mean anything.
      this.aborted ??= `lane stopped: ${(e as Error).message}`;
    } finally {
      for (const c of connections.values()) c.destroy();
    }
  }

  private async open(target: FuzzTarget): Promise<FuzzConnection> {
    const port = this.o.ports[target.listener];
    if (port === undefined) throw new Error(`no port for listener ${target.listener}`);
    this.opened++;
    return FuzzConnection.open(port, target);
  }

  private async exchange(c: FuzzCase, connections: Map<string, FuzzConnection>): Promise<void> {
    const frame = c.frames[0]!;
    let conn = connections.get(frame.target.listener);
    if (conn === undefined || conn.closed) {
      conn = await this.open(frame.target);
      connections.set(frame.target.listener, conn);
    }
    await this.send(conn, frame);
    const verdict = judge(frame.target, frame.expect, await conn.next(this.o.answerTimeoutMs));
    this.record(c, frame, verdict);
    // After a violation, whatever the switch still sends on this connection would be taken for the next frame's.
    if (verdict.outcome === 'violation') conn.destroy();
    if (conn.closed || verdict.outcome === 'violation') connections.delete(frame.target.listener);
  }

  /** The frame, then (when it must go unanswered) a probe whose answer must come back first. */
  private async send(conn: FuzzConnection, frame: FuzzFrame): Promise<void> {
    await conn.write(frame.bytes, frame.cuts);
    if (frame.expect.kind === 'ignored') conn.send(probeFrame(frame.target));
  }

  private async stalled(c: FuzzCase): Promise<void> {
    const frame = c.frames[0]!;
    const conn = await this.open(frame.target);
    try {
      await this.send(conn, frame);
      this.record(
        c,
        frame,
        judge(frame.target, frame.expect, await conn.next(this.o.frameTimeoutMs + this.o.answerTimeoutMs)),
      );
    } finally {
      conn.destroy();
    }
  }

  /** Each frame on a connection of its own; piece i of every frame goes out before piece i + 1 of any. */
  private async interleaved(c: FuzzCase): Promise<void> {
    const conns = await Promise.all(c.frames.map((f) => this.open(f.target)));
    try {
      const pieces = c.frames.map((f) => cutsToPieces(f.bytes, f.cuts));
      const rounds = Math.max(...pieces.map((p) => p.length));
      for (let i = 0; i < rounds; i++) {
        pieces.forEach((p, k) => {
          if (i < p.length) conns[k]!.send(p[i]!);
          if (i === p.length - 1 && c.frames[k]!.expect.kind === 'ignored')
            conns[k]!.send(probeFrame(c.frames[k]!.target));
        });
        await new Promise((resolve) => setImmediate(resolve));
      }
      const events = await Promise.all(conns.map((conn) => conn.next(this.o.answerTimeoutMs)));
      c.frames.forEach((f, k) => this.record(c, f, judge(f.target, f.expect, events[k]!)));
    } finally {
      for (const conn of conns) conn.destroy();
    }
  }

  private record(c: FuzzCase, frame: FuzzFrame, verdict: Verdict): void {
    const stats = (this.byCategory[c.category] ??= emptyStats());
    stats.frames++;
    stats[verdict.outcome]++;
    if (verdict.outcome === 'violation') {
      this.violationCount++;
      if (this.violations.length < KEPT_VIOLATIONS) {
        this.violations.push({
          seed: this.o.seed,
          index: c.index,
          category: c.category,
          listener: frame.target.listener,
          expected: describeExpectation(frame.expect),
          got: verdict.got,
        });
      }
    }
    if (++this.done >= this.nextProgress) {
      this.nextProgress += this.o.progressEvery!;
      this.o.onProgress?.(this.done);
    }
  }
}

function cutsToPieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

export function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  return new FuzzRun(options).run();
}
