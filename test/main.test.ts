/** The entry point as `npm start` runs it: a child process, real ports, real signals. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TestTerminal } from './support/terminal.js';
import { testRedisUrl } from './support/redis.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * The child runs without tap's coverage hooks: it loads the sources through tsx, whose mappings
 * would be merged with the in-process coverage of the same files and count them twice.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key === 'NODE_OPTIONS' || key === 'NODE_V8_COVERAGE' || key.startsWith('TAP') || key.startsWith('_TAPJS')) delete env[key];
  return env;
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...cleanEnv(), SWITCH_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return { child, exited, out: () => out, err: () => err };
}

async function waitFor<T>(probe: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('starts, serves, and on SIGTERM answers what it read and exits 0', async (t) => {
  const redisUrl = await testRedisUrl();
  const p = start({ SWITCH_PORT: '0', ADMIN_PORT: '0', REDIS_URL: redisUrl, LOG_LEVEL: 'info' });
  t.teardown(() => p.child.kill('SIGKILL'));
  const lines = () => p.out().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const listening = await waitFor(() => lines().find((l) => l.msg === 'listening'));
  const admin = await waitFor(() => lines().find((l) => l.msg === 'admin listening'));
  const x = await TestTerminal.open(listening.port as number);
  t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' });
  t.equal((await fetch(`http://127.0.0.1:${admin.port as number}/readyz`)).status, 200);
  p.child.kill('SIGTERM');
  const [code] = await p.exited;
  t.equal(code, 0, 'exit 0');
  t.ok(lines().some((l) => l.msg === 'stopped'));
  x.close();
});

t.test('a bad configuration exits 2 with a message that says what is wrong', async (t) => {
  const p = start({ SWITCH_PORT: 'abc' });
  const [code] = await p.exited;
  t.equal(code, 2);
  t.match(p.err(), /^config: .*SWITCH_PORT/m);
});

t.test('an unreachable REDIS_URL exits 1 naming it', async (t) => {
  const p = start({ SWITCH_PORT: '0', ADMIN_PORT: '0', REDIS_URL: 'redis://127.0.0.1:1/0' });
  const [code] = await p.exited;
  t.equal(code, 1);
  t.match(p.err(), /127\.0\.0\.1:1/);
});
