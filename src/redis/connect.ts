/**
 * The Redis the register lives in. With cluster seed nodes, that Redis Cluster; else the URL
 * (127.0.0.1:6379 when none is given). Starting a private redis-server when no Redis answers is
 * the development start-up's business (src/startup/redis.ts), not the register's. The client
 * reconnects by itself, often
 * enough that the switch serves again within a fraction of a second of Redis being back;
 * commands fail fast meanwhile so that a request is answered "register unavailable" instead of
 * waiting for an outage to end (see OUTAGE_OPTIONS and docs/OPERATIONS.md, "Redis outage").
 */
import { Cluster, Redis } from 'ioredis';
import type { RegisterRedis } from './client.js';
import { coalesceWrites } from './write-coalescing.js';
import { withTimeout } from '../time/timeout.js';

export const DEFAULT_PROBE_URL = 'redis://127.0.0.1:6379';
const PROBE_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 3000;
const STOP_TIMEOUT_MS = 2000;

/** What a wait that ran out of time (or an attempt that failed) says: no. */
const no = (): false => false;

export interface RedisLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silent: RedisLog = { info() {}, warn() {} };

export interface ConnectRedisOptions {
  url?: string;
  /** Redis Cluster seed nodes, 'host:port' (config redis.cluster); when given, `url` is not used. */
  cluster?: string[];
  log?: RedisLog;
}

export interface RedisConnection {
  redis: RegisterRedis;
  /** The URL, or for a cluster its seed nodes ('host:port,host:port'). */
  url: string;
  stop(): Promise<void>;
}

/** The URL without its password, fit for logs and error messages. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@');
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

export async function connectRedis(options: ConnectRedisOptions = {}): Promise<RedisConnection> {
  const log = options.log ?? silent;
  if (options.cluster !== undefined) return connectCluster(options.cluster, log);
  return connectTo(options.url ?? DEFAULT_PROBE_URL, log);
}

/** Reconnect attempts are this far apart at most (plus jitter): Redis back is Redis used within about this. */
export const RECONNECT_MAX_DELAY_MS = 500;

/**
 * How the switch's connection behaves when Redis goes away (docs/OPERATIONS.md, "Redis outage").
 * - retryStrategy: reconnect for ever, 50 ms, 100 ms ... then every 500 ms (+ up to 100 ms of
 *   jitter so that many switches do not knock in step). ioredis's default grows to 5 s, which
 *   kept the switch answering 911 for seconds after Redis was back.
 * - maxRetriesPerRequest 0: at every lost connection and every failed reconnect attempt, commands
 *   waiting for a connection are failed at once, and so are those in flight (whose outcome is then
 *   unknown: src/authorization/uncertain-calls.ts settles them once Redis answers). With 1, commands
 *   waited through two attempts and ran when Redis came back, long after the terminal was answered
 *   911: approvals nobody saw.
 * - maxLoadingRetryTime 200: a Redis that is still loading its data after a restart is asked
 *   again every 200 ms; ioredis waits its load estimate, at least a second.
 * - The offline queue stays on: commands issued between a reconnect and 'ready' wait for it (at
 *   most one attempt, see above). Turning it off is not an option with auto-pipelining: a command
 *   issued while disconnected then fails outside its promise and takes the process down (ioredis
 *   issue #1511, seen with the custom commands the Lua scripts were then). The register steps
 *   do not issue calls while the connection is not ready at all (uncertain-calls.ts), so during
 *   an outage they are answered at once.
 * - Auto-pipelining, on a Cluster: commands called by name in the same tick go out in one socket
 *   write per node instead of one each. The Lua scripts' calls (script-call.ts) are not called by
 *   name: each node's writes are coalesced as one Redis's are (write-coalescing.ts), so many
 *   terminals' authorizations still leave in one write per node. On one Redis the switch only
 *   coalesces: auto-pipelining keeps one batch in flight at a time, and every request waited for
 *   the previous batch's replies.
 */
