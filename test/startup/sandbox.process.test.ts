/**
 * A fresh clone's first start: `npm start` with no configuration runs the sandbox (its default
 * ports 8583, 8587, 8543 (TLS) and 8080, loopback only), and `npm run scenario -- scenarios/` passes against
 * it with no option at all. The only test that binds the default ports. A Redis of its own: the
 * sandbox's key prefix is fixed, and a developer's sandbox on 127.0.0.1:6379 must not be touched.
 */
import { readdirSync } from 'node:fs';
import t from 'tap';
import { main as scenarioMain } from '../../terminals/scenario/cli.js';
import { main as terminalMain } from '../../terminals/cli.js';
import { startSwitchProcess } from '../support/process.js';
import { startPrivateRedis } from '../../src/startup/private-redis.js';

const ENV = { SWITCH_PORT: '', ADMIN_PORT: '', LOG_LEVEL: 'info' };

t.test('npm start with no configuration: the sandbox, and the shipped scenarios pass with no option', async (t) => {
  const redis = await startPrivateRedis();
  t.teardown(() => redis.stop());
  const p = startSwitchProcess({ ...ENV, REDIS_URL: redis.url }, [], { copyStderr: false });
  t.teardown(() => p.child.kill('SIGKILL'));
  const listening = await p.waitForLog((l) => l.msg === 'admin listening');
  t.match(listening, { host: '127.0.0.1', port: 8080 }, 'the admin API on loopback');
  t.same(
    p
      .logs()
      .filter((l) => l.msg === 'listening')
      .map((l) => [l.host, l.port, l.dialect]),
    [
      ['127.0.0.1', 8583, 'iso93ascii'],
      ['127.0.0.1', 8587, 'iso87ascii'],
      ['127.0.0.1', 8543, 'iso93ascii'],
    ],
    'the three listeners on loopback',
  );
  t.ok(
    p.logs().some((l) => l.msg === 'listening' && l.port === 8543 && l.tls === 'optional'),
    'TLS on 8543, client certificates optional',
  );
  t.ok(
    p
      .logs()
      .some(
        (l) => /^sandbox TLS certificates (made|reused)$/.test(String(l.msg)) && l.directory === 'data/sandbox/tls',
      ),
    "the sandbox's certificates, made or reused",
  );
  await until(() => p.stderr().includes('Try next'));
  const banner = p.stderr();
  for (const token of ['test-token-bank-a', 'test-token-block-service', 'test-token-vendor', 'test-token-operator'])
    t.match(banner, token, `the banner names ${token}`);
  t.match(banner, /key prefix "sandbox:": \d+ test cards seeded/);
  t.match(banner, 'Console: http://127.0.0.1:8080/', "the banner gives the console's address");
  t.match(banner, 'npm run scenario -- scenarios/\n', 'the command to try needs no option here');
  t.match(banner, 'CA certificate (trust it in the terminal):  data/sandbox/tls/ca.crt');

  // The banner's TLS command: an echo as TERM0001 with its client certificate, over TLS.
  let tlsOut = '';
  const tlsCode = await terminalMain(
    [
      'echo',
      '--type',
      'chip',
      '--tls',
      '--cert',
      'data/sandbox/tls/terminal.crt',
      '--cert-key',
      'data/sandbox/tls/terminal.key',
    ],
    { out: (s) => (tlsOut += s), err: (s) => (tlsOut += s) },
  );
  t.equal(tlsCode, 0, 'an echo over TLS with the test terminal certificate is accepted');
  t.match(tlsOut, 'at 127.0.0.1:8543 over TLS');

  let out = '';
  let err = '';
  const code = await scenarioMain(['scenarios/'], { out: (s) => (out += s), err: (s) => (err += s), env: {} });
  const shipped = readdirSync('scenarios').filter((f) => f.endsWith('.json')).length;
  if (code !== 0) t.comment(err + out.slice(-3000));
  t.equal(code, 0, 'the scenario run exits 0');
  t.match(out, new RegExp(`${shipped} scenarios: ${shipped} passed, 0 failed`));

  // Approvals and declines at info, one compact line each, the card masked.
  const answered = p.logs().filter((l) => l.msg === 'approved' || l.msg === 'answered');
  t.ok(
    answered.some((l) => l.msg === 'approved' && /^\d{6}\*+\d{4}$/.test(String(l.card))),
    'an approval',
  );
  t.ok(
    answered.some((l) => l.msg === 'answered' && l.outcome === 'wrongPin'),
    'a decline, with its outcome',
  );
  t.notOk(
    answered.some((l) => /\d{13,}/.test(JSON.stringify(l))),
    'no clear PAN',
  );

  const second = startSwitchProcess({ ...ENV, REDIS_URL: redis.url }, [], { copyStderr: false });
  const [secondCode] = await second.exited;
  t.equal(secondCode, 1, 'a second sandbox cannot start');
  t.match(second.stderr(), /^switch not started: listener iso93: port 8583 is already in use on 127\.0\.0\.1/);
  t.equal(second.stderr().trim().split('\n').length, 1, 'in one line, no stack trace');

  p.child.kill('SIGTERM');
  t.equal((await p.exited)[0], 0);
});

t.test('--help answers without starting anything', async (t) => {
  // An unreachable Redis: a switch that tried to start would exit 1.
  const p = startSwitchProcess({ REDIS_URL: 'redis://127.0.0.1:1/0' }, ['--help']);
  const [code] = await p.exited;
  t.equal(code, 0);
  t.match(p.stdout(), /^Usage: npm start/);
  t.match(p.stdout(), 'sandbox');
});

async function until(probe: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
