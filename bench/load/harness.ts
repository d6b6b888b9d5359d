/**
 * The processes a run measures, each a child with its own core: the switch (its entry point with
 * a generated config file via SWITCH_CONFIG) and the baselines' servers (echo, floor). Loopback only.
 *
 * The switch logs at 'warn', so that logging a line per declined request does not distort the
 * measurement; its 'listening' lines are 'info' and so not written. The harness therefore picks
 * the free ports itself (bind port 0, read it, close) and waits for /readyz on the admin port,
 * which answers 200 once the listener listens and Redis is ready. Should another process take a
 * port in between, the switch exits on EADDRINUSE and the harness tries again with new ports.
 * /readyz and /metrics need an operator token: each run makes one up and puts it in the config.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { ShippedDialect } from '../../src/codec/index.js';
import type { LengthHeader } from '../../src/transport/framing.js';
import { nodeArgsFor, siblingModule, switchMain } from './paths.js';
import {
  HOST,
  type SwitchSettings,
  TERMINAL_KEYS,
  monitoringRulesFile,
  switchConfig,
  terminalKeysFile,
} from './switch-config.js';
import { writeBenchRules } from './bench-rules.js';

export { FRAMING_OF, HOST, type SwitchSettings, checkLoopbackRedis, switchConfig } from './switch-config.js';

/** A free loopback port, as the OS hands them out. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface Child {
  readonly pid: number;
  /** The port terminals connect to. */
  readonly port: number;
  readonly adminPort: number | undefined;
  /** The operator token the switch's admin API takes (readiness, metrics); the echo server has none. */
  readonly adminToken: string | undefined;
  /** Warning and error log lines of the child, by message. */
  warnings(): Record<string, number>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** The environment of a child: ours without what would change its config or load a debugger/coverage. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      ['NODE_OPTIONS', 'NODE_V8_COVERAGE', 'SWITCH_PORT', 'ADMIN_PORT', 'LOG_LEVEL', 'REDIS_URL'].includes(key) ||
      key.startsWith('TAP') ||
      key.startsWith('_TAPJS')
    )
      delete env[key];
  }
  return { ...env, ...extra };
}

/** Kills children left behind if the bench itself dies (uncaught error, Ctrl-C): never orphan a switch. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function track(
  command: string[],
  env: Record<string, string>,
): { child: ChildProcess; out: () => string; warnings: Record<string, number>; exited: Promise<unknown> } {
  const [file, ...args] = command;
  const child = spawn(file!, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit').finally(() => running.delete(child));
  let tail = '';
  let partial = '';
  const warnings: Record<string, number> = {};
  const keep = (text: string): void => {
    tail = (tail + text).slice(-8192);
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    keep(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const l = JSON.parse(line) as { level?: number; msg?: string };
        if ((l.level ?? 0) >= 40) warnings[l.msg ?? '?'] = (warnings[l.msg ?? '?'] ?? 0) + 1;
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString()));
  return { child, out: () => tail + partial, warnings, exited };
}

function stopper(child: ChildProcess, exited: Promise<unknown>) {
  return async (graceMs = 15_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  };
}

async function waitUntil(
  probe: () => Promise<boolean>,
  child: ChildProcess,
  ms: number,
  what: string,
  out: () => string,
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}): ${out().slice(-2000)}`);
    if (await probe()) return;
    if (Date.now() > until) throw new Error(`${what} not ready after ${ms} ms: ${out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ready(adminPort: number, token: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${HOST}:${adminPort}/readyz`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(1000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts the switch: `command` (default: this tree's entry point with this Node, through tsx
 * when running from source) with a generated config file. Up to 3 tries when a port was taken.
 */
export async function startSwitch(s: SwitchSettings, command?: string[], profileDir?: string): Promise<Child> {
  const argv = command ?? [process.execPath, ...profiling(profileDir), ...nodeArgsFor(switchMain())];
  // Fresh for each run, so that no token of a run works on another; the loopback-only API needs no more.
  const adminToken = `bench-operator-${randomBytes(16).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    const ports = { listener: await freePort(), admin: await freePort() };
    const file = join(s.dir, 'switch.json');
    writeFileSync(file, JSON.stringify(withOperatorToken(switchConfig(s, ports), adminToken), null, 2));
    writeFileSync(terminalKeysFile(s.dir), JSON.stringify(TERMINAL_KEYS));
    if (s.monitoring !== false) writeBenchRules(monitoringRulesFile(s.dir));
    const t = track(argv, { SWITCH_CONFIG: file });
    try {
      await waitUntil(() => ready(ports.admin, adminToken), t.child, 60_000, 'switch', t.out);
    } catch (e) {
      await stopper(t.child, t.exited)(1000);
      if (attempt < 3 && /EADDRINUSE/.test(t.out())) continue;
      throw e;
    }
    return {
      pid: t.child.pid!,
      port: ports.listener,
      adminPort: ports.admin,
      adminToken,
      warnings: () => ({ ...t.warnings }),
      output: t.out,
      stop: stopper(t.child, t.exited),
    };
  }
}

/** The config with one admin token, an operator's: the harness reads readiness and metrics with it. */
function withOperatorToken(config: object, token: string): object {
  const c = config as { admin?: Record<string, unknown> };
  return { ...c, admin: { ...c.admin, tokens: { [token]: { role: 'operator' } } } };
}

/** Starts a baseline server (a module next to this one) that prints its port as {"port":N}. */
async function startBaseline(what: string, argv: string[]): Promise<Child> {
  const t = track(argv, {});
  let port = 0;
  await waitUntil(
    async () => {
      const m = /"port":(\d+)/.exec(t.out());
      if (m) port = Number(m[1]);
      return port > 0;
    },
    t.child,
    30_000,
    what,
    t.out,
  );
  return {
    pid: t.child.pid!,
    port,
    adminPort: undefined,
    adminToken: undefined,
    warnings: () => ({ ...t.warnings }),
    output: t.out,
    stop: stopper(t.child, t.exited),
  };
}

/** Node's arguments that write a CPU profile into `dir` when the process exits (none without a dir). */
export function profiling(dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', dir];
}

/** Starts the echo server (bench/load/echo-server) with a length header; it reports its own port. */
export function startEcho(header: LengthHeader, command?: string[], profileDir?: string): Promise<Child> {
  const argv = command ?? [
    process.execPath,
    ...profiling(profileDir),
    ...nodeArgsFor(siblingModule('echo-server')),
    '--header',
    header,
    '--host',
    HOST,
  ];
  return startBaseline('echo server', argv);
}

export interface FloorSettings {
  header: LengthHeader;
  dialect: ShippedDialect;
  redisUrl: string;
  /** The run's key prefix, under which its cards are seeded. */
  keyPrefix: string;
  /** Where its CPU profile goes (none: not profiled). */
  profileDir?: string;
}

/**
 * Starts the floor server (bench/load/floor-server) on the run's cards; it reports its own port
 * once its Redis client is ready, and removes what it wrote when stopped.
 */
export function startFloor(s: FloorSettings): Promise<Child> {
  return startBaseline('floor server', [
    process.execPath,
    ...profiling(s.profileDir),
    ...nodeArgsFor(siblingModule('floor-server')),
    '--header',
    s.header,
    '--dialect',
    s.dialect,
    '--redis',
    s.redisUrl,
    '--prefix',
    s.keyPrefix,
    '--host',
    HOST,
  ]);
}

/** Deletes every key under the prefix: SCAN (never KEYS, which blocks Redis) and UNLINK. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
