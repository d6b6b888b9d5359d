/** The pure parts of the harness: the switch's generated config, the loopback check, where things are. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import {
  FROM_SOURCE,
  MIXES_DIR,
  RESULTS_DIR,
  ROOT,
  nodeArgsFor,
  siblingModule,
  switchMain,
} from '../../bench/load/paths.js';
import {
  FRAMING_OF,
  TERMINAL_KEYS,
  checkLoopbackRedis,
  switchConfig,
  terminalKeysFile,
} from '../../bench/load/switch-config.js';
import { TEST_PIN_KEY, TerminalKeys } from '../../src/crypto/terminal-keys.js';

t.test('the generated config is one the switch accepts, as the bench means it', async (t) => {
  const dir = t.testdir();
  for (const dialect of ['iso93ascii', 'iso87ascii', 'iso93binary'] as const) {
    const file = join(dir, `${dialect}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        switchConfig(
          {
            dialect,
            framing: FRAMING_OF[dialect],
            redisUrl: 'redis://127.0.0.1:6379',
            keyPrefix: 'bench:1:x:',
            maxInFlight: 256,
            maxConnections: 11_000,
            dir,
          },
          { listener: 40001, admin: 40002 },
        ),
      ),
    );
    const c = loadConfig({ file, env: {} });
    t.equal(c.listeners.length, 1);
    t.match(c.listeners[0], {
      host: '127.0.0.1',
      port: 40001,
      dialect,
      framing: FRAMING_OF[dialect],
      connections: { maxConnections: 11_000, maxInFlight: 256 },
    });
    t.equal(c.processes, 1, 'one switch process unless asked');
    t.ok(c.listeners[0]!.connections.idleTimeoutMs >= 3_600_000, 'idle connections are not cut during a run');
    t.match(c.admin, { host: '127.0.0.1', port: 40002 });
    t.match(c.redis, { url: 'redis://127.0.0.1:6379', keyPrefix: 'bench:1:x:' });
    t.equal(c.log.level, 'warn', 'no log line per declined request');
    t.equal(c.register.pendingBlocksFile, join(dir, 'pending-blocks.jsonl'));
    t.equal(c.terminals.keyFile, terminalKeysFile(dir), 'the key file the harness writes');
  }
  // Every bench terminal is another bank's ATM, with the test key: withdrawals are taken, with a fee.
  t.match(TerminalKeys.fromJson(TERMINAL_KEYS).keyFor('B0000001'), {
    format: 0,
    key: TEST_PIN_KEY.key,
    model: 'atm',
    owner: 'bench-atm-bank',
  });
  const several = join(dir, 'processes.json');
  writeFileSync(
    several,
    JSON.stringify(
      switchConfig(
        {
          dialect: 'iso93ascii',
          framing: FRAMING_OF.iso93ascii,
          redisUrl: 'redis://127.0.0.1:6379',
          keyPrefix: 'b:',
          maxInFlight: 256,
          maxConnections: 100,
          processes: 2,
          dir,
        },
        { listener: 40001, admin: 40002 },
      ),
    ),
  );
  t.equal(loadConfig({ file: several, env: {} }).processes, 2, '--processes 2: a supervisor and two workers');
  t.equal(FRAMING_OF.iso87ascii.header, 'ascii4');
  t.equal(FRAMING_OF.iso93binary.header, 'binary2');
  const file = join(dir, 'info.json');
  writeFileSync(
    file,
    JSON.stringify(
      switchConfig(
        {
          dialect: 'iso93ascii',
          framing: FRAMING_OF.iso93ascii,
          redisUrl: 'redis://127.0.0.1:6379',
          keyPrefix: 'b:',
          maxInFlight: 1,
          maxConnections: 1,
          dir,
          logLevel: 'info',
        },
        { listener: 0, admin: 0 },
      ),
    ),
  );
  t.equal(loadConfig({ file, env: {} }).log.level, 'info');
});

t.test('only a Redis on this machine', async (t) => {
  for (const ok of ['redis://127.0.0.1:6379', 'redis://localhost:6380/2', 'redis://[::1]:6379'])
    t.doesNotThrow(() => checkLoopbackRedis(ok), ok);
  for (const bad of [
    'redis://10.0.0.5:6379',
    'rediss://127.0.0.1:6379',
    'http://127.0.0.1:6379',
    'not a url',
    'redis://example.com',
  ])
    t.throws(() => checkLoopbackRedis(bad), /on this machine/, bad);
});

t.test('paths: the repository, and modules of the running tree', async (t) => {
  t.ok(existsSync(join(ROOT, 'package.json')));
  t.ok(existsSync(join(MIXES_DIR, 'default.json')));
  t.equal(RESULTS_DIR, join(ROOT, 'bench', 'results'));
  t.equal(FROM_SOURCE, true, 'tests run the sources');
  t.equal(siblingModule('worker'), join(ROOT, 'bench', 'load', 'worker.ts'));
  t.ok(existsSync(siblingModule('echo-server')));
  t.equal(siblingModule('worker', false), join(ROOT, 'dist', 'bench', 'load', 'worker.js'));
  t.same(nodeArgsFor('/x.ts'), ['--import', 'tsx', '/x.ts']);
  t.same(nodeArgsFor('/x.js', false), ['/x.js']);
  t.equal(switchMain(), join(ROOT, 'src', 'main.ts'));
  t.ok(existsSync(switchMain()));
  t.equal(switchMain(false), join(ROOT, 'dist', 'src', 'main.js'));
});
