/** Connection handling over real TCP: concurrency, ordering, framing, limits, backpressure, shutdown. */
import t from 'tap';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Step } from '../../src/authorization/pipeline.js';
import { ROUTES } from '../../src/authorization/routes.js';
import { OPERATOR_HEADERS, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';

/** A step that takes as long as the amount says (in ms), and records how many run at once. */
function slowStep(): Step & { maxConcurrent: number; started: number } {
  let running = 0;
  const step = {
    name: 'slow',
    maxConcurrent: 0,
    started: 0,
    async run(ctx: Parameters<Step['run']>[0]) {
      running++;
      step.started++;
      step.maxConcurrent = Math.max(step.maxConcurrent, running);
      await sleep(Number(ctx.request[4]) % 10_000);
      running--;
    },
  };
  return step;
}
const slowRoute = { ...ROUTES['1200']!, steps: ['validateFields', 'slow', 'decide', 'respond'] };
const amount = (ms: number): string => String(ms).padStart(12, '0');

t.test('many concurrent clients, many requests each', async (t) => {
  const s = await startSwitch(t);
  const terminals = await Promise.all(Array.from({ length: 20 }, () => TestTerminal.open(s.port('iso93'))));
  t.teardown(() => terminals.forEach((x) => x.close()));
  const answers = await Promise.all(
    terminals.flatMap((x, i) =>
      Array.from({ length: 25 }, (_, j) =>
        x.send(purchase93({ 41: `T${String(i).padStart(7, '0')}`, 4: amount(j + 1) })),
      ),
    ),
  );
  t.equal(answers.length, 500);
  t.equal(answers.filter((a) => a[39] === '000').length, 500, 'every request approved');
  t.ok(
    answers.every((a, k) => a[4] === amount((k % 25) + 1)),
    'each answer belongs to its request',
  );
});

t.test('a slow request does not hold back the others: answers leave out of order', async (t) => {
  const slow = slowStep();
  const s = await startSwitch(t, {}, { steps: [slow], routes: { '1200': slowRoute } });
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  const first = x.send(purchase93({ 4: amount(400) }));
  const fast = await Promise.all(Array.from({ length: 10 }, () => x.send(purchase93({ 4: amount(1) }))));
  t.equal(fast.length, 10);
  t.equal(x.received.length, 10, 'ten fast answers arrived while the slow one was still running');
  t.equal((await first)[39], '000');
  t.equal(x.received.at(-1)![11], (await first)[11], 'the slow answer came last');
});

t.test('frames split into single bytes and frames coalesced in one write', async (t) => {
  const s = await startSwitch(t);
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  const split = x.frame(purchase93({ 11: '000100' }));
  const answer = x.expect('000100');
  for (const byte of split) {
    x.socket.write(Buffer.from([byte]));
    await sleep(1);
  }
  t.equal((await answer)[39], '000', 'byte by byte');
  const stans = Array.from({ length: 30 }, (_, i) => String(200 + i).padStart(6, '0'));
  const answers = Promise.all(stans.map((stan) => x.expect(stan)));
  x.socket.write(Buffer.concat(stans.map((stan) => x.frame(purchase93({ 11: stan })))));
  t.equal((await answers).length, 30, 'thirty frames in one write');
  x.socket.write(Buffer.from([0, 0]));
  t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' }, 'a keep-alive frame is skipped');
});

t.test('a declared length above the maximum closes the connection', async (t) => {
  const s = await startSwitch(t, {
    listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, framing: { header: 'binary2', maxFrameSize: 512 } }],
  });
  const x = await TestTerminal.open(s.port('iso93'));
  x.socket.write(Buffer.from([0x02, 0x01]));
  await x.closed;
  t.pass('closed');
  const metrics = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  t.match(metrics, /switch_decode_errors_total\{listener="iso93",kind="framing"\} 1/);
  t.ok(s.logs.some((l) => l.msg === 'framing lost' && l.reason === 'declared length 513 exceeds max 512'));
});

