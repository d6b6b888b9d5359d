/**
 * Malformed and hostile admin API input (issue #8), on every route adminRoutes() makes: wrong JSON
 * types, invalid JSON, huge bodies, unknown and missing fields, wrong content types, bad path
 * parameters, query-string junk. Each is answered 4xx with a reason (never 500), echoes no PAN,
 * and changes nothing: every key under the switch's prefix is the same, byte for byte (DUMP),
 * after each batch as before it. Real switch, Redis and HTTP (raw sockets where fetch cannot
 * send what a hostile client sends).
 */
import { connect } from 'node:net';
import t, { type Test } from 'tap';
import type { TestSwitch } from '../support/switch.js';
import { A, BS, type Answer, addCard, call, cardBody, newPan } from './fixtures/client.js';
import {
  ROLE_TOKENS,
  TRACED,
  V,
  changedKeys,
  routeKeys,
  snapshot,
  startAllRoles,
  unchanged,
  ASSET,
} from './fixtures/access.js';

/** The routes anyone may call: the liveness probe, the console's page and its assets (no data in them). */
const OPEN = ['GET /healthz', 'GET /', 'GET /assets/:file'];

/** A PAN (valid check digit) that hostile requests carry in every place they can: it must never come back. */
const PAN = newPan('501977');
const PIN = '97531';
/** A journal entry id (a nota's second path parameter) and a case number, as the dispute routes take them. */
const ENTRY = '1796374200000-0';
const CASE = 'D00000001';

interface Fixture {
  s: TestSwitch;
  /** An active card of bank-a. */
  card: { id: string; pan: string };
  /** A fault rule's id. */
  rule: string;
}

interface Target {
  token: string;
  /** What the route's :id is in a valid request. */
  id?: string;
  /** The query of a valid request. */
  query?: string;
  /** For a route that reads a body: a valid one (every field it takes), and the fields it must have. */
  body?: { valid: Record<string, unknown>; required: string[] };
}

/** A proposed return of a transaction of the card (every field a check or case takes). */
const dispute = (f: Fixture): NonNullable<Target['body']> => ({
  valid: {
    card: f.card.id,
    reason: 'insufficientFunds',
    merchantContacted: true,
    transactions: [{ entry: '1796374200000-0', amount: 100, covered: 0, approvedAmount: 0 }],
  },
  required: ['card', 'reason', 'transactions'],
});

