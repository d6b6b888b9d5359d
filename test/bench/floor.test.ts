/**
 * The floor (bench/load/floor.ts) on a real Redis, in this process: a request for a seeded card
 * is answered approved with the echoed fields and leaves its entry and counter in Redis; its one
 * call is the decision's in keys and arguments; what it wrote is removed by clean().
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { type IsoMessage, Iso8583Error, type ShippedDialect, dialect } from '../../src/codec/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { cardId } from '../../src/crypto/card-id.js';
import { cardKeys } from '../../src/card/keys.js';
import { authorizeScript } from '../../src/card/scripts/authorize.js';
import { benchPan, benchPin, type PlannedCard } from '../../bench/load/cards.js';
import { FLOOR_FIELD, FLOOR_LIST, Floor, floorScript } from '../../bench/load/floor.js';
import { deleteKeys } from '../../bench/load/harness.js';
import { loadMix } from '../../bench/load/mix.js';
import { seedCards } from '../../bench/load/seed.js';
import { followUpFor, requestFor } from '../../bench/load/templates.js';
import { testRedisUrl } from '../support/redis.js';

const mix = loadMix('default');
const entry = (name: string) => mix.entries.find((e) => e.name === name)!;
const card: PlannedCard = { pan: benchPan(0, 1), pin: benchPin(0, 1), cvc: '123', state: 'active' };
const at = new Date('2026-12-06T10:00:00Z');

async function setup(t: Test, name: ShippedDialect = 'iso93ascii') {
  const url = await testRedisUrl();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:floor:${process.pid}:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  await seedCards(redis, prefix, new Map([['active', [card]]]));
  const d = dialect(name);
  const keys = cardKeys(prefix, cardId(card.pan, Buffer.from(DEFAULT_CONFIG.register.secret, 'hex')));
  return { redis, prefix, d, keys, floor: new Floor(redis, prefix, d, DEFAULT_CONFIG.register) };
}

t.test('the one call is the decision’s in KEYS and ARGV', async (t) => {
  t.same(floorScript.keys, authorizeScript.keys);
  t.same(floorScript.args, authorizeScript.args);
});

t.test('a purchase on a seeded card: 000, the echoed fields, its entry and counter written', async (t) => {
  const { redis, d, keys, floor } = await setup(t);
  const request = requestFor(d, entry('purchase-pin'), card, at, '000042', 'B0000007');
  const answer: IsoMessage = d.unpack(await floor.answer(d.pack(request)));
  t.equal(answer[0], '1210');
  t.equal(answer[39], '000');
  t.match(answer[38], /^\d{6}$/);
  for (const n of [2, 3, 4, 7, 11, 12, 37, 41, 42, 49]) t.equal(answer[n], request[n], `field ${n} echoed`);
  t.equal(answer[52], undefined, 'the PIN block is not echoed');
  const entries = await redis.lrange(keys.card + FLOOR_LIST, 0, -1);
  t.equal(entries.length, 1);
  const posting = JSON.parse(entries[0]!) as Record<string, unknown>;
  t.match(posting, {
    txn: 'B0000007-261206100000-000042',
    type: 'purchase',
    direction: 'D',
    amount: 12550,
    terminal: 'B0000007',
    stan: '000042',
    merchant: 'BENCHSHOP000001',
    approvalCode: answer[38],
    cardStatus: 'active',
    issuer: 'bench-bank',
    maskedPan: '501990******' + card.pan.slice(-4),
  });
  t.notMatch(entries[0]!, card.pan, 'no clear PAN in the entry');
  t.equal(await redis.hget(keys.card, FLOOR_FIELD), '12550', 'the counter');
  t.equal(await redis.hget(keys.card, 'unbooked'), '0', "the register's own fields untouched");
  t.equal(await redis.exists(keys.posts, keys.outbox, keys.holds), 0, "the switch's keys untouched");

  // A refund and a completion advice: the same one call each, answered 000 with the advice's fields echoed.
  await floor.answer(d.pack(requestFor(d, entry('refund'), card, at, '000043', 'B0000007')));
  const fuel = entry('fuel-completion');
  const advice = followUpFor(d, { ...fuel, then: fuel.then! }, card, at, '000045', '000044', 'B0000007');
  const done = d.unpack(await floor.answer(d.pack(advice)));
  t.match(done, { 0: '1230', 39: '000', 24: '202', 56: advice[56] });
  const all = (await redis.lrange(keys.card + FLOOR_LIST, 0, -1)).map((e) => JSON.parse(e) as { type: string });
  t.same(
    all.map((p) => p.type),
    ['purchase', 'refund', 'purchase'],
  );
  t.equal(await redis.hget(keys.card, FLOOR_FIELD), String(12550 + 5000 + 43725));

  t.equal(await floor.clean(), 1, 'one list removed');
  t.equal(await redis.exists(keys.card + FLOOR_LIST), 0);
  t.equal(await redis.hexists(keys.card, FLOOR_FIELD), 0);
  t.equal(await redis.hget(keys.card, 'status'), 'active', 'the seeded card stays');
});

t.test('the 1987 code set, an unknown card, no PAN, an unreadable message, Redis gone', async (t) => {
  const { redis, prefix, d, keys, floor } = await setup(t, 'iso87ascii');
  const ok = d.unpack(await floor.answer(d.pack(requestFor(d, entry('purchase-pin'), card, at, '000001', 'B0000001'))));
  t.match(ok, { 0: '0210', 39: '00' });
  const stranger: PlannedCard = { ...card, pan: benchPan(9, 9) };
  const unknown = d.unpack(
    await floor.answer(d.pack(requestFor(d, entry('purchase-pin'), stranger, at, '000002', 'B0000001'))),
  );
  t.equal(unknown[39], '14', 'not registered');
  t.equal(unknown[38], undefined, 'no approval code');
  const dual = d.unpack(
    await floor.answer(d.pack(requestFor(d, entry('authorization-pin'), card, at, '000005', 'B0000001'))),
  );
  t.match(dual, { 0: '0110', 39: '00' });
  // Nothing but the MTI and the card: still one call, answered (the floor applies no rule).
  t.match(d.unpack(await floor.answer(d.pack({ 0: '0200', 2: card.pan }))), { 0: '0210', 2: card.pan, 39: '00' });
  const noPan = requestFor(d, entry('refund'), card, at, '000003', 'B0000001');
  delete noPan[2];
  t.equal(d.unpack(await floor.answer(d.pack(noPan)))[39], '30', 'format error');
  await t.rejects(floor.answer(Buffer.from('0200garbage')), Iso8583Error);

  const gone = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  gone.on('error', () => undefined);
  t.teardown(() => gone.disconnect());
  const down = new Floor(gone, prefix, d, DEFAULT_CONFIG.register);
  const answer = d.unpack(await down.answer(d.pack(requestFor(d, entry('refund'), card, at, '000004', 'B0000001'))));
  t.equal(answer[39], '91', 'register unavailable');
  t.equal(answer[38], undefined);
  t.equal(
    await redis.llen(keys.card + FLOOR_LIST),
    3,
    'the unknown card, the format error and the failed call wrote nothing',
  );
});
