/**
 * A real switch for tests: real TCP listeners on free ports, a real Redis, a silent logger.
 * Two listeners like the sample config: iso93 (iso93ascii, 2-byte binary header) and iso87
 * (iso87ascii, 4 ASCII digits).
 */
import type { Test } from 'tap';
import { Writable } from 'node:stream';
import { loadConfig, type DeepPartial } from '../../src/config/load.js';
import type { SwitchConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { SwitchMetrics } from '../../src/metrics/metrics.js';
import { Switch, type SwitchOptions } from '../../src/switch.js';
import { testRedis } from './redis.js';
import { captureLog } from './log-capture.js';
import type { RegisterRedis } from '../../src/redis/client.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewCard } from '../../src/card/card-register.js';

/** Active, PIN 1234, 1,000,000.00 DKK: the card purchase93()/purchase87() use. */
export const TEST_CARD: NewCard = {
  pan: '5019000000000016',
  issuer: 'bank-a',
  product: 'dankort',
  expiry: '3012',
  pin: '1234',
  activationCode: '1234',
  account: '1234567890',
  balance: 100_000_000,
  currency: '208',
  status: 'active',
};

/** The operator token every test switch accepts (readiness, metrics, traces). */
export const OPERATOR_TOKEN = 'test-operator-token-0001';
export const OPERATOR_HEADERS = { authorization: `Bearer ${OPERATOR_TOKEN}` };

export interface TestSwitch {
  sw: Switch;
  config: SwitchConfig;
  port(listener: string): number;
  adminUrl: string;
  /** Every log line the switch wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The switch's Redis connection (keys under config.redis.keyPrefix). */
  redis: RegisterRedis;
}

export async function startSwitch(
  t: Test,
  overrides: DeepPartial<SwitchConfig> = {},
  extra: Pick<SwitchOptions, 'steps' | 'routes' | 'clock' | 'clearingCrashAt' | 'consoleDir'> = {},
): Promise<TestSwitch> {
  const { redis, prefix } = await testRedis(t);
  // Files under the test's own directory; the BullMQ timetable only where a test asks for it.
  const files = await mkdtemp(join(tmpdir(), 'switch-test-'));
  t.teardown(() => rm(files, { recursive: true, force: true }));
  const clearing = {
    enabled: false,
    directory: join(files, 'clearing'),
    queuePrefix: `{${prefix.replace(/:/g, '-')}bull}`,
    ...overrides.clearing,
    blockList: { time: '23:59', directory: join(files, 'block-list'), ...overrides.clearing?.blockList },
  };
  const config = loadConfig({
    env: {},
    overrides: {
      listeners: [
        { name: 'iso93', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', framing: { header: 'binary2' } },
        { name: 'iso87', host: '127.0.0.1', port: 0, dialect: 'iso87ascii', framing: { header: 'ascii4' } },
      ],
      redis: { keyPrefix: prefix },
      log: { level: 'debug' },
      ...overrides,
      // Off unless the test asks for it: the shipped rules would block a test card used more than
      // ten times an hour (the monitoring's own tests: test/monitoring/).
      monitoring: { enabled: false, ...overrides.monitoring },
      admin: {
        host: '127.0.0.1',
        port: 0,
        ...overrides.admin,
        tokens: { [OPERATOR_TOKEN]: { role: 'operator' }, ...overrides.admin?.tokens },
      },
      clearing,
    },
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      captureLog(chunk.toString('utf8'));
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger(config.log.level, sink);
  const sw = new Switch({ config, redis, log, metrics: new SwitchMetrics({ defaultMetrics: false }), ...extra });
  await sw.start();
  t.teardown(() => sw.stop());
  const registered = await sw.register.register(TEST_CARD);
  if (!registered.ok) throw new Error(`test card not registered: ${registered.reason}`);
  return {
    sw,
    config,
    port: (name) => sw.listeners.find((l) => l.name === name)!.port,
    adminUrl: `http://127.0.0.1:${sw.admin.port}`,
    logs,
    redis,
  };
}
