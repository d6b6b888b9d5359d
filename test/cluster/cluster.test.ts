/**
 * The switch on a local three-master Redis Cluster, in this process: connecting to a cluster,
 * cards spread over all three masters, the searches that must visit every master (the offline
 * block list's card scan, the posting and notice sweeps), commands on many cards' keys, and
 * BullMQ on a hash-tagged prefix. The rule tests themselves run on the cluster in
 * rules.process.test.ts.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { ManualClock } from '../../src/time/clock.js';
import { main as clearingCli } from '../../src/cli/clearing.js';
import { OfflineBlockList } from '../../src/blocking/offline-block-list.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { createLogger } from '../../src/log/logger.js';
import { PostingJournal } from '../../src/journal/journal.js';
import { LastApprovedTransactions } from '../../src/terminal-state/last-approved.js';
import { PostingRelay } from '../../src/journal/posting-relay.js';
import { CardRegister } from '../../src/card/card-register.js';
import { CardOutboxes } from '../../src/card/outboxes.js';
import { NoticeRelay } from '../../src/notices/notice-relay.js';
import { type Cluster, ReplyError } from 'ioredis';
import { appendScript } from '../../src/journal/journal.js';
import { countWrites } from '../support/socket-writes.js';
import { connectRedis } from '../../src/redis/connect.js';
import { isRedisUnavailable } from '../../src/redis/errors.js';
import { freePort } from '../../src/startup/private-redis.js';
import {
  type RegisterRedis,
  bullPrefix,
  hashTagOf,
  isCluster,
  mastersOf,
  scanEveryMaster,
} from '../../src/redis/client.js';
import { newPan } from '../support/cards.js';
import { startLocalCluster } from '../support/redis-cluster.js';
import { CLUSTER_ENV, deleteKeys, testClient, testRedis } from '../support/redis.js';
import { startSwitch } from '../support/switch.js';
import { clearingWorker } from '../support/clearing-worker.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';

const CARDS = 60;
const silent = createLogger('silent');
const clock = new ManualClock(new Date('2026-11-19T22:59:00Z'));

const cluster = await startLocalCluster();
t.teardown(() => cluster.stop());
// From here on testRedis(), testClient() and startSwitch() are on the cluster.
process.env[CLUSTER_ENV] = cluster.nodes.join(',');

/** Card records (not the keys beside them) under `prefix`, counted per master. */
async function cardsPerMaster(redis: RegisterRedis, prefix: string): Promise<number[]> {
  return Promise.all(
    mastersOf(redis).map(async (node) => {
      let n = 0;
      await scanEveryMaster(node, `${prefix}card:{*}`, 1000, async (keys) => {
        n += keys.filter((k) => /^card:\{[0-9a-f]{32}\}$/.test(k.slice(prefix.length))).length;
      });
      return n;
    }),
  );
}

async function registerCards(register: CardRegister, n: number): Promise<{ id: string; issuer: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const issuer = i % 2 === 0 ? 'bank-a' : 'bank-b';
      const r = await register.register({
        pan: newPan(),
        issuer,
        product: 'dankort',
        expiry: '3012',
        pin: '1234',
        activationCode: '1',
        account: '1',
        balance: 100,
        currency: '208',
        status: 'active',
      });
      if (!r.ok) throw new Error(r.reason);
      return { id: r.card, issuer };
    }),
  );
}

function posting(n: number, card: string): string {
  return JSON.stringify({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    txn: `T1-261119100000-${String(n).padStart(6, '0')}`,
    type: 'purchase',
    direction: 'D',
    amount: 100 + n,
    currency: '208',
    card,
    maskedPan: '501900******0016',
    panEnc: 'x',
    issuer: 'bank-a',
    terminal: 'T1',
    merchant: 'M',
    stan: String(n).padStart(6, '0'),
    localTime: '261119100000',
    receivedAt: clock.now().getTime(),
    approvalCode: '123456',
    cardStatus: 'active',
  });
}

async function cardsOnCluster(t: Test) {
  const { redis, prefix } = await testRedis(t);
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const cards = await registerCards(register, CARDS);
  return { redis, prefix, register, cards };
}

