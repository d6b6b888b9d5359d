/**
 * The card's Lua scripts on their own, on a real Redis (no switch, no CardRegister): each called
 * through the registry with crafted keys and arguments, then its reply and the keys it wrote
 * checked. authorize.lua, complete.lua and reverse.lua (src/card/scripts/authorize.ts,
 * transactions.ts); the issuer scripts (scripts/issuer.ts).
 */
import t from 'tap';
import type { RegisterRedis } from '../../src/redis/client.js';
import { completeScript, reverseScript } from '../../src/card/scripts/transactions.js';
import { bookScript } from '../../src/card/scripts/book.js';
import {
  activateScript,
  blockScript,
  deleteScript,
  liftBlockScript,
  liftPinBlockScript,
  registerScript,
  setBalanceScript,
} from '../../src/card/scripts/issuer.js';
import { testRedis } from '../support/redis.js';
import { type AuthorizeArgs, NOW, card } from '../support/card-scripts.js';

const DAY = 86_400_000;

async function pttl(redis: RegisterRedis, key: string): Promise<number> {
  return redis.pttl(key);
}

t.test('authorize: not registered writes nothing', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix, { status: 'none' });
  t.same(await c.authorize(), ['notRegistered', '', 0, 0, '', '']);
  t.equal(await redis.exists(c.txn('a'), c.k.posts, c.k.reservations), 0);
});

t.test('authorize: a single-message approval holds, records and posts in one call', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  const [outcome, detail, notices, available, approval, posting] = await c.authorize();
  t.same([outcome, detail, notices, available, approval], ['approved', '', 0, 4000, '123456']);
  t.same(JSON.parse(posting!), {
    id: 'posting-1',
    txn: 'TERM0001-261121101530-000001',
    type: 'purchase',
    direction: 'D',
    amount: 1000,
    currency: '208',
    terminal: 'TERM0001',
    merchant: 'MERCHANT0001',
    stan: '000001',
    localTime: '261121101530',
    receivedAt: NOW,
    issuer: 'bank-a',
    maskedPan: '501900******1234',
    panEnc: 'ENC',
    cardStatus: 'active',
    approvalCode: '123456',
    card: c.id,
    originalAmount: 1000,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    purchasedAt: NOW - 60_000,
    authorizedAt: NOW,
    merchantName: 'Bageriet',
    merchantCity: 'Aarhus',
    mcc: '5462',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'psam',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
  });
  t.same(await redis.lrange(c.k.posts, 0, -1), [posting], 'the posting in the outbox');
  t.match(await redis.hgetall(c.k.card), { reserved: '0', unbooked: '1000', balance: '5000' }, 'held, not booked');
  t.same(await redis.hgetall(c.k.holds), { 'posting-1': '1000' }, "under the posting's id, until it is booked");
  t.equal(await redis.zcard(c.k.reservations), 0, 'no reservation: nothing that could lapse');
  t.same(await redis.hgetall(c.txn('a')), {
    sig: 'sig-1',
    outcome: 'approved',
    detail: '',
    approval: '123456',
    state: 'posted',
    msg: 'single',
    kind: 'purchase',
    amount: '1000',
    res: '',
    posting: posting!,
  });
  const ttl = await pttl(redis, c.txn('a'));
  t.ok(ttl > DAY - 60_000 && ttl <= DAY, 'the record lives `keepFor`');

  t.same(
    await c.authorize(),
    ['approved', '', 0, 0, '123456', '', 'repeat'],
    'a retransmission: the first answer, nothing posted',
  );
  t.same(
    await c.authorize({ signature: 'other' }),
    ['duplicateTransmission', '', 0, 0, '', ''],
    'the same transaction with other content',
  );
  t.equal(await redis.llen(c.k.posts), 1);
  t.equal(await redis.hget(c.k.card, 'unbooked'), '1000', 'nothing changed');

  const tracked = await c.authorize({ track: '1', postingId: 'posting-2', reserve: '0' }, 'b');
  t.equal(JSON.parse(tracked[5]!).track, 1, 'a tracked terminal: track in the outbox posting');
});

