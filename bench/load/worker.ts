/**
 * A load worker (worker_threads): owns a share of the terminal connections, sends pre-packed
 * templates with a per-connection STAN and terminal id, matches answers by STAN, and records
 * latency into its own HDR histogram, sent to the main thread encoded at the end (and each
 * second for progress). Open loop: requests leave at the schedule's planned times and latency
 * counts from those times. Closed loop: each connection keeps `depth` requests in flight.
 * A request whose entry has a follow-up (completion or reversal advice) queues it on its
 * connection when answered; the connection's next send (closed loop: right away; open loop: its
 * next planned time) is then the follow-up, with its own STAN and the original's in field 56.
 * Everything is bounded: sending stops at the end of the window, unanswered requests time out,
 * and the worker ends at most `timeoutMs` after the window.
 */
import { type Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { dialect } from '../../src/codec/index.js';
import { FrameReader } from '../../src/transport/framing.js';
import { now } from './clock.js';
import { FollowUpQueue } from './follow-queue.js';
import { encode, newHistogram, recordMs } from './histogram.js';
import { WeightedChoice, prng } from './mix.js';
import { clockTicksPerSecond, threadCpuMs } from './procstat.js';
import type { EntryCounts, FromWorker, ToWorker, WorkerResult, WorkerSetup } from './protocol.js';
import { OpenLoopSchedule } from './schedule.js';
import { frameFrom, terminalIdOf } from './templates.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

const codec = dialect(setup.dialect);
const wire = setup.templates;
const choice = new WeightedChoice(setup.weights);
const random = prng(setup.seed + setup.worker * 7919);
const SWEEP_MS = 100;
// Asked now (it runs getconf): asked first at the start of the window, it held up sending by 10 ms.
clockTicksPerSecond();
const CONNECT_BATCH = 100;

interface Pending {
  planned: number;
  /** Row of the counts (entry or follow-up). */
  row: number;
  counted: boolean;
  /** The follow-up template to send once this is answered; -1 when none. */
  follow: number;
  template: number;
}

class Connection {
  readonly reader = new FrameReader(setup.framing);
  /** STAN -> request; insertion order is send order, which lets the sweep stop at the first fresh one. */
  readonly pending = new Map<number, Pending>();
  readonly terminal: Buffer;
  stan = 0;
  /** Open loop: index of this connection's next planned request. */
  k = 0;
  closed = false;
  /** Follow-ups waiting to be sent on this connection, oldest first. */
  readonly followUps = new FollowUpQueue();

  constructor(
    readonly n: number,
    readonly socket: Socket,
  ) {
    this.terminal = Buffer.from(terminalIdOf(n), 'latin1');
  }

  /** 1..999999, skipping any still in flight (there are far fewer in flight than STANs). */
  nextStan(): number {
    do this.stan = (this.stan % 999_999) + 1;
    while (this.pending.has(this.stan));
    return this.stan;
  }
}

// ---- counters ----------------------------------------------------------------------------------

const latency = newHistogram();
const sendLag = newHistogram();
let interval = newHistogram();
const perEntry: EntryCounts[] = setup.answerMti.map(() => ({ sent: 0, answered: 0, timeouts: 0, codes: {} }));
/** Approvals per template of the tallied entry (the fraud cards'), warm-up included. */
const approvals: Record<number, number> = {};
const errors: Record<string, number> = {};
const warmup = { sent: 0, answered: 0 };
const timeline = { sent: [] as number[], answered: [] as number[] };
let sent = 0;
let answered = 0;
let timeouts = 0;
let skipped = 0;
let progressSent = 0;
let progressAnswered = 0;
let progressFailed = 0;

const error = (kind: string, n = 1): void => {
  errors[kind] = (errors[kind] ?? 0) + n;
  progressFailed += n;
};

// ---- phase times (set by 'start') --------------------------------------------------------------

let startAt = 0;
let measureFrom = 0;
let endAt = 0;
let stopping = false;
const connections: Connection[] = [];

const second = (t: number): number => Math.max(0, Math.floor((t - startAt) / 1000));
const bump = (series: number[], t: number): void => {
  const s = second(t);
  while (series.length <= s) series.push(0);
  series[s]!++;
};

// ---- sending -------------------------------------------------------------------------------------

function send(c: Connection, planned: number, at: number): void {
  const counted = planned >= measureFrom;
  // Open loop: a planned request that cannot go (connection lost, or too many unanswered on it)
  // is still counted as sent, and as skipped: leaving it out would flatter the results.
  if (c.closed || (setup.mode === 'open' && c.pending.size >= setup.maxPending)) {
    if (counted) {
      sent++;
      skipped++;
    }
    progressFailed++;
    return;
  }
  let template: number;
  let row: number;
  let original = -1;
  let follow = -1;
  if (c.followUps.size > 0) {
    template = c.followUps.shift();
    original = c.followUps.original;
    row = setup.followRow[wire.entry[template]!]!;
  } else {
    const entry = choice.pick(random());
    const list = setup.byEntry[entry]!;
    template = list[Math.floor(random() * list.length)]!;
    row = setup.entryRow[entry]!;
    follow = wire.followUp[template]!;
  }
  const stan = c.nextStan();
  c.pending.set(stan, { planned, row, counted, follow, template });
  c.socket.write(frameFrom(wire, template, stan, c.terminal, original));
  bump(timeline.sent, at);
  progressSent++;
  if (counted) {
    sent++;
    perEntry[row]!.sent++;
    if (setup.mode === 'open') recordMs(sendLag, at - planned);
  } else warmup.sent++;
}

/** Open loop state: the schedule, the planned time of the next send, and the one pending wake-up. */
let schedule: OpenLoopSchedule | undefined;
let nextDue = Infinity;
let wakeTimer: NodeJS.Timeout | undefined;
let wakeImmediate: NodeJS.Immediate | undefined;

/**
 * Open loop: sends everything due on every connection, then sleeps until the next is due.
 * Node's timers tick in whole milliseconds, so a timer alone would send up to ~1 ms late; an
 * arriving answer also sends what is due (onData), which at any real rate is often. Spinning
 * (setImmediate) until the exact time would be more precise still, but burns a core that the
 * switch and Redis need on a small machine. The send-lag histogram shows what lateness remains;
 * latency includes it, being measured from the planned time.
 */
function pump(): void {
  clearTimeout(wakeTimer);
  if (wakeImmediate !== undefined) clearImmediate(wakeImmediate);
  wakeTimer = wakeImmediate = undefined;
  const t = now();
  let next = Infinity;
  for (const c of connections) {
    let planned = schedule!.at(c.n, c.k);
    if (planned <= t && planned < endAt) {
      c.socket.cork();
      while (planned <= t && planned < endAt) {
        send(c, planned, t);
        planned = schedule!.at(c.n, ++c.k);
      }
      c.socket.uncork();
    }
    if (planned < endAt && planned < next) next = planned;
  }
  nextDue = next;
  if (next === Infinity) return void (stopping = true);
  const wait = next - now();
  // Already due again (a slow round): yield to I/O first, so answers are still read in overload.
  if (wait <= 0) wakeImmediate = setImmediate(pump);
  else wakeTimer = setTimeout(pump, Math.max(1, Math.floor(wait)));
}

/** Closed loop: the next request of a connection, as soon as one of its answers is in. */
function sendClosed(c: Connection, t: number): void {
  if (!stopping && !c.closed && t < endAt) send(c, t, t);
}

// ---- answers -------------------------------------------------------------------------------------

function onData(c: Connection, chunk: Buffer): void {
  let frames;
  try {
    frames = c.reader.push(chunk);
  } catch {
    error('framing lost');
    c.socket.destroy();
    return;
  }
  const t = now();
  c.socket.cork();
  for (const f of frames) if (f.body.length > 0) answer(c, f.body, t);
  c.socket.uncork();
  if (t >= nextDue) pump();
}

function answer(c: Connection, body: Buffer, t: number): void {
  let m;
  try {
    m = codec.unpack(body);
  } catch {
    return error('unreadable answer');
  }
  const stanText = m[11];
  const stan = typeof stanText === 'string' ? Number(stanText) : -1;
  const p = c.pending.get(stan);
  if (p === undefined) return error('answer matching no request in flight (late, or unknown STAN)');
  c.pending.delete(stan);
  if (m[0] !== setup.answerMti[p.row]) error('wrong answer MTI');
  // Whatever the answer: a completion or reversal of a declined request is the switch's to judge.
  if (p.follow >= 0) c.followUps.push(p.follow, stan);
  const code = setup.expectActionCode ? (typeof m[39] === 'string' ? m[39] : '-') : 'echo';
  if (setup.tally !== null && p.row === setup.tally.row && code === setup.tally.approved)
    approvals[p.template] = (approvals[p.template] ?? 0) + 1;
  recordMs(interval, t - p.planned);
  bump(timeline.answered, t);
  progressAnswered++;
  if (p.counted) {
    answered++;
    recordMs(latency, t - p.planned);
    const e = perEntry[p.row]!;
    e.answered++;
    e.codes[code] = (e.codes[code] ?? 0) + 1;
  } else warmup.answered++;
  if (setup.mode === 'closed') sendClosed(c, t);
}

/** Expires requests unanswered for timeoutMs (all of them when `all`); closed loop replaces them. */
function sweep(t: number, all: boolean): void {
  for (const c of connections) {
    for (const [stan, p] of c.pending) {
      if (!all && t - p.planned < setup.timeoutMs) break;
      c.pending.delete(stan);
      progressFailed++;
      if (p.counted) {
        timeouts++;
        perEntry[p.row]!.timeouts++;
      }
      if (setup.mode === 'closed' && !all) sendClosed(c, t);
    }
  }
}

// ---- connections -------------------------------------------------------------------------------

function open(n: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: setup.host, port: setup.port, noDelay: true });
    const c = new Connection(n, socket);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // 'close' follows and is what counts
      resolve(c);
    });
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    socket.on('close', () => {
      if (c.closed) return;
      c.closed = true;
      if (stopping && c.pending.size === 0) return;
      error('connection lost');
      let lost = 0;
      for (const p of c.pending.values()) if (p.counted) lost++;
      if (lost > 0) error('requests in flight on a lost connection', lost);
      c.pending.clear();
    });
  });
}