t.test('an idle connection is closed after the idle timeout; traffic keeps it open', async (t) => {
  const s = await startSwitch(t, {
    listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, connections: { idleTimeoutMs: 300 } }],
  });
  const busy = await TestTerminal.open(s.port('iso93'));
  const idle = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => busy.close());
  let idleClosedAt = 0;
  void idle.closed.then(() => (idleClosedAt = Date.now()));
  const start = Date.now();
  for (let i = 0; i < 6; i++) {
    await sleep(100);
    busy.socket.write(Buffer.from([0, 0]));
  }
  await idle.closed;
  t.ok(idleClosedAt - start >= 250, 'not before the timeout');
  t.equal(busy.socket.destroyed, false, 'keep-alives kept the other open');
  t.ok(s.logs.some((l) => l.reason === 'idle timeout'));
});

t.test('connections beyond the limit are closed at once and counted', async (t) => {
  const s = await startSwitch(t, {
    listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, connections: { maxConnections: 2 } }],
  });
  const a = await TestTerminal.open(s.port('iso93'));
  const b = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => (a.close(), b.close()));
  const c = await TestTerminal.open(s.port('iso93'));
  await c.closed;
  t.pass('the third connection was closed');
  t.match(await a.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' }, 'the others still served');
  const metrics = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  t.match(metrics, /switch_rejected_connections_total\{listener="iso93"\} 1/);
});

t.test('at its in-flight limit a connection is not read until a request finishes', async (t) => {
  const slow = slowStep();
  const s = await startSwitch(
    t,
    { listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, connections: { maxInFlight: 3 } }] },
    { steps: [slow], routes: { '1200': slowRoute } },
  );
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  const answers = await Promise.all(Array.from({ length: 12 }, () => x.send(purchase93({ 4: amount(30) }))));
  t.equal(answers.length, 12, 'all answered');
  t.equal(slow.maxConcurrent, 3, 'never more than 3 at once');
});

t.test('backpressure: a terminal that does not read its answers stops being read', async (t) => {
  // Answers of ~1 KB: 20,000 of them (~20 MB) cannot all sit in loopback socket buffers.
  const bigAnswer: Step = { name: 'bigAnswer', run: (ctx) => void (ctx.response[48] = 'x'.repeat(999)) };
  const route = { ...ROUTES['1804']!, steps: ['validateFields', 'bigAnswer', 'networkManagement', 'respond'] };
  const s = await startSwitch(t, {}, { steps: [bigAnswer], routes: { '1804': route } });
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  x.socket.pause();
  const total = 20_000;
  const frame = x.frame({ 0: '1804', 7: '1121101530', 11: '000001', 24: '831', 41: 'TERM0001' });
  const batch = Buffer.concat(Array.from({ length: 1000 }, () => frame));
  for (let i = 0; i < total / 1000; i++) x.socket.write(batch);
  await sleep(1500);
  const metric = async (): Promise<number> => {
    const text = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
    return Number(/switch_requests_total\{listener="iso93",mti="1804",action_code="800"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const whilePaused = await metric();
  t.ok(
    whilePaused < total,
    `the switch stopped reading (${whilePaused} of ${total} answered while the terminal read nothing)`,
  );
  x.socket.resume();
  const deadline = Date.now() + 20_000;
  while (x.received.length < total && Date.now() < deadline) await sleep(50);
  t.equal(x.received.length, total, 'all answered once the terminal read again');
});

t.test('graceful stop: requests already read are answered, then connections close', async (t) => {
  const slow = slowStep();
  const s = await startSwitch(t, { shutdownTimeoutMs: 5000 }, { steps: [slow], routes: { '1200': slowRoute } });
  const port = s.port('iso93');
  const x = await TestTerminal.open(port);
  const answers = Promise.all(Array.from({ length: 5 }, () => x.send(purchase93({ 4: amount(300) }))));
  while (slow.started < 5) await sleep(5);
  const stopped = s.sw.stop();
  const results = await answers;
  t.equal(results.filter((a) => a[39] === '000').length, 5, 'all five in-flight requests answered');
  await stopped;
  await x.closed;
  const refused = connect(port, '127.0.0.1');
  const error = await new Promise<string>((resolve) =>
    refused.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')),
  );
  t.equal(error, 'ECONNREFUSED', 'no longer accepting');
});
