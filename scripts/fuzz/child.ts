/**
 * The switch under fuzz, as its own process: this tree's entry point (dist/src/main.js, or
 * src/main.ts through tsx when run from source) with a config file written for the run: a
 * listener per fuzz target, an operator token for /readyz and /metrics, the run's Redis key
 * prefix, no clearing. The process is watched: an exit is recorded at once (the fuzz aborts on
 * it), its warnings and errors are counted by message, and its RSS is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../bench/load/harness.js';
import { nodeArgsFor, switchMain } from '../../bench/load/paths.js';
import { rssKb } from '../../bench/load/procstat.js';
import { HOST } from './connection.js';
import { FUZZ_TARGETS, listenerConfigs } from './targets.js';

export interface ChildSettings {
  redisUrl: string;
  keyPrefix: string;
  /** For the config file, the pending-blocks journal and the (unused) clearing directories. */
  dir: string;
  logLevel: string;
  frameTimeoutMs: number;
}

export interface SwitchChild {
  readonly pid: number;
  readonly ports: Record<string, number>;
  /** Set once the process has exited: how. */
  exited(): string | undefined;
  /** Log lines at warn (40) or above, by level and message. */
  logCounts(): Record<string, number>;
  /** The last output, for a report when something went wrong. */
  tail(): string;
  rssMiB(): number | null;
  /** V8 heap in use (MiB), from the switch's own /metrics. */
  heapUsedMiB(): Promise<number | null>;
  metrics(): Promise<string>;
  /** SIGTERM (a graceful stop), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Children left running if the fuzzer itself dies: never orphan a switch. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function childEnv(configFile: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      ['NODE_OPTIONS', 'NODE_V8_COVERAGE', 'SWITCH_PORT', 'ADMIN_PORT', 'LOG_LEVEL', 'REDIS_URL'].includes(key) ||
      key.startsWith('TAP') ||
      key.startsWith('_TAPJS')
    )
      delete env[key];
  }
  return { ...env, SWITCH_CONFIG: configFile };
}

function configFor(s: ChildSettings, ports: Record<string, number>, adminPort: number, token: string): object {
  return {
    listeners: listenerConfigs(FUZZ_TARGETS, { frameTimeoutMs: s.frameTimeoutMs }, (t) => ports[t.listener]!),
    admin: { host: HOST, port: adminPort, tokens: { [token]: { role: 'operator' } } },
    redis: { url: s.redisUrl, keyPrefix: s.keyPrefix },
    log: { level: s.logLevel },
    register: { pendingBlocksFile: join(s.dir, 'pending-blocks.jsonl') },
    clearing: {
      enabled: false,
      directory: join(s.dir, 'clearing'),
      blockList: { directory: join(s.dir, 'block-list') },
    },
  };
}

/** Counts log lines by level and message without parsing each (there may be a million). */
function logCounter(): { feed(text: string): void; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  let partial = '';
  return {
    counts,
    feed(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
        if (level < 40) continue;
        const key = `${level >= 50 ? 'error' : 'warn'}: ${/"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80)}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    },
  };
}

export async function startSwitchChild(s: ChildSettings): Promise<SwitchChild> {
  const ports: Record<string, number> = {};
  for (const t of FUZZ_TARGETS) ports[t.listener] = await freePort();
  const adminPort = await freePort();
  const token = randomBytes(16).toString('hex');
  const file = join(s.dir, 'switch.json');
  writeFileSync(file, JSON.stringify(configFor(s, ports, adminPort, token), null, 2));
  const child = spawn(process.execPath, nodeArgsFor(switchMain()), {
    env: childEnv(file),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let exit: string | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    exit = `exited with ${code ?? signal}`;
  });
  const logs = logCounter();
  let tail = '';
  const keep = (text: string): void => void (tail = (tail + text).slice(-8192));
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    keep(text);
    logs.feed(text);
  });
  child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString()));

  const headers = { authorization: `Bearer ${token}` };
  const admin = `http://${HOST}:${adminPort}`;
  const metrics = async (): Promise<string> =>
    (await fetch(`${admin}/metrics`, { headers, signal: AbortSignal.timeout(5000) })).text();
  await waitReady(
    `${admin}/readyz`,
    headers,
    () => exit,
    () => tail,
  );
  return {
    pid: child.pid!,
    ports,
    exited: () => exit,
    logCounts: () => ({ ...logs.counts }),
    tail: () => tail,
    rssMiB: () => {
      const kb = rssKb(child.pid!);
      return kb === null ? null : kb / 1024;
    },
    heapUsedMiB: async () => {
      try {
        const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(await metrics());
        return m ? Number(m[1]) / 2 ** 20 : null;
      } catch {
        return null;
      }
    },
    metrics,
    async stop(graceMs = 15_000) {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
  };
}

async function waitReady(
  url: string,
  headers: Record<string, string>,
  exit: () => string | undefined,
  tail: () => string,
): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    if (exit() !== undefined) throw new Error(`the switch ${exit()}: ${tail().slice(-2000)}`);
    try {
      if ((await fetch(url, { headers, signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the switch is not ready after 60 s: ${tail().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
