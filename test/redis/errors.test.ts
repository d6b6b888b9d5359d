/**
 * What counts as "Redis unavailable": the errors real ioredis clients give when Redis cannot be
 * consulted (a client that ended, a connection cut mid-command, nothing listening, a cluster that
 * cannot be reached) do; Redis's own error answers do not, except CLUSTERDOWN. Real Redis, real
 * sockets: no error is made up here, but for the one wrapper ioredis builds from text.
 */
import t from 'tap';
import { once } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import { RegisterUnavailableError, isRedisUnavailable } from '../../src/redis/errors.js';
import { OUTAGE_OPTIONS } from '../../src/redis/connect.js';
import { freePort } from '../../src/startup/private-redis.js';
import { testRedisUrl } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** The error `p` rejects with (the test fails if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

t.test("Redis's own answers are not unavailability; CLUSTERDOWN is", async (t) => {
  const redis = new Redis(await testRedisUrl());
  t.teardown(() => redis.quit());
  t.notOk(isRedisUnavailable(await failure(redis.call('get'))), 'ERR wrong number of arguments');
  t.notOk(isRedisUnavailable(await failure(redis.eval("error('boom')", 0))), 'a Lua error');
  t.notOk(
    isRedisUnavailable(await failure(redis.eval("return redis.error_reply('WRONGTYPE not a hash')", 0))),
    'WRONGTYPE',
  );
  const down = await failure(redis.eval("return redis.error_reply('CLUSTERDOWN Hash slot not served')", 0));
  t.equal(down.name, 'ReplyError');
  t.ok(isRedisUnavailable(down), 'a CLUSTERDOWN reply: the cluster cannot serve the slot');
  t.notOk(
    isRedisUnavailable(await failure(redis.eval("return redis.error_reply('ERR CLUSTERDOWN is only a word here')", 0))),
    'the reply code counts, not a word in the text',
  );
});

t.test('a client that has ended, or one without offline queue that is not connected', async (t) => {
  const ended = new Redis(await testRedisUrl());
  await once(ended, 'ready');
  ended.disconnect();
  t.ok(isRedisUnavailable(await failure(ended.get('x'))), 'Connection is closed.');
  const noQueue = new Redis(await testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false });
  t.teardown(() => noQueue.disconnect());
  t.ok(isRedisUnavailable(await failure(noQueue.get('x'))), "Stream isn't writeable");
});

t.test("the connection cut while a command is in flight (the switch's outage options)", async (t) => {
  const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(await testRedisUrl()).port || 6379));
  t.teardown(() => proxy.close());
  const redis = new Redis(`redis://127.0.0.1:${proxy.port}`, { ...OUTAGE_OPTIONS, enableAutoPipelining: false });
  const socketErrors: Error[] = [];
  redis.on('error', (e: Error) => socketErrors.push(e));
  t.teardown(() => redis.disconnect());
  await once(redis, 'ready');
  const waiting = failure(redis.blpop(`errors-test:${process.pid}:nothing`, 5));
  await new Promise((resolve) => setTimeout(resolve, 50)); // BLPOP is on the wire
  proxy.cut();
  const e = await waiting;
  t.equal(e.name, 'MaxRetriesPerRequestError');
  t.ok(isRedisUnavailable(e));
  t.ok(isRedisUnavailable(await failure(redis.get('x'))), 'and a command issued while it is down');
  for (const s of socketErrors) t.ok(isRedisUnavailable(s), `socket error ${(s as NodeJS.ErrnoException).code}`);
});

t.test('nothing listening: the socket error carries its code', async (t) => {
  const port = await freePort();
  const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null });
  const [e] = (await Promise.all([once(redis, 'error'), redis.connect().catch(() => {})]))[0] as [
    NodeJS.ErrnoException,
  ];
  t.equal(e.code, 'ECONNREFUSED');
  t.ok(isRedisUnavailable(e));
});

t.test('a cluster that cannot be reached', async (t) => {
  const node = { host: '127.0.0.1', port: await freePort() };
  const cluster = new Cluster([node], { lazyConnect: true, clusterRetryStrategy: () => null });
  const events: Error[] = [];
  cluster.on('error', (e: Error) => events.push(e));
  t.ok(isRedisUnavailable(await failure(cluster.connect())), 'None of startup nodes is available');
  t.ok(
    events.some((e) => e.name === 'ClusterAllFailedError'),
    'the slot map could not be read',
  );
  for (const e of events) t.ok(isRedisUnavailable(e), e.name);
  const noQueue = new Cluster([node], {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => null,
  });
  noQueue.on('error', () => {});
  t.teardown(() => noQueue.disconnect());
  t.ok(isRedisUnavailable(await failure(noQueue.get('x'))), "Cluster isn't ready");
});

t.test('a cluster command retried too often: judged by the last error ioredis writes into the message', async (t) => {
  const redis = new Redis(await testRedisUrl());
  t.teardown(() => redis.quit());
  // ioredis builds this message from the last error (cluster/index.js, handleError); the errors are real.
  const tooMany = (last: Error) => new Error('Too many Cluster redirections. Last error: ' + last);
  t.ok(
    isRedisUnavailable(
      tooMany(await failure(redis.eval("return redis.error_reply('CLUSTERDOWN The cluster is down')", 0))),
    ),
    'CLUSTERDOWN',
  );
  const ended = new Redis(await testRedisUrl());
  await once(ended, 'ready');
  ended.disconnect();
  t.ok(isRedisUnavailable(tooMany(await failure(ended.get('x')))), 'a connection closed during a fail-over');
  t.notOk(
    isRedisUnavailable(tooMany(await failure(redis.eval("return redis.error_reply('MOVED 3999 127.0.0.1:1')", 0)))),
    'a MOVED loop: Redis answered',
  );
  t.notOk(isRedisUnavailable(tooMany(new Error(''))), 'a last error that says nothing (its text is just "Error")');
});

t.test("the switch's own: a register call that failed or took too long", async (t) => {
  t.ok(isRedisUnavailable(new RegisterUnavailableError('no answer within 1000 ms')));
  t.notOk(isRedisUnavailable(new Error('something else')));
  t.notOk(isRedisUnavailable('Connection is closed.'), 'only errors');
  t.notOk(isRedisUnavailable(undefined));
});
