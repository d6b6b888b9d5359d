/**
 * The Lua script registry (src/redis/scripts.ts) on a real Redis: KEYS and ARGV in the declared
 * order whatever the order of the objects given, the prelude, includes, a declared tail, replies
 * parsed (or passed on as they are), any client with no preparing, EVALSHA after the first call on
 * each connection (and EVAL again after SCRIPT FLUSH), write coalescing, and the checks made when a script is
 * defined. The test scripts are written to a temporary directory.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { asReply, defineScript, prelude } from '../../src/redis/scripts.js';
import { startPrivateRedis } from '../../src/startup/private-redis.js';
import { coalesceWrites } from '../../src/redis/write-coalescing.js';
import { isCluster } from '../../src/redis/client.js';
import { testClient, testRedis } from '../support/redis.js';
import { countWrites } from '../support/socket-writes.js';

const dir = mkdtempSync(join(tmpdir(), 'switch-scripts-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A .lua file in the test's directory. */
function lua(name: string, text: string): URL {
  const path = join(dir, `${name}.lua`);
  writeFileSync(path, text);
  return pathToFileURL(path);
}

// Names are unique per process: each test script gets one of its own.
let n = 0;
const unique = (base: string): string => `swTest${base}${++n}`;

const echo = defineScript({
  name: unique('Echo'),
  file: lua('echo', 'return {K_first, K_second, A_one, A_two, A_three}\n'),
  keys: ['first', 'second'],
  args: ['one', 'two', 'three'],
  reply: asReply<[string, string, string, string, string]>(),
});

t.test('KEYS and ARGV go in the declared order, whatever the order of the objects', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const [k1, k2] = [`${prefix}{x}:1`, `${prefix}{x}:2`];
  t.same(await echo.run(redis, { second: k2, first: k1 }, { three: 3, one: 'uno', two: '' }), [k1, k2, 'uno', '', '3']);

  // What Redis was sent: EVALSHA sha 2 KEYS... ARGV... (on a cluster, sent by the node's client).
  const sent: unknown[][] = [];
  const spied = isCluster(redis) ? undefined : redis;
  if (spied !== undefined) {
    const send = spied.sendCommand.bind(spied);
    spied.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
      sent.push([command.name, ...command.args]);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as Redis['sendCommand'];
    t.teardown(() => void (spied.sendCommand = send));
    await echo.run(redis, { first: k1, second: k2 }, { one: 1, two: 2, three: 3 });
    t.strictSame(sent, [['evalsha', sha1(echo.lua), '2', k1, k2, '1', '2', '3']], 'all strings, in order');
  }
});

t.test('the prelude binds each name to its position; includes come before the script', async (t) => {
  t.equal(
    prelude(['card', 'outbox'], ['now', 'amount']),
    'local K_card, K_outbox = KEYS[1], KEYS[2]\nlocal A_now, A_amount = ARGV[1], ARGV[2]\n',
  );
  t.equal(prelude([], [], 'all'), 'local R_all = 1\n', 'a tail after no named arguments starts at ARGV[1]');
  t.equal(
    prelude(['k'], ['a', 'b'], 'rest'),
    'local K_k = KEYS[1]\nlocal A_a, A_b = ARGV[1], ARGV[2]\nlocal R_rest = 3\n',
  );

  const shared = lua('shared', 'local function twice(x) return x .. x end\n');
  const own = lua('uses-shared', 'return twice(A_word)\n');
  const withInclude = defineScript({
    name: unique('Include'),
    file: own,
    include: [shared],
    keys: [],
    args: ['word'],
    reply: asReply<string>(),
  });
  t.equal(
    withInclude.lua,
    'local A_word = ARGV[1]\nlocal function twice(x) return x .. x end\n\nreturn twice(A_word)\n',
  );
  t.same(
    withInclude.files.map((u) => u.href),
    [shared.href, own.href],
  );
  const { redis } = await testRedis(t);
  t.equal(await withInclude.run(redis, {}, { word: 'ab' }), 'abab');
});

