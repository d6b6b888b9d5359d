/**
 * The issuers' and block service's HTTP API on the admin listener: a real switch and Redis, real
 * HTTP. Every refusal is checked against the register afterwards: nothing may have changed.
 */
import t, { type Test } from 'tap';
import { luhnValid } from '../../src/card/luhn.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { smsTime } from '../../src/admin/sms.js';
import { OPERATOR_TOKEN, TEST_CARD, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import {
  A,
  B,
  BS,
  type Json,
  addCard,
  call,
  cardBody,
  newPan,
  startApi,
  stored,
  testCardId,
} from './fixtures/client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The PAN with its last digit changed: the check digit no longer fits. */
const badCheckDigit = (pan: string) => `${pan.slice(0, -1)}${(Number(pan.slice(-1)) + 1) % 10}`;

/** Every issuer route, aimed at one card. */
function issuerRoutes(id: string, pan: string): [string, string, unknown?][] {
  return [
    ['POST', '/cards', cardBody()],
    ['POST', '/cards/lookup', { pan }],
    ['POST', '/cards/activate', { pan, activationCode: '5678' }],
    ['GET', `/cards/${id}`],
    ['PUT', `/cards/${id}/balance`, { balance: 1 }],
    ['POST', `/cards/${id}/block`, { reason: 'lost' }],
    ['DELETE', `/cards/${id}/block`],
    ['DELETE', `/cards/${id}/pin-block`],
    ['DELETE', `/cards/${id}`],
    ['GET', '/notices'],
  ];
}

const report = (fields: Record<string, unknown>) => ({
  name: 'Jens Hansen',
  address: 'Nørregade 1, 1165 København K',
  bank: 'Bank A',
  reason: 'lost',
  ...fields,
});

/** A card with wrong PINs until it is PIN-blocked, through a terminal. */
async function pinBlock(t: Test, s: TestSwitch, pan: string): Promise<void> {
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  for (let i = 0; i < 3; i++)
    await term.send(purchase93({ 2: pan, 52: encryptPinBlockFormat0('9999', pan, TEST_PIN_KEY.key) }));
}

t.test('auth: no token, an unknown token or another scheme is 401 on every route, and nothing changes', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s);
  const before = await stored(s, card.id);
  const routes = [
    ...issuerRoutes(card.id, card.pan),
    ['POST', '/block-reports', report({ cardNumber: card.pan })] as [string, string, unknown],
  ];
  const headers: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer not-a-configured-token' }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`x:${A}`).toString('base64')}` }],
    ['a token with something after it', { authorization: `Bearer ${A} x` }],
    ['an inherited object key', { authorization: 'Bearer constructor' }],
    ['an empty header', { authorization: '' }],
  ];
  for (const [what, h] of headers) {
    for (const [method, path, body] of routes) {
      const res = await call(s, method, path, { body, headers: h });
      t.equal(res.status, 401, `${what}: ${method} ${path}`);
      t.match(res.body, { error: /token|Authorization/ }, 'a JSON reason');
      t.match(res.headers.get('www-authenticate'), /^Bearer realm="switch-admin"/, 'the challenge names the scheme');
    }
  }
  t.same(await stored(s, card.id), before, 'the card is as it was');
  t.equal(
    await stored(s, s.sw.register.idOf((routes[0]![2] as { pan: string }).pan)),
    undefined,
    'nothing was registered',
  );
  t.equal((await call(s, 'GET', '/notices', { token: A })).body.notices.length, 0, 'no notices');
  t.equal(
    (await call(s, 'GET', `/cards/${card.id}`, { headers: { authorization: `bearer ${A}` } })).status,
    200,
    'the scheme is case-insensitive',
  );
  t.same((await call(s, 'GET', '/healthz')).body, { status: 'ok' }, 'the liveness probe stays open');
  t.equal((await call(s, 'GET', '/metrics')).status, 401, 'metrics need a token too');
  t.equal((await call(s, 'GET', '/metrics', { token: OPERATOR_TOKEN })).status, 200, "an operator's");
});

t.test(
  "auth: the block service's token cannot use issuer routes, issuers cannot post block reports (403)",
  async (t) => {
    const s = await startApi(t);
    const card = await addCard(t, s);
    const before = await stored(s, card.id);
    const routes = issuerRoutes(card.id, card.pan);
    for (const [method, path, body] of routes) {
      const res = await call(s, method, path, { token: BS, body });
      t.equal(res.status, 403, `block service: ${method} ${path}`);
      t.match(res.body, { error: /for issuers/ });
    }
    for (const token of [A, B]) {
      const res = await call(s, 'POST', '/block-reports', { token, body: report({ cardNumber: card.pan }) });
      t.equal(res.status, 403, `issuer ${token}: POST /block-reports`);
      t.match(res.body, { error: /for the block service/ });
    }
    t.same(await stored(s, card.id), before, 'the card is as it was: not blocked, balance, status');
    t.equal(
      await stored(s, s.sw.register.idOf((routes[0]![2] as { pan: string }).pan)),
      undefined,
      'nothing was registered',
    );
    t.equal((await call(s, 'GET', '/notices', { token: A })).body.notices.length, 0, 'no notices');
  },
);

