/** The register's issuer operations and the notice relay, against real Redis (no network in between). */
import { CardOutboxes } from '../../src/card/outboxes.js';
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { ManualClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { CardRegister } from '../../src/card/card-register.js';
import { yymm } from '../../src/time/local-time.js';
import { NoticeRelay } from '../../src/notices/notice-relay.js';
import { TerminalKeys, TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { cardKeys } from '../../src/card/keys.js';
import { luhnValid } from '../../src/card/luhn.js';
import { testRedis, testRedisUrl } from '../support/redis.js';
import { newPan } from '../support/cards.js';

async function setup(t: Test) {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const relay = new NoticeRelay(redis, prefix, new CardOutboxes(redis, prefix, 'notices'), pino({ level: 'silent' }));
  const add = async (fields: object = {}) => {
    const pan = newPan();
    const r = await register.register({
      pan,
      issuer: 'bank-a',
      product: 'dankort',
      expiry: '3012',
      pin: '1234',
      activationCode: '5678',
      account: '1',
      balance: 0,
      currency: '208',
      ...fields,
    });
    return { pan, id: r.card };
  };
  return { redis, prefix, clock, register, relay, add };
}

t.test('registration keeps no PAN, PIN or activation code; a card registers once', async (t) => {
  const { redis, register, add } = await setup(t);
  const { pan, id } = await add();
  const raw = await redis.hgetall(register.keysOf(id).card);
  t.notMatch(JSON.stringify(raw), pan, 'no clear PAN in the record');
  t.notMatch(Object.values(raw).join(' '), /\b1234\b|\b5678\b/, 'no clear PIN or activation code');
  t.notMatch(register.keysOf(id).card, pan.slice(6), 'no PAN digits in key names');
  t.match(register.keysOf(id).card, /card:\{[0-9a-f]{32}\}$/, 'a hash tag names the card');
  t.same(
    await register.register({
      pan,
      issuer: 'bank-b',
      product: 'x',
      expiry: '3012',
      pin: '0000',
      activationCode: '1',
      account: '2',
      balance: 0,
      currency: '208',
    }),
    { card: id, ok: false, status: 'conflict', reason: 'card already registered' },
  );
  t.match(await register.state(id), {
    issuer: 'bank-a',
    maskedPan: `${pan.slice(0, 6)}******${pan.slice(-4)}`,
    status: 'registered',
    block: null,
    pinBlocked: false,
  });
  t.equal(await register.state('0'.repeat(32)), undefined);
});

t.test('activation needs the right code, once, and not for a deleted card', async (t) => {
  const { register, add } = await setup(t);
  const { pan, id } = await add();
  t.same(await register.activate('bank-a', id, '0000', pan), {
    ok: false,
    status: 'conflict',
    reason: 'activation code does not match',
  });
  t.same(await register.activate('bank-b', id, '5678', pan), { ok: false, status: 'forbidden', reason: 'forbidden' });
  t.same(await register.activate('bank-a', id, '5678', pan), { ok: true });
  t.same(await register.activate('bank-a', id, '5678', pan), {
    ok: false,
    status: 'conflict',
    reason: 'card is already active',
  });
  const other = await add();
  await register.delete('bank-a', other.id);
  t.same(await register.activate('bank-a', other.id, '5678', other.pan), {
    ok: false,
    status: 'conflict',
    reason: 'card is deleted',
  });
  t.same(await register.activate('bank-a', '0'.repeat(32), '5678', pan), {
    ok: false,
    status: 'notFound',
    reason: 'notFound',
  });
});

t.test('block and lift: report time and block time kept apart, one block at a time, notices', async (t) => {
  const { register, relay, clock, add } = await setup(t);
  const { id } = await add({ status: 'active' });
  const reported = new Date('2026-11-21T09:40:00Z');
  t.same(
    await register.block(
      '',
      id,
      'stolen',
      reported,
      { name: 'Jens Hansen', statement: 'Taken from my bag at Nørreport' },
      '1234567890',
    ),
    { ok: true },
    'the block service may block any card',
  );
  t.match(await register.state(id), {
    block: 'stolen',
    blockReportedAt: reported.toISOString(),
    blockedAt: clock.now().toISOString(),
  });
  t.same(await register.block('bank-a', id, 'lost', new Date()), {
    ok: false,
    status: 'conflict',
    reason: 'card is already blocked',
  });
  t.same(await register.liftBlock('bank-b', id), { ok: false, status: 'forbidden', reason: 'forbidden' });
  clock.advance(1000); // the feed is ordered by time: each notice a time of its own
  t.same(await register.liftBlock('bank-a', id), { ok: true });
  t.same(await register.liftBlock('bank-a', id), { ok: false, status: 'conflict', reason: 'card is not blocked' });
  clock.advance(1000);
  t.same(await register.block('bank-a', id, 'fraud', new Date()), { ok: true });
  t.equal(await relay.flush(id), 3);
  const notices = await relay.notices('bank-a');
  t.same(
    notices.map((n) => n.type),
    ['monitoringBlock', 'blockLifted', 'blockRegistered'],
    'newest first',
  );
  t.match(notices[1], { reason: 'stolen', reference: '1234567890', by: 'bank-a', blockedBy: 'blockService' });
  t.match(notices[2], {
    reason: 'stolen',
    reference: '1234567890',
    report: { name: 'Jens Hansen', statement: 'Taken from my bag at Nørreport' },
    reportedAt: reported.getTime(),
  });
  t.same(await register.liftPinBlock('bank-a', id), {
    ok: false,
    status: 'conflict',
    reason: 'card is not PIN-blocked',
  });
  t.same(await register.setBalance('bank-a', id, 12_345), { ok: true });
  t.match(await register.state(id), { balance: 12_345, available: 12_345 });
  t.same(await register.delete('bank-a', id), { ok: true });
  t.same(await register.delete('bank-a', id), { ok: false, status: 'conflict', reason: 'card is already deleted' });
  t.same(await register.block('bank-a', id, 'lost', new Date()), {
    ok: false,
    status: 'conflict',
    reason: 'card is deleted',
  });
});

t.test('the relay: moving twice leaves one copy; the sweep finds what a failure left; filters', async (t) => {
  const { redis, prefix, register, relay, clock, add } = await setup(t);
  const a = await add({ status: 'active' });
  const b = await add({ status: 'active', issuer: 'bank-b' });
  await register.block('bank-a', a.id, 'lost', new Date());
  clock.advance(60_000);
  await register.block('bank-b', b.id, 'issuer', new Date());
  // A crash after the notice reached the feed but before it left the outbox: moved again later.
  const outbox = cardKeys(prefix, a.id).outbox;
  const pending = await redis.lrange(outbox, 0, -1);
  await redis.zadd(relay.feedKey('bank-a'), JSON.parse(pending[0]!).at, pending[0]!);
  t.equal(await relay.sweep(), 2, 'the sweep moved both outboxes');
  t.equal(await redis.llen(outbox), 0);
  t.equal((await relay.notices('bank-a')).length, 1, 'one copy, not two');
  t.equal((await relay.notices('bank-b')).length, 1, 'each issuer sees only its own');
  t.equal(await relay.sweep(), 0, 'nothing left');
  const c = await add({ status: 'active' });
  // Two notices a second: a block and its lift each time.
  for (let i = 0; i < 5; i++) {
    clock.advance(1000);
    await register.block('bank-a', c.id, 'lost', new Date());
    await register.liftBlock('bank-a', c.id);
  }
  await relay.flush(c.id);
  const since = clock.now().getTime() - 2500;
  t.equal((await relay.notices('bank-a', { card: c.id })).length, 10, 'by card');
  t.equal((await relay.notices('bank-a', { card: c.id, since })).length, 6, 'by time');
  t.equal((await relay.notices('bank-a', { limit: 2 })).length, 2, 'limited');
  t.equal((await relay.notices('bank-a', { card: c.id, until: since - 1 })).length, 4, 'until');
  t.equal((await relay.notices('bank-a', { card: c.id, types: ['blockLifted'] })).length, 5, 'by type');
  // The periodic sweep runs only after a failed flush (a sweep SCANs the whole keyspace).
  const { Redis } = await import('ioredis');
  const conn = new Redis(await testRedisUrl(), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  await conn.connect();
  const warned: string[] = [];
  const periodic = new NoticeRelay(conn, prefix, new CardOutboxes(conn, prefix, 'notices'), {
    warn: (_o: object, m: string) => warned.push(m),
  } as never);
  periodic.startSweeping(10);
  t.teardown(() => {
    periodic.stopSweeping();
    conn.disconnect();
  });
  const outboxC = cardKeys(prefix, c.id).outbox;
  await register.block('bank-a', c.id, 'lost', new Date());
  await new Promise((r) => setTimeout(r, 100));
  t.equal(await redis.llen(outboxC), 1, 'nothing failed: the periodic sweep does not scan');
  conn.disconnect(true); // drops the connection; ioredis reconnects by itself
  await periodic.flushQuietly(c.id);
  t.same(warned, ['notices left in the outbox for the next sweep'], 'the flush failed');
  for (let i = 0; i < 100 && (await redis.llen(outboxC)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(await redis.llen(outboxC), 0, 'after a failed flush, the periodic sweep moved it');
});

t.test('flushQuietly leaves notices for the sweep when Redis fails', async (t) => {
  const { Redis } = await import('ioredis');
  const { url } = await testRedis(t);
  const broken = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  await broken.connect();
  broken.disconnect();
  const warnings: string[] = [];
  const relay = new NoticeRelay(broken, 'x:', new CardOutboxes(broken, 'x:', 'notices'), {
    warn: (_o: object, m: string) => warnings.push(m),
  } as never);
  await relay.flushQuietly('0'.repeat(32));
  t.same(warnings, ['notices left in the outbox for the next sweep']);
});

t.test('terminal keys: from a file, a default, validation', async (t) => {
  const keys = TerminalKeys.fromJson({
    default: { format: 0, key: 'ABABABABABABABABCDCDCDCDCDCDCDCD' },
    terminals: { T1: { format: 4, key: '000102030405060708090A0B0C0D0E0F', model: 'psam' } },
  });
  t.match(keys.keyFor('T1'), { format: 4, model: 'psam' });
  t.equal(keys.keyFor('T2').key.toString('hex'), 'ababababababababcdcdcdcdcdcdcdcd');
  t.same(TerminalKeys.testKeys().keyFor(undefined), TEST_PIN_KEY);
  t.equal(TerminalKeys.fromFile('config/terminal-keys.example.json').keyFor('DKT10001').model, 'dkt1');
  t.throws(() => TerminalKeys.fromJson({ default: { format: 1, key: 'AB' } }), {
    message: /key file: \/default\/format must be equal to one of the allowed values/,
  });
  t.throws(() => TerminalKeys.fromJson({ terminals: { T: { format: 4, key: '0'.repeat(48) } } }), {
    message: 'key file: a format 4 (AES-128) key has 16 bytes',
  });
});

t.test('terminal keys: an ATM names the bank owning it, and only an ATM has an owner', async (t) => {
  const example = TerminalKeys.fromFile('config/terminal-keys.example.json');
  t.match(example.keyFor('ATM00001'), { model: 'atm', owner: 'bank-a' });
  t.match(example.keyFor('ATM00002'), { model: 'atm', owner: 'bank-b' });
  t.equal(example.keyFor('TERM0001').owner, undefined);
  const key = '0'.repeat(32);
  t.throws(() => TerminalKeys.fromJson({ terminals: { A: { format: 0, key, model: 'atm' } } }), {
    message: /key file: \/terminals\/A must have required property 'owner'/,
  });
  t.throws(() => TerminalKeys.fromJson({ terminals: { T: { format: 0, key, model: 'psam', owner: 'bank-a' } } }), {
    message: /key file: \/terminals\/T must NOT be valid/,
  });
  t.throws(() => TerminalKeys.fromJson({ terminals: { A: { format: 0, key, model: 'atm', owner: 'bank a' } } }), {
    message: /key file: \/terminals\/A\/owner must match pattern/,
  });
});

t.test('Luhn and expiry months', async (t) => {
  t.ok(luhnValid('5019000000000016'));
  t.notOk(luhnValid('5019000000000017'));
  t.notOk(luhnValid('50190000000'), 'too short');
  t.notOk(luhnValid('5019x00000000016'));
  t.equal(yymm(new Date('2026-11-30T22:59:59Z'), 'Europe/Copenhagen'), '2611');
  t.equal(yymm(new Date('2026-11-30T23:00:00Z'), 'Europe/Copenhagen'), '2612');
  t.equal(yymm(new Date('2026-11-30T23:00:00Z'), 'UTC'), '2611');
});
