/** The command line of `npm run fuzz`, checked up front, with bounds and defaults. */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export const USAGE = `Fuzzes the switch over TCP: starts a switch process (dist/src/main.js, its own config and Redis
key prefix), throws generated and mutated frames at its listeners, and checks that each one is
answered or its connection closed as docs/PROTOCOL.md says, that the process never exits, and
that its memory does not grow; then that a purchase is still approved. Exit 1 on any violation.

  npm run fuzz -- [options]

  --frames N            frames to send (default 1000000)
  --seed S              seed of the frame generator (default: random, printed; the same seed
                        gives the same frames)
  --connections C       frames in flight at once, one per connection (default 8)
  --timeout MS          an answer or a close later than this is silence (default 5000)
  --frame-timeout MS    the switch's frameTimeoutMs for the run (default 1000)
  --max-growth-mib M    largest RSS growth allowed after the warm-up (default 64)
  --redis URL           Redis on this machine (default $REDIS_URL, else redis://127.0.0.1:6379)
  --log-level L         the switch's log level (default warn)
  --json PATH           also write the summary as JSON
  --help`;

export class CliError extends Error {
  override name = 'CliError';
}

export interface FuzzCliOptions {
  frames: number;
  seed: number;
  connections: number;
  timeoutMs: number;
  frameTimeoutMs: number;
  maxGrowthMiB: number;
  redis: string;
  logLevel: string;
  json: string | undefined;
}

function number(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} ${value}: expected an integer from ${min} to ${max}`);
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'];

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): FuzzCliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        frames: { type: 'string' },
        seed: { type: 'string' },
        connections: { type: 'string' },
        timeout: { type: 'string' },
        'frame-timeout': { type: 'string' },
        'max-growth-mib': { type: 'string' },
        redis: { type: 'string' },
        'log-level': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (values.help) return 'help';
  const logLevel = values['log-level'] ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) throw new CliError(`--log-level ${logLevel}: one of ${LOG_LEVELS.join(', ')}`);
  return {
    frames: number('frames', values.frames, 1_000_000, 1, 100_000_000),
    seed: number('seed', values.seed, randomInt(1, 2 ** 31), 0, 2 ** 32 - 1),
    connections: number('connections', values.connections, 8, 1, 1000),
    timeoutMs: number('timeout', values.timeout, 5000, 100, 600_000),
    frameTimeoutMs: number('frame-timeout', values['frame-timeout'], 1000, 50, 60_000),
    maxGrowthMiB: number('max-growth-mib', values['max-growth-mib'], 64, 1, 100_000),
    redis: values.redis ?? (env.REDIS_URL || 'redis://127.0.0.1:6379'),
    logLevel,
    json: values.json,
  };
}