t.test('POST /cards takes the CVC and keeps only its keyed verification value', async (t) => {
  const s = await startApi(t);
  const body = cardBody({ cvc: '864' });
  const res = await call(s, 'POST', '/cards', { token: A, body });
  t.equal(res.status, 201);
  t.notMatch(res.text, /864/, 'no CVC comes back');
  const record = await s.redis.hgetall(s.sw.register.keysOf(res.body.card as string).card);
  t.equal(record.cvcVerification, s.sw.register.cvcValueOf(body.pan, '864'));
  t.notOk(Object.values(record).includes('864'), 'never stored clear');
  const without = await call(s, 'POST', '/cards', { token: A, body: cardBody() });
  t.equal(without.status, 201, 'the CVC is optional');
  const none = await s.redis.hgetall(s.sw.register.keysOf(without.body.card as string).card);
  t.equal(none.cvcVerification, undefined, 'none registered: remote purchases with the holder present are refused');
});

t.test('POST /cards registers a card for the issuer of the token, once; no PAN, PIN or code comes back', async (t) => {
  const s = await startApi(t);
  const body = cardBody({ product: 'visa-dankort', pin: '97531', activationCode: '86420', balance: 123_45 });
  const res = await call(s, 'POST', '/cards', { token: A, body });
  t.equal(res.status, 201);
  const id = s.sw.register.idOf(body.pan);
  t.equal(res.headers.get('location'), `/cards/${id}`);
  t.equal(res.headers.get('cache-control'), 'no-store');
  t.match(res.body, {
    card: id,
    maskedPan: `${body.pan.slice(0, 6)}******${body.pan.slice(-4)}`,
    issuer: 'bank-a',
    product: 'visa-dankort',
    expiry: '3012',
    status: 'registered',
    block: null,
    pinBlocked: false,
    account: body.account,
    balance: 12_345,
    available: 12_345,
    currency: '208',
  });
  t.notMatch(res.text, body.pan, 'no PAN');
  t.notMatch(res.text, /97531|86420/, 'no PIN, no activation code');
  t.same(await stored(s, id), res.body, 'the answer is the stored card');

  const active = await call(s, 'POST', '/cards', { token: A, body: cardBody({ status: 'active' }) });
  t.match(active.body, { status: 'active' }, 'registered active at once when asked');

  const again = await call(s, 'POST', '/cards', { token: A, body: { ...body, balance: 1 } });
  t.equal(again.status, 409);
  t.same(again.body, { error: 'card already registered' });
  const other = await call(s, 'POST', '/cards', { token: B, body: { ...body, balance: 1 } });
  t.equal(other.status, 409, 'another issuer cannot register (or take over) the card');
  t.match(await stored(s, id), { issuer: 'bank-a', balance: 12_345 }, 'unchanged');
  const named = await call(s, 'POST', '/cards', { token: B, body: { ...cardBody(), issuer: 'bank-a' } });
  t.equal(named.status, 400, 'the issuer comes from the token, never from the body');
  t.match(named.body.problems, [{ path: '/issuer', message: 'is not allowed' }]);
});

t.test('POST /cards/lookup finds the issuer\'s own card by PAN; another issuer\'s is "no such card"', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s);
  const own = await call(s, 'POST', '/cards/lookup', { token: A, body: { pan: card.pan } });
  t.equal(own.status, 200);
  t.same(own.body, card.state);
  const unknown = await call(s, 'POST', '/cards/lookup', { token: A, body: { pan: newPan() } });
  t.equal(unknown.status, 404);
  const other = await call(s, 'POST', '/cards/lookup', { token: B, body: { pan: card.pan } });
  t.equal(other.status, 404, '404, not 403: a lookup does not tell that the card exists');
  t.same(other.body, unknown.body, 'the same answer as for an unknown card');
  t.notMatch(other.text + unknown.text, card.pan);
});

t.test("GET /cards/:id: the state; 404 unknown; 403 another issuer's", async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s);
  const res = await call(s, 'GET', `/cards/${card.id}`, { token: A });
  t.equal(res.status, 200);
  t.same(res.body, { ...(await stored(s, card.id)), scripts: [] }, 'the state, and the issuer scripts (none)');
  t.match(res.body, {
    card: card.id,
    pinTries: 0,
    reserved: 0,
    contactless: { count: 0, sum: 0 },
    registeredAt: /^\d{4}-\d\d-\d\dT/,
  });
  const unknown = await call(s, 'GET', `/cards/${'0'.repeat(32)}`, { token: A });
  t.equal(unknown.status, 404);
  t.same(unknown.body, { error: 'no such card' });
  const other = await call(s, 'GET', `/cards/${card.id}`, { token: B });
  t.equal(other.status, 403);
  t.same(other.body, { error: 'the card belongs to another issuer' });
  t.notMatch(other.text, card.account, 'nothing of the card comes back');
  const testCard = await call(s, 'GET', `/cards/${testCardId(s)}`, { token: A });
  t.match(
    testCard.body,
    { issuer: 'bank-a', status: 'active' },
    'cards registered directly in the register are there too',
  );
});

t.test('POST /cards/activate: self-service activation with the card number and the code', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { activationCode: '2468' });
  const wrong = await call(s, 'POST', '/cards/activate', { token: A, body: { pan: card.pan, activationCode: '1357' } });
  t.equal(wrong.status, 409);
  t.same(wrong.body, { error: 'activation code does not match' });
  t.equal((await stored(s, card.id))!.status, 'registered');
  const other = await call(s, 'POST', '/cards/activate', { token: B, body: { pan: card.pan, activationCode: '2468' } });
  t.equal(other.status, 404, 'another issuer: "no such card", even with the right code');
  t.same(other.body, { error: 'no such card' });
  t.equal((await stored(s, card.id))!.status, 'registered', 'still not active');
  const unknown = await call(s, 'POST', '/cards/activate', {
    token: A,
    body: { pan: newPan(), activationCode: '2468' },
  });
  t.equal(unknown.status, 404);
  const ok = await call(s, 'POST', '/cards/activate', { token: A, body: { pan: card.pan, activationCode: '2468' } });
  t.equal(ok.status, 200);
  t.match(ok.body, { card: card.id, status: 'active' });
  t.notMatch(ok.text, card.pan);
  const again = await call(s, 'POST', '/cards/activate', { token: A, body: { pan: card.pan, activationCode: '2468' } });
  t.equal(again.status, 409);
  t.same(again.body, { error: 'card is already active' });
  const gone = await addCard(t, s, { activationCode: '2468' });
  t.equal((await call(s, 'DELETE', `/cards/${gone.id}`, { token: A })).status, 200);
  const deleted = await call(s, 'POST', '/cards/activate', {
    token: A,
    body: { pan: gone.pan, activationCode: '2468' },
  });
  t.equal(deleted.status, 409);
  t.same(deleted.body, { error: 'card is deleted' });
});