t.test('authorize: dual message keeps the posting for its completion; a refund reserves nothing', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  t.same(await c.authorize({ message: 'dual' }), ['approved', '', 0, 4000, '123456', '']);
  t.equal(await redis.llen(c.k.posts), 0, 'nothing posted yet');
  t.match(await redis.hgetall(c.txn('a')), { state: 'authorized', msg: 'dual', res: 'res-1' });
  t.match(JSON.parse((await redis.hget(c.txn('a'), 'posting'))!), { id: 'posting-1', amount: 1000 });

  const [outcome, , , available, , posting] = await c.authorize(
    { kind: 'refund', postingType: 'refund', direction: 'C', amount: 300, reservation: 'res-2', signature: 's2' },
    'b',
  );
  t.same([outcome, available], ['approved', 4000], 'available unchanged by a refund');
  t.match(JSON.parse(posting!), { type: 'refund', direction: 'C', amount: 300 });
  t.equal(await redis.hget(c.k.reservationAmounts, 'res-2'), null);
});

t.test('authorize: three strikes with notices, then PIN-blocked; a correct PIN resets the count', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  t.same(await c.authorize({ pvv: 'WRONG', signature: 's1' }, 't1'), ['wrongPin', '1', 1, 0, '', '']);
  t.same(await c.authorize({ pvv: 'PVV1', signature: 's2' }, 't2'), [
    'approved',
    '',
    0,
    4000,
    '123456',
    (await redis.lrange(c.k.posts, 0, 0))[0],
  ]);
  t.equal(await redis.hget(c.k.card, 'pinTries'), '0', 'a correct PIN reset the count');
  t.same(await c.authorize({ pvv: 'WRONG', signature: 's3' }, 't3'), ['wrongPin', '1', 1, 0, '', '']);
  t.same(await c.authorize({ pvv: 'WRONG', signature: 's4' }, 't4'), ['wrongPin', '2', 1, 0, '', '']);
  t.same(await c.authorize({ pvv: 'WRONG', signature: 's5' }, 't5'), ['pinTriesExceeded', '3', 2, 0, '', '']);
  t.match(await redis.hgetall(c.k.card), { pinBlocked: '1', pinBlockedAt: String(NOW), pinTries: '3' });
  t.same(
    await redis.hgetall(c.txn('t5')),
    { sig: 's5', outcome: 'pinTriesExceeded', detail: '3', approval: '' },
    'a decline is recorded without a posting',
  );
  const notices = (await redis.lrange(c.k.outbox, 0, -1)).map((n) => JSON.parse(n) as Record<string, unknown>);
  t.same(
    notices.map((n) => [n.type, n.tries]),
    [
      ['wrongPin', 1],
      ['wrongPin', 1],
      ['wrongPin', 2],
      ['wrongPin', 3],
      ['pinBlocked', 3],
    ],
  );
  t.same(notices[4], {
    id: 'notice-2',
    type: 'pinBlocked',
    issuer: 'bank-a',
    card: c.id,
    maskedPan: '501900******1234',
    at: NOW,
    terminal: 'TERM0001',
    tries: 3,
  });
  t.same(
    await c.authorize({ pvv: 'PVV1', signature: 's6' }, 't6'),
    ['pinTriesExceeded', '', 0, 0, '', ''],
    'PIN-blocked: even the right PIN',
  );
  t.same(await c.authorize({ pvv: '!', signature: 's7' }, 't7'), ['pinTriesExceeded', '', 0, 0, '', '']);
});