/** Every route: how a valid request to it looks, from which the hostile ones are made. */
const TARGETS: Record<string, (f: Fixture) => Target> = {
  'GET /healthz': () => ({ token: ROLE_TOKENS.operator }),
  'GET /': () => ({ token: ROLE_TOKENS.operator }),
  'GET /assets/:file': () => ({ token: ROLE_TOKENS.operator, id: ASSET }),
  'GET /session': () => ({ token: V }),
  'GET /traffic': () => ({ token: V }),
  'GET /terminals': () => ({ token: V }),
  'GET /clearing/days/:date': () => ({ token: ROLE_TOKENS.operator, id: '2026-11-21' }),
  'GET /clearing/deliveries/:file/masked': () => ({ token: ROLE_TOKENS.operator, id: 'delivery-2026-11-21-01.txt' }),
  'GET /offline-block-list/files': () => ({ token: ROLE_TOKENS.operator }),
  'GET /offline-block-list/files/:file/masked': () => ({ token: ROLE_TOKENS.operator, id: 'block-list-full.txt' }),
  'GET /readyz': () => ({ token: ROLE_TOKENS.operator }),
  'GET /metrics': () => ({ token: ROLE_TOKENS.operator }),
  'GET /terminals/:id/trace': () => ({ token: ROLE_TOKENS.operator, id: TRACED }),
  'POST /cards': () => ({
    token: A,
    body: {
      valid: cardBody({ pan: PAN, pin: PIN, status: 'active', personalNumber: '010190-1234' }),
      required: ['pan', 'product', 'expiry', 'pin', 'activationCode', 'account', 'balance', 'currency'],
    },
  }),
  'POST /cards/lookup': (f) => ({ token: A, body: { valid: { pan: f.card.pan }, required: ['pan'] } }),
  'POST /cards/activate': (f) => ({
    token: A,
    body: { valid: { pan: f.card.pan, activationCode: '5678' }, required: ['pan', 'activationCode'] },
  }),
  'GET /cards/:id': (f) => ({ token: A, id: f.card.id }),
  'PUT /cards/:id/balance': (f) => ({
    token: A,
    id: f.card.id,
    body: { valid: { balance: 5 }, required: ['balance'] },
  }),
  'POST /cards/:id/block': (f) => ({
    token: A,
    id: f.card.id,
    body: { valid: { reason: 'stolen', statement: 'Stjålet' }, required: ['reason'] },
  }),
  'POST /cards/:id/monitoring-feedback': (f) => ({
    token: A,
    id: f.card.id,
    body: {
      valid: { justified: true, text: 'Holder confirmed the purchases', blockedAt: '2025-03-01T14:05:00+01:00' },
      required: ['justified'],
    },
  }),
  'GET /monitoring/figures': () => ({ token: ROLE_TOKENS.operator }),
  'GET /monitoring/rules': () => ({ token: ROLE_TOKENS.operator }),
  'DELETE /cards/:id/block': (f) => ({ token: A, id: f.card.id }),
  'DELETE /cards/:id/pin-block': (f) => ({ token: A, id: f.card.id }),
  'DELETE /cards/:id': (f) => ({ token: A, id: f.card.id }),
  'POST /cards/:id/scripts': (f) => ({
    token: A,
    id: f.card.id,
    body: {
      valid: { commands: [{ command: 'putData', tag: '9F4F', value: '01' }], template: '72' },
      required: ['commands'],
    },
  }),
  'GET /cards/:id/scripts': (f) => ({ token: A, id: f.card.id }),
  'POST /cards/:id/scripts/:script/resend': (f) => ({ token: A, id: f.card.id }),
  'GET /notices': (f) => ({ token: A, query: `card=${f.card.id}&limit=5` }),
  'POST /disputes/checks': (f) => ({ token: A, body: dispute(f) }),
  'POST /disputes/cases': (f) => ({ token: A, body: dispute(f) }),
  'GET /disputes/cases/:number': () => ({ token: A, id: 'D00000001' }),
  'POST /block-reports': (f) => ({
    token: BS,
    body: {
      valid: {
        name: 'Jens Hansen',
        address: 'Nørregade 1, 1165 København K',
        bank: 'Bank A',
        reason: 'stolen',
        cardNumber: f.card.pan,
        accountNumber: '12345678',
        personalNumber: '0101901234',
        card: f.card.id,
        reportedAt: '2025-03-01T14:05:00+01:00',
        statement: 'Tasken blev stjålet',
      },
      required: ['name', 'address', 'bank', 'reason'],
    },
  }),
  'GET /offline-block-list/changes': () => ({ token: ROLE_TOKENS.offlineTerminals, query: 'fetcher=hostile-test' }),
  'GET /offline-block-list/full': () => ({ token: ROLE_TOKENS.offlineTerminals }),
  'POST /faults': () => ({
    token: V,
    body: {
      valid: { terminal: 'TERM0009', pan: PAN, mti: '1200', kind: 'delay', ms: 100, times: 2 },
      required: ['kind', 'ms'],
    },
  }),
  'GET /faults': () => ({ token: V }),
  'DELETE /faults/:id': (f) => ({ token: V, id: f.rule }),
  'GET /terminals/:id/conformance': () => ({ token: V, id: TRACED, query: 'timeoutMs=1000' }),
  'GET /terminals/:id/activity': () => ({ token: V, id: TRACED, query: 'since=0' }),
  // After a case's opening (no case or posting needed: each request is refused before one is looked up).
  'GET /disputes/cards/:id/transactions': (f) => ({ token: A, id: f.card.id, query: 'from=2026-12-01&to=2026-12-31' }),
  'GET /disputes/cards/:id/cases': (f) => ({ token: A, id: f.card.id }),
  'GET /disputes/accounts': () => ({ token: A }),
  'PUT /disputes/accounts': () => ({
    token: A,
    body: { valid: { insufficientFunds: '40001234567890', other: '5000987654' }, required: [] },
  }),
  'POST /disputes/cards/:id/notas': (f) => ({
    token: A,
    id: f.card.id,
    body: { valid: { entry: ENTRY }, required: ['entry'] },
  }),
  'POST /disputes/cards/:id/notas/:entry/arrival': (f) => ({
    token: A,
    id: f.card.id,
    body: { valid: { signed: true }, required: ['signed'] },
  }),
  'POST /disputes/cases/:number/misuse-report': () => ({ token: A, id: CASE }),
  'POST /disputes/cases/:number/representment': () => ({
    token: ROLE_TOKENS.operator,
    id: CASE,
    body: { valid: { amount: 100, text: 'the PIN was used' }, required: ['text'] },
  }),
  'POST /disputes/cases/:number/contest': () => ({
    token: A,
    id: CASE,
    body: { valid: { text: 'the card was stolen' }, required: ['text'] },
  }),
  'POST /disputes/cases/:number/decision': () => ({
    token: ROLE_TOKENS.operator,
    id: CASE,
    body: { valid: { for: 'issuer', text: 'the card was stolen' }, required: ['for', 'text'] },
  }),
};