t.test('PUT /cards/:id/balance sets the balance in øre', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { balance: 100 });
  const res = await call(s, 'PUT', `/cards/${card.id}/balance`, { token: A, body: { balance: 987_654 } });
  t.equal(res.status, 200);
  t.match(res.body, { card: card.id, balance: 987_654, available: 987_654 });
  t.match(await stored(s, card.id), { balance: 987_654 });
  const zero = await call(s, 'PUT', `/cards/${card.id}/balance`, { token: A, body: { balance: 0 } });
  t.match(zero.body, { balance: 0 }, 'zero is a balance');
  const other = await call(s, 'PUT', `/cards/${card.id}/balance`, { token: B, body: { balance: 5 } });
  t.equal(other.status, 403);
  t.same(other.body, { error: 'the card belongs to another issuer' });
  t.match(await stored(s, card.id), { balance: 0 }, 'unchanged');
  t.equal((await call(s, 'PUT', `/cards/${'1'.repeat(32)}/balance`, { token: A, body: { balance: 5 } })).status, 404);
});

t.test('POST /cards/:id/block blocks now, with the notice in the feed at once; DELETE lifts it', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const t0 = Date.now();
  const res = await call(s, 'POST', `/cards/${card.id}/block`, {
    token: A,
    body: { reason: 'stolen', statement: 'Stjålet i toget' },
  });
  t.equal(res.status, 200);
  t.match(res.body, { card: card.id, block: 'stolen', blockedAt: String, blockReportedAt: String });
  const blockedAt = Date.parse(res.body.blockedAt);
  t.ok(blockedAt >= t0 - 5 && blockedAt <= Date.now() + 5, 'blocked now');
  t.ok(Math.abs(Date.parse(res.body.blockReportedAt) - blockedAt) < 50, 'reported now too: the issuer blocks at once');
  // No sweep has run yet (every 5 s): the route moved the notice itself.
  const notices = (await call(s, 'GET', `/notices?card=${card.id}`, { token: A })).body.notices;
  t.match(notices, [
    {
      type: 'blockRegistered',
      card: card.id,
      issuer: 'bank-a',
      reason: 'stolen',
      report: { statement: 'Stjålet i toget' },
    },
  ]);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const pin = (pan: string) => encryptPinBlockFormat0('1234', pan, TEST_PIN_KEY.key);
  t.not((await term.send(purchase93({ 2: card.pan, 52: pin(card.pan) })))[39], '000', 'a blocked card is refused');

  const again = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason: 'lost' } });
  t.equal(again.status, 409);
  t.same(again.body, { error: 'card is already blocked' });
  t.match(await stored(s, card.id), { block: 'stolen' }, 'the first block stands');

  const otherLift = await call(s, 'DELETE', `/cards/${card.id}/block`, { token: B });
  t.equal(otherLift.status, 403);
  t.match(await stored(s, card.id), { block: 'stolen' }, 'another issuer cannot lift it');
  const lift = await call(s, 'DELETE', `/cards/${card.id}/block`, { token: A });
  t.equal(lift.status, 200);
  t.match(lift.body, { block: null, blockedAt: null, blockReportedAt: null });
  t.equal((await term.send(purchase93({ 2: card.pan, 52: pin(card.pan) })))[39], '000', 'usable again');
  const liftAgain = await call(s, 'DELETE', `/cards/${card.id}/block`, { token: A });
  t.equal(liftAgain.status, 409);
  t.same(liftAgain.body, { error: 'card is not blocked' });

  const byIssuer = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason: 'issuer' } });
  t.match(byIssuer.body, { block: 'issuer' }, "the issuer's own reason blocks");
  t.ok((await call(s, 'DELETE', `/cards/${card.id}/block`, { token: A })).status === 200);
  // 'fraud' is the fraud monitoring's reason: its blocks are made by the monitoring, not by an issuer.
  const fraud = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason: 'fraud' } });
  t.equal(fraud.status, 400);
  t.match(fraud.body, {
    error: 'invalid request body',
    problems: [{ path: '/reason', message: /fraud monitoring's/ }],
  });
  t.match(await stored(s, card.id), { block: null }, 'not blocked');
  const otherBlock = await addCard(t, s);
  const refused = await call(s, 'POST', `/cards/${otherBlock.id}/block`, { token: B, body: { reason: 'issuer' } });
  t.equal(refused.status, 403);
  t.match(await stored(s, otherBlock.id), { block: null }, "another issuer's card is not blocked");
});