t.test('authorize: the rules before the PIN, contactless limits, balance and lapsed reservations', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const rules = async (fields: Record<string, string | number>, args: Partial<AuthorizeArgs> = {}) => {
    const c = await card(redis, prefix, fields);
    return (await c.authorize({ signature: '', ...args })).slice(0, 4);
  };
  t.same(await rules({ status: 'deleted' }), ['deleted', '', 0, 0]);
  t.same(await rules({ expiry: '2610' }), ['expired', '', 0, 0]);
  t.same(await rules({ status: 'registered' }), ['notActivated', '', 0, 0]);
  t.same(await rules({ block: 'stolen' }), ['blocked', 'stolen', 0, 0]);
  t.same(await rules({}, { pvv: '!' }), ['invalidPinBlock', '', 0, 0]);
  t.same(await rules({}, { amount: 6000 }), ['insufficientFunds', '', 0, 5000]);
  t.same(await rules({}, { contactless: '1', amount: 40_000 }), ['pinRequired', 'limit', 0, 0]);
  t.same(await rules({ clCount: 5 }, { contactless: '1' }), ['chipAndPinRequired', 'cumulative', 0, 0]);
  t.same(await rules({ clSum: 99_500 }, { contactless: '1' }), ['chipAndPinRequired', 'cumulative', 0, 0]);
  // The PIN at the reader: enough over the limit, not for the challenge below it.
  const pin = { contactless: '1', pvv: 'PVV1', reserve: '0' } as const;
  t.same(await rules({ clCount: 5 }, pin), ['chipAndPinRequired', 'cumulative', 0, 0], 'below the limit');
  t.same(await rules({ clCount: 5, balance: 100_000 }, { ...pin, amount: 40_000 }), ['approved', '', 0, 100_000]);
  t.same(await rules({ clCount: 5 }, { ...pin, chip: '1', contactless: '0' }), ['approved', '', 0, 5000], 'chip');

  const c = await card(redis, prefix, { clCount: 2, clSum: 700, reserved: 800 });
  await redis.zadd(c.k.reservations, NOW - 1, 'old');
  await redis.hset(c.k.reservationAmounts, 'old', '800');
  t.same(
    await c.authorize({ signature: '', contactless: '1' }),
    ['approved', '', 0, 4000, '', ''],
    'rules only: nothing recorded',
  );
  t.equal(await redis.exists(c.txn('a')), 0);
  t.equal(await redis.llen(c.k.posts), 0);
  t.match(
    await redis.hgetall(c.k.card),
    { reserved: '1000', clCount: '3', clSum: '1700' },
    'the lapsed reservation released; contactless counted',
  );
  t.equal(await redis.hget(c.k.reservationAmounts, 'old'), null);
  t.same(await redis.zrange(c.k.reservations, '0', '-1'), ['res-1']);
  await c.authorize({ signature: '', pvv: 'PVV1', reserve: '0' });
  t.match(await redis.hgetall(c.k.card), { clCount: '3', clSum: '1700' }, 'a PIN not read from the chip: no reset');
  await c.authorize({ signature: '', pvv: 'PVV1', reserve: '0', contactless: '1' });
  t.match(await redis.hgetall(c.k.card), { clCount: '3', clSum: '1700' }, 'nor a PIN at the contactless reader');
  await c.authorize({ signature: '', chip: '1', reserve: '0' });
  t.match(await redis.hgetall(c.k.card), { clCount: '3', clSum: '1700' }, 'nor the chip without the PIN');
  await c.authorize({ signature: '', pvv: 'PVV1', chip: '1', reserve: '0' });
  t.match(await redis.hgetall(c.k.card), { clCount: '0', clSum: '0' }, 'the chip with a verified PIN resets them');
});

