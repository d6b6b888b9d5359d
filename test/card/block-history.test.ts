/**
 * The card's block history and its status at a time: status-at.lua (run here by a probe script
 * that includes it, as the posting scripts would) and its TypeScript twin (cardStatusAt) give the
 * same answers on the same records; and the register's block, report, lift and delete keep the
 * history, on a real Redis with a fake clock.
 */
import t, { type Test } from 'tap';
import { defineScript } from '../../src/redis/scripts.js';
import { ManualClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { CardRegister } from '../../src/card/card-register.js';
import { type BlockInterval, blockHistoryOf, cardStatusAt } from '../../src/card/block-history.js';
import type { RegisterRedis } from '../../src/redis/client.js';
import { testRedis } from '../support/redis.js';
import { newPan } from '../support/cards.js';

const probe = defineScript({
  name: 'swTestStatusAtProbe',
  file: new URL('./fixtures/status-at-probe.lua', import.meta.url),
  include: [new URL('../../src/card/scripts/status-at.lua', import.meta.url)],
  keys: ['card'],
  args: ['times'],
  reply: (raw) => {
    const [statuses, history] = raw as [string, string];
    return { statuses: JSON.parse(statuses) as string[], history: JSON.parse(history) as BlockInterval[] };
  },
});

const ofProbe = defineScript({
  name: 'swTestStatusOfProbe',
  file: new URL('./fixtures/status-of-probe.lua', import.meta.url),
  include: [new URL('../../src/card/scripts/status-at.lua', import.meta.url)],
  keys: ['card'],
  args: ['times'],
  reply: (raw) => (raw as [string, string]).map((json) => JSON.parse(json) as string[]),
});

/** Lua and TypeScript on the record as it is in Redis: each time's status, and the history. */
async function both(redis: RegisterRedis, key: string, times: number[]) {
  const lua = await probe.run(redis, { card: key }, { times: JSON.stringify(times) });
  const record = await redis.hgetall(key);
  return { lua, ts: { statuses: times.map((ms) => cardStatusAt(record, ms)), history: blockHistoryOf(record) } };
}

async function record(t: Test, fields: Record<string, string>) {
  const { redis, prefix } = await testRedis(t);
  const key = `${prefix}card:{${'ab'.repeat(16)}}`;
  if (Object.keys(fields).length > 0) await redis.hset(key, fields);
  return { redis, key };
}

const TIMES = [0, 999, 1000, 1001, 1999, 2000, 2500, 3000, 3999, 4000, 4999, 5000, 5999, 6000, 9e12];

t.test('statusAt: Lua and TypeScript agree on every kind of record, at every boundary', async (t) => {
  const closed = (reason: string, blockedAt: number, liftedAt: number) => ({
    reason,
    by: 'bank-a',
    reportedAt: blockedAt - 100,
    blockedAt,
    liftedAt,
    liftedBy: 'bank-a',
  });
  const cases: [string, Record<string, string>, string[]][] = [
    ['a card never blocked', { status: 'active', block: '' }, TIMES.map(() => 'active')],
    [
      'a block from before the history was kept: its interval from the record',
      { block: 'lost', blockedAt: '1000', blockReportedAt: '900', blockReference: 'R1' },
      TIMES.map((ms) => (ms >= 1000 ? 'blocked:lost' : 'active')),
    ],
    [
      'two lifted blocks and one in force: blocked from blockedAt (inclusive) to liftedAt (exclusive)',
      {
        block: 'pinKnown',
        blockedAt: '5000',
        blocks: JSON.stringify([
          closed('stolen', 1000, 2000),
          closed('copied', 3000, 4000),
          { reason: 'pinKnown', by: 'blockService', reportedAt: 4900, blockedAt: 5000 },
        ]),
      },
      TIMES.map((ms) =>
        ms >= 5000
          ? 'blocked:pinKnown'
          : ms >= 3000 && ms < 4000
            ? 'blocked:copied'
            : ms >= 1000 && ms < 2000
              ? 'blocked:stolen'
              : 'active',
      ),
    ],
    [
      'every block lifted',
      { block: '', blocks: JSON.stringify([closed('misused', 1000, 2000)]) },
      TIMES.map((ms) => (ms >= 1000 && ms < 2000 ? 'blocked:misused' : 'active')),
    ],
    [
      'deleted while blocked: deleted from its deletion on',
      { status: 'deleted', deletedAt: '6000', block: 'suspected', blockedAt: '5000', blockReportedAt: '4000' },
      TIMES.map((ms) => (ms >= 6000 ? 'deleted' : ms >= 5000 ? 'blocked:suspected' : 'active')),
    ],
  ];
  for (const [what, fields, expected] of cases) {
    const { redis, key } = await record(t, fields);
    const { lua, ts } = await both(redis, key, TIMES);
    t.same(lua.statuses, expected, `${what}: Lua`);
    t.same(ts.statuses, expected, `${what}: TypeScript`);
    t.same(lua.history, ts.history, `${what}: the same history`);
  }
  const { redis, key } = await record(t, { block: 'lost', blockedAt: '1000', blockReportedAt: '900' });
  t.same(
    (await both(redis, key, [])).lua.history,
    [{ reason: 'lost', blockedAt: 1000, reportedAt: 900 }],
    'a block from before the history: reason and both times, no reference when none',
  );
});

t.test('the register keeps every block through reports, lifts and deletion', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const start = Date.parse('2026-11-21T10:00:00Z');
  const clock = new ManualClock(new Date(start));
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const { card: id } = await register.register({
    pan: newPan(),
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '5678',
    account: '1',
    balance: 0,
    currency: '208',
    status: 'active',
  });
  const key = register.keysOf(id).card;
  const at = (minutes: number) => new Date(start + minutes * 60_000);
  const to = (minutes: number) => clock.set(at(minutes));

  to(10); // the holder called at 5, the block service blocked at 10
  t.same(await register.block('', id, 'stolen', at(5), { said: 'bag' }, '1000000009'), { ok: true });
  to(20); // a second call while blocked: kept with the block
  const again = await register.block('', id, 'lost', at(19), { said: 'again' }, '2000000008', (d) => `sms ${+d}`);
  t.same(again, {
    ok: true,
    alreadyBlocked: { reason: 'stolen', by: 'blockService', reportedAt: +at(5), blockedAt: +at(10) },
  });
  t.match(await register.block('bank-a', id, 'issuer', at(20)), { ok: false, reason: 'card is already blocked' });
  to(30);
  t.same(await register.liftBlock('bank-a', id), { ok: true });
  to(40); // the issuer blocks at 40 what its customer reported at 35
  t.same(await register.block('bank-a', id, 'copied', at(35)), { ok: true });
  to(50);
  t.same(await register.delete('bank-a', id), { ok: true });

  const state = await register.state(id);
  t.same(state?.blocks, [
    {
      reason: 'stolen',
      by: 'blockService',
      reference: '1000000009',
      liftedBy: 'bank-a',
      reportedAt: at(5).toISOString(),
      blockedAt: at(10).toISOString(),
      liftedAt: at(30).toISOString(),
      reports: [
        { reason: 'lost', reference: '2000000008', reportedAt: at(19).toISOString(), at: at(20).toISOString() },
      ],
    },
    { reason: 'copied', by: 'bank-a', reportedAt: at(35).toISOString(), blockedAt: at(40).toISOString() },
  ]);
  t.match(state, { status: 'deleted', block: 'copied', blockReportedAt: at(35).toISOString() });
  const minutes = [0, 9, 10, 20, 29, 30, 39, 40, 49, 50, 60];
  const { lua, ts } = await both(
    redis,
    key,
    minutes.map((m) => +at(m)),
  );
  const expected = ['active', 'active', 'blocked:stolen', 'blocked:stolen', 'blocked:stolen', 'active', 'active'];
  expected.push('blocked:copied', 'blocked:copied', 'deleted', 'deleted');
  t.same(lua.statuses, expected, 'Lua: the status at each time');
  t.same(ts.statuses, expected, 'TypeScript: the same');
});

