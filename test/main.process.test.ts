/** The entry point as `npm start` runs it: a child process, real ports, real signals. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { TestTerminal } from './support/terminal.js';
import { testRedisUrl } from './support/redis.js';
import { startSwitchProcess } from './support/process.js';
import { OPERATOR_HEADERS, OPERATOR_TOKEN } from './support/switch.js';

t.test('starts, serves, and on SIGTERM answers what it read and exits 0', async (t) => {
  // Readiness is for operators: the config file gives the process an operator token.
  const config = join(t.testdir(), 'switch.json');
  writeFileSync(config, JSON.stringify({ admin: { tokens: { [OPERATOR_TOKEN]: { role: 'operator' } } } }));
  const p = startSwitchProcess({
    SWITCH_CONFIG: config,
    SWITCH_PORT: '0',
    ADMIN_PORT: '0',
    REDIS_URL: await testRedisUrl(),
    LOG_LEVEL: 'info',
  });
  t.teardown(() => p.child.kill('SIGKILL'));
  const listening = await p.waitForLog((l) => l.msg === 'listening');
  const admin = await p.waitForLog((l) => l.msg === 'admin listening');
  const x = await TestTerminal.open(listening.port as number);
  t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' });
  const readyz = `http://127.0.0.1:${admin.port as number}/readyz`;
  t.equal((await fetch(readyz, { headers: OPERATOR_HEADERS })).status, 200);
  t.equal((await fetch(readyz)).status, 401, 'not without the token');
  p.child.kill('SIGTERM');
  const [code] = await p.exited;
  t.equal(code, 0, 'exit 0');
  t.ok(p.logs().some((l) => l.msg === 'stopped'));
  x.close();
});

t.test('a bad configuration exits 2 with a message that says what is wrong', async (t) => {
  const p = startSwitchProcess({ SWITCH_PORT: 'abc' });
  const [code] = await p.exited;
  t.equal(code, 2);
  t.match(p.stderr(), /^config: .*SWITCH_PORT/m);
});

t.test('an unreachable REDIS_URL exits 1 naming it', async (t) => {
  const p = startSwitchProcess({ SWITCH_PORT: '0', ADMIN_PORT: '0', REDIS_URL: 'redis://127.0.0.1:1/0' });
  const [code] = await p.exited;
  t.equal(code, 1);
  t.match(p.stderr(), /127\.0\.0\.1:1/);
});
