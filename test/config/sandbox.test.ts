import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig, loadStartupConfig } from '../../src/config/load.js';
import { SANDBOX_KEY_PREFIX, SANDBOX_TOKENS, isUnconfigured } from '../../src/config/sandbox.js';

t.test('nothing configured: the sandbox, on loopback, with a token per role and its own key prefix', async (t) => {
  const { config, sandbox } = loadStartupConfig({ env: {} });
  t.equal(sandbox, true);
  t.same(
    config.listeners.map((l) => [l.host, l.port, l.dialect, l.framing.header]),
    [
      ['127.0.0.1', 8583, 'iso93ascii', 'binary2'],
      ['127.0.0.1', 8587, 'iso87ascii', 'ascii4'],
      ['127.0.0.1', 8543, 'iso93ascii', 'binary2'],
    ],
  );
  t.same(
    config.listeners.map((l) => l.tls),
    [
      undefined,
      undefined,
      {
        certificate: 'data/sandbox/tls/server.crt',
        key: 'data/sandbox/tls/server.key',
        clientCertificates: 'optional',
        clientCa: 'data/sandbox/tls/ca.crt',
      },
    ],
    "TLS on 8543 with the sandbox's test certificates, client certificates optional",
  );
  t.equal(config.admin.host, '127.0.0.1');
  t.same(config.admin.tokens, SANDBOX_TOKENS);
  t.same(
    new Set(Object.values(config.admin.tokens).map((w) => w.role)),
    new Set(['issuer', 'blockService', 'vendor', 'operator', 'offlineTerminals']),
    'every role',
  );
  t.equal(config.redis.keyPrefix, SANDBOX_KEY_PREFIX);
  t.match(
    config.issuers,
    { 'bank-a': { blockService: true }, 'bank-b': { blockService: true } },
    'the block service serves the test issuers',
  );
  t.match(config.terminals.keyFile, /config[/\\]terminal-keys\.example\.json$/, 'the example terminal keys');
  t.equal(config.monitoring.enabled, false, 'the fraud monitoring off: the test cards are used again and again');
  t.equal(loadStartupConfig({ env: { SWITCH_CONFIG: '' } }).sandbox, true, 'an empty SWITCH_CONFIG is unset');
});

t.test('the environment still wins over the sandbox', async (t) => {
  const { config } = loadStartupConfig({ env: { SWITCH_PORT: '9583', ADMIN_PORT: '9080' } });
  t.equal(config.listeners[0]!.port, 9583);
  t.equal(config.admin.port, 9080);
  t.equal(config.listeners[0]!.host, '127.0.0.1');
  t.equal(
    loadStartupConfig({ env: { SWITCH_MONITORING: 'on' } }).config.monitoring.enabled,
    true,
    'SWITCH_MONITORING=on',
  );
});

t.test('any configuration file turns the sandbox off: no test token reaches a configured switch', async (t) => {
  const file = join(t.testdir(), 'switch.json');
  writeFileSync(file, JSON.stringify({ log: { level: 'warn' } }));
  for (const options of [{ env: { SWITCH_CONFIG: file } }, { file, env: {} }]) {
    const { config, sandbox } = loadStartupConfig(options);
    t.equal(sandbox, false);
    t.same(config.admin.tokens, {}, 'no tokens');
    t.equal(config.listeners[0]!.host, '0.0.0.0');
    t.equal(config.redis.keyPrefix, 'sw:');
  }
  t.equal(isUnconfigured({}, file), false);
  t.same(loadConfig({ env: {} }).admin.tokens, {}, 'loadConfig itself never makes a sandbox unless asked');
});