t.test('complete: posts the final amount once, holds it, gives the whole reservation back', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  await c.authorize({ message: 'dual' }, 'orig');
  const args = { now: NOW + 1000, signature: 'c-sig', amount: 600, keepFor: DAY, postingId: 'posting-c', currency: '' };
  const [outcome, detail, , , approval, posting] = await completeScript.run(redis, c.onOriginal('own', 'orig'), args);
  t.same([outcome, detail, approval], ['approved', '', '123456']);
  const original = JSON.parse((await redis.hget(c.txn('orig'), 'posting'))!) as Record<string, unknown>;
  t.same(
    JSON.parse(posting),
    { ...original, id: 'posting-c', amount: 600, originalAmount: 600, receivedAt: NOW + 1000, authorizedAt: NOW },
    "the original's posting, with its own id, the final amount and the completion's receipt time",
  );
  t.same(await redis.lrange(c.k.posts, 0, -1), [posting]);
  t.match(await redis.hgetall(c.txn('orig')), { state: 'completed', completedAmount: '600', posting });
  t.same(await redis.hgetall(c.txn('own')), { sig: 'c-sig', outcome: 'approved', detail: '', approval: '123456' });
  t.equal(await redis.hget(c.k.reservationAmounts, 'res-1'), null, 'the reservation is gone');
  t.equal(await redis.zcard(c.k.reservations), 0, 'nothing left to lapse');
  t.same(await redis.hgetall(c.k.holds), { 'posting-c': '600' }, 'the final amount held until booked');
  t.match(await redis.hgetall(c.k.card), { reserved: '0', unbooked: '600', balance: '5000' }, '400 given back');

  t.same(
    await completeScript.run(redis, c.onOriginal('own', 'orig'), args),
    ['approved', '', 0, 0, '123456', '', 'repeat'],
    'a repeat',
  );
  t.same(await completeScript.run(redis, c.onOriginal('own2', 'orig'), { ...args, signature: 'x' }), [
    'alreadyCompleted',
    '',
    0,
    0,
    '',
    '',
  ]);
  t.equal(await redis.llen(c.k.posts), 1, 'posted once');

  await c.authorize({ message: 'dual', reservation: 'res-2', signature: 's2' }, 'orig2');
  t.same((await completeScript.run(redis, c.onOriginal('own3', 'orig2'), { ...args, amount: 1001 })).slice(0, 2), [
    'amountExceedsAuthorized',
    '',
  ]);
  await c.authorize({ reservation: 'res-3', signature: 's3' }, 'single');
  t.same((await completeScript.run(redis, c.onOriginal('own4', 'single'), args)).slice(0, 2), [
    'invalidTransaction',
    'not a dual-message authorization',
  ]);
  t.same((await completeScript.run(redis, c.onOriginal('own5', 'nothing'), args)).slice(0, 2), [
    'originalNotFound',
    '',
  ]);
  const none = await card(redis, prefix, { status: 'none' });
  t.same(await completeScript.run(redis, none.onOriginal('own', 'orig'), args), ['notRegistered', '', 0, 0, '', '']);
});

