/**
 * A day of the monitoring for the replay's tests (replay-cli.test.ts, replay-cli.process.test.ts):
 * purchases over TCP with a fake clock, the live monitor blocking with its rules, and a config
 * file for the CLI on the same Redis, prefix and rule file.
 */
import type { Test } from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/time/clock.js';
import { testRedisUrl } from '../support/redis.js';
import { type MonitoredSwitch, monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';
import { velocityRules } from './fixtures.js';

export const DATE = '2026-11-21';
const MINUTE = 60_000;

export interface Day {
  s: MonitoredSwitch;
  /** The CLI's config file: the switch's Redis, prefix and rule file. */
  config: string;
  a: { id: string; pan: string };
  b: { id: string; pan: string };
  /** A rule file allowing one purchase an hour. */
  stricter: string;
}

/**
 * 10:00-10:40 Copenhagen time: card A buys three times 10 minutes apart (the live monitor blocks it
 * after the third) and is refused a fourth time; card B buys twice.
 */
export async function aDay(t: Test): Promise<Day> {
  const clock = new ManualClock(new Date(`${DATE}T09:00:00Z`));
  const s = await startMonitoredSwitch(t, velocityRules(2), {}, { clock });
  const a = await monitoredCard(s);
  const b = await monitoredCard(s);
  for (const [card, answer] of [
    [a, '000'],
    [b, '000'],
    [a, '000'],
    [b, '000'],
    [a, '000'],
    [a, '105'],
  ] as const) {
    t.equal(await pinPurchase(s, card.pan, 10_000), answer);
    await s.evaluated();
    clock.advance(8 * MINUTE);
  }
  const dir = t.testdir();
  const config = join(dir, 'switch.json');
  await writeFile(
    config,
    JSON.stringify({
      redis: { url: await testRedisUrl(), keyPrefix: s.config.redis.keyPrefix },
      log: { level: 'silent' },
      monitoring: { rulesFile: s.rulesFile },
    }),
  );
  const stricter = join(dir, 'stricter.json');
  await writeFile(stricter, JSON.stringify(velocityRules(1)));
  return { s, config, a, b, stricter };
}

export interface JsonBlock {
  card: string;
  rule: string;
  at: string;
  txn: string;
  transactions: string[];
}