export const OUTAGE_OPTIONS = {
  retryStrategy: (attempt: number): number =>
    Math.min(50 * 2 ** (attempt - 1), RECONNECT_MAX_DELAY_MS) + Math.floor(Math.random() * 100),
  maxRetriesPerRequest: 0,
  maxLoadingRetryTime: 200,
  enableOfflineQueue: true,
  enableAutoPipelining: true,
} as const;

async function connectTo(url: string, log: RedisLog): Promise<RedisConnection> {
  const shown = redactUrl(url);
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url))
    throw new Error(`redis: ${shown} is not a redis:// or rediss:// URL`);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...OUTAGE_OPTIONS,
    enableAutoPipelining: false,
  });
  coalesceWrites(redis);
  return open(redis, url, shown, log);
}

/**
 * A Redis Cluster from its seed nodes: the client learns the other masters and the slot map from
 * them, and follows the map when it changes. The same outage behaviour as for one Redis: the
 * cluster reconnects on the same schedule, and each node's commands fail at once when its
 * connection is lost.
 */
async function connectCluster(nodes: string[], log: RedisLog): Promise<RedisConnection> {
  const seeds = nodes.join(',');
  const { retryStrategy, enableAutoPipelining, enableOfflineQueue, ...perNode } = OUTAGE_OPTIONS;
  const cluster = new Cluster(nodes.map(seedNode), {
    lazyConnect: true,
    enableAutoPipelining,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    redisOptions: { connectTimeout: CONNECT_TIMEOUT_MS, ...perNode },
  });
  // Each node's client, as the cluster makes it (before it sends anything).
  cluster.on('+node', (node: Redis) => coalesceWrites(node));
  return open(cluster, seeds, `redis cluster ${seeds}`, log);
}

/** 'host:port' as ioredis takes a node ('[::1]:7000' too). */
function seedNode(node: string): { host: string; port: number } {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(colon + 1)) };
}

/** Connects a client made with lazyConnect, and logs when its connection is lost and back. */
async function open(redis: RegisterRedis, url: string, shown: string, log: RedisLog): Promise<RedisConnection> {
  // An 'error' listener is needed anyway: without one ioredis prints every reconnect failure.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect(); // stops the reconnect loop the failed attempt scheduled
    throw new Error(`redis: cannot connect to ${shown}: ${(lastError ?? (err as Error)).message}`, { cause: err });
  }
  // One line when the connection is lost and one when it is back, not one per reconnect attempt.
  let down = false;
  redis.on('reconnecting', () => {
    if (down) return;
    down = true;
    log.warn({ url: shown, err: lastError?.message }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ url: shown }, 'Redis connection back');
  });
  log.info({ url: shown }, 'connected to Redis');
  return { redis, url, stop: () => closeClient(redis) };
}

/** QUIT when Redis is there to answer it, else just drop the socket (QUIT would wait on an outage). */
export async function closeClient(redis: RegisterRedis): Promise<void> {
  if (redis.status === 'end') return;
  // Resolved once the socket is closed, not merely when QUIT is answered: stop() means gone.
  const ended = new Promise<boolean>((resolve) => redis.once('end', () => resolve(true)));
  if (redis.status === 'ready') {
    const quit = redis.quit().then(() => withTimeout(ended, STOP_TIMEOUT_MS, no), no);
    if (await withTimeout(quit, STOP_TIMEOUT_MS, no)) return;
  }
  redis.disconnect();
}

/** True when a Redis at `url` answers PING within `timeoutMs`; never throws, never retries. */
export async function redisAnswers(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  if (!URL.canParse(url)) return false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  client.on('error', () => {}); // a refused connection is an answer ("no"), not an error
  const attempt = client
    .connect()
    .then(() => client.ping())
    .then(
      (reply) => reply === 'PONG',
      () => false,
    );
  try {
    return await withTimeout(attempt, timeoutMs, no);
  } finally {
    client.disconnect();
  }
}
