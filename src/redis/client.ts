/**
 * The switch's Redis client: one Redis, or a Redis Cluster (config redis.cluster). Most code
 * need not care which: every Lua script and MULTI touches the keys of one hash tag (a card's
 * {id}, {journal}, {blocklist}, {faults}), so on a cluster it runs on the master holding that
 * slot, unchanged. What differs is gathered here (docs/OPERATIONS.md, "Redis Cluster"):
 *
 * - SCAN answers for the node it is sent to only, so a search for keys visits every master;
 * - a pipeline must stay within one node's slots, so commands on many cards go one by one;
 * - BullMQ gets a connection of its own (duplicate() takes other arguments on a cluster) and,
 *   on a cluster, a hash-tagged prefix so that every key of its queue is in one slot.
 *
 * On a single Redis each helper does what the code did before: one SCAN loop, one pipeline.
 */
import type { Cluster, Redis } from 'ioredis';

export type RegisterRedis = Redis | Cluster;

export function isCluster(redis: RegisterRedis): redis is Cluster {
  return redis.isCluster;
}

/** A command and its arguments, the first argument being its key. */
export type KeyCommand = [command: string, key: string, ...args: (string | number)[]];

/**
 * The masters that hold keys: every master of a cluster as its slot map has them now, or the
 * one Redis. A cluster that knows no master (not connected) is an error, not an empty search.
 */
export function mastersOf(redis: RegisterRedis): Redis[] {
  if (!isCluster(redis)) return [redis];
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('redis cluster: no master node is known (not connected)');
  return masters;
}

/**
 * SCAN for `match` (never KEYS) on every master, handing each reply's keys to `batch` in turn.
 * As with SCAN itself a key may be handed over twice; on a cluster, a key that moves to another
 * master while the scan runs (resharding) may be missed.
 */
export async function scanEveryMaster(
  redis: RegisterRedis,
  match: string,
  count: number,
  batch: (keys: string[]) => Promise<void>,
): Promise<void> {
  for (const node of mastersOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      await batch(keys);
    } while (cursor !== '0');
  }
}

/**
 * Commands on keys that may lie in many slots, with [error, reply] per command as
 * pipeline().exec() gives them. A single Redis gets one pipeline (one round trip); on a cluster
 * a pipeline must stay within one node's slots, so each command is sent on its own (the
 * cluster's auto-pipelining, when on, still batches them per node).
 */
export async function acrossSlots(redis: RegisterRedis, commands: KeyCommand[]): Promise<[Error | null, unknown][]> {
  if (!isCluster(redis)) return (await redis.pipeline(commands).exec())!;
  return Promise.all(
    commands.map(([command, ...args]) =>
      redis.call(command, ...args).then(
        (reply): [null, unknown] => [null, reply],
        (e: Error): [Error, null] => [e, null],
      ),
    ),
  );
}

/**
 * A connection for BullMQ alone: its blocking commands need maxRetriesPerRequest null, and it
 * pipelines by itself. Same Redis or cluster, same other options; the caller closes it.
 */
export function bullConnection(redis: RegisterRedis): RegisterRedis {
  if (!isCluster(redis)) return redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false });
  return redis.duplicate([], { redisOptions: { maxRetriesPerRequest: null }, enableAutoPipelining: false });
}

/**
 * BullMQ's key prefix on this Redis. On a cluster every key of a queue must be in one slot (its
 * Lua scripts touch several), so a prefix without a hash tag is wrapped in one: 'sw-bull' becomes
 * '{sw-bull}'. A single Redis keeps the prefix as configured, so its queue stays where it was.
 */
export function bullPrefix(prefix: string, redis: RegisterRedis): string {
  return isCluster(redis) && hashTagOf(prefix) === undefined ? `{${prefix}}` : prefix;
}

/** The part of a key Redis Cluster hashes: between the first '{' and the next '}', if not empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** `text` with SCAN's glob characters escaped, so that a key prefix matches only itself in a MATCH pattern. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
