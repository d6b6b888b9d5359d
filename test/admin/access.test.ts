/**
 * Who may call which admin route, route by route (issue #8). The routes come from adminRoutes()
 * itself: a route added without an access rule here fails the first test, and one added without
 * a token check fails the route-by-route test (it would not answer 401). Every refusal is checked
 * against Redis: no key under the switch's prefix may change. Real switch, Redis and HTTP.
 */
import t, { type Test } from 'tap';
import type { AdminRole } from '../../src/admin/auth.js';
import type { TestSwitch } from '../support/switch.js';
import { A, B, BS, addCard, call, cardBody, newPan } from './fixtures/client.js';
import { localDate } from '../../src/time/local-time.js';
import {
  ASSET,
  ROLES,
  ROLE_TOKENS,
  TRACED,
  V,
  blockedCard,
  disputableCard,
  disputeCase,
  monitoringBlockedCard,
  pinBlockedCard,
  representedCase,
  sentScript,
  routeKeys,
  startAllRoles,
  unchanged,
} from './fixtures/access.js';

interface Request {
  /** With the query string the route needs. */
  path: string;
  body?: unknown;
}

interface Access {
  /** Who may call the route. */
  roles: 'open' | AdminRole[];
  /** The status the right token gets for `request`. */
  ok: number;
  /** A request the right token gets `ok` for; it may first make what the route acts on (a card in some state, a rule). */
  request(t: Test, s: TestSwitch): Promise<Request>;
  /** The answer goes on (server-sent events): served means its status, then the reader hangs up. */
  stream?: true;
}

const report = (cardNumber: string) => ({
  name: 'Jens Hansen',
  address: 'Nørregade 1, 1165 København K',
  bank: 'Bank A',
  reason: 'lost',
  cardNumber,
});
const fixed = (path: string, body?: unknown) => async (): Promise<Request> => ({ path, body });
/** A new card of bank-a, aimed at by `route` (its id in place of :id). */
const onCard =
  (route: (id: string) => string, body?: unknown, fields: Record<string, unknown> = { status: 'active' }) =>
  async (t: Test, s: TestSwitch): Promise<Request> => ({ path: route((await addCard(t, s, fields)).id), body });

/** Today's first delivery, made (empty) if not yet: its file name. */
async function delivered(t: Test, s: TestSwitch): Promise<string> {
  const date = localDate(new Date(), s.config.register.timeZone);
  await s.sw.delivery.deliver(date, 1);
  const [d] = await s.sw.ledger.ofDate(date);
  t.ok(d?.file, 'a delivery file written');
  return d!.file!;
}