t.test('a declared tail: the rest of ARGV, from R_<name>', async (t) => {
  const tail = defineScript({
    name: unique('Tail'),
    file: lua(
      'tail',
      'local out = {}\nfor i = R_pairs, #ARGV do out[#out + 1] = ARGV[i] end\nreturn {A_head, R_pairs, out}\n',
    ),
    keys: [],
    args: ['head'],
    rest: 'pairs',
    reply: asReply<[string, number, string[]]>(),
  });
  const { redis } = await testRedis(t);
  t.same(await tail.run(redis, {}, { head: 'h' }, ['a', 1, 'b', 2]), ['h', 2, ['a', '1', 'b', '2']]);
  t.same(await tail.run(redis, {}, { head: 'h' }, []), ['h', 2, []], 'an empty tail');
});

t.test('the reply function parses the reply; asReply passes it on as it is', async (t) => {
  const parsed = defineScript({
    name: unique('Parsed'),
    file: lua('parsed', "return {'ok', A_n + 1}\n"),
    keys: [],
    args: ['n'],
    reply: (raw) => {
      const [status, value] = raw as [string, number];
      return { ok: status === 'ok', value };
    },
  });
  const { redis } = await testRedis(t);
  t.same(await parsed.run(redis, {}, { n: 41 }), { ok: true, value: 42 });
  const raw = defineScript({
    name: unique('Raw'),
    file: lua('raw', 'return {A_n, 7}\n'),
    keys: [],
    args: ['n'],
    reply: asReply<[string, number]>(),
  });
  t.same(await raw.run(redis, {}, { n: 'x' }), ['x', 7]);
  await t.rejects(
    parsed.run(redis, {}, { n: 'not a number' }),
    /attempt to perform arithmetic/,
    'a Lua error rejects the call',
  );
});

t.test('a script runs on any client, prepared or not; ARGV as ioredis writes it', async (t) => {
  const { redis } = await testRedis(t);
  await redis.ping(); // the client is in use before the script exists
  const values = defineScript({
    name: unique('Values'),
    file: lua('values', 'return {A_int, A_fraction, A_text, A_absent, type(A_absent)}\n'),
    keys: [],
    args: ['int', 'fraction', 'text', 'absent'],
    reply: asReply<string[]>(),
  });
  const absent = undefined as unknown as string; // a JavaScript caller's mistake: Redis gets ''
  t.same(await values.run(redis, {}, { int: 41, fraction: 1.5, text: 'x y', absent }), [
    '41',
    '1.5',
    'x y',
    '',
    'string',
  ]);
  const other = await testClient();
  t.teardown(() => other.quit());
  t.same(await values.run(other, {}, { int: -7, fraction: 0, text: '', absent: 'a' }), ['-7', '0', '', 'a', 'string']);
});

t.test('a key that is not a string goes as ioredis would send it, and fails nothing else', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const key = defineScript({
    name: unique('Key'),
    file: lua('key', 'return K_k\n'),
    keys: ['k'],
    args: [],
    reply: asReply<string>(),
  });
  const number = 7 as unknown as string; // a JavaScript caller's mistake
  const absent = undefined as unknown as string;
  if (!isCluster(redis)) {
    t.equal(await key.run(redis, { k: number }, {}), '7');
    t.equal(await key.run(redis, { k: absent }, {}), '');
  }
  t.equal(await key.run(redis, { k: `${prefix}k` }, {}), `${prefix}k`, 'the next call as any other');
});

t.test("an error of the script's own is not taken for Redis's NOSCRIPT: the script runs once", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const failing = defineScript({
    name: unique('Failing'),
    file: lua('failing', "redis.call('INCR', K_counter)\nreturn redis.error_reply('NOSCRIPT ' .. A_text)\n"),
    keys: ['counter'],
    args: ['text'],
    reply: asReply<never>(),
  });
  const counter = `${prefix}failing`;
  // The first call on the connection goes as EVAL, the second as EVALSHA: neither is sent again.
  await t.rejects(failing.run(redis, { counter }, { text: 'of the script' }), /^NOSCRIPT of the script/);
  await t.rejects(failing.run(redis, { counter }, { text: 'again' }), /^NOSCRIPT again/);
  t.equal(await redis.get(counter), '2', 'once each');
});