t.test('DELETE /cards/:id/pin-block lifts a PIN block and clears the count', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const none = await call(s, 'DELETE', `/cards/${card.id}/pin-block`, { token: A });
  t.equal(none.status, 409);
  t.same(none.body, { error: 'card is not PIN-blocked' });
  await pinBlock(t, s, card.pan);
  t.match(await stored(s, card.id), { pinBlocked: true, pinTries: 3 });
  const notices = (await call(s, 'GET', `/notices?card=${card.id}`, { token: A })).body.notices as Json[];
  t.ok(
    notices.some((n) => n.type === 'pinBlocked'),
    'the PIN block is in the feed',
  );
  const other = await call(s, 'DELETE', `/cards/${card.id}/pin-block`, { token: B });
  t.equal(other.status, 403);
  t.match(await stored(s, card.id), { pinBlocked: true, pinTries: 3 }, 'another issuer cannot lift it');
  const lift = await call(s, 'DELETE', `/cards/${card.id}/pin-block`, { token: A });
  t.equal(lift.status, 200);
  t.match(lift.body, { pinBlocked: false, pinTries: 0 });
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const a = await term.send(
    purchase93({ 2: card.pan, 52: encryptPinBlockFormat0('1234', card.pan, TEST_PIN_KEY.key) }),
  );
  t.equal(a[39], '000', 'the right PIN works again');
});

t.test('DELETE /cards/:id deletes the card', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const other = await call(s, 'DELETE', `/cards/${card.id}`, { token: B });
  t.equal(other.status, 403);
  t.match(await stored(s, card.id), { status: 'active' }, 'another issuer cannot delete it');
  const res = await call(s, 'DELETE', `/cards/${card.id}`, { token: A });
  t.equal(res.status, 200);
  t.match(res.body, { card: card.id, status: 'deleted' });
  const again = await call(s, 'DELETE', `/cards/${card.id}`, { token: A });
  t.equal(again.status, 409);
  t.same(again.body, { error: 'card is already deleted' });
  t.equal((await call(s, 'DELETE', `/cards/${'2'.repeat(32)}`, { token: A })).status, 404);
});

t.test("issuer isolation: bank-b on bank-a's card, on every route, changes nothing", async (t) => {
  const s = await startApi(t);
  // One card in each state a route acts on: registered (activate), blocked (lift), PIN-blocked (lift PIN block).
  const fresh = await addCard(t, s, { activationCode: '1111' });
  const blocked = await addCard(t, s, { status: 'active' });
  t.equal((await call(s, 'POST', `/cards/${blocked.id}/block`, { token: A, body: { reason: 'lost' } })).status, 200);
  const pinBlocked = await addCard(t, s, { status: 'active' });
  await pinBlock(t, s, pinBlocked.pan);
  const cards = [fresh, blocked, pinBlocked];
  const before = await Promise.all(cards.map((c) => stored(s, c.id)));
  const unknownLookup = await call(s, 'POST', '/cards/lookup', { token: B, body: { pan: newPan() } });

  const expect: [string, string, unknown, number][] = [
    ['POST', '/cards/lookup', { pan: fresh.pan }, 404],
    ['POST', '/cards/activate', { pan: fresh.pan, activationCode: '1111' }, 404],
    ['GET', `/cards/${fresh.id}`, undefined, 403],
    ['PUT', `/cards/${fresh.id}/balance`, { balance: 1 }, 403],
    ['POST', `/cards/${fresh.id}/block`, { reason: 'issuer' }, 403],
    ['DELETE', `/cards/${blocked.id}/block`, undefined, 403],
    ['DELETE', `/cards/${pinBlocked.id}/pin-block`, undefined, 403],
    ['DELETE', `/cards/${fresh.id}`, undefined, 403],
    ['POST', '/cards', { ...cardBody(), pan: fresh.pan }, 409],
  ];
  for (const [method, path, body, status] of expect) {
    const res = await call(s, method, path, { token: B, body });
    t.equal(res.status, status, `${method} ${path}`);
    if (status === 404) t.same(res.body, unknownLookup.body, 'answered as for an unknown card');
    t.notMatch(res.text, /maskedPan|balance|account/, 'nothing of the card in the answer');
  }
  const feed = await call(s, 'GET', `/notices?card=${blocked.id}`, { token: B });
  t.same(feed.body, { notices: [] }, "bank-b's feed has none of bank-a's notices, even asked by card");
  t.same(await Promise.all(cards.map((c) => stored(s, c.id))), before, 'every card is as it was');
  t.ok(
    (await call(s, 'GET', `/notices?card=${blocked.id}`, { token: A })).body.notices.length > 0,
    "while bank-a's feed has them",
  );
});

