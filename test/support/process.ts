/**
 * A switch as its own process (`node --import tsx src/main.ts`), for tests that need a second
 * process or the real entry point. Such test files are named *.process.test.ts: tap's coverage
 * map (test/coverage-map.mjs) takes no coverage from them, because the child loads the sources
 * through tsx, whose mappings would count every file twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { lineCapture } from './log-capture.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface SwitchProcess {
  child: ChildProcess;
  exited: Promise<[number | null]>;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line the probe accepts. */
  waitForLog(probe: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

/** This process's environment without tap's and coverage's variables, for a child that is not a tap test of this run. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key === 'NODE_OPTIONS' || key === 'NODE_V8_COVERAGE' || key.startsWith('TAP') || key.startsWith('_TAPJS'))
      delete env[key];
  return env;
}

/** How a command-line tool's run ended. */
export interface ToolRun {
  code: number | null;
  out: string;
  err: string;
  pid: number;
}

/** Runs a TypeScript entry point (`npm run bench`'s, `npm run fuzz`'s...) under tsx to its end; killed if the test ends first. */
export async function runTool(t: { teardown(fn: () => void): void }, main: string, args: string[]): Promise<ToolRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err, pid: child.pid! };
}

/**
 * `args`: command-line arguments of the switch (e.g. `--processes 2`). Its stdout (the log) and
 * stderr are copied for test/run/after.ts's PAN scan; `copyStderr: false` leaves out the stderr
 * of a sandbox, whose banner shows a published test card's number as a command to try.
 */
export function startSwitchProcess(
  env: Record<string, string>,
  args: string[] = [],
  options: { copyStderr?: boolean } = {},
): SwitchProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...cleanEnv(), SWITCH_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const copyOut = lineCapture();
  const copyErr = lineCapture();
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    copyOut(c);
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (options.copyStderr !== false) copyErr(c);
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const logs = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    logs,
    async waitForLog(probe, ms = 30_000) {
      const until = Date.now() + ms;
      for (;;) {
        const line = logs().find(probe);
        if (line !== undefined) return line;
        if (Date.now() > until || child.exitCode !== null)
          throw new Error(`no such log line; stderr: ${err.slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