t.test('connectRedis: a cluster from its seed nodes, and a cluster that is not there', async (t) => {
  const lines: string[] = [];
  const log = {
    info: (o: object, m?: string) => lines.push(`${m} ${JSON.stringify(o)}`),
    warn: (o: object, m?: string) => lines.push(`${m} ${JSON.stringify(o)}`),
  };
  const conn = await connectRedis({ cluster: cluster.nodes.slice(0, 1), url: 'redis://127.0.0.1:1', log });
  t.ok(isCluster(conn.redis), 'a Cluster client; the url is not used');
  t.equal(conn.url, cluster.nodes[0]);
  t.equal(mastersOf(conn.redis).length, 3, 'one seed node is enough: the client knows all three masters');
  t.equal(await conn.redis.set('{cluster-test}:x', '1', 'PX', 1000), 'OK');
  t.match(lines, [`connected to Redis {"url":"redis cluster ${cluster.nodes[0]}"}`]);
  await conn.stop();
  t.equal(conn.redis.status, 'end');
  await conn.stop(); // a second stop is harmless

  const gone = `127.0.0.1:${await freePort()}`;
  await t.rejects(connectRedis({ cluster: [gone], log }), {
    message: new RegExp(`^redis: cannot connect to redis cluster ${gone}: `),
  });
  t.ok(
    isRedisUnavailable(new Error("Cluster isn't ready and enableOfflineQueue options is false")),
    'a cluster not ready: Redis unavailable',
  );
  t.ok(
    isRedisUnavailable(Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' })),
  );
  // A CLUSTERDOWN answer is an error reply: ioredis makes it a ReplyError (redis/errors.ts checks the class and the reply code).
  t.ok(isRedisUnavailable(new ReplyError('CLUSTERDOWN The cluster is down')));
});

t.test("on a cluster, a turn's script calls leave in one write to their node", async (t) => {
  const conn = await connectRedis({ cluster: cluster.nodes, log: { info: () => {}, warn: () => {} } });
  const redis = conn.redis as Cluster;
  const keys = { stream: '{cluster-coalesce}:stream', seen: '{cluster-coalesce}:seen' };
  t.teardown(async () => {
    await redis.del(keys.stream, keys.seen);
    await conn.stop();
  });
  await appendScript.run(redis, keys, { now: 1, forgetBefore: 0 }, ['p0', '{}']); // the Lua goes once per connection
  // The nodes connected so far: the one holding the keys is, since the call above.
  const counts = redis
    .nodes('master')
    .filter((n) => n.stream !== undefined)
    .map((node) => countWrites(node));
  const added = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      appendScript.run(redis, keys, { now: 2, forgetBefore: 0 }, [`p${i + 1}`, '{}']),
    ),
  );
  t.same(added, Array(50).fill(1), 'each its own reply');
  t.equal(
    counts.reduce((sum, count) => sum + count(), 0),
    1,
    'one socket write',
  );
});

t.test(
  'cards land on every master; the block list, the posting sweep and the notice sweep find them all',
  async (t) => {
    const { redis, prefix, register, cards } = await cardsOnCluster(t);
    const perMaster = await cardsPerMaster(redis, prefix);
    t.equal(perMaster.length, 3);
    t.ok(
      perMaster.every((n) => n > 0),
      `${CARDS} cards spread over all three masters (${perMaster.join(' + ')})`,
    );
    t.equal(
      perMaster.reduce((a, b) => a + b, 0),
      CARDS,
    );

    // Block two thirds of them: the block list's SCAN must reach every master to list them all.
    const blocked = cards.filter((_, i) => i % 3 !== 0);
    for (const c of blocked) t.ok((await register.block(c.issuer, c.id, 'stolen', clock.now())).ok);
    const list = new OfflineBlockList({
      redis,
      prefix,
      register,
      clock,
      timeZone: 'Europe/Copenhagen',
      directory: t.testdir(),
      log: silent,
    });
    t.equal((await list.full()).length, blocked.length, 'every blocked card listed, from every master');
    const daily = await list.makeDaily('2026-11-19');
    t.same([daily.added, daily.removed, daily.created], [blocked.length, 0, true], 'the daily file adds them all');

    // Each block left a notice in its card's outbox: one sweep moves them from every master.
    const notices = new NoticeRelay(redis, prefix, new CardOutboxes(redis, prefix, 'notices'), silent);
    t.equal(await notices.sweep(), blocked.length, 'every outbox swept');
    const feeds = [
      ...(await notices.notices('bank-a', { limit: CARDS })),
      ...(await notices.notices('bank-b', { limit: CARDS })),
    ];
    t.equal(feeds.length, blocked.length, "each notice in its issuer's feed once");

    // A posting left in every card's outbox (as a crashed relay leaves them): one sweep moves all.
    const journal = new PostingJournal(redis, prefix);
    const outboxes = new CardOutboxes(redis, prefix, 'postings');
    const relay = new PostingRelay({
      outboxes,
      journal,
      lastApproved: new LastApprovedTransactions(redis, prefix),
      clock,
      log: silent,
    });
    await Promise.all(cards.map((c, i) => redis.rpush(outboxes.keyOf(c.id), posting(i + 1, c.id))));
    t.equal(await relay.sweep(), CARDS, 'the sweep moves the postings of every master');
    t.equal((await journal.range('0', '+')).length, CARDS, 'all in the journal, once');
    t.equal(await outboxes.forEach(async () => 1), 0, 'no outbox left: taken out on every master');
  },
);

