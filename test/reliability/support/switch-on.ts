/**
 * An in-process switch on a Redis connection the test made (through a proxy that loses answers),
 * configured with the production connection's outage options (src/redis/connect.ts).
 */
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config/load.js';
import type { SwitchConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log/logger.js';
import { SwitchMetrics } from '../../../src/metrics/metrics.js';
import { OUTAGE_OPTIONS } from '../../../src/redis/connect.js';
import { Switch } from '../../../src/switch.js';
import type { Clock } from '../../../src/time/clock.js';
import { deleteKeys } from '../../support/redis.js';

export interface SwitchOn {
  sw: Switch;
  config: SwitchConfig;
  /** The switch's own connection (through whatever the url points at). */
  redis: Redis;
  prefix: string;
  port: number;
}

/** `url`: what the switch connects to; `direct`: a connection of the test's own, for checks and cleanup. */
export async function startSwitchOn(
  t: Test,
  url: string,
  direct: Redis,
  commandTimeoutMs: number,
  clock?: Clock,
  /** The terminal key file, for terminals of a model (an ATM). */
  keyFile?: string,
): Promise<SwitchOn> {
  const prefix = `test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  const files = await mkdtemp(join(tmpdir(), 'switch-lost-'));
  const redis = new Redis(url, { lazyConnect: true, ...OUTAGE_OPTIONS });
  await redis.connect();
  const config = loadConfig({
    env: {},
    overrides: {
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', framing: { header: 'binary2' } }],
      admin: { host: '127.0.0.1', port: 0 },
      redis: { keyPrefix: prefix, commandTimeoutMs },
      log: { level: 'silent' },
      register: { pendingBlocksFile: join(files, 'pending.jsonl') },
      // The timetable only where a test runs a worker itself (sw.clearingScheduler).
      clearing: {
        enabled: false,
        directory: join(files, 'clearing'),
        queuePrefix: `{${prefix.replace(/:/g, '-')}bull}`,
        blockList: { time: '23:59', directory: join(files, 'block-list') },
      },
      ...(keyFile === undefined ? {} : { terminals: { keyFile } }),
    },
  });
  const sw = new Switch({
    config,
    redis,
    log: createLogger('silent'),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
    ...(clock ? { clock } : {}),
  });
  await sw.start();
  t.teardown(async () => {
    await sw.stop();
    redis.disconnect();
    await deleteKeys(direct, prefix);
    await rm(files, { recursive: true, force: true });
  });
  return { sw, config, redis, prefix, port: sw.listeners[0]!.port };
}