/** Every route and who may call it: the specification the switch is tested against. */
const ACCESS: Record<string, Access> = {
  'GET /healthz': { roles: 'open', ok: 200, request: fixed('/healthz') },
  'GET /': { roles: 'open', ok: 200, request: fixed('/') },
  'GET /assets/:file': { roles: 'open', ok: 200, request: fixed(`/assets/${ASSET}`) },
  'GET /session': {
    roles: ['issuer', 'blockService', 'offlineTerminals', 'vendor', 'operator'],
    ok: 200,
    request: fixed('/session'),
  },
  'GET /traffic': { roles: ['operator', 'vendor'], ok: 200, request: fixed('/traffic'), stream: true },
  'GET /terminals': { roles: ['operator', 'vendor'], ok: 200, request: fixed('/terminals') },
  'GET /clearing/days/:date': { roles: ['operator'], ok: 200, request: fixed('/clearing/days/2026-11-21') },
  'GET /clearing/deliveries/:file/masked': {
    roles: ['operator'],
    ok: 200,
    request: async (t, s) => ({ path: `/clearing/deliveries/${await delivered(t, s)}/masked` }),
  },
  'GET /offline-block-list/files': { roles: ['operator'], ok: 200, request: fixed('/offline-block-list/files') },
  'GET /offline-block-list/files/:file/masked': {
    roles: ['operator'],
    ok: 200,
    request: fixed('/offline-block-list/files/block-list-full.txt/masked'),
  },
  'GET /readyz': { roles: ['operator'], ok: 200, request: fixed('/readyz') },
  'GET /metrics': { roles: ['operator'], ok: 200, request: fixed('/metrics') },
  'GET /terminals/:id/trace': { roles: ['operator', 'vendor'], ok: 200, request: fixed(`/terminals/${TRACED}/trace`) },
  'POST /cards': { roles: ['issuer'], ok: 201, request: async () => ({ path: '/cards', body: cardBody() }) },
  'POST /cards/lookup': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({ path: '/cards/lookup', body: { pan: (await addCard(t, s)).pan } }),
  },
  'POST /cards/activate': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({
      path: '/cards/activate',
      body: { pan: (await addCard(t, s, { activationCode: '2468' })).pan, activationCode: '2468' },
    }),
  },
  'GET /cards/:id': { roles: ['issuer'], ok: 200, request: onCard((id) => `/cards/${id}`) },
  'PUT /cards/:id/balance': {
    roles: ['issuer'],
    ok: 200,
    request: onCard((id) => `/cards/${id}/balance`, { balance: 1 }),
  },
  'POST /cards/:id/block': {
    roles: ['issuer'],
    ok: 200,
    request: onCard((id) => `/cards/${id}/block`, { reason: 'stolen' }),
  },
  'POST /cards/:id/monitoring-feedback': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({
      path: `/cards/${(await monitoringBlockedCard(t, s)).id}/monitoring-feedback`,
      body: { justified: true },
    }),
  },
  'GET /monitoring/figures': { roles: ['operator', 'issuer'], ok: 200, request: fixed('/monitoring/figures') },
  'GET /monitoring/rules': { roles: ['operator'], ok: 200, request: fixed('/monitoring/rules') },
  'DELETE /cards/:id/block': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({ path: `/cards/${(await blockedCard(t, s)).id}/block` }),
  },
  'DELETE /cards/:id/pin-block': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({ path: `/cards/${(await pinBlockedCard(t, s)).id}/pin-block` }),
  },
  'DELETE /cards/:id': { roles: ['issuer'], ok: 200, request: onCard((id) => `/cards/${id}`) },
  'POST /cards/:id/scripts': {
    roles: ['issuer'],
    ok: 201,
    request: onCard((id) => `/cards/${id}/scripts`, { commands: [{ command: 'pinUnblock' }] }),
  },
  'GET /cards/:id/scripts': { roles: ['issuer'], ok: 200, request: onCard((id) => `/cards/${id}/scripts`) },
  'POST /cards/:id/scripts/:script/resend': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({ path: `/cards/${(await sentScript(t, s)).id}/scripts/00000001/resend` }),
  },
  'GET /notices': { roles: ['issuer'], ok: 200, request: fixed('/notices') },
  'GET /disputes/cards/:id/transactions': {
    roles: ['issuer'],
    ok: 200,
    request: onCard((id) => `/disputes/cards/${id}/transactions?from=2026-12-01&to=2026-12-31`),
  },
  'POST /disputes/checks': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => {
      const card = await disputableCard(t, s);
      return {
        path: '/disputes/checks',
        body: { card: card.id, reason: 'thirdPartyPin', transactions: [{ entry: card.entry }] },
      };
    },
  },
  'POST /disputes/cases': {
    roles: ['issuer'],
    ok: 201,
    request: async (t, s) => {
      const card = await disputableCard(t, s);
      return {
        path: '/disputes/cases',
        body: { card: card.id, reason: 'thirdPartyPin', transactions: [{ entry: card.entry }] },
      };
    },
  },
  'GET /disputes/cases/:number': {
    roles: ['issuer', 'operator'],
    ok: 200,
    request: async (t, s) => ({ path: `/disputes/cases/${(await disputeCase(t, s)).number}` }),
  },
  'GET /disputes/cards/:id/cases': {
    roles: ['issuer', 'operator'],
    ok: 200,
    request: async (t, s) => ({ path: `/disputes/cards/${(await disputeCase(t, s)).card}/cases` }),
  },
  'GET /disputes/accounts': { roles: ['issuer'], ok: 200, request: fixed('/disputes/accounts') },
  'PUT /disputes/accounts': { roles: ['issuer'], ok: 200, request: fixed('/disputes/accounts', { other: '12345678' }) },
  'POST /disputes/cards/:id/notas': {
    roles: ['issuer'],
    ok: 201,
    request: async (t, s) => {
      const card = await disputableCard(t, s);
      return { path: `/disputes/cards/${card.id}/notas`, body: { entry: card.entry } };
    },
  },
  'POST /disputes/cards/:id/notas/:entry/arrival': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => {
      const card = await disputableCard(t, s);
      const order = { token: A, body: { entry: card.entry } };
      t.equal((await call(s, 'POST', `/disputes/cards/${card.id}/notas`, order)).status, 201, 'nota ordered');
      return { path: `/disputes/cards/${card.id}/notas/${card.entry}/arrival`, body: { signed: true } };
    },
  },
  'POST /disputes/cases/:number/misuse-report': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({ path: `/disputes/cases/${(await disputeCase(t, s)).number}/misuse-report` }),
  },
  'POST /disputes/cases/:number/representment': {
    roles: ['operator'],
    ok: 200,
    request: async (t, s) => ({
      path: `/disputes/cases/${(await disputeCase(t, s)).number}/representment`,
      body: { text: 'the PIN was used' },
    }),
  },
  'POST /disputes/cases/:number/contest': {
    roles: ['issuer'],
    ok: 200,
    request: async (t, s) => ({
      path: `/disputes/cases/${await representedCase(t, s)}/contest`,
      body: { text: 'the card was stolen' },
    }),
  },
  'POST /disputes/cases/:number/decision': {
    roles: ['operator'],
    ok: 200,
    request: async (t, s) => ({
      path: `/disputes/cases/${await representedCase(t, s, true)}/decision`,
      body: { for: 'merchant', text: 'the PIN was used' },
    }),
  },
  'POST /block-reports': {
    roles: ['blockService'],
    ok: 201,
    request: async (t, s) => ({
      path: '/block-reports',
      body: report((await addCard(t, s, { status: 'active' })).pan),
    }),
  },
  'GET /offline-block-list/changes': {
    roles: ['offlineTerminals'],
    ok: 200,
    request: fixed('/offline-block-list/changes?fetcher=access-test'),
  },
  'GET /offline-block-list/full': { roles: ['offlineTerminals'], ok: 200, request: fixed('/offline-block-list/full') },
  'POST /faults': { roles: ['vendor'], ok: 201, request: fixed('/faults', { terminal: 'TERM0009', kind: 'noAnswer' }) },
  'GET /faults': { roles: ['vendor'], ok: 200, request: fixed('/faults') },
  'DELETE /faults/:id': {
    roles: ['vendor'],
    ok: 200,
    request: async (t, s) => {
      const rule = await call(s, 'POST', '/faults', { token: V, body: { terminal: 'TERM0008', kind: 'close' } });
      t.equal(rule.status, 201, 'rule created');
      return { path: `/faults/${rule.body.id as string}` };
    },
  },
  'GET /terminals/:id/conformance': { roles: ['vendor'], ok: 200, request: fixed(`/terminals/${TRACED}/conformance`) },
  'GET /terminals/:id/activity': {
    roles: ['vendor'],
    ok: 200,
    request: fixed(`/terminals/${TRACED}/activity?since=0`),
  },
};