t.test('a cluster client that knows no master is an error, not an empty search', async (t) => {
  const redis = await testClient();
  redis.disconnect();
  t.throws(() => mastersOf(redis), { message: 'redis cluster: no master node is known (not connected)' });
  await t.rejects(
    new CardOutboxes(redis, 'x:', 'postings').forEach(async () => 1),
    { message: /no master node is known/ },
  );
});

t.test('BullMQ on the cluster: the prefix is hash-tagged, the queue in one slot, jobs run', async (t) => {
  const queuePrefix = `sw-cluster-test-${process.pid}`;
  const s = await startSwitch(t, { clearing: { queuePrefix } });
  const { scheduler, run } = await clearingWorker(t, s);
  t.equal(scheduler.prefix, `{${queuePrefix}}`, 'sw-bull becomes {sw-bull} on a cluster');
  const made = (await run({ kind: 'blockList', date: '2026-11-19' })) as { created: boolean; file: string };
  t.match(
    made,
    { created: true, file: join(s.config.clearing.blockList.directory, 'block-list-2026-11-19.txt') },
    'a job ran through the worker',
  );
  const masters: number[] = [];
  for (const [i, node] of mastersOf(s.redis).entries()) {
    await scanEveryMaster(node, `${scheduler.prefix}:*`, 1000, async (keys) => {
      if (keys.length > 0) masters.push(i);
    });
  }
  t.equal(new Set(masters).size, 1, 'every key of the queue on one master (one slot)');

  // And the switch itself on the cluster: an approval over TCP, posted to the journal.
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal((await term.send(purchase93()))[39], '000');
  await s.sw.postings.drain();
  t.equal((await s.sw.journal.range('0', '+')).length, 1);
});

t.test(
  'npm run clearing on the cluster (REDIS_CLUSTER): --now makes the next cut-off through the hash-tagged queue',
  async (t) => {
    const { redis, prefix } = await testRedis(t);
    const queuePrefix = `sw-cli-test-${process.pid}`;
    t.teardown(() => deleteKeys(redis, `{${queuePrefix}}:`));
    const dir = t.testdir();
    let stdout = '';
    let stderr = '';
    const code = await clearingCli(
      ['--now'],
      { REDIS_CLUSTER: cluster.nodes.join(',') },
      {
        overrides: {
          redis: { keyPrefix: prefix },
          log: { level: 'silent' },
          clearing: {
            directory: join(dir, 'clearing'),
            queuePrefix,
            blockList: { directory: join(dir, 'block-list') },
          },
        },
        clock: new ManualClock(new Date('2026-11-21T10:00:00Z')),
        out: (text) => void (stdout += text),
        err: (text) => void (stderr += text),
      },
    );
    t.equal(code, 0, stderr);
    t.match(stdout, /^Delivery 1 of 2026-11-21 \(cut-off 06:00\): .*delivery-2026-11-21-01\.txt, 0 postings$/m);
  },
);

t.test('BullMQ prefixes and hash tags', async (t) => {
  const single = { isCluster: false } as RegisterRedis;
  const clustered = { isCluster: true } as RegisterRedis;
  t.equal(bullPrefix('sw-bull', single), 'sw-bull', 'a single Redis keeps the prefix as configured');
  t.equal(bullPrefix('sw-bull', clustered), '{sw-bull}');
  t.equal(bullPrefix('{sw}-bull', clustered), '{sw}-bull', 'a prefix with a hash tag is kept');
  t.equal(bullPrefix('a{}b', clustered), '{a{}b}', 'an empty {} is no hash tag');
  t.same(
    ['x{a}y{b}', 'x{}y{b}', 'x}{a}', 'x{a', 'plain'].map(hashTagOf),
    ['a', undefined, 'a', undefined, undefined],
    'as Redis Cluster reads keys',
  );
});

t.test(
  "a script's first run beside an auto-pipelined command works: scripts need no defining on the client",
  async (t) => {
    const { prefix } = await testRedis(t);
    // When scripts were ioredis commands (defineCommand), one defined while the auto-pipeline was
    // filling was missing from it ("pipeline[functionName] is not a function", the pipeline's
    // other replies lost). Sent by src/redis/script-call.ts, a script is no command of the client.
    const { redis, stop } = await connectRedis({ cluster: cluster.nodes, log: silent });
    t.teardown(stop);
    const journal = new PostingJournal(redis, prefix);
    // The plain command first: it opens the pipeline the script's first run then joins.
    const [, appended] = await Promise.all([
      redis.get(`${prefix}{journal}:other`),
      journal.append([JSON.stringify({ id: 'p-1', receivedAt: 1 })], Date.now()),
    ]);
    t.equal(appended, 1, 'the append ran');
  },
);