t.test(
  'reverse: a posted original gets a reversal posting once; an authorization only gives its reservation back',
  async (t) => {
    const { redis, prefix } = await testRedis(t);
    const c = await card(redis, prefix);
    const [, , , , , purchase] = await c.authorize({ track: '1' }, 'orig');
    const args = {
      now: NOW + 5000,
      signature: 'r-sig',
      amount: 0,
      keepFor: DAY,
      postingId: 'posting-r',
      postingType: 'reversal',
      reason: '4000',
      hasOwn: '1',
      feePostingId: 'fee-back',
    };
    const [outcome, detail, , , , posting] = await reverseScript.run(redis, c.onOriginal('own', 'orig'), args);
    t.same([outcome, detail], ['reversalAccepted', 'posted']);
    const { track: _track, ...p } = JSON.parse(purchase!) as Record<string, unknown>;
    t.same(
      JSON.parse(posting),
      {
        ...p,
        id: 'posting-r',
        type: 'reversal',
        direction: 'C',
        amount: 1000,
        reverses: p.txn,
        reason: '4000',
        receivedAt: NOW + 5000,
      },
      'opposite direction, no track',
    );
    t.same(await redis.lrange(c.k.posts, 0, -1), [purchase, posting]);
    t.match(await redis.hgetall(c.txn('orig')), { state: 'reversed', reversedAmount: '1000' });
    t.same(await redis.hgetall(c.txn('own')), {
      sig: 'r-sig',
      outcome: 'reversalAccepted',
      detail: 'posted',
      approval: '',
    });
    t.match(await redis.hgetall(c.k.card), { reserved: '0', unbooked: '0' }, "the purchase's hold given back");
    t.equal(await redis.hlen(c.k.holds), 0);

    t.same(await reverseScript.run(redis, c.onOriginal('own', 'orig'), args), [
      'reversalAccepted',
      'posted',
      0,
      0,
      '',
      '',
      'repeat',
    ]);
    t.same(await reverseScript.run(redis, c.onOriginal('own2', 'orig'), { ...args, signature: 'y' }), [
      'reversalAccepted',
      'alreadyReversed',
      0,
      0,
      '',
      '',
    ]);
    t.equal(await redis.llen(c.k.posts), 2, 'reversed once');

    await c.authorize({ message: 'dual', reservation: 'res-2', signature: 's2' }, 'dual');
    t.same(await reverseScript.run(redis, c.onOriginal('own3', 'dual'), args), [
      'reversalAccepted',
      'released',
      0,
      0,
      '',
      '',
    ]);
    t.match(await redis.hgetall(c.txn('dual')), { state: 'reversed', reversedAmount: '0' });
    t.equal(await redis.hget(c.k.reservationAmounts, 'res-2'), null);

    // The switch's own reversal (no request of its own: the original's key twice, nothing remembered), part of a refund.
    const [, , , , , refund] = await c.authorize(
      { kind: 'refund', postingType: 'refund', direction: 'C', amount: 700, signature: 's3' },
      'refund',
    );
    const own = c.onOriginal('refund', 'refund');
    const [, d2, , , , back] = await reverseScript.run(redis, own, {
      ...args,
      amount: 200,
      hasOwn: '0',
      reason: 'switch',
      signature: '',
    });
    t.equal(d2, 'posted');
    t.match(JSON.parse(back), { direction: 'D', amount: 200, reverses: JSON.parse(refund!).txn, reason: 'switch' });
    t.same(await redis.hgetall(c.k.holds), { 'posting-r': '200' }, 'the debit a reversed refund makes is held');
    t.equal(await redis.hget(c.k.card, 'unbooked'), '200');
    t.equal(await redis.hget(c.txn('refund'), 'sig'), 's3', 'no answer remembered over the original');

    t.same(await reverseScript.run(redis, c.onOriginal('own4', 'nothing'), args), [
      'reversalAccepted',
      'unmatched',
      0,
      0,
      '',
      '',
    ]);
    const none = await card(redis, prefix, { status: 'none' });
    t.same(await reverseScript.run(redis, none.onOriginal('own', 'orig'), args), [
      'reversalAccepted',
      'unmatched',
      0,
      0,
      '',
      '',
    ]);
  },
);

t.test("authorize: a dual-message reservation lapses after its card product's lifetime", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const lapses = JSON.stringify({ 'visa-dankort': 31 * DAY });
  const visa = await card(redis, prefix, { product: 'visa-dankort' });
  await visa.authorize({ message: 'dual', lapses });
  t.equal(Number(await redis.zscore(visa.k.reservations, 'res-1')), NOW + 31 * DAY, "the product's own lifetime");
  const other = await card(redis, prefix, { product: 'dankort' });
  await other.authorize({ message: 'dual', lapses });
  t.equal(Number(await redis.zscore(other.k.reservations, 'res-1')), NOW + 7 * DAY, 'another product: `lapse`');

  const c = await card(redis, prefix, { product: 'visa-dankort' });
  await c.authorize({ message: 'dual', amount: 3000, lapses, signature: 's1' }, 'dual');
  t.same(
    (await c.authorize({ amount: 3000, signature: 's2', reservation: 'res-2', now: NOW + 31 * DAY - 1 }, 'x')).slice(
      0,
      4,
    ),
    ['insufficientFunds', '', 0, 2000],
    'still reserved a millisecond before',
  );
  t.same(
    (await c.authorize({ amount: 3000, signature: 's3', reservation: 'res-3', now: NOW + 31 * DAY }, 'y')).slice(0, 4),
    ['approved', '', 0, 2000],
    'lapsed: the money never posted is free again',
  );
});