async function fixture(t: Test): Promise<Fixture> {
  const s = await startAllRoles(t);
  const card = await addCard(t, s, { status: 'active' });
  const rule = await call(s, 'POST', '/faults', { token: V, body: { terminal: 'TERM0008', kind: 'close' } });
  t.equal(rule.status, 201, 'rule created');
  return { s, card, rule: rule.body.id as string };
}

const [methodOf, templateOf] = [(route: string) => route.split(' ')[0]!, (route: string) => route.split(' ')[1]!];
/** The route's path with `id` (already %-encoded as wanted) for its first parameter, ENTRY for :entry, and `query` after a ?. */
const pathOf = (route: string, id = '', query?: string) =>
  templateOf(route)
    .replace(/:[a-zA-Z]+/, id)
    .replace(':entry', ENTRY) + (query === undefined ? '' : `?${query}`);

/** A refusal: 4xx (never 500), with a JSON reason, echoing neither the PAN nor the PIN. */
function refused(t: Test, res: Answer, what: string, status?: number): void {
  if (status === undefined) t.ok(res.status >= 400 && res.status < 500, `${what}: 4xx (got ${res.status})`);
  else t.equal(res.status, status, what);
  t.match(res.body, { error: String }, 'with a reason');
  t.notMatch(res.text, PAN, 'no PAN echoed');
  t.notMatch(res.text, PIN, 'no PIN echoed');
}

/** The problems' paths of a 400 answer. */
const problemPaths = (res: Answer): string[] => ((res.body?.problems ?? []) as { path: string }[]).map((p) => p.path);

t.test('every route adminRoutes() makes has a target here', async (t) => {
  const f = await fixture(t);
  t.same(routeKeys(f.s).sort(), Object.keys(TARGETS).sort());
});

t.test('the snapshot sees a change: the checks below can fail', async (t) => {
  const f = await fixture(t);
  const before = await snapshot(f.s.redis, f.s.config.redis.keyPrefix);
  t.equal((await call(f.s, 'PUT', `/cards/${f.card.id}/balance`, { token: A, body: { balance: 1 } })).status, 200);
  t.ok(
    changedKeys(before, await snapshot(f.s.redis, f.s.config.redis.keyPrefix)).length > 0,
    'a balance change is seen',
  );
});

t.test('query-string junk on every route: 400 naming the parameter, nothing changed', async (t) => {
  const f = await fixture(t);
  const junk: [string, string][] = [
    ['x=1', '/x'],
    [`pan=${PAN}`, '/pan'],
    [`${PAN}=1`, '/(an unknown property)'],
    ['__proto__=1', '/__proto__'],
    ['constructor=1', '/constructor'],
    ['%zz=%E0%A4%A', '/(an unknown property)'],
    ['a=1&a=2', '/a'],
    ['=', '/(an unknown property)'],
    [`q=${'x'.repeat(4000)}`, '/q'],
    ['issuer=bank-b', '/issuer'],
  ];
  for (const route of routeKeys(f.s)) {
    const target = TARGETS[route]!(f);
    await unchanged(t, f.s, route, async () => {
      for (const [query, path] of junk) {
        const full = target.query === undefined ? query : `${target.query}&${query}`;
        const body = target.body?.valid;
        const res = await call(f.s, methodOf(route), pathOf(route, target.id, full), { token: target.token, body });
        refused(t, res, `${route}?${query.slice(0, 30)}`, 400);
        t.equal(res.body.error, 'invalid request query');
        t.ok(problemPaths(res).includes(path), `names ${path}`);
      }
    });
  }
});

