/**
 * The fault rules' HTTP API: who may use it, what it accepts, listing and removal; and the rules
 * shared through Redis by several switches (one-shot rules fire once across them).
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Switch } from '../../src/switch.js';
import { SwitchMetrics } from '../../src/metrics/metrics.js';
import { createLogger } from '../../src/log/logger.js';
import { FaultInjector } from '../../src/faults/injector.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { type TestSwitch } from '../support/switch.js';
import { testClient, testRedisUrl } from '../support/redis.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { newPan } from '../admin/fixtures/client.js';
import { BLOCK_SERVICE, ISSUER, OFFLINE, VENDOR, addRule, call, open, startVendorSwitch } from './fixtures/vendor.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('auth: vendor tokens only; no token 401, every other role 403; vendors reach nothing else', async (t) => {
  const s = await startVendorSwitch(t);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'close' });
  await (await open(t, s)).send({ 0: '1804', 7: '1121101530', 24: '831', 41: 'TERM0002' });
  const routes: [string, string, unknown?][] = [
    ['POST', '/faults', { terminal: 'TERM0001', kind: 'noAnswer' }],
    ['GET', '/faults'],
    ['DELETE', `/faults/${rule.id}`],
    ['GET', '/terminals/TERM0002/conformance'],
  ];
  for (const [method, path, body] of routes) {
    const none = await call(s, method, path, { body });
    t.equal(none.status, 401, `no token: ${method} ${path}`);
    t.match(none.headers.get('www-authenticate'), /^Bearer realm="switch-admin"/);
    t.equal(
      (await call(s, method, path, { body, token: 'not-a-configured-token' })).status,
      401,
      `unknown token: ${method} ${path}`,
    );
    for (const token of [ISSUER, BLOCK_SERVICE, OFFLINE]) {
      const res = await call(s, method, path, { body, token });
      t.equal(res.status, 403, `${token}: ${method} ${path}`);
      t.match(res.body, { error: /this route is for terminal vendors; .* token cannot use it/ });
    }
  }
  const listed = await call(s, 'GET', '/faults', { token: VENDOR });
  t.same(
    listed.body.rules.map((r: { id: string }) => r.id),
    [rule.id],
    'nothing was created or removed by the refused calls',
  );

  for (const [method, path, body, what] of [
    ['GET', '/cards/00000000000000000000000000000000', undefined, /for issuers; a terminal vendor's token/],
    ['POST', '/block-reports', { name: 'x' }, /for the block service; a terminal vendor's token/],
    [
      'GET',
      '/offline-block-list/full',
      undefined,
      /for the offline terminals' fetch service; a terminal vendor's token/,
    ],
  ] as const) {
    const res = await call(s, method, path, { body, token: VENDOR });
    t.equal(res.status, 403, `vendor: ${method} ${path}`);
    t.match(res.body.error, what);
  }
  t.equal(
    (await call(s, 'GET', '/terminals/TERM0002/trace', { token: VENDOR })).status,
    200,
    'vendors read traces (operators too)',
  );
  t.equal((await call(s, 'GET', '/terminals/TERM0002/trace')).status, 401, 'with a token only');
});

t.test('config: a vendor token names no issuer', async (t) => {
  const file = join(t.testdir(), 'switch.json');
  writeFileSync(file, JSON.stringify({ admin: { tokens: { 'a-vendor-token-0001': { role: 'vendor' } } } }));
  t.same(loadConfig({ file, env: {} }).admin.tokens, { 'a-vendor-token-0001': { role: 'vendor' } });
  writeFileSync(
    file,
    JSON.stringify({ admin: { tokens: { 'a-vendor-token-0002': { role: 'vendor', issuer: 'bank-a' } } } }),
  );
  t.throws(() => loadConfig({ file, env: {} }), ConfigError);
  try {
    loadConfig({ file, env: {} });
  } catch (e) {
    t.match((e as ConfigError).problems.join('\n'), /a-vendor-token-0002 must NOT be valid/);
  }
});

t.test('POST /faults: every problem of a bad body at once, as 400; nothing is created; no value echoed', async (t) => {
  const s = await startVendorSwitch(t);
  const pan = newPan();
  const badCheck = `${pan.slice(0, -1)}${(Number(pan.slice(-1)) + 1) % 10}`;
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    [
      'no kind, no terminal or card',
      {},
      [
        { path: '/', message: /at least one of terminal, pan/ },
        { path: '/kind', message: /is required/ },
      ],
    ],
    [
      'an unknown kind',
      { terminal: 'T1', kind: 'explode' },
      [{ path: '/kind', message: /must be one of delay, noAnswer, close, actionCode, corrupt/ }],
    ],
    ['delay without ms', { terminal: 'T1', kind: 'delay' }, [{ path: '/ms', message: /is required/ }]],
    ['ms too large', { terminal: 'T1', kind: 'delay', ms: 120_001 }, [{ path: '/ms', message: /from 1 to 120000/ }]],
    [
      'ms not whole',
      { terminal: 'T1', kind: 'delay', ms: 1.5 },
      [{ path: '/ms', message: /whole number of milliseconds/ }],
    ],
    [
      'ms with another kind',
      { terminal: 'T1', kind: 'close', ms: 100 },
      [{ path: '/', message: /ms is only for kind delay/ }],
    ],
    ['actionCode without code', { terminal: 'T1', kind: 'actionCode' }, [{ path: '/code', message: /is required/ }]],
    [
      'a code of 4 digits',
      { terminal: 'T1', kind: 'actionCode', code: '1160' },
      [{ path: '/code', message: /3 digits \(1993/ }],
    ],
    [
      'code with another kind',
      { terminal: 'T1', kind: 'noAnswer', code: '116' },
      [{ path: '/', message: /code is only for kind actionCode/ }],
    ],
    [
      'a PAN failing its check digit',
      { pan: badCheck, kind: 'close' },
      [{ path: '/pan', message: /valid check digit/ }],
    ],
    ['a PAN of letters', { pan: 'abc', kind: 'close' }, [{ path: '/pan', message: /card number/ }]],
    ['a response MTI', { terminal: 'T1', kind: 'close', mti: '1210' }, [{ path: '/mti', message: /request MTI/ }]],
    [
      'a terminal id too long',
      { terminal: 'TERMINAL9', kind: 'close' },
      [{ path: '/terminal', message: /1 to 8 printable/ }],
    ],
    [
      'a terminal id with a trailing space',
      { terminal: 'T1 ', kind: 'close' },
      [{ path: '/terminal', message: /no trailing space/ }],
    ],
    [
      'times 0',
      { terminal: 'T1', kind: 'close', times: 0 },
      [{ path: '/times', message: /from 1 to 1000000, or "always"/ }],
    ],
    [
      'times as other text',
      { terminal: 'T1', kind: 'close', times: 'often' },
      [{ path: '/times', message: /or "always"/ }],
    ],
    [
      'an unknown field',
      { terminal: 'T1', kind: 'close', colour: 'red' },
      [{ path: '/colour', message: /is not allowed/ }],
    ],
    [
      'a PAN as a key',
      { terminal: 'T1', kind: 'close', [pan]: 1 },
      [{ path: '/(an unknown property)', message: /is not allowed/ }],
    ],
    ['an array', [], [{ path: '/', message: /JSON object/ }]],
  ];
  for (const [what, body, problems] of cases) {
    const res = await call(s, 'POST', '/faults', { token: VENDOR, body });
    t.equal(res.status, 400, what);
    t.match(res.body, { error: 'invalid request body', problems }, what);
    t.equal(res.body.problems.length, problems.length, `${what}: exactly these problems`);
    t.notMatch(res.text, pan, 'no PAN comes back');
    t.notMatch(res.text, badCheck);
  }
  t.equal((await call(s, 'POST', '/faults', { token: VENDOR, raw: '{"kind": ' })).status, 400, 'invalid JSON');
  t.equal((await call(s, 'POST', '/faults', { token: VENDOR })).status, 400, 'no body');
  t.equal((await call(s, 'GET', '/faults', { token: VENDOR })).body.rules.length, 0, 'nothing created');
  t.equal(s.sw.faults.armed, false, 'and nothing armed');
});

t.test('GET /faults lists oldest first with times left and fired; DELETE removes once', async (t) => {
  const s = await startVendorSwitch(t);
  t.same((await call(s, 'GET', '/faults', { token: VENDOR })).body, { rules: [] });
  const a = await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer', mti: '1200', times: 2 });
  const b = await addRule(t, s, { terminal: 'TERM0001', kind: 'delay', ms: 50, times: 'always' });
  const list = await call(s, 'GET', '/faults', { token: VENDOR });
  t.equal(list.status, 200);
  t.equal(list.headers.get('cache-control'), 'no-store');
  t.match(list.body.rules, [
    { id: a.id, terminal: 'TERM0001', mti: '1200', kind: 'noAnswer', times: 2, left: 2, fired: 0, createdAt: String },
    { id: b.id, kind: 'delay', ms: 50, times: 'always', left: 'always', fired: 0 },
  ]);
  t.ok(list.body.rules[0].seq < list.body.rules[1].seq, 'in creation order');
  const term = await open(t, s);
  t.equal(
    await Promise.race([term.send(purchase93()), sleep(500).then(() => 'none')]),
    'none',
    'the older matching rule fires first',
  );
  t.match((await call(s, 'GET', '/faults', { token: VENDOR })).body.rules, [
    { id: a.id, left: 1, fired: 1 },
    { id: b.id, fired: 0 },
  ]);

  const removed = await call(s, 'DELETE', `/faults/${a.id}`, { token: VENDOR });
  t.equal(removed.status, 200);
  t.match(removed.body, { id: a.id, kind: 'noAnswer', left: 1 });
  const again = await call(s, 'DELETE', `/faults/${a.id}`, { token: VENDOR });
  t.equal(again.status, 404);
  t.same(again.body, { error: 'no such fault rule' });
  t.equal((await call(s, 'DELETE', '/faults/not-a-rule', { token: VENDOR })).status, 404);
  t.equal((await call(s, 'GET', `/faults/${b.id}`, { token: VENDOR })).status, 405, 'a rule is not read by id');
  t.match((await term.send(purchase93()))[39], '000', 'now the delay rule applies: answered (late)');
  t.match((await call(s, 'GET', '/faults', { token: VENDOR })).body.rules, [{ id: b.id, fired: 1 }]);
});

t.test('at most 1000 rules: the next is refused with 409', async (t) => {
  const s = await startVendorSwitch(t);
  const key = `${s.config.redis.keyPrefix}{faults}:rules`;
  const pipe = s.redis.pipeline();
  for (let i = 0; i < 1000; i++)
    pipe.hset(
      key,
      `r${i}`,
      JSON.stringify({
        id: `r${i}`,
        terminal: 'NOBODY',
        kind: 'close',
        times: 'always',
        createdAt: '2026-01-01T00:00:00.000Z',
        seq: i + 1,
      }),
    );
  await pipe.exec();
  const res = await call(s, 'POST', '/faults', { token: VENDOR, body: { terminal: 'TERM0001', kind: 'close' } });
  t.equal(res.status, 409);
  t.match(res.body, { error: /1000 fault rules are set already/ });
  await s.sw.faults.refresh(true);
  t.equal(s.sw.faults.armed, true, 'the stored rules are loaded');
  const term = await open(t, s);
  t.equal((await term.send(purchase93()))[39], '000', 'rules for other terminals leave this one alone');
});

/** A second switch on the same Redis and key prefix, as a second process would be. */
async function secondSwitch(t: Test, s: TestSwitch): Promise<{ sw: Switch; port: number; adminUrl: string }> {
  const redis = await testClient({ maxRetriesPerRequest: 1 });
  t.teardown(() => redis.quit());
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const dir = mkdtempSync(join(tmpdir(), 'second-switch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = { ...s.config, register: { ...s.config.register, pendingBlocksFile: join(dir, 'pending.jsonl') } };
  const sw = new Switch({
    config,
    redis,
    log: createLogger('silent', sink),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
  });
  await sw.start();
  t.teardown(() => sw.stop());
  return { sw, port: sw.listeners[0]!.port, adminUrl: `http://127.0.0.1:${sw.admin.port}` };
}

t.test(
  'several switches share the rules: one-shot fires once across them; removal is exact at once; creation seen within a second',
  async (t) => {
    const s = await startVendorSwitch(t);
    const other = await secondSwitch(t, s);
    const here = await open(t, s);
    const there = await TestTerminal.open(other.port);
    t.teardown(() => there.close());

    // Created here: the other switch picks it up at its next refresh (every second).
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909' });
    const created = Date.now();
    while (!other.sw.faults.armed && Date.now() - created < 3000) await sleep(50);
    t.equal(other.sw.faults.armed, true, 'the other switch loaded the rule by itself');
    t.ok(Date.now() - created < 2000, 'within its refresh interval (1 s), with room for a slow machine');
    t.equal((await there.send(purchase93()))[39], '909', 'and fires it');
    t.equal(s.sw.faults.armed, true, 'this switch still has its stale copy...');
    t.equal((await here.send(purchase93()))[39], '000', '...but Redis says it is spent: it does not fire twice');
    t.equal(s.sw.faults.armed, false, 'and drops it');

    // A lasting rule removed through the other switch stops here at once, before any refresh.
    const always = await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', times: 'always' });
    await other.sw.faults.refresh();
    t.equal((await there.send(purchase93()))[39], '909');
    const removed = await fetch(`${other.adminUrl}/faults/${always.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${VENDOR}` },
    });
    t.equal(removed.status, 200);
    t.equal((await here.send(purchase93()))[39], '000', 'removed elsewhere: never fires again here');

    // A rule for 5, fired from both switches at once: exactly 5 in all.
    await addRule(t, s, { terminal: 'TERM0001', kind: 'actionCode', code: '909', times: 5 });
    await other.sw.faults.refresh();
    const answers = await Promise.all(
      [...Array(6).keys()].flatMap(() => [here.send(purchase93()), there.send(purchase93())]),
    );
    t.equal(answers.filter((a) => a[39] === '909').length, 5, 'five faults among twelve requests on two switches');
  },
);

