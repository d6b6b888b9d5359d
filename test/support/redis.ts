/**
 * A real Redis for tap tests: 127.0.0.1:6379 when it answers, else one private redis-server per
 * test process. Each test gets its own key prefix, so that test files running in parallel on the
 * same Redis never see each other's keys, and its keys are deleted when it ends.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Test } from 'tap';
import { redisAnswers, startPrivateRedis } from '../../src/register/redis.js';

export { redisAnswers };

const SHARED_URL = 'redis://127.0.0.1:6379';

// Decided once per process; the private server (if any) dies with the process (see startPrivateRedis).
let urlOnce: Promise<string> | undefined;

export function testRedisUrl(): Promise<string> {
  urlOnce ??= (async () => ((await redisAnswers(SHARED_URL, 500)) ? SHARED_URL : (await startPrivateRedis()).url))();
  return urlOnce;
}

export async function testRedis(t: Test): Promise<{ url: string; redis: Redis; prefix: string }> {
  const url = await testRedisUrl();
  const prefix = `test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  return { url, redis, prefix };
}

/** SCAN, not KEYS: KEYS blocks a Redis that other test files are using at the same time. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