t.test(
  'Authorization junk on every route: 401 (the liveness probe aside), nothing echoed, nothing changed',
  async (t) => {
    const f = await fixture(t);
    const junk = [
      `Bearer ${'x'.repeat(8000)}`,
      `Bearer ${PAN}`,
      `Bearer ${A}, Bearer ${A}`,
      `Bearer\t${A}`,
      `Bearer ${A}\u00e6`,
      'Bearer',
      `${A}`,
      `Digest ${A}`,
    ];
    for (const route of routeKeys(f.s)) {
      const target = TARGETS[route]!(f);
      await unchanged(t, f.s, route, async () => {
        for (const authorization of junk) {
          const res = await call(f.s, methodOf(route), pathOf(route, target.id, target.query), {
            body: target.body?.valid,
            headers: { authorization },
          });
          if (OPEN.includes(route)) t.equal(res.status, 200, 'open');
          else refused(t, res, `${route} with ${authorization.slice(0, 20)}`, 401);
        }
      });
    }
  },
);

t.test('bad path parameters on every route with one: 4xx, not echoed, nothing changed', async (t) => {
  const f = await fixture(t);
  const long = 'A'.repeat(8000);
  const bad: [string, string, number?][] = [
    ['a malformed %-escape', '%E0%A4%A', 400],
    ['a lone %', '%', 400],
    ['%zz', '%zz', 400],
    ['a PAN', PAN],
    ['a PAN, %-encoded', [...PAN].map((d) => `%3${d}`).join('')],
    ['8000 characters', long],
    ['a NUL', '%00'],
    ['a path climbing out', '..%2F..%2F..%2Fmetrics'],
    ['a space only', '%20'],
    ['not ASCII', '%C3%A6%C3%B8'],
    ['a card id in capitals', f.card.id.toUpperCase()],
  ];
  for (const route of routeKeys(f.s).filter((r) => r.includes(':id'))) {
    const target = TARGETS[route]!(f);
    await unchanged(t, f.s, route, async () => {
      for (const [what, id, status] of bad) {
        const res = await call(f.s, methodOf(route), pathOf(route, id, target.query), {
          token: target.token,
          body: target.body?.valid,
        });
        refused(t, res, `${route} with ${what}`, status);
        t.notMatch(res.text, long, 'a long id is not echoed');
      }
    });
  }
});

t.test('paths that are no route, or too long to read: 4xx, digits not echoed', async (t) => {
  const f = await fixture(t);
  await unchanged(t, f.s, 'no route', async () => {
    for (const path of [
      `/${PAN}`,
      `/cards/${PAN}/history`,
      `/nothing?pan=${PAN}`,
      '/cards/',
      '//cards',
      '/CARDS',
      `/terminals/${TRACED}/trace/`,
    ]) {
      refused(t, await call(f.s, 'GET', path, { token: A }), path, 404);
    }
    refused(t, await call(f.s, 'PATCH', `/cards/${f.card.id}`, { token: A, body: { balance: 1 } }), 'PATCH', 405);
    // Over Node's 16 KB header limit: refused by the HTTP parser, before any route.
    const res = await fetch(`${f.s.adminUrl}/cards/${'a'.repeat(20_000)}`, {
      headers: { authorization: `Bearer ${A}` },
    });
    t.equal(res.status, 431, 'a 20 KB path: 431');
    await res.arrayBuffer();
  });
  t.equal((await call(f.s, 'GET', '/healthz')).status, 200, 'still serving');
});

/** Every route that reads a body, with its valid request. */
function bodyRoutes(f: Fixture): [string, Target & { body: NonNullable<Target['body']> }][] {
  return routeKeys(f.s)
    .map((r) => [r, TARGETS[r]!(f)] as const)
    .filter((e): e is [string, Target & { body: NonNullable<Target['body']> }] => e[1].body !== undefined);
}