t.test('complete after the reservation lapsed: the posting still holds its amount', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  await c.authorize({ message: 'dual', amount: 4000 }, 'orig');
  await c.authorize({ amount: 1, signature: 's2', reserve: '0', now: NOW + 7 * DAY }, 'lapse'); // releases it
  t.match(await redis.hgetall(c.k.card), { reserved: '0' }, 'lapsed');
  const args = { now: NOW + 7 * DAY, signature: 'c', amount: 4000, keepFor: DAY, postingId: 'posting-c', currency: '' };
  t.equal((await completeScript.run(redis, c.onOriginal('own', 'orig'), args))[0], 'approved');
  t.match(await redis.hgetall(c.k.card), { reserved: '0', unbooked: '4000' }, 'held: spent money is never free');
});

t.test(
  'reverse: a completion not yet booked gives its hold back; a posting without a hold, its old reservation',
  async (t) => {
    const { redis, prefix } = await testRedis(t);
    const c = await card(redis, prefix);
    await c.authorize({ message: 'dual' }, 'orig');
    const complete = { now: NOW, signature: 'c', amount: 800, keepFor: DAY, postingId: 'posting-c', currency: '' };
    await completeScript.run(redis, c.onOriginal('own', 'orig'), complete);
    const reverse = {
      now: NOW,
      signature: 'r',
      amount: 300,
      keepFor: DAY,
      postingId: 'posting-r',
      postingType: 'reversal',
      reason: '4000',
      hasOwn: '1',
      feePostingId: 'fee-back',
    };
    const [, detail, , , , posting] = await reverseScript.run(redis, c.onOriginal('rev', 'orig'), reverse);
    t.equal(detail, 'posted');
    t.match(JSON.parse(posting), { direction: 'C', amount: 300 });
    t.same(await redis.hgetall(c.k.holds), { 'posting-c': '500' }, 'the reversed part of the hold given back');
    t.equal(await redis.hget(c.k.card, 'unbooked'), '500');

    // Made before holds existed: a single-message purchase reserved its amount, and no hold.
    const old = await card(redis, prefix, { reserved: 1000 });
    await redis.zadd(old.k.reservations, NOW + DAY, 'res-old');
    await redis.hset(old.k.reservationAmounts, 'res-old', '1000');
    const p = { id: 'posting-old', txn: 'T', type: 'purchase', direction: 'D', amount: 1000 };
    await redis.hset(old.txn('old'), {
      state: 'posted',
      msg: 'single',
      amount: 1000,
      res: 'res-old',
      posting: JSON.stringify(p),
    });
    t.equal((await reverseScript.run(redis, old.onOriginal('rev', 'old'), reverse))[1], 'posted');
    t.match(await redis.hgetall(old.k.card), { reserved: '700', unbooked: '0' }, 'its reservation given back in part');
  },
);

t.test('book: balance down by a debit, up by a credit, the hold released, each posting once', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  await c.authorize({}, 'a');
  const [, , , , , refund] = await c.authorize(
    { kind: 'refund', postingType: 'refund', direction: 'C', amount: 300, signature: 's2', postingId: 'posting-2' },
    'b',
  );
  t.match(JSON.parse(refund!), { id: 'posting-2', direction: 'C' });
  t.match(await redis.hgetall(c.k.card), { balance: '5000', unbooked: '1000' }, 'before: held, not booked');
  const keys = { card: c.k.card, holds: c.k.holds, booked: c.k.booked, statement: c.k.statement };
  const postings = [
    ...['posting-1', 'D', 1000, '1-0', NOW - 3000],
    ...['posting-2', 'C', 300, '2-0', NOW - 1000],
    ...['posting-old', 'D', 200, '3-0', NOW - 2000],
  ];
  t.equal(await bookScript.run(redis, keys, { now: NOW, keepFor: DAY }, postings), 3, 'three booked');
  t.match(
    await redis.hgetall(c.k.card),
    { balance: String(5000 - 1000 + 300 - 200), unbooked: '0' },
    'the debits off, the credit on; the one hold there was released',
  );
  t.equal(await redis.hlen(c.k.holds), 0);
  t.equal(await bookScript.run(redis, keys, { now: NOW + 1, keepFor: DAY }, postings), 0, 'again: nothing booked');
  t.equal(await redis.hget(c.k.card, 'balance'), '4100', 'the balance unchanged');
  t.same(await redis.zrange(c.k.booked, '0', '-1'), ['posting-1', 'posting-2', 'posting-old'], 'the booked ids');
  t.same(
    await redis.zrange(c.k.statement, '0', '-1'),
    ['1-0', '3-0', '2-0'],
    "the statement: each once, by purchase time, the journal's ids",
  );
  await bookScript.run(redis, keys, { now: NOW + 2 * DAY, keepFor: DAY }, ['posting-3', 'C', 1, '4-0', NOW]);
  t.same(await redis.zrange(c.k.booked, '0', '-1'), ['posting-3'], 'forgotten after keepFor');

  const none = await card(redis, prefix, { status: 'none' });
  const noneKeys = { card: none.k.card, holds: none.k.holds, booked: none.k.booked, statement: none.k.statement };
  t.equal(await bookScript.run(redis, noneKeys, { now: NOW, keepFor: DAY }, postings), 0, 'no card: nothing');
  t.equal(await redis.exists(none.k.card, none.k.booked, none.k.statement), 0, 'and nothing written');
});

