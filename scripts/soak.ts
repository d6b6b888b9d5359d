/**
 * `npm run soak`: the fault tests of test/reliability, longer and repeated (issue #8). A switch
 * (by default two processes behind one port) on a redis-server of its own (append-only, fsync
 * always) takes steady terminal traffic (test/reliability/support/workload.ts) in epochs; each
 * epoch breaks one thing on purpose, in turn:
 *   - Redis killed (SIGKILL) for 2-5 s, then started again;
 *   - a switch process killed (SIGKILL): a worker (the supervisor starts another), or, every
 *     other time, the whole switch, started again by the soak;
 *   - Redis stopped (SIGTERM) for 2-5 s, then started again;
 *   - Redis frozen (SIGSTOP) for 2-5 s, then let go on (SIGCONT).
 * After each epoch: was every request answered (but those in flight in a killed process), was
 * everything sent while Redis was down answered 911 / 91, did the switch approve again within
 * 2 s of Redis answering. At the end: every approval has exactly one posting, nothing else is
 * posted, reservations and PIN tries are what the answers imply, no outbox is left, an approval
 * answered 911 was reversed, and the day's deliveries reconcile. Prints a summary; exits 1 on any
 * problem (a lost or doubled posting among them), 0 otherwise.
 *
 * Options: --minutes M (default 5), --processes N (default 2), --seed S, --terminals T (default 12).
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { CardRegister } from '../src/card/card-register.js';
import { systemClock } from '../src/time/clock.js';
import { Switch } from '../src/switch.js';
import { createLogger } from '../src/log/logger.js';
import { SwitchMetrics } from '../src/metrics/metrics.js';
import { localDate } from '../src/time/local-time.js';
import { reconcileDay } from '../src/clearing/day-reconciliation.js';
import { addCards } from '../test/reliability/support/cards.js';
import { type PersistentRedis, startPersistentRedis } from '../test/reliability/support/persistent-redis.js';
import { type SwitchChild, startSwitchChild, writeSwitchConfig } from '../test/reliability/support/switch-child.js';
import { type Exchange, Workload, type WorkloadCard } from '../test/reliability/support/workload.js';
import { checkInvariants, waitForEmptyOutboxes } from '../test/reliability/support/invariants.js';
import { type OutageSignal, findings, outage, slowestAnswer } from '../test/reliability/support/outage.js';
import { rng } from '../test/support/random.js';

const SOAK_USAGE = `Usage: npm run soak [-- --minutes 5] [-- --processes 2] [-- --seed S] [-- --terminals 12]

Runs a switch on a redis-server of its own under steady terminal traffic and breaks one thing per
epoch (Redis killed, stopped or frozen; a switch process killed), then checks that nothing was lost
or doubled. Exits 1 on any problem, 0 otherwise.

Options:
  --minutes 5      how long to run
  --processes 2    switch processes behind one port
  --seed S         seed of the traffic and the faults (default from the clock; printed)
  --terminals 12   terminals sending at once
  --help           this text
`;

const COMMAND_TIMEOUT_MS = 1000;
/** As in redis-outage.process.test.ts: the register timeout and a margin for a busy machine. */
const ANSWER_BOUND_MS = COMMAND_TIMEOUT_MS + 1500;
const RECOVERY_BOUND_MS = 2000;

type Fault = 'redis-sigkill' | 'redis-sigterm' | 'redis-sigstop' | 'switch-sigkill';
const FAULTS: Fault[] = ['redis-sigkill', 'switch-sigkill', 'redis-sigterm', 'redis-sigstop'];
const SIGNALS = { 'redis-sigkill': 'SIGKILL', 'redis-sigterm': 'SIGTERM', 'redis-sigstop': 'SIGSTOP' } as const;

interface Options {
  minutes: number;
  processes: number;
  seed: number;
  terminals: number;
}

interface Epoch {
  fault: Fault;
  exchanges: Exchange[];
  recoveryMs?: number;
  problems: string[];
}

