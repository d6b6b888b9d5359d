/**
 * The card's Lua scripts on their own, on a real Redis (no switch, no CardRegister): each called
 * through the registry with crafted keys and arguments, then its reply and the keys it wrote
 * checked. authorize.lua, complete.lua and reverse.lua (src/card/scripts/authorize.ts,
 * transactions.ts); the issuer scripts (scripts/issuer.ts).
 */
import t from 'tap';
import type { RegisterRedis } from '../../src/redis/client.js';
import { completeScript, reverseScript } from '../../src/card/scripts/transactions.js';
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

t.test('authorize: a single-message approval reserves, records and posts in one call', async (t) => {
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
  });
  t.same(await redis.lrange(c.k.posts, 0, -1), [posting], 'the posting in the outbox');
  t.equal(await redis.hget(c.k.card, 'reserved'), '1000');
  t.equal(Number(await redis.zscore(c.k.reservations, 'res-1')), NOW + 7 * DAY, 'the reservation lapses after `lapse`');
  t.equal(await redis.hget(c.k.reservationAmounts, 'res-1'), '1000');
  t.same(await redis.hgetall(c.txn('a')), {
    sig: 'sig-1',
    outcome: 'approved',
    detail: '',
    approval: '123456',
    state: 'posted',
    msg: 'single',
    kind: 'purchase',
    amount: '1000',
    res: 'res-1',
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
  t.equal(await redis.hget(c.k.card, 'reserved'), '1000', 'nothing changed');

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
  t.same(await rules({ clCount: 5 }, { contactless: '1' }), ['pinRequired', 'cumulative', 0, 0]);
  t.same(await rules({ clSum: 99_500 }, { contactless: '1' }), ['pinRequired', 'cumulative', 0, 0]);

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
  t.match(await redis.hgetall(c.k.card), { clCount: '0', clSum: '0' }, 'a verified PIN resets the contactless counts');
});

t.test('complete: posts the final amount once, gives the rest of the reservation back', async (t) => {
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
  t.equal(await redis.hget(c.k.reservationAmounts, 'res-1'), '600', '400 given back');
  t.equal(await redis.hget(c.k.card, 'reserved'), '600');

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
    t.equal(await redis.hget(c.k.card, 'reserved'), '0', 'the reservation given back');
    t.equal(await redis.zcard(c.k.reservations), 0);

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
    report: { name: 'Jens Hansen' },
  });
  t.same(
    await blockScript.run(redis, keys, { ...by('bank-a'), reason: 'lost', reportedAt: NOW, report: '', reference: '' }),
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
    }),
    { ok: true },
  );
  t.equal(JSON.parse((await redis.lindex(c.k.outbox, -1))!).type, 'monitoringBlock', 'fraud: a monitoring block');
  t.equal(await redis.llen(c.k.outbox), 2, 'a notice per block, none for the rest');
  t.same(await liftBlockScript.run(redis, keys, by('bank-a')), { ok: true });
  await t.rejects(
    blockScript.run(redis, keys, {
      ...by('bank-a'),
      reason: 'lost',
      reportedAt: NOW,
      report: '{not json',
      reference: '',
    }),
    /cjson|Expected/i,
  );
  t.equal(await redis.llen(c.k.outbox), 2, 'a report cjson refuses: no notice');
  t.equal(await redis.hget(c.k.card, 'block'), '', 'and no block');

  t.same(await liftPinBlockScript.run(redis, keys, by('bank-a')), {
    ok: false,
    status: 'conflict',
    reason: 'card is not PIN-blocked',
  });
  await redis.hset(c.k.card, 'pinBlocked', '1', 'pinTries', 3);
  t.same(await liftPinBlockScript.run(redis, keys, by('bank-a')), { ok: true });
  t.match(await redis.hgetall(c.k.card), { pinBlocked: '0', pinTries: '0', pinBlockLiftedAt: String(NOW) });

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
    await blockScript.run(redis, keys, { ...by('bank-a'), reason: 'lost', reportedAt: NOW, report: '', reference: '' }),
    { ok: false, status: 'conflict', reason: 'card is deleted' },
  );

  const none = await card(redis, prefix, { status: 'none' });
  t.same(await deleteScript.run(redis, { card: none.k.card, outbox: none.k.outbox }, by('bank-a')), {
    ok: false,
    status: 'notFound',
    reason: 'notFound',
  });
});
