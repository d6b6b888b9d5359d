/** What the switch answers, over real TCP, in both default dialects. */
import t from 'tap';
import { encodeFrame } from '../../src/transport/framing.js';
import { RegisterUnavailableError } from '../../src/redis/errors.js';
import { type Step } from '../../src/authorization/pipeline.js';
import { ROUTES } from '../../src/authorization/routes.js';
import { OPERATOR_HEADERS, startSwitch } from '../support/switch.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';

t.test('network management in both dialects', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  for (const code of ['801', '831', '802']) {
    const a = await t93.send({ 0: '1804', 7: '1121101530', 24: code, 41: 'TERM0001' });
    t.match(a, { 0: '1814', 24: code, 39: '800', 41: 'TERM0001', 7: '1121101530' }, `1804 function code ${code}`);
  }
  for (const code of ['001', '301', '002']) {
    const a = await t87.send({ 0: '0800', 7: '1121101530', 70: code });
    t.match(a, { 0: '0810', 70: code, 39: '00' }, `0800 code ${code}`);
  }
  t.match(await t93.send({ 0: '1804', 7: '1121101530', 24: '899' }), { 0: '1814', 39: '902' }, 'unknown function code');
  t.match(await t87.send({ 0: '0800', 7: '1121101530', 70: '999' }), { 0: '0810', 39: '12' }, 'unknown network code');
});

t.test('financial requests: approval with an approval code, echoed fields, both dialects', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  const request = purchase93({
    7: '1121101530',
    32: '123456',
    37: '123456789012',
    42: 'MERCHANT0000001',
    22: 'C10101654041',
  });
  const a = await t93.send(request);
  t.equal(a[0], '1210');
  t.equal(a[39], '000');
  t.match(a[38], /^\d{6}$/, 'approval code on approval');
  for (const n of [2, 3, 4, 7, 11, 12, 32, 37, 41, 42, 49]) t.equal(a[n], request[n] ?? a[11], `field ${n} echoed`);
  t.equal(a[22], undefined, 'fields outside the echo list are not echoed');
  t.match(await t93.send({ ...purchase93(), 0: '1100' }), { 0: '1110', 39: '000' });
  t.match(await t87.send(purchase87()), { 0: '0210', 39: '00' });
  t.match(await t87.send({ ...purchase87(), 0: '0100' }), { 0: '0110', 39: '00' });
  t.match(await t93.send(purchase93({ 3: '200000' })), { 0: '1210', 39: '000' }, 'refund');
  const track = purchase93({ 35: '5019000000000016=28121011234' });
  delete track[2];
  t.match(await t93.send(track), { 39: '000' }, 'track 2 instead of a PAN');
});

t.test('refusals: missing fields, unknown MTI, unknown processing code', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  const noAmount = purchase93();
  delete noAmount[4];
  const a = await t93.send(noAmount);
  t.match(a, { 0: '1210', 39: '904' });
  t.equal(a[38], undefined, 'no approval code on a refusal');
  t.ok(
    s.logs.some((l) => l.reason === 'missing field 4' && l.level === 30),
    'the log names the missing field, at info level',
  );
  const noCard = purchase93();
  delete noCard[2];
  t.match(await t93.send(noCard), { 39: '904' });
  t.ok(s.logs.some((l) => l.reason === 'missing field 2 (or 35)'));
  t.match(await t93.send({ 0: '1600', 3: '000000', 41: 'TERM0001' }), { 0: '1610', 39: '902' }, 'unknown MTI');
  t.match(await t93.send(purchase93({ 3: '310000' })), { 0: '1210', 39: '902' }, 'balance inquiry not handled');
  t.match(await t87.send(purchase87({ 3: '010000' })), { 0: '0210', 39: '12' }, 'cash not handled (iso87 code)');
  const noAmount87 = purchase87();
  delete noAmount87[4];
  t.match(await t87.send(noAmount87), { 39: '30' }, 'format error in the 1987 code set');
});