t.test('statusOf, from the fields the caller read (authorize.lua), answers as statusAt', async (t) => {
  const history = JSON.stringify([
    { reason: 'lost', by: 'bank-a', reportedAt: 900, blockedAt: 1000, liftedAt: 2000, liftedBy: 'bank-a' },
    { reason: 'stolen', by: 'bank-a', reportedAt: 2900, blockedAt: 3000 },
  ]);
  const cases: [string, Record<string, string>, string[]][] = [
    ['no record', {}, TIMES.map(() => 'active')],
    ['never blocked', { status: 'active', block: '' }, TIMES.map(() => 'active')],
    [
      'deleted',
      { status: 'deleted', block: '', deletedAt: '4000' },
      TIMES.map((ms) => (ms >= 4000 ? 'deleted' : 'active')),
    ],
    [
      'a block from before the history was kept',
      { block: 'fraud', blockedAt: '5000' },
      TIMES.map((ms) => (ms >= 5000 ? 'blocked:fraud' : 'active')),
    ],
    [
      'a lifted block and an open one',
      { block: 'stolen', blocks: history },
      TIMES.map((ms) => (ms >= 3000 ? 'blocked:stolen' : ms >= 1000 && ms < 2000 ? 'blocked:lost' : 'active')),
    ],
    ['an empty history', { block: '', blocks: '' }, TIMES.map(() => 'active')],
  ];
  for (const [name, fields, expected] of cases) {
    const { redis, key } = await record(t, fields);
    const [of, at] = await ofProbe.run(redis, { card: key }, { times: JSON.stringify(TIMES) });
    t.same(of, expected, name);
    t.same(of, at, `${name}: as statusAt`);
  }
});
