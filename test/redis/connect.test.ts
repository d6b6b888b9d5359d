import { type ChildProcess, spawn } from 'node:child_process';
import { connectOrStartRedis } from '../../src/startup/redis.js';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_PROBE_URL, connectRedis, redactUrl, redisAnswers } from '../../src/redis/connect.js';
import { startPrivateRedis } from '../../src/startup/private-redis.js';
import { testRedis } from '../support/redis.js';

interface Line {
  level: 'info' | 'warn';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLog() {
  const lines: Line[] = [];
  return {
    lines,
    log: {
      info: (obj: object, msg?: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
      warn: (obj: object, msg?: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    },
  };
}

/** A port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const MISSING_BINARY = join(tmpdir(), 'no-such-dir', 'redis-server');

t.test('connects to a given URL', async (t) => {
  const { url, redis: other, prefix } = await testRedis(t);
  const { lines, log } = recordingLog();
  const conn = await connectRedis({ url, log });
  t.equal(conn.url, url);
  t.equal(conn.redis.status, 'ready');
  await conn.redis.set(`${prefix}k`, 'v');
  t.equal(await other.get(`${prefix}k`), 'v', 'it is that Redis');
  t.match(lines, [{ level: 'info', msg: 'connected to Redis', obj: { url: redactUrl(url) } }]);
  await conn.stop();
  t.equal(conn.redis.status, 'end', 'stop() quits the client');
  await conn.stop(); // twice is harmless
});

t.test('without a URL, the probe URL is used when it answers', async (t) => {
  const { url } = await testRedis(t);
  const { lines, log } = recordingLog();
  const conn = await connectOrStartRedis({ probeUrl: url, log });
  t.teardown(() => conn.stop());
  t.equal(conn.url, url);
  t.equal(await conn.redis.ping(), 'PONG');
  t.notOk(
    lines.some((l) => /private/.test(l.msg ?? '')),
    'no private redis-server',
  );
});

t.test('without a URL or probe URL, 127.0.0.1:6379 is used when it answers, else a private one', async (t) => {
  const onDefault = await redisAnswers(DEFAULT_PROBE_URL, 500);
  const { lines, log } = recordingLog();
  const conn = await connectOrStartRedis({ log });
  t.teardown(() => conn.stop());
  t.equal(await conn.redis.ping(), 'PONG');
  if (onDefault) t.equal(conn.url, 'redis://127.0.0.1:6379');
  else t.match(lines, [{ msg: /starting a private redis-server/ }]);
  t.equal(
    lines.some((l) => /private/.test(l.msg ?? '')),
    !onDefault,
  );
});

t.test('when nothing answers, a private redis-server runs until stop()', async (t) => {
  const closed = `redis://127.0.0.1:${await closedPort()}`;
  const { lines, log } = recordingLog();
  const conn = await connectOrStartRedis({ probeUrl: closed, log });
  t.teardown(() => conn.stop());
  t.not(conn.url, closed);
  t.match(conn.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  t.equal(await conn.redis.ping(), 'PONG');
  const started = lines.find((l) => /private redis-server started/.test(l.msg ?? ''));
  t.ok(started, 'it says where it runs');
  const { dir, pid, url } = started!.obj as { dir: string; pid: number; url: string };
  t.equal(url, conn.url);
  t.ok(dir.startsWith(tmpdir()), 'in a temporary directory');
  t.ok(existsSync(dir));
  t.same(await conn.redis.config('GET', 'dir'), ['dir', dir], 'redis-server works in it');
  t.same(await conn.redis.config('GET', 'save'), ['save', ''], 'without snapshots');
  t.same(await conn.redis.config('GET', 'appendonly'), ['appendonly', 'no']);
  t.ok(alive(pid));

  await conn.stop();
  t.equal(conn.redis.status, 'end');
  t.notOk(existsSync(dir), 'stop() removes the directory');
  t.notOk(alive(pid), 'stop() kills redis-server');
  t.notOk(await redisAnswers(conn.url, 300), 'nothing answers there any more');
});

t.test('startPrivateRedis alone', async (t) => {
  const server = await startPrivateRedis();
  t.teardown(() => server.stop());
  t.ok(await redisAnswers(server.url, 500));
  t.ok(existsSync(server.dir));
  await server.stop();
  t.notOk(existsSync(server.dir));
  t.notOk(alive(server.pid));
  await server.stop(); // twice is harmless
});

t.test('no redis-server installed: the error says how to fix it', async (t) => {
  const closed = `redis://127.0.0.1:${await closedPort()}`;
  const fix = [/apt-get install redis-server/, /brew install redis/, /REDIS_URL=redis:\/\/host:port/];
  const err = await connectOrStartRedis({ probeUrl: closed, redisServerBinary: MISSING_BINARY }).then(
    () => new Error('it connected'),
    (e: Error) => e,
  );
  for (const re of fix) t.match(err.message, re);
  t.match(err.message, MISSING_BINARY, 'names the binary it looked for');
  const direct = await startPrivateRedis(MISSING_BINARY).then(
    () => new Error('it started'),
    (e: Error) => e,
  );
  for (const re of fix) t.match(direct.message, re);
});

t.test('a redis-server that exits at start: the error shows what it said, and nothing is left behind', async (t) => {
  // node rejects redis-server's arguments ("bad option: --port") and exits at once, every attempt.
  const exitListeners = process.listenerCount('exit');
  const err = await startPrivateRedis(process.execPath).then(
    () => new Error('it started'),
    (e: Error) => e,
  );
  t.match(err.message, /^redis: private redis-server exited at start \(code \d+\): .*bad option: --port/s);
  t.equal(process.listenerCount('exit'), exitListeners, 'no exit hook left for the failed attempts');
});

t.test('a URL that does not connect fails with a message naming it, without its password', async (t) => {
  const port = await closedPort();
  const started = Date.now();
  await t.rejects(connectRedis({ url: `redis://:hunter2@127.0.0.1:${port}/3` }), {
    message: new RegExp(`^redis: cannot connect to redis://127\\.0\\.0\\.1:${port}/3: .*ECONNREFUSED`),
  });
  t.ok(Date.now() - started < 3000, 'at once, not after retries');
  await t.rejects(connectRedis({ url: `redis://user:hunter2@127.0.0.1:${port}` }), {
    message: `redis://user@127.0.0.1:${port}`,
  });
  const err = await connectRedis({ url: `redis://:hunter2@127.0.0.1:${port}` }).catch((e: Error) => e);
  t.notMatch((err as Error).message, 'hunter2');
  await t.rejects(connectRedis({ url: 'not a url' }), {
    message: 'redis: not a url is not a redis:// or rediss:// URL',
  });
  await t.rejects(connectRedis({ url: 'http://127.0.0.1:6379' }), {
    message: /http:\/\/127\.0\.0\.1:6379.* is not a redis:\/\/ or rediss:\/\/ URL/,
  });
});

t.test('redisAnswers: yes for Redis, no for a closed port or a server that is not Redis', async (t) => {
  const { url } = await testRedis(t);
  t.equal(await redisAnswers(url, 500), true);
  t.equal(await redisAnswers(`redis://127.0.0.1:${await closedPort()}`, 500), false);
  t.equal(await redisAnswers('nonsense', 500), false);
  // Accepts and never answers: the timeout decides.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.close();
  });
  const started = Date.now();
  t.equal(await redisAnswers(`redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, 300), false);
  t.ok(Date.now() - started < 1500, 'within about the timeout');
});

t.test('after Redis goes away and comes back, the client serves again by itself', async (t) => {
  const server = await startPrivateRedis();
  t.teardown(() => server.stop());
  const port = new URL(server.url).port;
  const { lines, log } = recordingLog();
  const conn = await connectRedis({ url: server.url, log });
  t.teardown(() => conn.stop());
  t.equal(await conn.redis.ping(), 'PONG');

  await server.stop();
  const started = Date.now();
  await t.rejects(conn.redis.ping(), 'commands fail while Redis is down');
  t.ok(Date.now() - started < 3000, 'and fail fast');
  t.match(lines, [{}, { level: 'warn', msg: /connection lost/ }], 'the loss is logged once');

  // The same port again, as after a Redis restart.
  let again: ChildProcess | undefined = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
    {
      stdio: 'ignore',
    },
  );
  t.teardown(async () => {
    if (again && again.exitCode === null) {
      const exited = new Promise((resolve) => again!.once('exit', resolve));
      again.kill();
      await exited;
    }
    again = undefined;
  });
  await until(
    'the client to serve again',
    () =>
      conn.redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
    10_000,
  );
  t.ok(
    lines.some((l) => l.level === 'info' && /connection back/.test(l.msg ?? '')),
    'the return is logged',
  );
  t.equal(lines.filter((l) => l.level === 'warn').length, 1, 'one warning for the whole outage');
});

t.test('redactUrl drops only the password', async (t) => {
  t.equal(redactUrl('redis://:pw@h:1/2'), 'redis://h:1/2');
  t.equal(redactUrl('redis://u:pw@h:1'), 'redis://u@h:1');
  t.equal(redactUrl('redis://h:1'), 'redis://h:1');
  t.equal(redactUrl('weird//u:pw@h x'), 'weird//u@h x', 'even when it does not parse');
});