/** JSON values of every type but the one of `value`. */
function wrongTypes(value: unknown): unknown[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return [12345, 1.5, '12345', true, null, [value], { value }].filter(
    (v) => kind(v) !== kind(value) && !(kind(value) === 'number' && kind(v) === 'number'),
  );
}

t.test(
  'bodies: a wrong type or ill-formed text in each field, each required field missing, unknown fields: 400 naming the field',
  async (t) => {
    const f = await fixture(t);
    for (const [route, target] of bodyRoutes(f)) {
      const send = (body: unknown) =>
        call(f.s, methodOf(route), pathOf(route, target.id, target.query), { token: target.token, body });
      await unchanged(t, f.s, route, async () => {
        for (const [field, value] of Object.entries(target.body.valid)) {
          // A lone UTF-16 surrogate: JSON allows it (as \ud800), Redis's Lua cjson does not; it once blocked a card and answered 500.
          const illFormed = typeof value === 'string' ? ['\ud800', `${value}\udfff`] : [];
          for (const wrong of [...wrongTypes(value), ...illFormed]) {
            const res = await send({ ...target.body.valid, [field]: wrong });
            refused(t, res, `${route} ${field}: ${JSON.stringify(wrong)}`, 400);
            t.ok(problemPaths(res).includes(`/${field}`), `names /${field}`);
          }
        }
        for (const field of target.body.required) {
          const { [field]: _, ...rest } = target.body.valid;
          const res = await send(rest);
          refused(t, res, `${route} without ${field}`, 400);
          t.same(
            problemPaths(res).filter((p) => p === `/${field}`),
            [`/${field}`],
            `names /${field}`,
          );
        }
        const unknown: [Record<string, unknown>, string][] = [
          [{ colour: 'blue' }, '/colour'],
          [{ issuer: 'bank-b' }, '/issuer'],
          [{ constructor: 1 }, '/constructor'],
          [{ [PAN]: PIN }, '/(an unknown property)'],
        ];
        for (const [extra, path] of unknown) {
          const res = await send({ ...target.body.valid, ...extra });
          refused(t, res, `${route} with ${path}`, 400);
          t.ok(problemPaths(res).includes(path), `names ${path}`);
        }
        const proto = await call(f.s, methodOf(route), pathOf(route, target.id, target.query), {
          token: target.token,
          raw: JSON.stringify(target.body.valid).replace(/^\{/, '{"__proto__":{"admin":true},'),
        });
        refused(t, proto, `${route} with __proto__`, 400);
        t.ok(problemPaths(proto).includes('/__proto__'), 'names /__proto__');
        for (const notObject of [[], [target.body.valid], 'text', 1, null, true, {}]) {
          const res = await send(notObject);
          refused(t, res, `${route} ${JSON.stringify(notObject)}`.slice(0, 60), 400);
        }
      });
    }
  },
);

t.test('bodies: not JSON, not UTF-8, not there, or another content type: 400 or 415, nothing changed', async (t) => {
  const f = await fixture(t);
  const invalid = [
    `{"pan":"${PAN}","pin":"${PIN}"`,
    `{"pan":"${PAN}",}`,
    `{'pan':'${PAN}'}`,
    '{"balance":NaN}',
    '{"balance":1}{"balance":2}',
    '{"balance":"\u0001"}',
    `${'{"a":'.repeat(3000)}`,
    'nul\u0000l',
  ];
  for (const [route, target] of bodyRoutes(f)) {
    const path = pathOf(route, target.id, target.query);
    const raw = (
      body: string | Uint8Array<ArrayBuffer>,
      headers: Record<string, string> = { 'content-type': 'application/json' },
    ) =>
      fetch(`${f.s.adminUrl}${path}`, {
        method: methodOf(route),
        headers: { authorization: `Bearer ${target.token}`, ...headers },
        body,
      }).then(async (res) => {
        const text = await res.text();
        return {
          status: res.status,
          text,
          body: JSON.parse(text) as Record<string, unknown>,
          headers: res.headers,
        } as Answer;
      });
    const valid = JSON.stringify(target.body.valid);
    await unchanged(t, f.s, route, async () => {
      for (const body of invalid) refused(t, await raw(body), `${route} ${body.slice(0, 30)}`, 400);
      refused(t, await raw(`${'['.repeat(8000)}${']'.repeat(8000)}`), `${route}: 8000 nested arrays`, 400);
      refused(t, await raw(`${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`), `${route}: 2500 nested objects`, 400);
      refused(t, await raw(''), `${route}: no body`, 400);
      refused(t, await raw('   \n '), `${route}: only spaces`, 400);
      refused(t, await raw(new Uint8Array([0x7b, 0x22, 0xe6, 0x22, 0x3a, 0x31, 0x7d])), `${route}: Latin-1`, 400);
      // The valid body: only its declared type is wrong.
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'text/json',
        'application/jsonp',
      ]) {
        refused(t, await raw(valid, { 'content-type': type }), `${route} as ${type}`, 415);
      }
    });
  }
});

