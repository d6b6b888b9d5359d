/**
 * The console's server side over real HTTP and TCP: the live traffic stream (masked, each
 * exchange as it happens, faults noted), the terminals seen, who a token speaks for, and which
 * roles get none of it.
 */
import t from 'tap';
import { TEST_CARD, startSwitch } from '../support/switch.js';
import { purchase93 } from '../support/terminal.js';
import { ISSUER, VENDOR, addRule, call, open, startVendorSwitch } from '../faults/fixtures/vendor.js';
import type { TestSwitch } from '../support/switch.js';
import type { TrafficEvent } from '../../src/trace/traffic-event.js';
import { AdminServer } from '../../src/admin/server.js';
import { AdminAuth } from '../../src/admin/auth.js';
import { consoleRoutes } from '../../src/admin/console-routes.js';
import { createLogger } from '../../src/log/logger.js';
import { MAX_LISTED } from '../../src/admin/traffic-routes.js';
import { ManualClock } from '../../src/time/clock.js';
import { dialect } from '../../src/codec/index.js';

/** Reads server-sent events from GET /traffic until `count` exchanges came or the stream ends. */
async function openStream(s: TestSwitch, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${s.adminUrl}/traffic`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const events: TrafficEvent[] = [];
  const raw: string[] = [];
  let buffered = '';
  const waiters: (() => void)[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          raw.push(block);
          const data = /^data: (.*)$/m.exec(block);
          if (data) events.push(JSON.parse(data[1]!) as TrafficEvent);
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    res,
    events,
    raw,
    async until(count: number): Promise<void> {
      while (events.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close(): Promise<void> {
      controller.abort();
      await reading;
    },
  };
}

t.test('a purchase appears in the live traffic, masked and field by field', async (t) => {
  const s = await startVendorSwitch(t);
  const stream = await openStream(s, VENDOR);
  t.equal(stream.res.status, 200);
  t.match(stream.res.headers.get('content-type'), /^text\/event-stream/);
  const term = await open(t, s);
  const answer = await term.send(purchase93());
  t.equal(answer[39], '000');
  await stream.until(1);
  const [event] = stream.events;
  t.match(event, {
    seq: 1,
    terminal: 'TERM0001',
    listener: 'iso93',
    dialect: 'iso93ascii',
    request: { mti: '1200' },
    response: { mti: '1210' },
  });
  const f = (n: number) => event!.request.fields.find((x) => x.n === n);
  t.same(f(2), { n: 2, name: 'Primary Account number', value: '501900******0016' }, 'the PAN masked');
  t.equal(f(4)?.value, '000000012500');
  t.equal(event!.response!.fields.find((x) => x.n === 39)?.value, '000');
  t.notMatch(JSON.stringify(stream.raw), TEST_CARD.pan, 'no clear PAN anywhere in the stream');
  t.notMatch(event!.request.hex, Buffer.from(TEST_CARD.pan).toString('hex').toUpperCase(), 'the hex dump masked');
  await stream.close();
});

t.test('a fault shows in the stream: no answer, and the rule that withheld it', async (t) => {
  const s = await startVendorSwitch(t);
  const stream = await openStream(s, VENDOR);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'noAnswer', mti: '1200' });
  const term = await open(t, s);
  const sale = purchase93({ 11: term.nextStan() });
  term.socket.write(term.frame(sale));
  await stream.until(1);
  t.equal(stream.events[0]!.response, null);
  t.match(stream.events[0]!.fault, { kind: 'noAnswer', rule: rule.id, actionCode: '000' });
  await term.send(purchase93());
  await stream.until(2);
  t.equal(stream.events[1]!.seq, 2, 'one sequence number per exchange');
  await stream.close();
});

t.test('the terminals seen: last contact, dialect, kind and conformance', async (t) => {
  const s = await startVendorSwitch(t);
  let r = await call(s, 'GET', '/terminals', { token: VENDOR });
  t.same(r.body, { terminals: [], total: 0 });
  const term = await open(t, s);
  await term.send({ 0: '1804', 7: '1121101530', 24: '801', 41: 'DKT00001' });
  await term.send(purchase93());
  r = await call(s, 'GET', '/terminals', { token: VENDOR });
  t.equal(r.status, 200);
  t.equal(r.body.total, 2);
  const byId = (r.body.terminals as { terminal: string }[]).sort((a, b) => a.terminal.localeCompare(b.terminal));
  t.match(byId, [
    { terminal: 'DKT00001', listener: 'iso93', dialect: 'iso93ascii', kind: 'dkt1', exchanges: 1 },
    { terminal: 'TERM0001', kind: null, exchanges: 1, conformance: { signedOn: 'fail', uniqueStans: 'pass' } },
  ]);
  t.match(r.body.terminals[0].lastContact, /^\d{4}-\d\d-\d\dT/);
});

t.test('the terminals listed: the most recent contacts first, at most MAX_LISTED of them', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: { [VENDOR]: { role: 'vendor' } } } },
    { clock },
  );
  const frame = dialect('iso93ascii').pack({ 0: '1804', 7: '1121101530', 11: '000001', 24: '831', 41: 'T' });
  for (let i = 0; i <= MAX_LISTED; i++) {
    clock.advance(1000);
    s.sw.trace.record(`T${String(i).padStart(4, '0')}`, 'iso93', frame, undefined);
  }
  clock.advance(1000);
  s.sw.trace.record('T0000', 'iso93', frame, undefined);
  const r = await call(s, 'GET', '/terminals', { token: VENDOR });
  t.equal(r.body.total, MAX_LISTED + 1);
  const listed = (r.body.terminals as { terminal: string }[]).map((x) => x.terminal);
  t.equal(listed.length, MAX_LISTED);
  t.same(listed.slice(0, 3), [
    'T0000',
    `T${String(MAX_LISTED).padStart(4, '0')}`,
    `T${String(MAX_LISTED - 1).padStart(4, '0')}`,
  ]);
  t.notOk(listed.includes('T0001'), 'the longest silent one is left out');
});

t.test('who a token speaks for; the traffic is for operators and vendors only', async (t) => {
  const s = await startVendorSwitch(t);
  t.same((await call(s, 'GET', '/session', { token: VENDOR })).body, { role: 'vendor' });
  t.same((await call(s, 'GET', '/session', { token: ISSUER })).body, { role: 'issuer', issuer: 'bank-a' });
  t.equal((await call(s, 'GET', '/session')).status, 401);
  t.equal((await call(s, 'GET', '/session', { token: 'no-such-token' })).status, 401);
  for (const path of ['/traffic', '/terminals']) {
    const r = await call(s, 'GET', path, { token: ISSUER });
    t.equal(r.status, 403, `an issuer gets no ${path}`);
    t.match(r.body.error, /operators and terminal vendors/);
  }
  t.equal((await call(s, 'GET', '/traffic')).status, 401);
  t.equal((await call(s, 'GET', '/terminals?x=1', { token: VENDOR })).status, 400, 'no query taken');
});

t.test('the console page and its assets: served to anyone, nothing outside the folder', async (t) => {
  const s = await startVendorSwitch(t);
  const page = await call(s, 'GET', '/');
  // Built or not (npm run build makes dist/console/): a page, or a clear reason.
  if (page.status === 200) {
    t.match(page.headers.get('content-type'), /^text\/html/);
    t.match(page.headers.get('content-security-policy'), /default-src 'self'/);
  } else
    t.same(
      [page.status, page.body],
      [503, { error: 'the console is not built: run npm run build (it builds dist/console/)' }],
    );
  for (const name of ['..%2F..%2Fpackage.json', '.env', 'x.ts', 'no-such-file.js'])
    t.equal((await call(s, 'GET', `/assets/${name}`)).status, 404, name);
});

t.test('the console from its built folder: the page with its policy, hashed assets kept, nothing else', async (t) => {
  const serve = async (dir: string) => {
    const server = new AdminServer(consoleRoutes(new AdminAuth({}), dir), createLogger('silent'));
    await server.start('127.0.0.1', 0);
    t.teardown(() => server.stop());
    return (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
  };
  const get = await serve(
    t.testdir({
      'index.html': '<!doctype html><title>console</title>',
      'secret.json': '{}',
      assets: { 'index-Ab12_x.js': 'export {};', 'index-Ab12_x.css': 'body{}' },
    }),
  );
  const page = await get('/');
  t.equal(page.status, 200);
  t.equal(await page.text(), '<!doctype html><title>console</title>');
  t.match(page.headers.get('content-security-policy'), "default-src 'self'");
  t.equal(page.headers.get('cache-control'), 'no-store', 'the page is asked again each time');
  const js = await get('/assets/index-Ab12_x.js');
  t.same(
    [js.status, js.headers.get('content-type'), await js.text()],
    [200, 'text/javascript; charset=utf-8', 'export {};'],
  );
  t.equal(js.headers.get('cache-control'), 'public, max-age=31536000', 'a hashed asset may be kept');
  t.equal((await get('/assets/index-Ab12_x.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  t.equal((await get('/assets/..%2Fsecret.json')).status, 404);
  t.equal((await get('/secret.json')).status, 404);
  const unbuilt = await serve(t.testdir({}));
  const missing = await unbuilt('/');
  t.same(
    [missing.status, await missing.json()],
    [503, { error: 'the console is not built: run npm run build (it builds dist/console/)' }],
  );
});
