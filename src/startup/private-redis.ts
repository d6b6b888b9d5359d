/**
 * A redis-server of our own, for development and tests: loopback only, no persistence, in a
 * temporary directory, never outliving the process that started it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers } from '../redis/connect.js';
import { delay } from '../time/timeout.js';

const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 2000;

export interface PrivateRedis {
  url: string;
  /** Its working directory, removed by stop(). */
  dir: string;
  pid: number;
  stop(): Promise<void>;
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
export async function startPrivateRedis(
  binary = 'redis-server',
  extraArgs: readonly string[] = [],
): Promise<PrivateRedis> {
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
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The tail of its output explains an early exit. Reading it all the time also keeps
  // redis-server from blocking on a full pipe.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(missingBinaryMessage(binary)) : err),
    );
    child.once('exit', (code, signal) =>
      reject(
        new EarlyExit(`redis: private redis-server exited at start (${signal ?? `code ${code}`}): ${output.trim()}`),
      ),
    );
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
      if (Date.now() > deadline)
        throw new Error(
          `redis: private redis-server did not answer PING within ${START_TIMEOUT_MS} ms: ${output.trim()}`,
        );
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