t.test('one Redis: EVAL once per connection, then EVALSHA; after SCRIPT FLUSH, EVAL again', async (t) => {
  // A Redis of the test's own: SCRIPT FLUSH and INFO commandstats on the shared one would touch other tests.
  const server = await startPrivateRedis();
  t.teardown(() => server.stop());
  const redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
  t.teardown(() => redis.quit());
  const stats = async (): Promise<{ eval: number; evalsha: number }> => {
    const info = await redis.info('commandstats');
    const calls = (cmd: string): number => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    return { eval: calls('eval'), evalsha: calls('evalsha') };
  };
  const add = defineScript({
    name: unique('Add'),
    file: lua('add', "return redis.call('INCRBY', K_counter, A_by)\n"),
    keys: ['counter'],
    args: ['by'],
    reply: asReply<number>(),
  });
  for (let i = 1; i <= 5; i++) t.equal(await add.run(redis, { counter: 'c' }, { by: 1 }), i);
  t.same(await stats(), { eval: 1, evalsha: 4 }, 'the Lua went once');
  t.same(await redis.script('EXISTS', sha1(add.lua)), [1], 'Redis keeps it by its SHA1');

  await redis.script('FLUSH');
  t.same(await redis.script('EXISTS', sha1(add.lua)), [0]);
  t.equal(await add.run(redis, { counter: 'c' }, { by: 10 }), 15, 'works after SCRIPT FLUSH');
  t.same(await redis.script('EXISTS', sha1(add.lua)), [1], 'loaded again');
  t.equal(await add.run(redis, { counter: 'c' }, { by: 1 }), 16);
  t.match(await stats(), { eval: 2 }, 'EVALSHA failed once (NOSCRIPT), then EVAL');

  const second = new Redis(server.url, { lazyConnect: true });
  await second.connect();
  t.teardown(() => second.quit());
  const before = await stats();
  t.equal(await add.run(second, { counter: 'c' }, { by: 1 }), 17);
  t.equal(await add.run(second, { counter: 'c' }, { by: 1 }), 18);
  const after = await stats();
  t.same(
    { eval: after.eval - before.eval, evalsha: after.evalsha - before.evalsha },
    { eval: 1, evalsha: 1 },
    'another connection gets the Lua once too',
  );
});

t.test('with write coalescing: the runs of one turn leave in one write', async (t) => {
  const { redis: shared, prefix } = await testRedis(t);
  if (isCluster(shared)) return void t.pass('one Redis here (a cluster: test/cluster/cluster.test.ts)');
  const redis = new Redis(shared.options.port!, shared.options.host!, {
    lazyConnect: true,
    enableAutoPipelining: false,
  });
  coalesceWrites(redis);
  await redis.connect();
  t.teardown(() => redis.quit());
  const add = defineScript({
    name: unique('Coalesced'),
    file: lua('coalesced', "return redis.call('INCRBY', K_counter, A_by)\n"),
    keys: ['counter'],
    args: ['by'],
    reply: asReply<number>(),
  });
  await add.run(redis, { counter: `${prefix}n` }, { by: 0 }); // the first run on a connection sends the Lua
  const writes = countWrites(redis);
  const replies = await Promise.all(
    Array.from({ length: 50 }, () => add.run(redis, { counter: `${prefix}n` }, { by: 1 })),
  );
  t.same(
    replies,
    Array.from({ length: 50 }, (_, i) => i + 1),
    'each its own reply, in order',
  );
  t.equal(writes(), 1, 'one socket write');
});

