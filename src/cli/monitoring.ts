/**
 * `npm run monitoring`: the fraud monitoring's command-line tools (docs/MONITORING.md).
 *
 *   npm run monitoring -- replay --rules FILE --date YYYY-MM-DD [--json] [--history-days N]
 *
 * replay runs a rule file over a day's log of monitored transactions (src/monitoring/day-log.ts)
 * beside the rules in force (the config's monitoring.rulesFile, else the shipped rules), and
 * reports what each would have blocked and the difference, so a change is judged before it is
 * loaded. It reads the switch's configuration like `npm run clearing` (SWITCH_CONFIG, REDIS_URL
 * ...; without a configured Redis, 127.0.0.1:6379) and only reads Redis: it never writes.
 * Output names cards by id only (the log has no PANs). Logs go to stderr, the report to stdout.
 *
 * Exit codes: 0 done, 1 failed (Redis), 2 bad arguments, configuration or rule file.
 */
import { type DeepPartial, loadStartupConfig } from '../config/load.js';
import type { SwitchConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { DEFAULT_PROBE_URL, connectRedis } from '../redis/connect.js';
import { dayNumber, isCalendarDate } from '../time/dates.js';
import { DAY_LOG_KEPT_DAYS, type LoggedTransaction, readDayLog } from '../monitoring/day-log.js';
import { RuleBook } from '../monitoring/rule-book.js';
import { compareReplays, replayDay } from '../monitoring/replay.js';
import { type ReplayHeading, formatReplay, replayJson } from '../monitoring/replay-report.js';

/** The most days before the replayed one with a log: it is kept DAY_LOG_KEPT_DAYS. */
const MAX_HISTORY_DAYS = DAY_LOG_KEPT_DAYS - 1;

export const USAGE = `Usage: npm run monitoring -- replay --rules FILE --date YYYY-MM-DD [--json] [--history-days N]

  replay                 run a rule file over a day's log of monitored transactions, beside the
                         rules in force, and report what each would have blocked
    --rules FILE         the rule file to judge (as the config's monitoring.rulesFile)
    --date YYYY-MM-DD    the day (the register's time zone); its log is kept ${DAY_LOG_KEPT_DAYS} days
    --history-days N     days before it the holder profiles are built from, 0-${MAX_HISTORY_DAYS} (default ${MAX_HISTORY_DAYS})
    --json               the report as JSON
  --help                 this text

Configuration as the switch's: SWITCH_CONFIG (a JSON file), REDIS_URL, LOG_LEVEL.
`;

export interface MonitoringCliOptions {
  /** Deep-merged onto the loaded configuration (tests). */
  overrides?: DeepPartial<SwitchConfig>;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export interface ReplayCommand {
  mode: 'replay';
  rules: string;
  date: string;
  json: boolean;
  historyDays: number;
}

type Command = { mode: 'help' } | ReplayCommand;

/** Resolves with the exit code; never exits the process itself. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: MonitoringCliOptions = {},
): Promise<number> {
  const out = options.out ?? ((text: string) => void process.stdout.write(text));
  const err = options.err ?? ((text: string) => void process.stderr.write(text));
  const command = parseArgs(argv);
  if (typeof command === 'string') {
    err(`monitoring: ${command}\n\n${USAGE}`);
    return 2;
  }
  if (command.mode === 'help') {
    out(USAGE);
    return 0;
  }
  let config: SwitchConfig;
  let replayed: RuleBook;
  let inForce: RuleBook;
  try {
    config = loadStartupConfig({ env, overrides: options.overrides }).config;
    replayed = RuleBook.load(command.rules);
    inForce = RuleBook.load(config.monitoring.rulesFile);
  } catch (e) {
    err(`monitoring: ${(e as Error).message}\n`);
    return 2;
  }
  // stderr is written synchronously: nothing is lost when the entry exits right after.
  const log = createLogger(config.log.level, process.stderr);
  let connection;
  try {
    connection = await connectRedis({ url: config.redis.url ?? DEFAULT_PROBE_URL, cluster: config.redis.cluster, log });
  } catch (e) {
    err(`monitoring: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const prefix = config.redis.keyPrefix;
    const day = await readDayLog(connection.redis, prefix, command.date);
    const history: LoggedTransaction[] = [];
    let historyFound = 0;
    for (const date of daysBefore(command.date, command.historyDays)) {
      const logged = await readDayLog(connection.redis, prefix, date);
      if (logged.length > 0) historyFound++;
      // One by one: a day's log is far longer than a spread's arguments may be.
      for (const entry of logged) history.push(entry);
    }
    const limit = config.register.contactless.limit;
    const comparison = compareReplays(
      replayDay(day, history, replayed, limit),
      replayDay(day, history, inForce, limit),
    );
    const heading: ReplayHeading = {
      date: command.date,
      timeZone: config.register.timeZone,
      historyDays: command.historyDays,
      historyFound,
      rules: command.rules,
      inForce: inForce.source,
    };
    out(command.json ? replayJson(heading, comparison) : formatReplay(heading, comparison));
    return 0;
  } catch (e) {
    err(`monitoring: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await connection.stop();
  }
}

/** The `n` calendar dates before `date`, the nearest first. */
function daysBefore(date: string, n: number): string[] {
  const day = dayNumber(date);
  return Array.from({ length: n }, (_, i) => new Date((day - i - 1) * 86_400_000).toISOString().slice(0, 10));
}

/** The command, or what is wrong with the arguments. */
export function parseArgs(argv: string[]): Command | string {
  if (argv.includes('--help') || argv.includes('-h')) return { mode: 'help' };
  const [command, ...rest] = argv;
  if (command === undefined) return 'a command is needed (replay)';
  if (command !== 'replay') return `unknown command ${JSON.stringify(command)}`;
  let rules: string | undefined;
  let date: string | undefined;
  let json = false;
  let historyDays = MAX_HISTORY_DAYS;
  while (rest.length > 0) {
    const option = rest.shift()!;
    if (option === '--json') {
      json = true;
      continue;
    }
    if (!['--rules', '--date', '--history-days'].includes(option)) return `unknown option ${JSON.stringify(option)}`;
    const value = rest.shift();
    if (value === undefined || value.startsWith('--')) return `${option} needs a value`;
    if (option === '--rules') rules = value;
    else if (option === '--date') {
      if (!isCalendarDate(value)) return `${JSON.stringify(value)} is not a date (YYYY-MM-DD)`;
      date = value;
    } else {
      if (!/^\d+$/.test(value) || Number(value) > MAX_HISTORY_DAYS)
        return `--history-days must be a whole number of days from 0 to ${MAX_HISTORY_DAYS} (the log is kept ${DAY_LOG_KEPT_DAYS} days), not ${JSON.stringify(value)}`;
      historyDays = Number(value);
    }
  }
  if (rules === undefined) return 'replay needs --rules FILE';
  if (date === undefined) return 'replay needs --date YYYY-MM-DD';
  return { mode: 'replay', rules, date, json, historyDays };
}