const methodOf = (route: string) => route.split(' ')[0]!;

/** A return of the card's purchase as third-party misuse at a PIN terminal. */
const proposal = (card: { id: string; entry: string }) => ({
  card: card.id,
  reason: 'thirdPartyPin',
  transactions: [{ entry: card.entry }],
});

/** Headers that name no configured token, built around the route's own right token. */
function unauthenticated(right: string): [string, Record<string, string>][] {
  return [
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer not-a-configured-token-0' }],
    [
      'the right token under another scheme',
      { authorization: `Basic ${Buffer.from(`x:${right}`).toString('base64')}` },
    ],
    ['the right token with a character more', { authorization: `Bearer ${right}x` }],
  ];
}

t.test(
  'every route adminRoutes() makes has an access rule here, and every rule a route; only /healthz and the console page are open',
  async (t) => {
    const s = await startAllRoles(t);
    const routes = routeKeys(s);
    t.equal(new Set(routes).size, routes.length, 'no route twice');
    t.same([...routes].sort(), Object.keys(ACCESS).sort());
    t.same(
      Object.keys(ACCESS).filter((k) => ACCESS[k]!.roles === 'open'),
      ['GET /healthz', 'GET /', 'GET /assets/:file'],
    );
  },
);

t.test(
  'route by route: no or an unknown token 401, every other role 403 (nothing changed), the right role served',
  async (t) => {
    const s = await startAllRoles(t);
    for (const route of routeKeys(s)) {
      await t.test(route, async (t) => {
        const rule = ACCESS[route]!;
        if (rule.roles === 'open') return openRoute(t, s, route, rule);
        const roles = rule.roles;
        const request = await rule.request(t, s);
        const method = methodOf(route);
        await unchanged(t, s, `${route} refused`, async () => {
          for (const [what, headers] of unauthenticated(ROLE_TOKENS[roles[0]!])) {
            const res = await call(s, method, request.path, { body: request.body, headers });
            t.equal(res.status, 401, what);
            t.match(res.headers.get('www-authenticate'), /^Bearer realm="switch-admin"/, 'with the challenge');
            t.match(res.body, { error: /token|Authorization/ });
          }
          for (const role of ROLES.filter((r) => !roles.includes(r))) {
            const res = await call(s, method, request.path, { body: request.body, token: ROLE_TOKENS[role] });
            t.equal(res.status, 403, `${role}: 403`);
            t.match(res.body, { error: /^this route is for .+; .+ token cannot use it$/ });
          }
        });
        for (const role of roles) {
          // Made afresh for each role: the first may have used up what the route acts on.
          const mine = role === roles[0] ? request : await rule.request(t, s);
          const token = ROLE_TOKENS[role];
          const status = rule.stream
            ? await streamStatus(s, mine.path, token)
            : (await call(s, method, mine.path, { body: mine.body, token })).status;
          t.equal(status, rule.ok, `${role}: served`);
        }
      });
    }
  },
);