t.test('issuer scripts: ownership first, then the change and its notice', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix, { status: 'none' });
  const keys = { card: c.k.card, outbox: c.k.outbox };
  const by = (issuer: string) => ({ issuer, now: NOW, noticeId: 'n-1' });

  t.same(
    await registerScript.run(redis, { card: c.k.card }, {}, [
      'issuer',
      'bank-a',
      'status',
      'registered',
      'activationCode',
      'CODE',
      'maskedPan',
      '501900******1234',
    ]),
    { ok: true },
  );
  t.same(
    await redis.hgetall(c.k.card),
    { issuer: 'bank-a', status: 'registered', activationCode: 'CODE', maskedPan: '501900******1234' },
    'the record as given',
  );
  t.same(await registerScript.run(redis, { card: c.k.card }, {}, ['issuer', 'bank-b']), {
    ok: false,
    status: 'conflict',
    reason: 'card already registered',
  });
  t.equal(await redis.hget(c.k.card, 'issuer'), 'bank-a');

  t.same(await activateScript.run(redis, keys, { ...by('bank-b'), code: 'CODE' }), {
    ok: false,
    status: 'forbidden',
    reason: 'forbidden',
  });
  t.same(await activateScript.run(redis, keys, { ...by('bank-a'), code: 'WRONG' }), {
    ok: false,
    status: 'conflict',
    reason: 'activation code does not match',
  });
  t.same(await activateScript.run(redis, keys, { ...by('bank-a'), code: 'CODE' }), { ok: true });
  t.match(await redis.hgetall(c.k.card), { status: 'active', activatedAt: String(NOW) });
  t.same(await activateScript.run(redis, keys, { ...by(''), code: 'CODE' }), {
    ok: false,
    status: 'conflict',
    reason: 'card is already active',
  });

  t.same(await setBalanceScript.run(redis, keys, { ...by('bank-a'), balance: 12_345 }), { ok: true });
  t.equal(await redis.hget(c.k.card, 'balance'), '12345');

  const report = JSON.stringify({ name: 'Jens Hansen' });
  t.same(
    await blockScript.run(redis, keys, {
      ...by(''),
      reason: 'stolen',
      reportedAt: NOW - 60_000,
      report,
      reference: 'REF1',
      sms: '',
    }),
    { ok: true },
    'the block service may block any card',
  );
  t.match(await redis.hgetall(c.k.card), {
    block: 'stolen',
    blockedAt: String(NOW),
    blockReportedAt: String(NOW - 60_000),
    blockReference: 'REF1',
  });
  t.same(JSON.parse((await redis.lindex(c.k.outbox, -1))!), {
    id: 'n-1',
    type: 'blockRegistered',
    issuer: 'bank-a',
    card: c.id,
    maskedPan: '501900******1234',
    at: NOW,
    reason: 'stolen',
    reportedAt: NOW - 60_000,
    blockedAt: NOW,
    reference: 'REF1',
    by: 'blockService',
    report: { name: 'Jens Hansen' },
  });
  t.same(
    await blockScript.run(redis, keys, {
      ...by('bank-a'),
      reason: 'lost',
      reportedAt: NOW,
      report: '',
      reference: '',
      sms: '',
    }),
    { ok: false, status: 'conflict', reason: 'card is already blocked' },
  );
  t.same(await liftBlockScript.run(redis, keys, by('bank-a')), { ok: true });
  t.match(await redis.hgetall(c.k.card), { block: '', blockLiftedAt: String(NOW) });
  t.same(await liftBlockScript.run(redis, keys, by('bank-a')), {
    ok: false,
    status: 'conflict',
    reason: 'card is not blocked',
  });
  t.same(
    await blockScript.run(redis, keys, {
      ...by('bank-a'),
      reason: 'fraud',
      reportedAt: NOW,
      report: '',
      reference: '',
      sms: '',
    }),
    { ok: true },
  );
  t.equal(JSON.parse((await redis.lindex(c.k.outbox, -1))!).type, 'monitoringBlock', 'fraud: a monitoring block');
  t.equal(await redis.llen(c.k.outbox), 3, 'a notice per block and per lift, none for the rest');
  t.same(await liftBlockScript.run(redis, keys, by('bank-a')), { ok: true });
  await t.rejects(
    blockScript.run(redis, keys, {
      ...by('bank-a'),
      reason: 'lost',
      reportedAt: NOW,
      report: '{not json',
      reference: '',
      sms: '',
    }),
    /cjson|Expected/i,
  );
  t.equal(await redis.llen(c.k.outbox), 4, 'a report cjson refuses: no notice');
  t.equal(await redis.hget(c.k.card, 'block'), '', 'and no block');

  const unblock = { template: '72', commands: '[{"name":"pinUnblock","header":"84240000","data":""}]', size: 24 };
  const withScripts = { ...keys, scripts: c.k.scripts };
  t.same(await liftPinBlockScript.run(redis, withScripts, { ...by('bank-a'), ...unblock }), {
    ok: false,
    status: 'conflict',
    reason: 'card is not PIN-blocked',
  });
  t.equal(await redis.exists(c.k.scripts), 0, 'no PIN block lifted: no script');
  await redis.hset(c.k.card, 'pinBlocked', '1', 'pinTries', 3);
  t.same(await liftPinBlockScript.run(redis, withScripts, { ...by('bank-a'), ...unblock }), { ok: true });
  t.match(await redis.hgetall(c.k.card), { pinBlocked: '0', pinTries: '0', pinBlockLiftedAt: String(NOW) });
  t.match(JSON.parse((await redis.hget(c.k.scripts, '00000001'))!), {
    id: '00000001',
    template: '72',
    commands: [{ name: 'pinUnblock', header: '84240000', data: '' }],
    status: 'queued',
    by: 'pinBlockLifted',
    sends: 0,
    queuedAt: NOW,
  });

  t.same(await deleteScript.run(redis, keys, by('bank-a')), { ok: true });
  t.match(await redis.hgetall(c.k.card), { status: 'deleted', deletedAt: String(NOW) });
  t.same(await deleteScript.run(redis, keys, by('bank-a')), {
    ok: false,
    status: 'conflict',
    reason: 'card is already deleted',
  });
  t.same(await activateScript.run(redis, keys, { ...by('bank-a'), code: 'CODE' }), {
    ok: false,
    status: 'conflict',
    reason: 'card is deleted',
  });
  t.same(
    await blockScript.run(redis, keys, {
      ...by('bank-a'),
      reason: 'lost',
      reportedAt: NOW,
      report: '',
      reference: '',
      sms: '',
    }),
    { ok: false, status: 'conflict', reason: 'card is deleted' },
  );

  const none = await card(redis, prefix, { status: 'none' });
  t.same(await deleteScript.run(redis, { card: none.k.card, outbox: none.k.outbox }, by('bank-a')), {
    ok: false,
    status: 'notFound',
    reason: 'notFound',
  });
});