t.test('Redis failing: requests are handled without faults; the rules last seen stay; reload resumes', async (t) => {
  const s = await startVendorSwitch(t);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const redis = new Redis(await testRedisUrl(), {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  await redis.connect();
  const faults = new FaultInjector({
    redis,
    prefix: s.config.redis.keyPrefix,
    idOf: (pan) => s.sw.register.idOf(pan),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
    clock: { now: () => new Date() },
    log: createLogger('warn', sink),
    timeoutMs: 500,
    maxRules: 1,
  });
  await faults.start(50);
  t.teardown(() => faults.stop());
  const created = await faults.create({ terminal: 'TERM0001', kind: 'close', times: 'always' });
  t.equal(created.ok, true);
  t.match(
    await faults.create({ terminal: 'TERM0001', kind: 'close', times: 1 }),
    { ok: false, reason: /1 fault rules are set already/ },
    'the most rules given',
  );
  const request = purchase93();
  t.match(await faults.take(request, '1200'), { kind: 'close' }, 'fires while Redis answers');
  redis.disconnect();
  t.equal(await faults.take(request, '1200'), undefined, 'Redis gone: no fault, no error');
  t.ok(logs.some((l) => l.msg === 'fault rule could not be taken; the request is handled without it'));
  await sleep(150);
  t.ok(
    logs.some((l) => l.msg === 'fault rules could not be reloaded; the ones last seen stay in force'),
    'the refresh failed and said so',
  );
  t.equal(faults.armed, true, 'the rules last seen stay');
  await redis.connect();
  await sleep(150);
  t.match(await faults.take(request, '1200'), { kind: 'close' }, 'back: fires again');
  await redis.quit();
});
