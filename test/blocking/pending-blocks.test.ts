/** No block is ever lost: blocks made while Redis is down are kept on disk and applied when it is back. */
import { CardOutboxes } from '../../src/card/outboxes.js';
import { BlockReferences } from '../../src/blocking/block-references.js';
import t from 'tap';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ManualClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { CardRegister } from '../../src/card/card-register.js';
import { NoticeRelay } from '../../src/notices/notice-relay.js';
import { PendingBlocks } from '../../src/blocking/pending-blocks.js';
import { isRedisUnavailable } from '../../src/redis/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { SwitchMetrics } from '../../src/metrics/metrics.js';
import { Switch } from '../../src/switch.js';
import { testRedis, testRedisUrl } from '../support/redis.js';
import { newPan } from '../support/cards.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const silent = pino({ level: 'silent' });
const journalIn = (): string => join(mkdtempSync(join(tmpdir(), 'pending-')), 'blocks.jsonl');

async function until(probe: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

t.test('kept on disk while Redis is down, applied after a restart', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const relay = new NoticeRelay(redis, prefix, new CardOutboxes(redis, prefix, 'notices'), silent);
  const pan = newPan();
  const { card } = await register.register({
    pan,
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '1',
    account: '1',
    balance: 0,
    currency: '208',
    status: 'active',
  });
  const file = journalIn();

  const down = new Redis(await testRedisUrl(), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  await down.connect();
  down.disconnect();
  const downRegister = new CardRegister(down, prefix, DEFAULT_CONFIG.register, clock);
  const before = new PendingBlocks(
    file,
    downRegister,
    new NoticeRelay(down, prefix, new CardOutboxes(down, prefix, 'notices'), silent),
    new BlockReferences(down, prefix),
    silent,
  );
  const reportedAt = new Date('2026-11-21T09:55:00Z').getTime();
  before.add({
    issuer: '',
    card,
    reason: 'stolen',
    reportedAt,
    report: { name: 'Jens Hansen' },
    reference: '1234567897',
  });
  t.equal(await before.retry(), 0, 'nothing applied while Redis is down');
  t.equal(before.pending, 1);
  t.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1, 'on disk');
  appendFileSync(file, '{"id":"cut-short-by-a-crash","iss');

  clock.advance(60_000);
  const after = new PendingBlocks(file, register, relay, new BlockReferences(redis, prefix), silent);
  t.equal(after.pending, 1, 'read back after a restart; a line cut short is skipped');
  t.equal(await after.retry(), 1);
  t.match(await register.state(card), {
    block: 'stolen',
    blockReportedAt: '2026-11-21T09:55:00.000Z',
    blockedAt: '2026-11-21T10:01:00.000Z',
  });
  t.equal(await redis.get(`${prefix}blockref:1234567897`), card, 'the reference number is reserved');
  t.match((await relay.notices('bank-a'))[0], {
    type: 'blockRegistered',
    reference: '1234567897',
    report: { name: 'Jens Hansen' },
  });
  t.equal(readFileSync(file, 'utf8'), '', 'the journal is emptied');
  t.equal(after.pending, 0);

  after.add({ issuer: '', card, reason: 'lost', reportedAt, reference: '' });
  t.equal(await after.retry(), 1, 'a block of a card blocked meanwhile is finished with: the first block stays');
  t.match(await register.state(card), { block: 'stolen' });
});

t.test('over HTTP: a Redis outage during block reports and issuer blocks loses nothing', async (t) => {
  const { redis: direct, prefix } = await testRedis(t);
  const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(await testRedisUrl()).port || 6379));
  t.teardown(() => proxy.close());
  const redis = new Redis(`redis://127.0.0.1:${proxy.port}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  t.teardown(() => redis.disconnect());
  const config = loadConfig({
    env: {},
    overrides: {
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0 }],
      admin: {
        host: '127.0.0.1',
        port: 0,
        tokens: {
          'test-token-block-service': { role: 'blockService' },
          'test-token-bank-a': { role: 'issuer', issuer: 'bank-a' },
        },
      },
      redis: { keyPrefix: prefix },
      register: { pendingBlocksFile: journalIn() },
      issuers: { 'bank-a': {} },
    },
  });
  const sw = new Switch({
    config,
    redis,
    log: createLogger('silent'),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
  });
  await sw.start();
  t.teardown(() => sw.stop());
  const a = newPan();
  const b = newPan();
  const ids: string[] = [];
  for (const pan of [a, b])
    ids.push(
      (
        await sw.register.register({
          pan,
          issuer: 'bank-a',
          product: 'dankort',
          expiry: '3012',
          pin: '1234',
          activationCode: '1',
          account: '1',
          balance: 0,
          currency: '208',
          status: 'active',
        })
      ).card,
    );
  const admin = `http://127.0.0.1:${sw.admin.port}`;
  const post = (path: string, token: string, body: object) =>
    fetch(`${admin}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  proxy.cut();
  const report = await post('/block-reports', 'test-token-block-service', {
    name: 'Jens Hansen',
    address: 'Vesterbrogade 1, 1620 København V',
    cardNumber: a,
    bank: 'Bank A',
    reason: 'lost',
    reportedAt: '2026-11-21T09:00:00Z',
  });
  t.equal(report.status, 202, 'accepted while Redis is down');
  const accepted = (await report.json()) as { reference: string; pending: boolean; card: string };
  t.match(accepted, { pending: true, card: ids[0] });
  t.match(accepted.reference, /^\d{10}$/);
  const issuerBlock = await post(`/cards/${ids[1]}/block`, 'test-token-bank-a', { reason: 'issuer' });
  t.equal(issuerBlock.status, 202);
  const read = await fetch(`${admin}/cards/${ids[0]}`, { headers: { authorization: 'Bearer test-token-bank-a' } });
  t.equal(read.status, 503, 'a read while Redis is down: 503 with a reason');
  t.match(await read.json(), { error: /unavailable/ });
  t.equal(sw.pendingBlocks.pending, 2);

  proxy.restore();
  t.ok(
    await until(async () => (await sw.register.state(ids[1]!))?.block === 'issuer'),
    'applied by itself once Redis is back',
  );
  t.match(await sw.register.state(ids[0]!), { block: 'lost', blockReportedAt: '2026-11-21T09:00:00.000Z' });
  t.ok(await until(async () => (await sw.relay.notices('bank-a')).length === 2), 'and their notices reached the feed');
  t.equal(await direct.get(`${prefix}blockref:${accepted.reference}`), ids[0], 'the reference number names the card');
});

t.test('what counts as Redis being unavailable', async (t) => {
  t.ok(isRedisUnavailable(new Error('Connection is closed.')));
  t.ok(isRedisUnavailable(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' })));
  t.notOk(isRedisUnavailable(new Error('ERR wrong number of arguments')));
  t.notOk(isRedisUnavailable('Connection is closed.'));
});