/** What a raw socket got back, and whether the server closed the connection. */
interface RawResult {
  text: string;
  closedByServer: boolean;
  /** Bytes of body written before the server answered (or the cap was reached). */
  sent: number;
}

/**
 * Writes `head`, then body chunks without end (chunked encoding) until the server answers or `cap`
 * bytes have gone: a client that would stream for ever. Once the answer's head is in, it stops
 * writing (a write racing the server's close could lose the answer to a reset) and waits for the
 * server to close the connection, which it must have announced (`Connection: close`): an answer
 * that keeps the connection open means the server would go on reading.
 */
function streamForever(port: number, head: string, cap: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
    let [text, sent, answered, done] = ['', 0, false, false];
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ text, closedByServer, sent });
    };
    const pump = (): void => {
      while (!answered && sent < cap) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (!answered) finish(false);
    };
    const start = `{"pan":"${PAN}`;
    socket.on('connect', () => {
      socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n${start.length.toString(16)}\r\n${start}\r\n`);
      pump();
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (answered || !text.includes('\r\n\r\n')) return;
      answered = true;
      if (!/\r\nconnection: close\r\n/i.test(text)) finish(false);
    });
    // A write the server's close cut short (EPIPE, ECONNRESET): the close is what is awaited.
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

/** Writes `head` announcing `length` bytes of body and sends none: what does the server do? */
function announce(port: number, head: string, length: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}Content-Length: ${length}\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, closedByServer: true, sent: 0 }));
  });
}

t.test(
  'huge bodies: 413; one announced or streamed far over the limit is cut off and its connection closed',
  async (t) => {
    const f = await fixture(t);
    for (const [route, target] of bodyRoutes(f)) {
      const path = pathOf(route, target.id, target.query);
      const head = `${methodOf(route)} ${path} HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer ${target.token}\r\nContent-Type: application/json\r\n`;
      await unchanged(t, f.s, route, async () => {
        const over = JSON.stringify({ ...target.body.valid, statement: 'x'.repeat(20 * 1024) });
        const small = await call(f.s, methodOf(route), path, { token: target.token, raw: over });
        refused(t, small, `${route}: 20 KB`, 413);
        t.same(small.body, { error: 'the body is larger than 16384 bytes' });
        refused(
          t,
          await call(f.s, methodOf(route), path, { token: target.token, raw: over.padEnd(8 * 1024 * 1024) }),
          `${route}: 8 MB through fetch`,
          413,
        );

        const announced = await announce(f.s.sw.admin.port, head, 1 << 30);
        t.match(announced.text, /^HTTP\/1\.1 413 /, `${route}: 1 GiB announced, none sent: 413 at once`);
        t.match(announced.text, /\r\nconnection: close\r\n/i, 'and the connection closed');

        // Were the server to wait for the end, it would take all 256 MB and the client would close first.
        const endless = await streamForever(f.s.sw.admin.port, head, 256 * 1024 * 1024);
        t.ok(
          endless.closedByServer,
          `${route}: an endless body is answered and its connection closed by the server (after ${(endless.sent / 1048576).toFixed(1)} MB sent)`,
        );
        t.match(endless.text, /^HTTP\/1\.1 413 /, 'with 413');
        t.notMatch(endless.text, PAN, 'nothing of the body echoed');
      });
    }
    t.equal((await call(f.s, 'GET', '/healthz')).status, 200, 'still serving');
  },
);
