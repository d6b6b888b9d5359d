/**
 * A real Redis for tap tests: 127.0.0.1:6379 when it answers, else one private redis-server per
 * test process. Each test gets its own key prefix, so that test files running in parallel on the
 * same Redis never see each other's keys, and its keys are deleted when it ends.
 *
 * With SWITCH_TEST_REDIS_CLUSTER=host:port,host:port the tests run on that Redis Cluster instead
 * (test/cluster/rules.process.test.ts sets it for the rule tests): testRedis() and testClient()
 * then give Cluster clients, with the same per-test prefixes. A test that needs a client or a
 * switch process of its own takes it from testClient() or testRedisConfig(), not from a URL.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { Test } from 'tap';
import { redisAnswers } from '../../src/redis/connect.js';
import { startPrivateRedis } from '../../src/startup/private-redis.js';
import { type RegisterRedis, isCluster, scanEveryMaster } from '../../src/redis/client.js';
import { coalesceWrites } from '../../src/redis/write-coalescing.js';

export { redisAnswers };

const SHARED_URL = 'redis://127.0.0.1:6379';
export const CLUSTER_ENV = 'SWITCH_TEST_REDIS_CLUSTER';

/** The cluster's seed nodes when the tests run on a Redis Cluster. */
export function testClusterNodes(): string[] | undefined {
  const nodes = process.env[CLUSTER_ENV];
  return nodes ? nodes.split(',') : undefined;
}

// Decided once per process; the private server (if any) dies with the process (see startPrivateRedis).
let urlOnce: Promise<string> | undefined;

/** The single Redis's URL; on a cluster there is none, and a test asking for one is not cluster-ready. */
export function testRedisUrl(): Promise<string> {
  const nodes = testClusterNodes();
  if (nodes !== undefined)
    return Promise.reject(
      new Error(`the tests run on the Redis Cluster ${nodes.join(',')}: use testClient() or testRedisConfig()`),
    );
  urlOnce ??= (async () => ((await redisAnswers(SHARED_URL, 500)) ? SHARED_URL : (await startPrivateRedis()).url))();
  return urlOnce;
}

/** The `redis` section of a switch configuration naming the tests' Redis (for switch processes). */
export async function testRedisConfig(): Promise<{ url: string } | { cluster: string[] }> {
  const nodes = testClusterNodes();
  return nodes !== undefined ? { cluster: nodes } : { url: await testRedisUrl() };
}

/** Client options the tests vary; on a cluster they apply to every node's connection. */
export interface TestClientOptions {
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
}

/** A connected client of the tests' Redis (or cluster), closed by the caller. */
export async function testClient(options: TestClientOptions = {}): Promise<RegisterRedis> {
  const nodes = testClusterNodes();
  const client: RegisterRedis =
    nodes === undefined
      ? new Redis(await testRedisUrl(), { lazyConnect: true, ...options })
      : new Cluster(nodes, {
          lazyConnect: true,
          enableOfflineQueue: options.enableOfflineQueue ?? true,
          redisOptions: options,
        });
  await client.connect();
  return client;
}

/** A client and a key prefix of the test's own; `url` is the Redis's (on a cluster: its nodes, host:port,host:port). */
export async function testRedis(t: Test): Promise<{ url: string; redis: RegisterRedis; prefix: string }> {
  const url = testClusterNodes()?.join(',') ?? (await testRedisUrl());
  const prefix = `test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  const redis = await testClient({ maxRetriesPerRequest: 1 });
  // One Redis is written to as the switch writes to it (src/redis/write-coalescing.ts), so that
  // every in-process switch of the tests runs that code; a Cluster client auto-pipelines instead.
  if (!isCluster(redis)) coalesceWrites(redis);
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  return { url, redis, prefix };
}

/** SCAN (on every master), not KEYS: KEYS blocks a Redis that other test files are using at the same time. */
export async function deleteKeys(redis: RegisterRedis, prefix: string): Promise<void> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  await scanEveryMaster(redis, match, 1000, async (keys) => {
    if (keys.length === 0) return;
    // On a cluster one UNLINK must stay within one slot: there, one per key.
    if (isCluster(redis)) await Promise.all(keys.map((k) => redis.unlink(k)));
    else await redis.unlink(...keys);
  });
}
