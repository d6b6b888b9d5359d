/**
 * The Redis the register lives in. With cluster seed nodes, that Redis Cluster; with a URL, that
 * Redis; without either, 127.0.0.1:6379 when it answers, else a private redis-server started
 * here (so that `npm start` works on a fresh machine). The client reconnects by itself, often
 * enough that the switch serves again within a fraction of a second of Redis being back;
 * commands fail fast meanwhile so that a request is answered "register unavailable" instead of
 * waiting for an outage to end (see OUTAGE_OPTIONS and docs/OPERATIONS.md, "Redis outage").
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import type { RegisterRedis } from './client.js';
import { coalesceWrites } from './write-coalescing.js';
import { delay, withTimeout } from '../time/timeout.js';

// Where it was first defined; its importers (admin routes, pending blocks) keep importing it from here.
export { isRedisUnavailable } from './errors.js';

export const DEFAULT_PROBE_URL = 'redis://127.0.0.1:6379';
const PROBE_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 3000;
const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 2000;

/** What a wait that ran out of time (or an attempt that failed) says: no. */
const no = (): false => false;

export interface RedisLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const silent: RedisLog = { info() {}, warn() {} };

export interface ConnectRedisOptions {
  url?: string;
  /** Redis Cluster seed nodes, 'host:port' (config redis.cluster); when given, `url` is not used. */
  cluster?: string[];
  log?: RedisLog;
  /** The binary started when no Redis answers; tests name a missing one. */
  redisServerBinary?: string;
  /** Where to look for a Redis when no url is given. */
  probeUrl?: string;
}

export interface RedisConnection {
  redis: RegisterRedis;
  /** The URL, or for a cluster its seed nodes ('host:port,host:port'). */
  url: string;
  stop(): Promise<void>;
}

export interface PrivateRedis {
  url: string;
  /** Its working directory, removed by stop(). */
  dir: string;
  pid: number;
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
  if (options.url !== undefined) return connectTo(options.url, log);
  const probeUrl = options.probeUrl ?? DEFAULT_PROBE_URL;
  if (await redisAnswers(probeUrl, PROBE_TIMEOUT_MS)) return connectTo(probeUrl, log);
  log.info({ probeUrl: redactUrl(probeUrl) }, 'no Redis answers and none is configured: starting a private redis-server');
  const server = await startPrivateRedis(options.redisServerBinary);
  log.info({ url: server.url, dir: server.dir, pid: server.pid }, 'private redis-server started; its data is lost when the switch stops');
  try {
    const { redis } = await connectTo(server.url, log);
    return {
      redis,
      url: server.url,
      stop: async () => {
        await closeClient(redis);
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
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
 *   most one attempt, see above). Turning it off is not an option with auto-pipelining: a custom
 *   command (our Lua scripts) issued while disconnected then fails outside its promise and takes
 *   the process down (ioredis issue #1511). The register steps do not issue calls while the
 *   connection is not ready at all (uncertain-calls.ts), so during an outage they are answered
 *   at once.
 * - Auto-pipelining, on a Cluster: commands issued in the same tick (many terminals'
 *   authorizations) go out in one socket write per node instead of one each. On one Redis the
 *   switch coalesces its writes itself (write-coalescing.ts): auto-pipelining keeps one batch in
 *   flight at a time, and every request waited for the previous batch's replies.
 */
export const OUTAGE_OPTIONS = {
  retryStrategy: (attempt: number): number => Math.min(50 * 2 ** (attempt - 1), RECONNECT_MAX_DELAY_MS) + Math.floor(Math.random() * 100),
  maxRetriesPerRequest: 0,
  maxLoadingRetryTime: 200,
  enableOfflineQueue: true,
  enableAutoPipelining: true,
} as const;

async function connectTo(url: string, log: RedisLog): Promise<RedisConnection> {
  const shown = redactUrl(url);
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) throw new Error(`redis: ${shown} is not a redis:// or rediss:// URL`);
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, ...OUTAGE_OPTIONS, enableAutoPipelining: false });
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
async function closeClient(redis: RegisterRedis): Promise<void> {
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
    .then((reply) => reply === 'PONG', () => false);
  try {
    return await withTimeout(attempt, timeoutMs, no);
  } finally {
    client.disconnect();
  }
}

/** How to get out of "no Redis anywhere", said where the operator will read it. */
function missingBinaryMessage(binary: string): string {
  return (
    `redis: no Redis answers and "${binary}" is not installed, so no private one can be started. ` +
    'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) ' +
    'or point the switch at a running Redis with REDIS_URL=redis://host:port'
  );
}

class EarlyExit extends Error {}

/**
 * A redis-server of our own: loopback only, no persistence, in a temporary directory.
 * `extraArgs` are added to its command line (the test cluster's nodes: --cluster-enabled yes ...).
 */
export async function startPrivateRedis(binary = 'redis-server', extraArgs: readonly string[] = []): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'switch-redis-'));
  try {
    // The free port may be taken between our probe and redis-server's bind: try another.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(binary, await freePort(), dir, extraArgs);
      } catch (err) {
        if (!(err instanceof EarlyExit) || attempt === 3) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(binary: string, port: number, dir: string, extraArgs: readonly string[]): Promise<PrivateRedis> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The tail of its output explains an early exit. Reading it all the time also keeps
  // redis-server from blocking on a full pipe.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(missingBinaryMessage(binary)) : err));
    child.once('exit', (code, signal) => reject(new EarlyExit(`redis: private redis-server exited at start (${signal ?? `code ${code}`}): ${output.trim()}`)));
  });
  failed.catch(() => {}); // only ever observed through the race below
  // A private Redis must not outlive the process that needs it, even one that ends without stop().
  const killOnExit = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true }); // nothing is saved there ('--save ""')
  };
  process.on('exit', killOnExit);

  const url = `redis://127.0.0.1:${port}`;
  const kill = async () => {
    process.off('exit', killOnExit);
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.ref(); // wait for the exit even when nothing else keeps the process alive
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(hard);
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await Promise.race([redisAnswers(url, 200), failed]))) {
      if (Date.now() > deadline) throw new Error(`redis: private redis-server did not answer PING within ${START_TIMEOUT_MS} ms: ${output.trim()}`);
      await Promise.race([delay(50), failed]);
    }
  } catch (err) {
    await kill(); // the directory is the caller's, which may retry in it
    throw err;
  }
  // Running, it must not keep a process alive that is otherwise done (tests share one per process).
  child.unref();
  (child.stdout as Socket).unref();
  (child.stderr as Socket).unref();
  return {
    url,
    dir,
    pid: child.pid!,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