t.test('a script is checked when it is defined', async (t) => {
  const spec = { keys: ['k'], args: ['a'], reply: asReply<unknown>() } as const;
  t.throws(
    () => defineScript({ ...spec, name: unique('K'), file: lua('bad-keys', "return redis.call('GET', KEYS[1])\n") }),
    /indexes KEYS or ARGV by number/,
  );
  t.throws(
    () => defineScript({ ...spec, name: unique('A'), file: lua('bad-argv', 'return ARGV[ 1 ]\n') }),
    /indexes KEYS or ARGV by number/,
  );
  t.throws(
    () =>
      defineScript({ ...spec, name: unique('U'), rest: 'r', file: lua('bad-unpack', 'return {unpack(ARGV, 2)}\n') }),
    /indexes KEYS or ARGV by number/,
  );
  t.throws(
    () => defineScript({ ...spec, name: unique('T'), file: lua('no-rest', 'return #ARGV\n') }),
    /declare the tail as rest/,
  );
  t.throws(() => defineScript({ ...spec, name: unique('L'), file: lua('all-keys', 'return #KEYS\n') }), /reads KEYS/);
  t.throws(
    () => defineScript({ ...spec, name: unique('M'), file: lua('misspelt', 'return A_b\n') }),
    /uses A_b, which the script does not declare/,
  );
  t.throws(
    () =>
      defineScript({
        ...spec,
        name: unique('I'),
        file: lua('ok', 'return A_a\n'),
        include: [lua('inc', 'local x = K_other\n')],
      }),
    /inc\.lua uses K_other/,
  );
  t.throws(
    () => defineScript({ ...spec, name: unique('N'), args: ['a-b'], file: lua('ok', 'return 1\n') }),
    /'a-b' is not a Lua name/,
  );
  t.throws(
    () => defineScript({ ...spec, name: unique('D'), args: ['a', 'a'], file: lua('ok', 'return 1\n') }),
    /'a' is declared twice/,
  );
  t.throws(
    () => defineScript({ ...spec, name: echo.name, file: lua('ok', 'return 1\n') }),
    /defined twice/,
    'one name, one script',
  );
  t.doesNotThrow(
    () =>
      defineScript({
        ...spec,
        name: unique('C'),
        file: lua('comment', '-- KEYS[1] and ARGV[1] in a comment are no use\nreturn {K_k, A_a}\n'),
      }),
    'comments are not code',
  );
  t.throws(() => defineScript({ ...spec, name: unique('F'), file: new URL('file:///nonexistent/x.lua') }), /ENOENT/);
});

/** Compile-time checks (tsc --noEmit covers the tests): never run. */
function typeChecks(redis: Redis): void {
  // @ts-expect-error a key missing
  void echo.run(redis, { first: 'a' }, { one: 1, two: 2, three: 3 });
  // @ts-expect-error a key extra
  void echo.run(redis, { first: 'a', second: 'b', third: 'c' }, { one: 1, two: 2, three: 3 });
  // @ts-expect-error an argument missing
  void echo.run(redis, { first: 'a', second: 'b' }, { one: 1, two: 2 });
  // @ts-expect-error an argument extra
  void echo.run(redis, { first: 'a', second: 'b' }, { one: 1, two: 2, three: 3, four: 4 });
  // @ts-expect-error a tail given to a script without one
  void echo.run(redis, { first: 'a', second: 'b' }, { one: 1, two: 2, three: 3 }, []);
  // @ts-expect-error an argument not a string or number
  void echo.run(redis, { first: 'a', second: 'b' }, { one: 1, two: 2, three: null });
  const withTail = defineScript({
    name: 'never',
    file: new URL('file:///x.lua'),
    keys: [],
    args: [],
    rest: 'r',
    reply: asReply<string>(),
  });
  // @ts-expect-error the tail missing
  void withTail.run(redis, {}, {});
  const reply: Promise<string> = withTail.run(redis, {}, {}, ['x']);
  void reply;
}
void typeChecks;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
