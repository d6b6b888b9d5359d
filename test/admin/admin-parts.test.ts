/**
 * The pieces of the issuer and block-service API on their own: token and SMS configuration, the
 * SMS text, time checks, reference numbers, and the body reader's edges (huge, cut off).
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { AdminAuth } from '../../src/admin/auth.js';
import { newReference } from '../../src/blocking/block-references.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';
import { HttpError } from '../../src/admin/server.js';
import { isIsoTime } from '../../src/admin/schemas.js';
import { DEFAULT_SMS_TEMPLATE, renderSms, smsTemplate, smsTime } from '../../src/admin/sms.js';
import { A, B, BS, ISSUERS, addCard, call, startApi, stored } from './fixtures/client.js';

function configProblems(t: Test, content: unknown): string[] {
  const path = join(t.testdir(), 'switch.json');
  writeFileSync(path, JSON.stringify(content));
  try {
    loadConfig({ file: path, env: {} });
  } catch (e) {
    t.type(e, ConfigError);
    return (e as ConfigError).problems;
  }
  t.fail('no ConfigError');
  return [];
}

t.test('config: tokens name an issuer or the block service; templates use known placeholders', async (t) => {
  const ok = join(t.testdir(), 'ok.json');
  writeFileSync(
    ok,
    JSON.stringify({
      admin: { tokens: { 'a-long-enough-token': { role: 'issuer', issuer: 'bank-a' } } },
      issuers: ISSUERS,
    }),
  );
  const config = loadConfig({ file: ok, env: {} });
  t.same(config.admin.tokens, { 'a-long-enough-token': { role: 'issuer', issuer: 'bank-a' } });
  t.same(config.issuers, ISSUERS);
  t.same(loadConfig({ env: {} }).admin.tokens, {}, 'no tokens by default: the API is closed');
  t.same(loadConfig({ env: {} }).issuers, {});

  const problems = configProblems(t, {
    admin: {
      tokens: {
        short: { role: 'issuer', issuer: 'bank-a' },
        'issuer-without-a-name': { role: 'issuer' },
        'block-service-for-a-bank': { role: 'blockService', issuer: 'bank-a' },
        'issuer-named-empty-1': { role: 'issuer', issuer: '' },
        'issuer-with-braces-1': { role: 'issuer', issuer: 'bank{a}' },
        'a-role-that-is-not-1': { role: 'admin' },
      },
    },
    issuers: {
      'bank-a': { smsTemplates: { default: 'Kort {pan} spærret' } },
      'bank-b': { blockService: 'yes', phone: 'call us' },
      'bank-c': { smsTemplates: { default: '' } },
    },
  }).join('\n');
  t.match(problems, /\/admin\/tokens must NOT have fewer than 16 characters/, 'a short token');
  t.match(problems, /issuer-without-a-name\/issuer is required/, 'an issuer token names its issuer');
  t.match(problems, /block-service-for-a-bank must NOT be valid/, 'a block-service token names none');
  t.match(problems, /issuer-named-empty-1\/issuer must match pattern/, "'' would be the block service in the register");
  t.match(problems, /issuer-with-braces-1\/issuer must match pattern/, 'braces would break the hash tag');
  t.match(problems, /a-role-that-is-not-1\/role must be one of issuer, blockService/);
  t.match(problems, /\/issuers\/bank-a\/smsTemplates\/default must match pattern/, 'an unknown placeholder is a typo');
  t.match(problems, /\/issuers\/bank-b\/blockService must be boolean/, 'the agreement is true or false');
  t.match(problems, /\/issuers\/bank-b\/phone must match pattern/, 'a phone number is digits');
  t.match(problems, /\/issuers\/bank-c\/smsTemplates\/default must NOT have fewer than 1 characters/);
});

t.test('auth on its own: digests, not tokens; no inherited keys', async (t) => {
  const auth = new AdminAuth({
    'token-of-bank-a-000': { role: 'issuer', issuer: 'bank-a' },
    'token-of-the-service': { role: 'blockService' },
    'token-of-an-operator': { role: 'operator' },
  });
  const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as never;
  /** The status of the HttpError thrown; 0 when none is. */
  const status = (fn: () => unknown): number => {
    try {
      fn();
    } catch (e) {
      return e instanceof HttpError ? e.status : -1;
    }
    return 0;
  };
  t.equal(auth.issuer(req('Bearer token-of-bank-a-000')), 'bank-a');
  t.same(auth.allow(req('BEARER   token-of-the-service'), ['blockService']), { role: 'blockService' });
  t.same(
    auth.allow(req('Bearer token-of-an-operator'), ['operator', 'vendor']),
    { role: 'operator' },
    'any of the roles given',
  );
  for (const h of [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer toString',
    'Bearer __proto__',
    'Token token-of-bank-a-000',
  ]) {
    t.equal(
      status(() => auth.principal(req(h))),
      401,
      `401 for ${JSON.stringify(h)}`,
    );
  }
  t.equal(
    status(() => auth.issuer(req('Bearer token-of-the-service'))),
    403,
  );
  t.equal(
    status(() => auth.allow(req('Bearer token-of-bank-a-000'), ['blockService'])),
    403,
  );
  t.equal(
    status(() => auth.allow(req('Bearer token-of-the-service'), [])),
    403,
    'no role given: nobody',
  );
  t.equal(
    status(() => auth.allow(req(), ['operator'])),
    401,
    'no token: 401 before the role is looked at',
  );
  let refusal: unknown;
  try {
    auth.allow(req('Bearer token-of-bank-a-000'), ['operator', 'vendor']);
  } catch (e) {
    refusal = e;
  }
  t.match(
    refusal,
    {
      status: 403,
      body: { error: "this route is for operators and terminal vendors; an issuer's token cannot use it" },
    },
    'the 403 names who the route is for',
  );
});