/** A stream's status; then the reader hangs up (the stream itself never ends). */
async function streamStatus(s: TestSwitch, path: string, token: string): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(`${s.adminUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  controller.abort();
  return res.status;
}

async function openRoute(t: Test, s: TestSwitch, route: string, rule: Access): Promise<void> {
  const { path } = await rule.request(t, s);
  for (const token of [undefined, 'not-a-configured-token-0', ...Object.values(ROLE_TOKENS)]) {
    t.equal((await call(s, methodOf(route), path, { token })).status, rule.ok, `${route} with ${token ?? 'no token'}`);
  }
}

t.test(
  "issuer scoping: bank-b on bank-a's cards, on every issuer route, gets nothing and changes nothing",
  async (t) => {
    const s = await startAllRoles(t);
    const fresh = await addCard(t, s, { activationCode: '2468' });
    const active = await addCard(t, s, { status: 'active' });
    const blocked = await blockedCard(t, s);
    const pinBlocked = await pinBlockedCard(t, s);
    const sent = await sentScript(t, s);
    const monitored = await monitoringBlockedCard(t, s);
    const disputable = await disputableCard(t, s);
    const disputed = await disputeCase(t, s);
    const NO_SUCH_CARD = { error: 'no such card' };
    const OTHERS = { error: 'the card belongs to another issuer' };
    const NO_SUCH_CASE = { error: 'no such case' };
    // By PAN: answered as an unknown card (a PAN cannot be probed); by id: 403; the feed: none of them.
    const cross: Record<string, [Request, number, unknown?][]> = {
      'POST /cards': [
        [{ path: '/cards', body: cardBody({ pan: fresh.pan }) }, 409, { error: 'card already registered' }],
      ],
      'POST /cards/lookup': [[{ path: '/cards/lookup', body: { pan: active.pan } }, 404, NO_SUCH_CARD]],
      'POST /cards/activate': [
        [{ path: '/cards/activate', body: { pan: fresh.pan, activationCode: '2468' } }, 404, NO_SUCH_CARD],
      ],
      'GET /cards/:id': [[{ path: `/cards/${active.id}` }, 403, OTHERS]],
      'PUT /cards/:id/balance': [[{ path: `/cards/${active.id}/balance`, body: { balance: 1 } }, 403, OTHERS]],
      'POST /cards/:id/block': [[{ path: `/cards/${active.id}/block`, body: { reason: 'issuer' } }, 403, OTHERS]],
      'POST /cards/:id/monitoring-feedback': [
        [{ path: `/cards/${monitored.id}/monitoring-feedback`, body: { justified: false } }, 403, OTHERS],
      ],
      // bank-a's figures (the monitored card's block) are not bank-b's.
      'GET /monitoring/figures': [[{ path: '/monitoring/figures' }, 200, { rules: [], byRule: [], byIssuer: [] }]],
      'DELETE /cards/:id/block': [[{ path: `/cards/${blocked.id}/block` }, 403, OTHERS]],
      'DELETE /cards/:id/pin-block': [[{ path: `/cards/${pinBlocked.id}/pin-block` }, 403, OTHERS]],
      'DELETE /cards/:id': [[{ path: `/cards/${active.id}` }, 403, OTHERS]],
      'POST /cards/:id/scripts': [
        [{ path: `/cards/${active.id}/scripts`, body: { commands: [{ command: 'applicationBlock' }] } }, 403, OTHERS],
      ],
      'GET /cards/:id/scripts': [[{ path: `/cards/${active.id}/scripts` }, 403, OTHERS]],
      'POST /cards/:id/scripts/:script/resend': [[{ path: `/cards/${sent.id}/scripts/00000001/resend` }, 403, OTHERS]],
      'GET /notices': [
        [{ path: `/notices?card=${blocked.id}` }, 200, { notices: [] }],
        [{ path: `/notices?card=${pinBlocked.id}` }, 200, { notices: [] }],
        [{ path: '/notices' }, 200, { notices: [] }],
      ],
      'GET /session': [[{ path: '/session' }, 200, { role: 'issuer', issuer: 'bank-b' }]],
      'GET /disputes/cards/:id/transactions': [
        [{ path: `/disputes/cards/${disputable.id}/transactions?from=2026-01-01&to=2026-12-31` }, 403, OTHERS],
      ],
      'POST /disputes/checks': [[{ path: '/disputes/checks', body: proposal(disputable) }, 403, OTHERS]],
      'POST /disputes/cases': [[{ path: '/disputes/cases', body: proposal(disputable) }, 403, OTHERS]],
      // Case numbers count up: another issuer's case is no case at all.
      'GET /disputes/cases/:number': [[{ path: `/disputes/cases/${disputed.number}` }, 404, NO_SUCH_CASE]],
      'GET /disputes/cards/:id/cases': [[{ path: `/disputes/cards/${disputed.card}/cases` }, 403, OTHERS]],
      // An issuer's accounts are its own: bank-b's are standard, and it cannot name bank-a.
      'GET /disputes/accounts': [
        [{ path: '/disputes/accounts' }, 200, { issuer: 'bank-b', insufficientFunds: 'standard', other: 'standard' }],
      ],
      'PUT /disputes/accounts': [
        [
          { path: '/disputes/accounts', body: { issuer: 'bank-a', other: '12345678' } },
          400,
          { error: 'invalid request body', problems: [{ path: '/issuer', message: 'is not allowed' }] },
        ],
      ],
      'POST /disputes/cards/:id/notas': [
        [{ path: `/disputes/cards/${disputable.id}/notas`, body: { entry: disputable.entry } }, 403, OTHERS],
      ],
      'POST /disputes/cards/:id/notas/:entry/arrival': [
        [
          { path: `/disputes/cards/${disputable.id}/notas/${disputable.entry}/arrival`, body: { signed: true } },
          403,
          OTHERS,
        ],
      ],
      'POST /disputes/cases/:number/misuse-report': [
        [{ path: `/disputes/cases/${disputed.number}/misuse-report` }, 404, NO_SUCH_CASE],
      ],
      'POST /disputes/cases/:number/contest': [
        [{ path: `/disputes/cases/${disputed.number}/contest`, body: { text: 'x' } }, 404, NO_SUCH_CASE],
      ],
    };
    const issuerRoutes = routeKeys(s).filter((r) => ACCESS[r]?.roles !== 'open' && ACCESS[r]?.roles.includes('issuer'));
    t.same(Object.keys(cross).sort(), issuerRoutes.sort(), 'a case for every issuer route');
    t.ok(
      (await call(s, 'GET', `/notices?card=${blocked.id}`, { token: A })).body.notices.length > 0,
      "bank-a's feed has the block's notice",
    );
    await unchanged(t, s, "bank-b on bank-a's cards", async () => {
      for (const [route, cases] of Object.entries(cross)) {
        for (const [request, status, body] of cases) {
          const res = await call(s, methodOf(route), request.path, { token: B, body: request.body });
          t.equal(res.status, status, `${route}: ${status}`);
          t.same(res.body, body, 'and nothing of the card');
        }
      }
    });
    t.same(
      (await call(s, 'GET', `/cards/${active.id}`, { token: A })).body,
      { ...active.state, scripts: [] },
      "bank-a's card is as it was",
    );
  },
);

t.test('the block service: block reports and nothing else', async (t) => {
  const s = await startAllRoles(t);
  // GET /session answers every token who it speaks for.
  const others = routeKeys(s).filter(
    (r) => !['POST /block-reports', 'GET /session'].includes(r) && ACCESS[r]!.roles !== 'open',
  );
  t.ok(others.length > 15, `${others.length} routes refused`);
  for (const route of others) {
    const request = await ACCESS[route]!.request(t, s);
    // request() may itself change Redis (a card, a rule): only the refused call is measured.
    await unchanged(t, s, route, async () => {
      const res = await call(s, methodOf(route), request.path, { token: BS, body: request.body });
      t.equal(res.status, 403, route);
      t.match(res.body, { error: /; the block service's token cannot use it$/ });
    });
  }
  const card = await addCard(t, s, { status: 'active' });
  const res = await call(s, 'POST', '/block-reports', { token: BS, body: report(card.pan) });
  t.equal(res.status, 201);
  t.match(await s.sw.register.state(card.id), { block: 'lost' }, 'the card is blocked');
  t.equal(
    (await call(s, 'POST', '/block-reports', { token: BS, body: report(newPan()) })).status,
    404,
    'an unknown card: nothing to block',
  );
});
