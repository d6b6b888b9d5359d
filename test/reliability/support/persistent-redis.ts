/**
 * A redis-server of the test's own that can be killed and started again on the same port with
 * its data: append-only file, fsync on every write (`--appendfsync always`), so that what Redis
 * acknowledged survives a SIGKILL, as a production Redis configured per docs/OPERATIONS.md does.
 * Never the shared 127.0.0.1:6379: other test files use that one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/startup/private-redis.js';
import { redisAnswers } from '../../../src/redis/connect.js';

const START_TIMEOUT_MS = 10_000;

export interface PersistentRedis {
  url: string;
  port: number;
  dir: string;
  /** Running now? */
  up(): boolean;
  /** Kills it (SIGKILL: nothing more written; SIGTERM: Redis's own orderly shutdown) and waits for the exit. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING (its data loaded). */
  start(): Promise<void>;
  /** SIGSTOP: it hangs, connections open, nothing answered (a Redis stuck, or a network that drops everything). */
  pause(): void;
  /** SIGCONT: it runs on, executing what piled up meanwhile. */
  resume(): void;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPersistentRedis(): Promise<PersistentRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'switch-reliability-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  // No automatic AOF rewrite: its fork and the fsyncs beside it stalled this Redis past the
  // register timeout on a loaded CI machine, seconds after a restart (911s that were no outage).
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--auto-aof-rewrite-percentage',
    '0',
  ];
  // A test that fails half-way must not leave a redis-server behind.
  const killOnExit = (): void => void child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async (): Promise<void> => {
    if (running()) return;
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    // Read its output all the time: a full pipe would block redis-server.
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-4000));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await redisAnswers(url, 200))) {
      if (c.exitCode !== null || Date.now() > deadline)
        throw new Error(`redis-server on ${port} did not start: ${output.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async (signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    if (!running()) return;
    child!.kill('SIGCONT'); // a paused Redis could not act on SIGTERM
    const exited = once(child!, 'exit');
    child!.kill(signal);
    await exited;
  };
  await start();
  return {
    url,
    port,
    dir,
    up: running,
    kill,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async destroy() {
      await kill('SIGKILL');
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
