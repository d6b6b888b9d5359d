/** A real BullMQ clearing worker on a test switch's Redis, and a way to run one job through it and wait for its result. */
import type { Test } from 'tap';
import { QueueEvents } from 'bullmq';
import type { ClearingScheduler } from '../../src/clearing/clearing-scheduler.js';
import { bullConnection } from '../../src/redis/client.js';
import { deleteKeys } from './redis.js';
import type { TestSwitch } from './switch.js';

export async function clearingWorker(
  t: Test,
  s: TestSwitch,
): Promise<{ scheduler: ClearingScheduler; run: (data: Parameters<ClearingScheduler['add']>[0]) => Promise<unknown> }> {
  const scheduler = s.sw.clearingScheduler(bullConnection(s.redis));
  scheduler.startWorker();
  const connection = bullConnection(s.redis);
  const events = new QueueEvents('clearing', { connection, prefix: scheduler.prefix });
  await events.waitUntilReady();
  t.teardown(async () => {
    await events.close();
    await scheduler.close();
    await connection.quit();
    await deleteKeys(s.redis, `${scheduler.prefix}:`);
  });
  return { scheduler, run: async (data) => (await scheduler.add(data)).waitUntilFinished(events, 30_000) };
}