t.test(
  'block report by card number: both times kept, a reference, the SMS text of the product, the notice with what the holder said',
  async (t) => {
    const s = await startApi(t);
    const card = await addCard(t, s, { product: 'visa-dankort', status: 'active', personalNumber: '010190-1234' });
    // The holder called ten minutes ago; the time is given in Danish summer time (+02:00).
    const called = new Date(Math.floor(Date.now() / 1000) * 1000 - 600_000);
    const calledLocal = new Date(called.getTime() + 7_200_000).toISOString().replace('Z', '+02:00');
    const t0 = Date.now();
    const res = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({
        cardNumber: card.pan,
        reason: 'stolen',
        reportedAt: calledLocal,
        statement: 'Tasken blev stjålet på Strøget kl. 14',
      }),
    });
    t.equal(res.status, 201);
    const { reference, reportedAt, blockedAt, smsReceipt } = res.body as Record<string, string>;
    t.match(reference, /^\d{10}$/, 'a 10-digit reference');
    t.ok(luhnValid(`00${reference}`), 'whose last digit checks the others (Luhn)');
    t.equal(reportedAt, called.toISOString(), 'the time the holder called');
    t.ok(Date.parse(blockedAt!) >= t0 - 5 && Date.parse(blockedAt!) <= Date.now() + 5, 'blocked now');
    t.match(res.body, { card: card.id, maskedPan: card.state.maskedPan, issuer: 'bank-a' });
    t.notMatch(res.text, card.pan, 'no PAN in the answer');

    const state = await stored(s, card.id);
    t.match(
      state,
      { block: 'stolen', blockReportedAt: called.toISOString(), blockedAt },
      'the register keeps both times, apart',
    );
    t.equal(
      smsReceipt,
      `Bank A: Visa/Dankort ${card.state.maskedPan} er spærret ${smsTime(new Date(blockedAt!), 'Europe/Copenhagen')}. Referencenr. ${reference}.`,
      "the issuer's text for the product",
    );

    const notices = (await call(s, 'GET', `/notices?card=${card.id}`, { token: A })).body.notices as Json[];
    t.equal(notices.length, 1);
    t.match(notices[0], {
      type: 'blockRegistered',
      issuer: 'bank-a',
      card: card.id,
      maskedPan: card.state.maskedPan,
      reason: 'stolen',
      reference,
      reportedAt: called.getTime(),
      blockedAt: Date.parse(blockedAt!),
      report: {
        channel: 'blockService',
        name: 'Jens Hansen',
        address: 'Nørregade 1, 1165 København K',
        bank: 'Bank A',
        statement: 'Tasken blev stjålet på Strøget kl. 14',
        identifiedBy: ['cardNumber'],
      },
    });
    t.notMatch(JSON.stringify(notices), card.pan, 'no PAN in the notice');
    t.same((await call(s, 'GET', '/notices', { token: B })).body.notices, [], "not in another issuer's feed");

    // A second report (test/admin/block-service.test.ts has the whole of it): kept, the first block stands.
    const again = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: card.pan }) });
    t.equal(again.status, 200);
    t.match(again.body, { alreadyBlocked: true, blockedAt, block: { reason: 'stolen' } });
    t.not(again.body.reference, reference, 'a reference of its own');
    t.match(
      await stored(s, card.id),
      { block: 'stolen', blockReportedAt: called.toISOString() },
      'the first report stands',
    );
    t.match(
      (await call(s, 'GET', `/notices?card=${card.id}`, { token: A })).body.notices,
      [
        { type: 'reportOnBlockedCard', reference: again.body.reference },
        { type: 'blockRegistered', reference },
      ],
      'and the second report is a notice of its own',
    );
  },
);

t.test('block report by account number and by personal number; a report time defaults to now', async (t) => {
  const s = await startApi(t);
  const byAccount = await addCard(t, s, { product: 'dankort' });
  const t0 = Date.now();
  const res = await call(s, 'POST', '/block-reports', {
    token: BS,
    body: report({ accountNumber: byAccount.account }),
  });
  t.equal(res.status, 201);
  t.equal(res.body.card, byAccount.id, 'the card of the account');
  const [reportedAt, blockedAt] = [Date.parse(res.body.reportedAt), Date.parse(res.body.blockedAt)];
  t.ok(
    reportedAt >= t0 - 5 && reportedAt <= blockedAt && blockedAt - reportedAt < 1000,
    'no report time given: reported now, just before the block',
  );
  t.equal(
    res.body.smsReceipt,
    `Bank A: kort ${byAccount.state.maskedPan} spærret ${smsTime(new Date(res.body.blockedAt), 'Europe/Copenhagen')}. Ref. ${res.body.reference}`,
    "the issuer's default text",
  );
  t.match(await stored(s, byAccount.id), { block: 'lost' });
  const [notice] = (await call(s, 'GET', `/notices?card=${byAccount.id}`, { token: A })).body.notices as Json[];
  t.match(notice, { reason: 'lost', reference: res.body.reference, report: { identifiedBy: ['accountNumber'] } });
  t.notMatch(JSON.stringify(notice), byAccount.account, 'no account number in the notice');

  const byPerson = await addCard(t, s, { personalNumber: '2412801234' }, B);
  const person = await call(s, 'POST', '/block-reports', {
    token: BS,
    body: report({ personalNumber: '241280-1234', bank: 'Bank B' }),
  });
  t.equal(person.status, 201, 'with or without the hyphen');
  t.equal(person.body.card, byPerson.id);
  t.equal(
    person.body.smsReceipt,
    `Dit kort ${byPerson.state.maskedPan} er spærret ${smsTime(new Date(person.body.blockedAt), 'Europe/Copenhagen')}. Referencenummer: ${person.body.reference}.`,
    'bank-b chose no text: the built-in one',
  );
  const [bNotice] = (await call(s, 'GET', '/notices', { token: B })).body.notices as Json[];
  t.match(bNotice, { card: byPerson.id, report: { bank: 'Bank B', identifiedBy: ['personalNumber'] } });
  t.notMatch(JSON.stringify(bNotice), /2412801234|241280-1234/, 'no personal number in the notice');
  t.not(person.body.reference, res.body.reference, 'every report has its own reference');
});