t.test('SMS: the product text, else the issuer default, else the built-in text; Danish local time', async (t) => {
  t.equal(smsTemplate(ISSUERS, 'bank-a', 'visa-dankort'), ISSUERS['bank-a'].smsTemplates['visa-dankort']);
  t.equal(smsTemplate(ISSUERS, 'bank-a', 'dankort'), ISSUERS['bank-a'].smsTemplates.default);
  t.equal(smsTemplate(ISSUERS, 'bank-a', 'constructor'), ISSUERS['bank-a'].smsTemplates.default, 'own keys only');
  t.equal(smsTemplate(ISSUERS, 'bank-z', 'dankort'), DEFAULT_SMS_TEMPLATE);
  t.equal(
    smsTemplate({ x: { smsTemplates: { dankort: 'D' } } }, 'x', 'visa'),
    DEFAULT_SMS_TEMPLATE,
    'no default of its own',
  );
  t.equal(
    renderSms('{reference} {maskedPan} {time} {reference} {other}', { reference: '1', maskedPan: 'P', time: 'T' }),
    '1 P T 1 {other}',
  );
  t.equal(smsTime(new Date('2025-07-01T12:05:00Z'), 'Europe/Copenhagen'), '01.07.2025 kl. 14:05', 'summer time');
  t.equal(
    smsTime(new Date('2025-12-31T23:30:00Z'), 'Europe/Copenhagen'),
    '01.01.2026 kl. 00:30',
    'winter time, past midnight',
  );
});

t.test('times: ISO 8601 with an offset, and a date that exists', async (t) => {
  for (const ok of [
    '2025-03-01T14:05:00+01:00',
    '2025-03-01T14:05Z',
    '2024-02-29T00:00:00.123Z',
    '2025-12-31T23:59:59-05:30',
  ])
    t.ok(isIsoTime(ok), ok);
  for (const bad of [
    '2025-02-29T10:00:00Z',
    '2025-02-30T10:00:00Z',
    '2025-04-31T10:00:00Z',
    '2025-13-01T10:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T10:60:00Z',
    '2025-01-01T10:00:60Z',
    '2025-01-01T10:00:00',
    '2025-01-01',
    'now',
    '2025-01-01T10:00:00+24:00',
    '2025-01-01T10:00:00+01:60',
  ]) {
    t.notOk(isIsoTime(bad), bad);
  }
});

t.test('references: 10 digits whose last checks the others', async (t) => {
  t.equal(luhnCheckDigit('7992739871'), 3, 'the textbook example');
  t.equal(luhnCheckDigit('000000000'), 0);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const r = newReference();
    t.match(r, /^\d{10}$/);
    t.equal(luhnCheckDigit(r.slice(0, 9)), Number(r[9]));
    seen.add(r);
  }
  t.ok(seen.size > 195, 'random');
});

t.test(
  'body reader: a huge body is answered 413 before it ends; a body cut off leaves the server serving',
  async (t) => {
    const s = await startApi(t);
    const card = await addCard(t, s, { balance: 10 });
    const huge = await call(s, 'PUT', `/cards/${card.id}/balance`, {
      token: A,
      raw: `{"balance":1,"x":"${'y'.repeat(3 * 1024 * 1024)}"}`,
    });
    t.equal(huge.status, 413);
    const declared = await new Promise<string>((resolve) => {
      // Announces more than the limit and sends a little: refused on the announcement, once it ends.
      const socket = connect(s.sw.admin.port, '127.0.0.1', () => {
        socket.write(
          `PUT /cards/${card.id}/balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${A}\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n`,
        );
        socket.end('{"balance":2}'.padEnd(20000, ' '));
      });
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    t.match(declared, /^HTTP\/1.1 413/);
    await new Promise<void>((resolve) => {
      const socket = connect(s.sw.admin.port, '127.0.0.1', () => {
        socket.write(
          `PUT /cards/${card.id}/balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${B}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"bal`,
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.equal((await call(s, 'GET', '/healthz')).status, 200, 'still serving');
    t.match(await stored(s, card.id), { balance: 10 }, 'nothing changed');
    t.equal(
      (await call(s, 'POST', '/block-reports', { token: BS, raw: '{}', headers: { 'content-type': 'text/plain' } }))
        .status,
      415,
    );
  },
);