interface Soak {
  options: Options;
  redis: PersistentRedis;
  client: Redis;
  prefix: string;
  file: string;
  dir: string;
  sw: SwitchChild;
  cards: WorkloadCard[];
  epochs: Epoch[];
  switchKills: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      processes: { type: 'string' },
      seed: { type: 'string' },
      terminals: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(SOAK_USAGE);
    process.exit(0);
  }
  return {
    minutes: Number(values.minutes ?? 5),
    processes: Number(values.processes ?? 2),
    seed: Number(values.seed ?? Date.now() % 100_000),
    terminals: Number(values.terminals ?? 12),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const say = (line: string): void => void process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function setUp(o: Options): Promise<Soak> {
  const redis = await startPersistentRedis();
  const prefix = 'soak:';
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  const register = new CardRegister(client, prefix, loadConfig({ env: {} }).register, systemClock);
  const cards = await addCards(register, o.terminals * 2);
  const { file, dir } = writeSwitchConfig(
    {
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', framing: { header: 'binary2' } }],
      redis: { url: redis.url, keyPrefix: prefix, commandTimeoutMs: COMMAND_TIMEOUT_MS },
      processes: o.processes,
      log: { level: 'warn' },
    },
    mkdtempSync(join(tmpdir(), 'switch-soak-')),
  );
  const sw = await startSwitch(file, dir, o.processes);
  return { options: o, redis, client, prefix, file, dir, sw, cards, epochs: [], switchKills: 0 };
}

/** The switch child (a supervisor and its workers when processes > 1), listening. */
async function startSwitch(file: string, dir: string, processes: number): Promise<SwitchChild> {
  const sw = await startSwitchChild(file, dir, { LOG_LEVEL: 'info' }, 1);
  for (
    const until = Date.now() + 60_000;
    sw.proc.logs().filter((l) => l.msg === 'admin listening').length < processes;
  ) {
    if (Date.now() > until) throw new Error('switch workers did not start');
    await sleep(50);
  }
  return sw;
}

async function runEpoch(s: Soak, n: number): Promise<Epoch> {
  const fault = FAULTS[n % FAULTS.length]!;
  const r = rng(s.options.seed + n);
  const load = new Workload({
    ports: [{ port: s.sw.ports.iso93!, dialect: 'iso93ascii' }],
    cards: s.cards,
    terminals: s.options.terminals,
    seed: s.options.seed + n * 1000,
    pauseMs: 20,
    answerWaitMs: ANSWER_BOUND_MS + 5000,
    tag: n.toString(36).padStart(2, '0').slice(-2),
  });
  await load.start();
  await sleep(3000 + r() * 3000);
  const epoch: Epoch = { fault, exchanges: load.exchanges, problems: [] };
  if (fault === 'switch-sigkill') await killSwitch(s);
  else await redisOutage(s, epoch, SIGNALS[fault], 2000 + r() * 3000);
  await sleep(4000);
  await load.stop();
  if (!(await waitForEmptyOutboxes(s.client, s.prefix, 20_000)))
    epoch.problems.push('outboxes not emptied within 20 s');
  if (fault !== 'switch-sigkill') {
    const slowest = slowestAnswer(load.exchanges);
    if (slowest > ANSWER_BOUND_MS) epoch.problems.push(`a request waited ${slowest} ms (bound ${ANSWER_BOUND_MS})`);
  }
  return epoch;
}

async function redisOutage(s: Soak, epoch: Epoch, signal: OutageSignal, downForMs: number): Promise<void> {
  const o = await outage(s.redis, signal, downForMs);
  await sleep(RECOVERY_BOUND_MS + 1500);
  const f = findings(o, epoch.exchanges, RECOVERY_BOUND_MS);
  epoch.recoveryMs = f.recoveryMs;
  if (f.duringOutage === 0) epoch.problems.push('no request was sent while Redis was down');
  if (f.notUnavailable.length > 0)
    epoch.problems.push(`${f.notUnavailable.length} requests sent while Redis was down were not answered 911`);
  if (f.recoveryMs === undefined || f.recoveryMs > RECOVERY_BOUND_MS)
    epoch.problems.push(`approving again took ${f.recoveryMs} ms after Redis answered`);
  if (f.unavailableAfterRecovery.length > 0)
    epoch.problems.push(
      `${f.unavailableAfterRecovery.length} requests answered 911 more than 2 s after Redis was back`,
    );
}

/** A worker killed (the supervisor starts another) or, every other time, the whole switch (started again here). */
async function killSwitch(s: Soak): Promise<void> {
  s.switchKills++;
  const workers = [
    ...new Set(
      s.sw.proc
        .logs()
        .filter((l) => l.msg === 'listening')
        .map((l) => l.pid as number | undefined),
    ),
  ].filter((p) => p !== undefined);
  if (s.options.processes > 1 && s.switchKills % 2 === 1 && workers.length > 0) {
    const alive = workers.filter(
      (pid) => !s.sw.proc.logs().some((l) => l.msg === 'switch worker exited; starting another' && l.pid === pid),
    );
    process.kill(alive.at(-1)!, 'SIGKILL');
    return;
  }
  s.sw.proc.child.kill('SIGKILL');
  await s.sw.proc.exited;
  s.sw = await startSwitch(s.file, s.dir, s.options.processes);
}

/** The day's deliveries made from the soak's journal (an in-process switch on the same Redis, not started), reconciled. */
async function reconcile(s: Soak): Promise<string[]> {
  const config = loadConfig({ file: s.file, env: {} });
  const sw = new Switch({
    config,
    redis: s.client,
    log: createLogger('silent'),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
  });
  const date = localDate(new Date(), config.register.timeZone);
  await sw.delivery.deliver(date, config.clearing.cutoffs.length);
  const { report } = await reconcileDay(
    {
      journal: sw.journal,
      ledger: sw.ledger,
      unmatched: sw.unmatched,
      directory: config.clearing.directory,
      cutoffs: config.clearing.cutoffs.length,
      timeZone: config.register.timeZone,
    },
    date,
  );
  return report.differences;
}

function summary(s: Soak, counts: Awaited<ReturnType<typeof checkInvariants>>['counts'], problems: string[]): void {
  const recoveries = s.epochs
    .map((e) => e.recoveryMs)
    .filter((m): m is number => m !== undefined)
    .sort((a, b) => a - b);
  const all = s.epochs.flatMap((e) => e.exchanges);
  const slowest = slowestAnswer(all.filter((x) => x.code !== undefined));
  process.stdout.write(
    `\nSoak summary (seed ${s.options.seed}, ${s.options.processes} switch process(es), ${s.options.terminals} terminals)\n`,
  );
  process.stdout.write(
    `  epochs: ${s.epochs.length} (${FAULTS.map((f) => `${f} ${s.epochs.filter((e) => e.fault === f).length}`).join(', ')}); switch processes killed: ${s.switchKills}\n`,
  );
  process.stdout.write(
    `  requests: ${counts.exchanges}, approvals seen ${counts.approvalsSeen}, answered 911/91 ${counts.unavailable}, unanswered (in a killed process) ${counts.unanswered}\n`,
  );
  process.stdout.write(
    `  answers lost with Redis (ran, answered 911): ${counts.lostAnswers}; reversal postings the switch made for them: ${counts.switchReversals} (a lost authorization only releases, a lost wrong PIN stands); postings: ${counts.postings}\n`,
  );
  process.stdout.write(
    `  recovery after Redis answered PING, ms: ${recoveries.length === 0 ? 'n/a' : `min ${recoveries[0]}, median ${recoveries[Math.floor(recoveries.length / 2)]}, max ${recoveries.at(-1)}`}\n`,
  );
  process.stdout.write(`  slowest answer: ${slowest} ms\n`);
  process.stdout.write(
    problems.length === 0
      ? '  problems: none\n'
      : `  problems (${problems.length}):\n${problems
          .slice(0, 50)
          .map((p) => `    - ${p}\n`)
          .join('')}`,
  );
}

async function main(): Promise<number> {
  const o = options();
  say(`soak for ${o.minutes} min, seed ${o.seed}, ${o.processes} switch process(es)`);
  const s = await setUp(o);
  try {
    const end = Date.now() + o.minutes * 60_000;
    for (let n = 0; Date.now() < end; n++) {
      const epoch = await runEpoch(s, n);
      s.epochs.push(epoch);
      say(
        `epoch ${n + 1} ${epoch.fault}: ${epoch.exchanges.length} requests${epoch.recoveryMs === undefined ? '' : `, approving again ${epoch.recoveryMs} ms after Redis was back`}${epoch.problems.length ? `; PROBLEMS: ${epoch.problems.join('; ')}` : ''}`,
      );
    }
    const killed = new Set(s.epochs.filter((e) => e.fault === 'switch-sigkill').flatMap((e) => e.exchanges));
    const report = await checkInvariants(
      s.client,
      s.prefix,
      s.epochs.flatMap((e) => e.exchanges),
      { reverseLostAnswers: true, mayBeUnanswered: (x) => killed.has(x) },
    );
    const differences = await reconcile(s);
    const problems = [
      ...s.epochs.flatMap((e, i) => e.problems.map((p) => `epoch ${i + 1} (${e.fault}): ${p}`)),
      ...report.problems,
      ...differences.map((d) => `reconciliation: ${d}`),
    ];
    summary(s, report.counts, problems);
    // The delivery files hold full PANs (of test cards): kept only when there is something to look into.
    if (problems.length === 0) await rm(s.dir, { recursive: true, force: true });
    else process.stdout.write(`  files of the run (config, deliveries, reconciliation): ${s.dir}\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    s.sw.proc.child.kill('SIGTERM');
    await Promise.race([s.sw.proc.exited, sleep(15_000)]);
    s.sw.proc.child.kill('SIGKILL');
    s.client.disconnect();
    await s.redis.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`soak failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