t.test('malformed messages: format error when MTI and STAN are readable, else the connection closes', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => t93.close());
  const good = t93.dialect.pack(purchase93({ 11: '000777' }));
  // A letter in field 12, which follows the STAN: MTI 4 + bitmap 16 + fields 2 (18), 3 (6), 4 (12), 11 (6).
  const bad = Buffer.from(good);
  bad[4 + 16 + 18 + 6 + 12 + 6 + 3] = 0x41;
  const answer = t93.expect('000777');
  t93.socket.write(encodeFrame(t93.framing, bad));
  t.match(await answer, { 0: '1210', 11: '000777', 39: '904', 3: '000000', 4: '000000012500' });
  t.equal((await answer)[12], undefined, 'the unreadable field is not echoed');
  t.ok(
    s.logs.some((l) => typeof l.err === 'string' && /field 12: non-digit character/.test(l.err)),
    'the log says which field',
  );
  const line = JSON.stringify(s.logs);
  t.notMatch(line, '5019000000000016', 'no PAN in the logs');
  // Garbage: no MTI to answer to.
  t93.socket.write(encodeFrame(t93.framing, Buffer.from('hello, switch')));
  await t93.closed;
  t.pass('connection closed on an unreadable message');
  const metrics = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  t.match(metrics, /switch_decode_errors_total\{listener="iso93",kind="message"\} 2/);
});

t.test('an unsolicited response is not answered; the connection goes on', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => t93.close());
  t93.socket.write(t93.frame({ 0: '1210', 11: '000001', 39: '000' }));
  t.match(await t93.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' });
  t.equal(t93.received.length, 1, 'only the echo was answered');
});

t.test('a step that fails: register unavailable (911) or system malfunction (909), never a crash', async (t) => {
  const failing: Step[] = [
    { name: 'registerDown', run: () => Promise.reject(new RegisterUnavailableError('timed out')) },
    {
      name: 'bug',
      run: () => {
        throw new Error('boom');
      },
    },
  ];
  const route = (step: string) => ({ ...ROUTES['1200']!, steps: ['validateFields', step, 'decide', 'respond'] });
  const s = await startSwitch(
    t,
    {},
    { steps: failing, routes: { '1200': route('registerDown'), '1100': route('bug') } },
  );
  const t93 = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => t93.close());
  t.match(await t93.send(purchase93()), { 39: '911' });
  const a = await t93.send({ ...purchase93(), 0: '1100' });
  t.match(a, { 0: '1110', 39: '909' });
  t.equal(a[38], undefined);
  t.ok(s.logs.some((l) => l.msg === 'pipeline step failed' && l.step === 'bug'));
  t.match(
    await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text(),
    /switch_redis_errors_total 1/,
  );
});

t.test('admin: health, readiness, metrics without card data, masked terminal trace', async (t) => {
  const s = await startSwitch(t);
  const t93 = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => t93.close());
  const pinBlock = encryptPinBlockFormat0('1234', '5019000000000016', TEST_PIN_KEY.key);
  await t93.send(purchase93({ 52: pinBlock, 35: '5019000000000016=2812101' }));
  t.same(await (await fetch(`${s.adminUrl}/healthz`)).json(), { status: 'ok' });
  t.same(await (await fetch(`${s.adminUrl}/readyz`, { headers: OPERATOR_HEADERS })).json(), { status: 'ready' });
  const metrics = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  t.match(metrics, /switch_requests_total\{listener="iso93",mti="1200",action_code="000"\} 1/);
  t.match(metrics, /switch_request_duration_seconds_bucket\{le="0.0001",listener="iso93"\}/);
  t.match(metrics, /switch_open_connections\{listener="iso93"\} 1/);
  t.notMatch(metrics, /5019000000000016|TERM0001/, 'no card data or terminal ids in metrics');
  const trace = await fetch(`${s.adminUrl}/terminals/TERM0001/trace`, { headers: OPERATOR_HEADERS });
  t.equal(trace.status, 200);
  const body = JSON.stringify(await trace.json());
  t.match(body, '501900******0016', 'described PAN masked');
  t.notMatch(body, '5019000000000016', 'no clear PAN');
  t.notMatch(body, Buffer.from('5019000000000016').toString('hex').toUpperCase(), 'no PAN in the hex dump');
  t.notMatch(body, pinBlock.toString('hex').toUpperCase(), 'no PIN block');
  t.match(body, /"hex":"31323030/, 'the MTI is in clear in the hex dump');
  t.equal((await fetch(`${s.adminUrl}/terminals/NOPE/trace`, { headers: OPERATOR_HEADERS })).status, 404);
  t.equal((await fetch(`${s.adminUrl}/nothing`)).status, 404);
  const wrong = await fetch(`${s.adminUrl}/healthz`, { method: 'POST' });
  t.equal(wrong.status, 405);
  t.match(await wrong.json(), { error: /POST not allowed on \/healthz; allowed: GET/ });
});