async function openAll(): Promise<void> {
  for (let i = 0; i < setup.connections.length; i += CONNECT_BATCH) {
    connections.push(...(await Promise.all(setup.connections.slice(i, i + CONNECT_BATCH).map(open))));
  }
}

// ---- the run -----------------------------------------------------------------------------------

function progress(final: boolean): void {
  // Ticks come about on the second (a timer may fire a little early or late); the last one rounds up.
  const elapsed = (now() - startAt) / 1000;
  const ending = final ? Math.ceil(elapsed) : Math.round(elapsed);
  post({
    type: 'progress',
    worker: setup.worker,
    second: ending,
    sent: progressSent,
    answered: progressAnswered,
    failed: progressFailed,
    interval: encode(interval),
  });
  interval.destroy();
  interval = newHistogram();
}

/** Calls fn at time t of the run's clock. */
function at(t: number, fn: () => void): NodeJS.Timeout {
  return setTimeout(fn, Math.max(0, t - now()));
}

function run(start: number): void {
  startAt = start;
  measureFrom = startAt + setup.warmupMs;
  endAt = measureFrom + setup.durationMs;
  let cpu0: number | null = null;
  let cpuMs: number | null = null;
  let elu0 = performance.eventLoopUtilization();
  let elu = 0;
  at(measureFrom, () => {
    cpu0 = threadCpuMs();
    elu0 = performance.eventLoopUtilization();
  });
  at(endAt, () => {
    const cpu1 = threadCpuMs();
    cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    elu = performance.eventLoopUtilization(elu0).utilization;
    stopping = true;
  });
  let tick = 1;
  const ticker = (): void => {
    progress(false);
    timer = at(startAt + ++tick * 1000, ticker);
  };
  let timer = at(startAt + 1000, ticker);
  const sweeper = setInterval(() => sweep(now(), false), SWEEP_MS);

  at(startAt, () => {
    if (setup.mode === 'open') {
      schedule = new OpenLoopSchedule(setup.rate, setup.totalConnections, startAt);
      pump();
    } else for (const c of connections) for (let i = 0; i < setup.depth; i++) send(c, startAt, now());
  });

  // The end: once the window is over and nothing is in flight, or timeoutMs after the window.
  const deadline = endAt + setup.timeoutMs + 100;
  const finisher = setInterval(() => {
    const t = now();
    if (!(stopping && t >= endAt)) return;
    if (t < deadline && connections.some((c) => c.pending.size > 0)) return;
    clearInterval(finisher);
    clearInterval(sweeper);
    clearTimeout(timer);
    sweep(t, true);
    progress(true);
    for (const c of connections) {
      c.closed = true;
      c.socket.destroy();
    }
    const result: WorkerResult = {
      worker: setup.worker,
      connections: connections.length,
      sent,
      answered,
      timeouts,
      skipped,
      errors,
      warmup,
      histogram: encode(latency),
      sendLag: encode(sendLag),
      perEntry,
      approvals,
      timeline,
      cpuMs,
      elu,
    };
    post({ type: 'done', result });
  }, 50);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') run(m.startAt);
});

openAll().then(
  () => post({ type: 'ready', worker: setup.worker, connected: connections.length }),
  (e: Error) =>
    post({ type: 'failed', worker: setup.worker, error: `connecting to ${setup.host}:${setup.port}: ${e.message}` }),
);
