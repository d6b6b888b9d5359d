/**
 * `npm run clearing`: the clearing deliveries by hand, or a clearing worker of its own.
 *
 *   npm run clearing                              a worker (and the timetable) until SIGTERM/SIGINT
 *   npm run clearing -- --now                     a cut-off now, by the clock (docs/CLEARING.md, "By hand")
 *   npm run clearing -- --reconcile YYYY-MM-DD    that day's reconciliation (exit 3: differences)
 *   npm run clearing -- --block-list [YYYY-MM-DD] the offline block list's daily file
 *   npm run clearing -- --unmatched               the unmatched reversal advices
 *
 * It reads the switch's own configuration (SWITCH_CONFIG, REDIS_URL ...; src/config/load.ts), so
 * it works on the switch's Redis keys, clearing directory and BullMQ queue. Without a configured
 * Redis it uses 127.0.0.1:6379; it never starts a private Redis, which would hold no postings.
 * The domain modules are built (src/modules.ts), not a Switch: no listener or admin API is
 * opened. Logs (JSON) go to stderr, results to stdout.
 *
 * Exit codes: 0 done (a clean reconciliation), 1 failed (Redis, a delivery, a file), 2 bad
 * arguments or configuration, 3 the reconciliation found differences.
 */
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { type RegisterRedis, bullConnection } from '../redis/client.js';
import { type Clock, systemClock } from '../time/clock.js';
import { type DeepPartial, loadStartupConfig } from '../config/load.js';
import type { SwitchConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { DEFAULT_PROBE_URL, connectRedis } from '../redis/connect.js';
import { type Modules, createModules } from '../modules.js';
import type { DeliveryResult } from '../clearing/clearing-delivery.js';
import { QUEUE_NAME } from '../clearing/clearing-scheduler.js';
import { localDate } from '../time/local-time.js';
import { isCalendarDate } from '../time/dates.js';
import { reconcileDay } from '../clearing/day-reconciliation.js';
import { formatReport } from '../clearing/reconciliation.js';

export const USAGE = `Usage: npm run clearing [-- option]

  (no option)                 run a clearing worker and the cut-off timetable until SIGTERM/SIGINT
  --now                       a cut-off now: the deliveries whose cut-off has passed (empty where not
                              made yet), then the one whose slot the clock is in, with the postings
  --reconcile YYYY-MM-DD      reconcile that day: exit 0 when clean, 3 when there are differences
  --block-list [YYYY-MM-DD]   make the offline block list's daily file (default: today)
  --unmatched                 list the reversal advices whose original the switch did not know
  --help                      this text

Configuration as the switch's: SWITCH_CONFIG (a JSON file), REDIS_URL, LOG_LEVEL.
`;

export interface ClearingCliOptions {
  /** Deep-merged onto the loaded configuration (tests). */
  overrides?: DeepPartial<SwitchConfig>;
  clock?: Clock;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

type Command =
  | { mode: 'help' | 'now' | 'worker' | 'unmatched' }
  | { mode: 'reconcile'; date: string }
  | { mode: 'blockList'; date: string | undefined };

/** Resolves with the exit code; never exits the process itself. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, options: ClearingCliOptions = {}): Promise<number> {
  const out = options.out ?? ((text: string) => void process.stdout.write(text));
  const err = options.err ?? ((text: string) => void process.stderr.write(text));
  const command = parseArgs(argv);
  if (typeof command === 'string') {
    err(`clearing: ${command}\n\n${USAGE}`);
    return 2;
  }
  if (command.mode === 'help') {
    out(USAGE);
    return 0;
  }
  let config: SwitchConfig;
  try {
    config = loadStartupConfig({ env, overrides: options.overrides }).config;
  } catch (e) {
    err(`clearing: ${(e as Error).message}\n`);
    return 2;
  }
  // stderr is written synchronously: nothing is lost when the entry exits right after.
  const log = createLogger(config.log.level, process.stderr);
  let connection;
  try {
    connection = await connectRedis({ url: config.redis.url ?? DEFAULT_PROBE_URL, cluster: config.redis.cluster, log });
  } catch (e) {
    err(`clearing: ${(e as Error).message}\n`);
    return 1;
  }
  const clock = options.clock ?? systemClock;
  // The modules alone: no listener, admin API or pipeline. The schedulers are made as needed.
  const modules = createModules({ config, redis: connection.redis, clock, log });
  const cli: Cli = { modules, config, redis: connection.redis, out, err };
  let code: number;
  try {
    if (command.mode === 'now') code = await cutoffNow(cli);
    else if (command.mode === 'reconcile') code = await reconcile(cli, command.date);
    else if (command.mode === 'unmatched') code = await unmatched(cli);
    else if (command.mode === 'blockList')
      code = await blockList(cli, command.date ?? localDate(clock.now(), config.register.timeZone));
    else code = await runWorker(cli);
  } catch (e) {
    err(`clearing: ${(e as Error).message}\n`);
    code = 1;
  } finally {
    await connection.stop();
  }
  return code;
}

/** The command, or what is wrong with the arguments. */
export function parseArgs(argv: string[]): Command | string {
  if (argv.includes('--help') || argv.includes('-h')) return { mode: 'help' };
  const [option, ...rest] = argv;
  let command: Command;
  if (option === undefined) return { mode: 'worker' };
  if (option === '--now') command = { mode: 'now' };
  else if (option === '--unmatched') command = { mode: 'unmatched' };
  else if (option === '--reconcile') {
    const date = rest.shift();
    if (date === undefined) return '--reconcile needs a date (YYYY-MM-DD)';
    command = { mode: 'reconcile', date };
  } else if (option === '--block-list')
    command = { mode: 'blockList', date: rest[0]?.startsWith('-') === false ? rest.shift() : undefined };
  else return `unknown option ${JSON.stringify(option)}`;
  if (rest.length > 0) return `unexpected ${JSON.stringify(rest[0])} after ${option} (one option at a time)`;
  if ('date' in command && command.date !== undefined && !isCalendarDate(command.date))
    return `${JSON.stringify(command.date)} is not a date (YYYY-MM-DD)`;
  return command;
}

interface Cli {
  modules: Modules;
  config: SwitchConfig;
  redis: RegisterRedis;
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * Adds a {kind: 'cutoff'} job (by the clock when it runs: ClearingDelivery.byClock) and runs a worker
 * here, so the job is made even when no switch runs one. Another worker may take the job: its
 * outcome is followed on the queue's events either way. The first failed attempt ends the wait:
 * the job is removed so that it does not make some later cut-off on a retry nobody expects.
 */
async function cutoffNow({ modules, config, redis, out, err }: Cli): Promise<number> {
  const scheduler = modules.clearing.scheduler(bullConnection(redis));
  const eventsConnection = bullConnection(redis);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, prefix: scheduler.prefix });
  try {
    scheduler.startWorker();
    await events.waitUntilReady();
    const job = await scheduler.add({ kind: 'cutoff' });
    const id = job.id!;
    const finished = job.waitUntilFinished(events).then((made) => ({ made: made as DeliveryResult[] }));
    // A retry is a move to the delayed set (exponential backoff).
    const retried = new Promise<{ made?: undefined }>((resolve) =>
      events.on('delayed', ({ jobId }) => {
        if (jobId === id) resolve({});
      }),
    );
    // The queue's closing rejects the wait that lost the race; nobody awaits it any more.
    finished.catch(() => {});
    const { made } = await Promise.race([finished, retried]);
    if (made === undefined) {
      err(`clearing: the cut-off failed: ${String((await scheduler.queue.getJob(id))?.failedReason)}\n`);
      await job.remove();
      err(`The job (${id}) is removed, not retried: run --now again once the cause is fixed.\n`);
      return 1;
    }
    for (const d of made) {
      out(
        `Delivery ${d.number} of ${d.date} (cut-off ${modules.clearing.delivery.cutoffOf(d.number)}): ${join(config.clearing.directory, d.file)}, ${d.postings} posting${d.postings === 1 ? '' : 's'}\n`,
      );
    }
    for (const last of made.filter((d) => d.number === config.clearing.cutoffs.length)) {
      out(
        `The day's last delivery: the day is reconciled, ${join(config.clearing.directory, `reconciliation-${last.date}.txt`)}\n`,
      );
    }
    return 0;
  } finally {
    await events.close();
    await scheduler.close();
    eventsConnection.disconnect();
  }
}

async function reconcile({ modules, config, out }: Cli, date: string): Promise<number> {
  const { report, file } = await reconcileDay(
    {
      journal: modules.journal.journal,
      ledger: modules.clearing.ledger,
      unmatched: modules.journal.unmatched,
      directory: config.clearing.directory,
      cutoffs: config.clearing.cutoffs.length,
      timeZone: config.register.timeZone,
    },
    date,
  );
  out(formatReport(report));
  out(`\nWritten to ${join(config.clearing.directory, file)} (and .txt).\n`);
  return report.clean ? 0 : 3;
}

async function blockList({ modules, out }: Cli, date: string): Promise<number> {
  const r = await modules.blocking.blockList.makeDaily(date);
  const counts = `${r.added} added, ${r.removed} removed`;
  out(
    r.created
      ? `Offline block list of ${r.date}: ${r.file} (${counts})\n`
      : `Offline block list of ${r.date}: made already, ${r.file} (${counts})\n`,
  );
  return 0;
}

/** The unmatched reversal advices, oldest first, one line each (masked PAN only). */
async function unmatched({ modules, out }: Cli): Promise<number> {
  const list = await modules.journal.unmatched.list();
  for (const u of list) {
    out(
      `${new Date(u.at).toISOString()}  advice ${u.advice}  names ${u.original}  ${u.maskedPan}  ${u.amount} øre  reason ${u.reason || '-'}\n`,
    );
  }
  out(`${list.length} unmatched reversal advice${list.length === 1 ? '' : 's'}\n`);
  return 0;
}

/** A clearing worker and the timetable, until SIGTERM or SIGINT; a job running then is finished first. */
async function runWorker({ modules, config, redis, out }: Cli): Promise<number> {
  const scheduler = modules.clearing.scheduler(bullConnection(redis));
  // Node passes a signal listener the signal's name.
  let onSignal!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await scheduler.schedule();
    await scheduler.startWorker().waitUntilReady();
    const { cutoffs } = config.clearing;
    out(
      `Clearing worker running on queue ${scheduler.prefix}:${QUEUE_NAME}: cut-offs ${cutoffs.join(' ')} (${config.register.timeZone}). Stop with SIGTERM or SIGINT.\n`,
    );
    const signal = await stopped;
    out(`${signal}: closing (a job running now is finished first)\n`);
  } finally {
    // A second signal now has its default effect: the process ends at once.
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await scheduler.close();
  }
  return 0;
}
