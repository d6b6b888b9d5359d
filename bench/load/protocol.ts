/** What the main thread and the load workers say to each other (types only). */
import type { FramingSpec } from '../../src/transport/framing.js';
import type { TemplateWire } from './templates.js';

export type LoopMode = 'open' | 'closed';

export interface WorkerSetup {
  worker: number;
  host: string;
  port: number;
  framing: FramingSpec;
  dialect: string;
  /** This worker's share: the run-wide connection numbers (they name the terminals and stagger the schedule). */
  connections: number[];
  totalConnections: number;
  templates: TemplateWire;
  /** Per mix entry: its weight and its templates. */
  weights: number[];
  byEntry: number[][];
  /** Per mix entry: its row of the counts, and its follow-up's row (-1 when it has none); see mixRows. */
  entryRow: number[];
  followRow: number[];
  /** Per row (entries and follow-ups): the answer MTI that must come back. */
  answerMti: string[];
  mode: LoopMode;
  /** Open loop: requests/s over all connections. */
  rate: number;
  /** Closed loop: requests each connection keeps in flight. */
  depth: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
  seed: number;
  /** Open loop: a connection with this many unanswered requests skips (and counts) further sends. */
  maxPending: number;
  /** The echo baseline answers without field 39. */
  expectActionCode: boolean;
  /** Count the approvals (action code `approved`) of this row per template, warm-up included (--fraud). */
  tally: { row: number; approved: string } | null;
}

export type ToWorker = { type: 'start'; startAt: number };

export interface Progress {
  type: 'progress';
  worker: number;
  /** Whole seconds since start this interval ends at. */
  second: number;
  sent: number;
  answered: number;
  failed: number;
  /** Latencies of every answer of the interval (warm-up included), encoded. */
  interval: string;
}

export interface EntryCounts {
  sent: number;
  answered: number;
  timeouts: number;
  /** Action code (field 39 as received; '-' when absent) -> answers. */
  codes: Record<string, number>;
}

export interface WorkerResult {
  worker: number;
  connections: number;
  /** Requests planned (open loop) or sent (closed loop) in the measurement window. */
  sent: number;
  answered: number;
  timeouts: number;
  /** Open loop: planned requests not sent, their connection lost or holding maxPending unanswered. */
  skipped: number;
  /** Kind -> count: connection lost, unreadable answer, wrong MTI, unmatched STAN, ... */
  errors: Record<string, number>;
  warmup: { sent: number; answered: number };
  /** Encoded latency histogram of the measured requests (from planned send to answer). */
  histogram: string;
  /** Encoded histogram of how late requests left after their planned time (open loop). */
  sendLag: string;
  /** Per row of the mix (each entry, then its follow-up if any; see mixRows). */
  perEntry: EntryCounts[];
  /** Per template of WorkerSetup.tally's row: its approvals over the whole run. */
  approvals: Record<number, number>;
  /** Per second since start (warm-up included): requests sent and answers received. */
  timeline: { sent: number[]; answered: number[] };
  /** CPU of this worker's thread during the measurement window, ms; null where unreadable. */
  cpuMs: number | null;
  /** Event-loop utilization during the measurement window (0..1). */
  elu: number;
}

export type FromWorker =
  | { type: 'ready'; worker: number; connected: number }
  | { type: 'failed'; worker: number; error: string }
  | Progress
  | { type: 'done'; result: WorkerResult };
