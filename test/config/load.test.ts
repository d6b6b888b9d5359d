import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { DEFAULT_CONFIG, DEFAULT_CONNECTION_LIMITS } from '../../src/config/defaults.js';
import { ConfigError, type DeepPartial, loadConfig } from '../../src/config/load.js';
import type { SwitchConfig } from '../../src/config/types.js';

const EXAMPLE = fileURLToPath(new URL('../../config/switch.example.json', import.meta.url));

/** A config file holding `content` (a JSON value, or raw text when a string) in the test's own directory. */
function configFile(t: Test, content: unknown): string {
  const dir = t.testdir();
  const path = join(dir, 'switch.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError thrown by `fn`; fails the test when there is none. */
function configError(t: Test, fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    t.type(err, ConfigError);
    t.match((err as Error).message, /^config: /);
    return err as ConfigError;
  }
  t.fail('no ConfigError thrown');
  return new ConfigError([]);
}

const fileConfig = (
  t: Test,
  content: DeepPartial<SwitchConfig> | Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
) => loadConfig({ file: configFile(t, content), env });

t.test('nothing given: the defaults, as a copy that cannot change them', async (t) => {
  const config = loadConfig({ env: {} });
  t.same(config, DEFAULT_CONFIG);
  config.listeners[0]!.connections.maxInFlight = 1;
  config.admin.port = 1;
  t.equal(DEFAULT_CONFIG.listeners[0]!.connections.maxInFlight, 64);
  t.equal(DEFAULT_CONNECTION_LIMITS.maxInFlight, 64);
  t.equal(DEFAULT_CONFIG.admin.port, 8080);
  t.same(loadConfig({ env: {} }), DEFAULT_CONFIG, 'the next load still gets the defaults');
});

t.test('a file is merged onto the defaults; its listeners get the default listener keys they lack', async (t) => {
  const config = fileConfig(t, {
    listeners: [
      { name: 'a', port: 9000, framing: { header: 'ascii4' } },
      { name: 'b', port: 9001, host: '127.0.0.1', dialect: 'iso93binary', connections: { maxInFlight: 8 } },
    ],
    admin: { port: 9090 },
    redis: { keyPrefix: 'x:' },
    trace: { perTerminal: 5 },
  });
  t.same(config.listeners, [
    {
      name: 'a',
      host: '0.0.0.0',
      port: 9000,
      dialect: 'iso93ascii',
      framing: { header: 'ascii4', tpdu: false, maxFrameSize: 8192 },
      connections: DEFAULT_CONNECTION_LIMITS,
      mac: 'off',
      pinBlock: 'fixed8',
    },
    {
      name: 'b',
      host: '127.0.0.1',
      port: 9001,
      dialect: 'iso93binary',
      framing: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
      connections: { ...DEFAULT_CONNECTION_LIMITS, maxInFlight: 8 },
      mac: 'off',
      pinBlock: 'fixed8',
    },
  ]);
  t.same(config.admin, { host: '0.0.0.0', port: 9090, tokens: {} });
  t.same(config.redis, { keyPrefix: 'x:', commandTimeoutMs: 1000 });
  t.equal(config.redis.url, undefined);
  t.same(config.trace, { perTerminal: 5 });
  t.equal(config.shutdownTimeoutMs, DEFAULT_CONFIG.shutdownTimeoutMs);
  t.same(config.log, { level: 'info' });
});

t.test('the example file loads: two listeners, iso93 binary2 and iso87 ascii4, and it shows every key', async (t) => {
  const config = loadConfig({ file: EXAMPLE, env: {} });
  t.equal(config.listeners.length, 2);
  t.match(config.listeners[0], { name: 'iso93', port: 8583, dialect: 'iso93ascii', framing: { header: 'binary2' } });
  t.match(config.listeners[1], { name: 'iso87', port: 8587, dialect: 'iso87ascii', framing: { header: 'ascii4' } });
  t.equal(config.admin.port, 8080);
  // Every key of the loaded config is written out in the example, so the example documents them all.
  const keys = (v: unknown, at = ''): string[] =>
    typeof v === 'object' && v !== null
      ? Object.entries(v).flatMap(([k, x]) => [
          `${at}/${Array.isArray(v) ? '*' : k}`,
          ...keys(x, `${at}/${Array.isArray(v) ? '*' : k}`),
        ])
      : [];
  const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as unknown;
  t.same([...new Set(keys(raw))].sort(), [...new Set(keys(config))].sort());
});

t.test('environment variables', async (t) => {
  const two = {
    listeners: [
      { name: 'a', port: 9000 },
      { name: 'b', port: 9001 },
    ],
    admin: { port: 9090 },
    log: { level: 'warn' },
  };
  const config = fileConfig(t, two, {
    REDIS_URL: 'redis://10.0.0.1:6380/2',
    SWITCH_PORT: '7000',
    ADMIN_PORT: '7001',
    LOG_LEVEL: 'debug',
    SWITCH_MONITORING: 'off',
  });
  t.equal(config.redis.url, 'redis://10.0.0.1:6380/2', 'REDIS_URL');
  t.equal(config.listeners[0]!.port, 7000, 'SWITCH_PORT sets the first listener');
  t.equal(config.listeners[1]!.port, 9001, '...and only the first');
  t.equal(config.admin.port, 7001, 'ADMIN_PORT');
  t.equal(config.log.level, 'debug', 'LOG_LEVEL');
  t.equal(config.monitoring.enabled, false, 'SWITCH_MONITORING');
  t.equal(loadConfig({ env: { SWITCH_MONITORING: 'on' } }).monitoring.enabled, true);

  const file = configFile(t, { admin: { port: 9999 } });
  t.equal(loadConfig({ env: { SWITCH_CONFIG: file } }).admin.port, 9999, 'SWITCH_CONFIG names the file');
  const other = configFile(t, { admin: { port: 9998 } });
  t.equal(
    loadConfig({ file: other, env: { SWITCH_CONFIG: file } }).admin.port,
    9998,
    'an explicit file beats SWITCH_CONFIG',
  );
  t.match(
    configError(t, () => loadConfig({ env: { SWITCH_CONFIG: '/nonexistent/switch.json' } })).message,
    '/nonexistent/switch.json',
  );

  t.same(
    loadConfig({ env: { REDIS_URL: '', SWITCH_PORT: '', ADMIN_PORT: '', LOG_LEVEL: '', SWITCH_CONFIG: '' } }),
    DEFAULT_CONFIG,
    'empty variables count as unset',
  );
  t.equal(loadConfig({ env: { SWITCH_PORT: '0' } }).listeners[0]!.port, 0);
  t.equal(loadConfig({ env: { ADMIN_PORT: '65535' } }).admin.port, 65535);
});

t.test('process.env is read when no env is given', async (t) => {
  const saved = process.env.ADMIN_PORT;
  process.env.ADMIN_PORT = '8181';
  t.teardown(() => {
    if (saved === undefined) delete process.env.ADMIN_PORT;
    else process.env.ADMIN_PORT = saved;
  });
  t.equal(loadConfig({}).admin.port, 8181);
});

t.test('bad environment values are all reported, each naming its variable', async (t) => {
  const err = configError(t, () =>
    loadConfig({
      env: {
        SWITCH_PORT: 'abc',
        ADMIN_PORT: '70000',
        LOG_LEVEL: 'loud',
        REDIS_URL: 'http://user:s3cret@host:1',
        SWITCH_MONITORING: 'yes',
      },
    }),
  );
  t.same(err.problems, [
    'REDIS_URL is not a redis:// or rediss:// URL',
    'SWITCH_PORT="abc" is not a port (an integer 0..65535)',
    'ADMIN_PORT="70000" is not a port (an integer 0..65535)',
    'SWITCH_MONITORING="yes" is not on or off',
    'LOG_LEVEL="loud" is not one of fatal, error, warn, info, debug, trace, silent',
  ]);
  t.notMatch(err.message, 's3cret', 'a URL that may hold a password is not echoed');
  for (const bad of ['-1', '1.5', ' 80', '0x50', '123456']) {
    t.match(configError(t, () => loadConfig({ env: { SWITCH_PORT: bad } })).message, /^config: SWITCH_PORT=/, bad);
  }
});

t.test('schema errors are listed together, each with its JSON path', async (t) => {
  const err = configError(t, () => fileConfig(t, { listeners: [{ name: 'a', port: 65536 }], admin: { prot: 8080 } }));
  t.equal(err.message, 'config: /listeners/0/port must be <= 65535; /admin/prot is not allowed');

  const many = configError(t, () =>
    fileConfig(t, {
      listeners: [
        { name: 'a', port: -1, dialect: 'iso99', framing: { header: 'ascii5', maxFrameSize: 0, tpdu: 'yes' } },
        { port: '8583', connections: { maxConnections: 0, idleTimeoutMs: 2 ** 31 } },
      ],
      redis: { url: 'http://localhost', commandTimeoutMs: 1.5 },
      shutdownTimeoutMs: 0,
      trace: { perTerminal: 0 },
      log: { level: 'loud' },
    }),
  );
  t.same([...many.problems].sort(), [
    '/listeners/0/dialect must be one of iso93ascii, iso87ascii, iso93binary',
    '/listeners/0/framing/header must be one of binary2, ascii4, bcd2',
    '/listeners/0/framing/maxFrameSize must be >= 1',
    '/listeners/0/framing/tpdu must be boolean',
    '/listeners/0/port must be >= 0',
    '/listeners/1/connections/idleTimeoutMs must be <= 2147483647',
    '/listeners/1/connections/maxConnections must be >= 1',
    '/listeners/1/name is required',
    '/listeners/1/port must be integer',
    '/log/level must be one of fatal, error, warn, info, debug, trace, silent',
    '/redis/commandTimeoutMs must be integer',
    '/redis/url must match pattern "^rediss?://"',
    '/shutdownTimeoutMs must be >= 1',
    '/trace/perTerminal must be >= 1',
  ]);
  t.equal(many.message, `config: ${many.problems.join('; ')}`);

  t.same(configError(t, () => fileConfig(t, { listeners: [] })).problems, [
    '/listeners must NOT have fewer than 1 items',
  ]);
  t.same(
    configError(t, () => fileConfig(t, { listeners: [{ name: 'a', port: 1, framing: { maxFrameSize: 65536 } }] }))
      .problems,
    ['/listeners/0/framing/maxFrameSize must be <= 65535'],
  );
  t.same(configError(t, () => fileConfig(t, [1, 2] as unknown as Record<string, unknown>)).problems, [
    '/ must be object',
  ]);
});

t.test('unknown keys are reported wherever they are', async (t) => {
  const err = configError(t, () =>
    fileConfig(t, {
      listner: [],
      listeners: [{ name: 'a', port: 1, framing: { tpd: true }, connections: { maxInflight: 1 }, 'odd/key~': 1 }],
      redis: { keyprefix: 'x' },
      trace: { per: 1 },
      log: { lvl: 'info' },
    }),
  );
  t.same([...err.problems].sort(), [
    '/listeners/0/connections/maxInflight is not allowed',
    '/listeners/0/framing/tpd is not allowed',
    '/listeners/0/odd~1key~0 is not allowed',
    '/listner is not allowed',
    '/log/lvl is not allowed',
    '/redis/keyprefix is not allowed',
    '/trace/per is not allowed',
  ]);
});

t.test('a file that is not JSON names the file and the problem', async (t) => {
  const path = configFile(t, '{ "admin": { "port": 1, } }');
  const err = configError(t, () => loadConfig({ file: path, env: {} }));
  t.match(err.message, `config: ${path} is not valid JSON: `);
  t.match(configError(t, () => loadConfig({ file: configFile(t, ''), env: {} })).message, 'is not valid JSON');
});

t.test('a missing file names the file', async (t) => {
  const path = join(t.testdir(), 'nope.json');
  t.equal(
    configError(t, () => loadConfig({ file: path, env: {} })).message,
    `config: cannot read ${path}: no such file`,
  );
  const dir = t.testdir();
  t.match(
    configError(t, () => loadConfig({ file: dir, env: {} })).message,
    `config: cannot read ${dir}: `,
    'a directory is not a file either',
  );
});

t.test('listener names and non-zero ports must be unique', async (t) => {
  const err = configError(t, () =>
    fileConfig(t, {
      listeners: [
        { name: 'a', port: 9000 },
        { name: 'a', port: 9000 },
        { name: 'b', port: 8080 },
      ],
    }),
  );
  t.same(err.problems, [
    '/listeners/1/name "a" is also the name of /listeners/0',
    '/listeners/1/port 9000 is also used by /listeners/0/port',
    '/admin/port 8080 is also used by /listeners/2/port',
  ]);
  const zeros = fileConfig(t, {
    listeners: [
      { name: 'a', port: 0 },
      { name: 'b', port: 0 },
    ],
    admin: { port: 0 },
  });
  t.same(
    zeros.listeners.map((l) => l.port),
    [0, 0],
    'port 0 (pick a free one) may repeat',
  );
  t.same(
    configError(t, () => loadConfig({ env: { ADMIN_PORT: '8583' } })).problems,
    ['/admin/port 8583 is also used by /listeners/0/port'],
    'also when set by the environment',
  );
});

t.test('maxFrameSize must fit the length header', async (t) => {
  const listener = (header: string, maxFrameSize: number) => ({
    listeners: [{ name: 'a', port: 1, framing: { header, maxFrameSize } }],
  });
  t.same(configError(t, () => fileConfig(t, listener('ascii4', 10000))).problems, [
    '/listeners/0/framing/maxFrameSize 10000 is more than a ascii4 header can announce (9999)',
  ]);
  t.match(configError(t, () => fileConfig(t, listener('bcd2', 10000))).message, 'bcd2 header can announce (9999)');
  t.equal(fileConfig(t, listener('ascii4', 9999)).listeners[0]!.framing.maxFrameSize, 9999);
  t.equal(fileConfig(t, listener('bcd2', 9999)).listeners[0]!.framing.maxFrameSize, 9999);
  t.equal(fileConfig(t, listener('binary2', 65535)).listeners[0]!.framing.maxFrameSize, 65535);
  t.match(
    configError(t, () =>
      loadConfig({ env: {}, overrides: { listeners: [{ framing: { header: 'ascii4', maxFrameSize: 20000 } }] } }),
    ).message,
    'ascii4',
  );
});

t.test('overrides are deep-merged last and checked too', async (t) => {
  const file = configFile(t, {
    listeners: [
      { name: 'a', port: 9000 },
      { name: 'b', port: 9001, dialect: 'iso87ascii' },
    ],
    log: { level: 'warn' },
  });
  const config = loadConfig({
    file,
    env: { LOG_LEVEL: 'debug', ADMIN_PORT: '7000' },
    overrides: {
      listeners: [{ port: 0 }, { port: 0, framing: { tpdu: true } }],
      admin: { port: 0 },
      log: { level: 'silent' },
      redis: { url: undefined },
    },
  });
  t.same(
    config.listeners.map((l) => [l.name, l.port, l.dialect, l.framing.tpdu]),
    [
      ['a', 0, 'iso93ascii', false],
      ['b', 0, 'iso87ascii', true],
    ],
    'each override listener merges onto the listener at its index',
  );
  t.equal(config.admin.port, 0, 'beats the environment');
  t.equal(config.log.level, 'silent');
  t.equal(
    loadConfig({ file, env: {}, overrides: { listeners: [{ port: 0 }] } }).listeners.length,
    1,
    'the override list decides the count',
  );
  const added = loadConfig({ env: {}, overrides: { listeners: [{}, { name: 'extra', port: 0 }] } }).listeners[1]!;
  t.same(
    added,
    { ...DEFAULT_CONFIG.listeners[0], name: 'extra', port: 0 },
    'a listener beyond the current ones starts from the default listener',
  );
  t.match(
    configError(t, () => loadConfig({ env: {}, overrides: { admin: { port: 8583 } } })).message,
    '/admin/port 8583 is also used',
  );
});