t.test(
  'block report: unknown card, numbers that do not agree, several cards, a deleted card, a future time',
  async (t) => {
    const s = await startApi(t);
    const unknown = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: newPan() }) });
    t.equal(unknown.status, 404);
    t.same(unknown.body, { error: 'no card matches every number given' });
    t.equal(
      (await call(s, 'POST', '/block-reports', { token: BS, body: report({ accountNumber: '99999999' }) })).status,
      404,
      'unknown account',
    );

    const card = await addCard(t, s, { personalNumber: '0101901111' });
    const mismatch = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ cardNumber: card.pan, accountNumber: '12345678' }),
    });
    t.equal(mismatch.status, 404, 'card and account number of different cards: nothing is blocked');
    const wrongPerson = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ cardNumber: card.pan, personalNumber: '0101902222' }),
    });
    t.equal(wrongPerson.status, 404, 'card and personal number of different holders: nothing is blocked');
    t.match(await stored(s, card.id), { block: null });
    // A refused registration of the same PAN must not leave its holder numbers pointing at the card.
    const taken = await call(s, 'POST', '/cards', {
      token: B,
      body: cardBody({ pan: card.pan, personalNumber: '0909090909' }),
    });
    t.equal(taken.status, 409);
    const notTheirs = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ personalNumber: '0909090909' }),
    });
    t.equal(notTheirs.status, 404, 'nothing left in the holder index by a refused registration');
    t.equal(
      (await call(s, 'POST', '/cards', { token: A, body: cardBody({ pan: card.pan, personalNumber: '0101901111' }) }))
        .status,
      409,
    );
    t.match(await stored(s, card.id), { block: null });
    const stillIndexed = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ personalNumber: '010190-1111' }),
    });
    t.equal(stillIndexed.status, 201, 'while the entry of the registration that succeeded stays');
    t.equal(stillIndexed.body.card, card.id);
    const direct = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: TEST_CARD.pan }) });
    t.equal(direct.status, 201, 'a card registered outside the API is found by its number');

    // Two cards on one account (a Dankort and a Visa/Dankort): the report must say which.
    const first = await addCard(t, s, { account: '55550001', personalNumber: '0202020202' });
    const second = await addCard(t, s, { account: '55550001', product: 'visa-dankort', personalNumber: '0303030303' });
    const several = await call(s, 'POST', '/block-reports', { token: BS, body: report({ accountNumber: '55550001' }) });
    t.equal(several.status, 409);
    t.match(several.body, { error: /2 cards match/ });
    t.same(
      (several.body.candidates as Json[]).map((c) => c.card).sort(),
      [first.id, second.id].sort(),
      'the candidates, by card id',
    );
    for (const c of several.body.candidates as Json[])
      t.match(c, {
        maskedPan: /^\d{6}\*+\d{4}$/,
        product: String,
        issuer: 'bank-a',
        status: 'registered',
        block: null,
      });
    t.match(await stored(s, first.id), { block: null }, 'neither is blocked');
    t.match(await stored(s, second.id), { block: null });
    const narrowed = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ accountNumber: '55550001', personalNumber: '0303030303' }),
    });
    t.equal(narrowed.status, 201, 'the personal number narrows it down');
    t.equal(narrowed.body.card, second.id);
    const third = await addCard(t, s, { account: '55550001', personalNumber: '0202020202' });
    const chosen = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ accountNumber: '55550001', card: third.id }),
    });
    t.equal(chosen.status, 201, '"card" chooses among them');
    t.equal(chosen.body.card, third.id);
    t.match(await stored(s, first.id), { block: null }, 'and only that one is blocked');

    const gone = await addCard(t, s);
    await call(s, 'DELETE', `/cards/${gone.id}`, { token: A });
    const deleted = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ accountNumber: gone.account }),
    });
    t.equal(deleted.status, 409);
    t.same(deleted.body, { error: 'card is deleted' });

    const later = await addCard(t, s);
    const future = await call(s, 'POST', '/block-reports', {
      token: BS,
      body: report({ cardNumber: later.pan, reportedAt: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    t.equal(future.status, 400);
    t.same(future.body, {
      error: 'invalid request body',
      problems: [{ path: '/reportedAt', message: 'must not be in the future' }],
    });
    t.match(await stored(s, later.id), { block: null }, 'not blocked');
    t.same((await call(s, 'GET', `/notices?card=${later.id}`, { token: A })).body.notices, []);
  },
);

t.test('GET /notices: own notices only, newest first, by card, by time, limited', async (t) => {
  const s = await startApi(t);
  const cards = [await addCard(t, s), await addCard(t, s), await addCard(t, s)];
  const at: number[] = [];
  for (const c of cards) {
    await sleep(15); // distinct times, so that since/until can tell them apart
    const res = await call(s, 'POST', `/cards/${c.id}/block`, { token: A, body: { reason: 'issuer' } });
    at.push(Date.parse(res.body.blockedAt));
  }
  const bCard = await addCard(t, s, {}, B);
  await call(s, 'POST', `/cards/${bCard.id}/block`, { token: B, body: { reason: 'lost' } });
  const ids = (q = '', token = A) =>
    call(s, 'GET', `/notices${q}`, { token }).then((r) => (r.body.notices as Json[]).map((n) => n.card as string));
  const [c0, c1, c2] = cards.map((c) => c.id) as [string, string, string];
  t.same(await ids(), [c2, c1, c0], 'newest first, only bank-a');
  t.same(await ids('', B), [bCard.id], 'only bank-b');
  t.same(await ids(`?card=${c1}`), [c1], 'by card');
  const iso = (ms: number) => new Date(ms).toISOString();
  t.same(await ids(`?since=${iso(at[1]!)}`), [c2, c1], 'since, inclusive');
  t.same(await ids(`?until=${iso(at[1]!)}`), [c1, c0], 'until, inclusive');
  t.same(await ids(`?since=${iso(at[1]!)}&until=${iso(at[1]!)}`), [c1], 'both');
  t.same(
    await ids(`?since=${encodeURIComponent(new Date(at[2]! + 3_600_000).toISOString().replace('Z', '+01:00'))}`),
    [c2],
    'an offset counts',
  );
  t.same(await ids('?limit=2'), [c2, c1], 'limit');
  t.same(await ids('?limit=1000'), [c2, c1, c0]);
  t.same(await ids(`?card=${c0}&limit=1`), [c0], 'card and limit');
  t.same(await ids(`?card=${bCard.id}`), [], "another issuer's card: nothing");
  t.equal((await call(s, 'GET', '/notices', { token: BS })).status, 403, 'not for the block service');
});

t.test(
  'malformed input on every route: 400 with every problem listed, no PAN or PIN echoed, nothing changed',
  async (t) => {
    const s = await startApi(t);
    const card = await addCard(t, s, { status: 'active' });
    const newCard = cardBody({ pin: '97531' });
    const secrets = [card.pan, newCard.pan, '97531'];
    const cases: [string, string, unknown, string[]][] = [
      [
        'POST',
        '/cards',
        {},
        ['/pan', '/product', '/expiry', '/pin', '/activationCode', '/account', '/balance', '/currency'],
      ],
      [
        'POST',
        '/cards',
        { ...newCard, balance: '100', expiry: 3012, currency: 208 },
        ['/balance', '/expiry', '/currency'],
      ],
      ['POST', '/cards', { ...newCard, balance: -1 }, ['/balance']],
      ['POST', '/cards', { ...newCard, balance: 1.5 }, ['/balance']],
      ['POST', '/cards', { ...newCard, pan: newCard.pan.slice(0, 11) }, ['/pan']],
      ['POST', '/cards', { ...newCard, pan: badCheckDigit(newCard.pan) }, ['/pan']],
      ['POST', '/cards', { ...newCard, pan: Number(newCard.pan) }, ['/pan']],
      ['POST', '/cards', { ...newCard, expiry: '3013' }, ['/expiry']],
      ['POST', '/cards', { ...newCard, pin: '975', activationCode: 'abcd' }, ['/pin', '/activationCode']],
      ['POST', '/cards', { ...newCard, pin: '97531x' }, ['/pin']],
      ['POST', '/cards', { ...newCard, cvc: '12' }, ['/cvc']],
      ['POST', '/cards', { ...newCard, cvc: 123 }, ['/cvc']],
      [
        'POST',
        '/cards',
        { ...newCard, currency: 'DKK', status: 'deleted', personalNumber: '12345' },
        ['/currency', '/status', '/personalNumber'],
      ],
      [
        'POST',
        '/cards',
        { ...newCard, colour: 'blue', [newCard.pan]: 1, [`pan${newCard.pan}`]: 2 },
        ['/colour', '/(an unknown property)'],
      ],
      ['POST', '/cards', [newCard], ['/']],
      ['POST', '/cards/lookup', {}, ['/pan']],
      ['POST', '/cards/lookup', { pan: card.pan, pin: '97531' }, ['/pin']],
      ['POST', '/cards/lookup', { pan: `x${card.pan}` }, ['/pan']],
      ['POST', '/cards/activate', { pan: card.pan }, ['/activationCode']],
      ['POST', '/cards/activate', { pan: 'abc', activationCode: 1234 }, ['/pan', '/activationCode']],
      ['PUT', `/cards/${card.id}/balance`, { balance: -1 }, ['/balance']],
      ['PUT', `/cards/${card.id}/balance`, { balance: '5' }, ['/balance']],
      ['PUT', `/cards/${card.id}/balance`, {}, ['/balance']],
      ['PUT', `/cards/${card.id}/balance`, { balance: 5, currency: '208' }, ['/currency']],
      ['PUT', `/cards/${card.id}/balance`, null, ['/']],
      ['POST', `/cards/${card.id}/block`, { reason: 'bored' }, ['/reason']],
      ['POST', `/cards/${card.id}/block`, {}, ['/reason']],
      ['POST', `/cards/${card.id}/block`, { reason: 'lost', statement: '   ' }, ['/statement']],
      ['POST', `/cards/${card.id}/block`, { reason: 'lost', statement: 'x'.repeat(2001) }, ['/statement']],
      ['POST', `/cards/${card.id}/block`, { reason: 'lost', reportedAt: '2025-02-30T10:00:00Z' }, ['/reportedAt']],
      ['POST', '/block-reports', {}, ['/name', '/address', '/bank', '/reason', '/']],
      ['POST', '/block-reports', report({ cardNumber: card.pan, reason: 'fraud' }), ['/reason']],
      ['POST', '/block-reports', report({ cardNumber: card.pan, name: '' }), ['/name']],
      ['POST', '/block-reports', report({ cardNumber: card.pan, reportedAt: '2025-02-30T10:00:00Z' }), ['/reportedAt']],
      ['POST', '/block-reports', report({ cardNumber: card.pan, reportedAt: '2025-02-01 10:00' }), ['/reportedAt']],
      [
        'POST',
        '/block-reports',
        report({ cardNumber: badCheckDigit(card.pan), pin: '97531' }),
        ['/cardNumber', '/pin'],
      ],
      [
        'POST',
        '/block-reports',
        report({ accountNumber: 12345678, personalNumber: '0101' }),
        ['/accountNumber', '/personalNumber'],
      ],
      ['POST', '/block-reports', report({ cardNumber: card.pan, card: 'not-an-id' }), ['/card']],
    ];
    const before = await stored(s, card.id);
    for (const [method, path, body, paths] of cases) {
      const token = path === '/block-reports' ? BS : A;
      const res = await call(s, method, path, { token, body });
      const what = `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`;
      t.equal(res.status, 400, what);
      t.equal(res.body.error, 'invalid request body');
      t.same(
        [...new Set((res.body.problems as { path: string }[]).map((p) => p.path))].sort(),
        [...paths].sort(),
        `every problem, each once: ${paths.join(' ')}`,
      );
      t.ok(
        (res.body.problems as { message: string }[]).every(
          (p) => typeof p.message === 'string' && p.message.length > 0,
        ),
        'each with a message',
      );
      for (const secret of secrets) t.notMatch(res.text, secret, 'no PAN or PIN in the answer');
    }
    const queries: [string, string[]][] = [
      ['?limit=0', ['/limit']],
      ['?limit=1001', ['/limit']],
      ['?limit=ten', ['/limit']],
      ['?since=yesterday&until=2025-13-01T00:00:00Z', ['/since', '/until']],
      [`?card=${card.pan}`, ['/card']],
      ['?issuer=bank-b', ['/issuer']],
      ['?limit=5&limit=6', ['/limit']],
      ['?reference=12%2034&type=blockRegistered,bored', ['/reference', '/type']],
      ['?type=', ['/type']],
    ];
    for (const [q, paths] of queries) {
      const res = await call(s, 'GET', `/notices${q}`, { token: A });
      t.equal(res.status, 400, q);
      t.equal(res.body.error, 'invalid request query');
      t.same((res.body.problems as { path: string }[]).map((p) => p.path).sort(), paths.sort());
      t.notMatch(res.text, card.pan);
    }
    t.same(await stored(s, card.id), before, 'the card is as it was');
    t.equal(await stored(s, s.sw.register.idOf(newCard.pan)), undefined, 'nothing registered');
    t.same((await call(s, 'GET', '/notices', { token: A })).body.notices, [], 'no notices');
  },
);

t.test('bodies: invalid JSON 400, over 16 KB 413, not JSON 415, none 400; card ids, not PANs, in paths', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const before = await stored(s, card.id);
  const bodyRoutes: [string, string, string][] = [
    ['POST', '/cards', A],
    ['POST', '/cards/lookup', A],
    ['POST', '/cards/activate', A],
    ['PUT', `/cards/${card.id}/balance`, A],
    ['POST', `/cards/${card.id}/block`, A],
    ['POST', '/block-reports', BS],
  ];
  const big = JSON.stringify({ ...report({ cardNumber: card.pan }), statement: 'x'.repeat(20 * 1024) });
  for (const [method, path, token] of bodyRoutes) {
    const broken = await call(s, method, path, { token, raw: `{"pan":"${card.pan}","pin":"97531",` });
    t.equal(broken.status, 400, `${method} ${path}: invalid JSON`);
    t.same(broken.body, { error: 'the body is not valid JSON' });
    const large = await call(s, method, path, { token, raw: big });
    t.equal(large.status, 413, `${method} ${path}: 20 KB`);
    t.same(large.body, { error: 'the body is larger than 16384 bytes' });
    const form = await call(s, method, path, {
      token,
      raw: `pan=${card.pan}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    t.equal(form.status, 415, `${method} ${path}: a form`);
    const empty = await call(s, method, path, { token, raw: '' });
    t.equal(empty.status, 400, `${method} ${path}: no body`);
    t.same(empty.body, { error: 'a JSON body is required' });
    const latin1 = await fetch(`${s.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xe6, 0x22, 0x7d]),
    });
    t.equal(latin1.status, 400, `${method} ${path}: not UTF-8`);
    for (const res of [broken, large, form, empty]) t.notMatch(res.text, /97531/, 'nothing of the body echoed');
    t.notMatch(broken.text + large.text + form.text, card.pan);
  }
  const exact = await call(s, 'PUT', `/cards/${card.id}/balance`, {
    token: A,
    raw: `{"balance":7${' '.repeat(16 * 1024 - 13)}}`,
  });
  t.equal(exact.status, 200, 'exactly 16 KB is accepted');
  t.match(exact.body, { balance: 7 });
  t.equal(
    (
      await call(s, 'PUT', `/cards/${card.id}/balance`, {
        token: A,
        raw: '{"balance":9}',
        headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
      })
    ).status,
    200,
    '+json types are JSON',
  );
  const keepAlive = await call(s, 'GET', `/cards/${card.id}`, { token: A });
  t.match(keepAlive.body, { balance: 9 }, 'the server still answers after the refusals');

  const panPath = await call(s, 'GET', `/cards/${card.pan}`, { token: A });
  t.equal(panPath.status, 400, 'a PAN is not a card id');
  t.match(panPath.body, { error: /not a card id/ });
  t.notMatch(panPath.text, card.pan, 'and is not echoed');
  for (const [method, path] of [
    ['PUT', '/balance'],
    ['POST', '/block'],
    ['DELETE', '/block'],
    ['DELETE', '/pin-block'],
    ['DELETE', ''],
  ] as const) {
    const res = await call(s, method, `/cards/${card.pan}${path}`, { token: A, body: { balance: 1, reason: 'lost' } });
    t.equal(res.status, 400, `${method} /cards/<PAN>${path}`);
    t.notMatch(res.text, card.pan);
  }
  const noRoute = await call(s, 'GET', `/cards/${card.pan}/history`, { token: A });
  t.equal(noRoute.status, 404);
  t.notMatch(noRoute.text, card.pan, 'an unknown path is echoed without its digits');
  const wrongMethod = await call(s, 'PATCH', `/cards/${card.id}`, { token: A, body: { balance: 1 } });
  t.equal(wrongMethod.status, 405);
  t.match(wrongMethod.body, { error: /allowed: GET, DELETE/ });
  const badEscape = await call(s, 'GET', '/cards/%E0%A4%A', { token: A });
  t.equal(badEscape.status, 400, 'a malformed %-escape is a bad request, not a crash');
  t.equal((await call(s, 'GET', '/healthz')).status, 200, 'still up');
  t.same(await stored(s, card.id), { ...before, balance: 9, available: 9 }, 'only the two accepted changes');
});
