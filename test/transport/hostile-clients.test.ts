/**
 * Clients that hold a slot without using it, over real TCP against a real switch: slow clients
 * (a byte a second), connections that never send a whole frame, peers that vanish with a reset,
 * and floods beyond the connection limit. Each time the well-behaved terminals alongside get
 * every answer, and the others are closed by the timeout or limit meant for them. No latency is
 * asserted: only answers, closes, and the bounds the timeouts themselves define.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Step } from '../../src/authorization/pipeline.js';
import { ROUTES } from '../../src/authorization/routes.js';
import type { ConnectionLimits } from '../../src/config/types.js';
import { dialect } from '../../src/codec/index.js';
import { encodeFrame } from '../../src/transport/framing.js';
import { OPERATOR_HEADERS, type TestSwitch, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';

/** Whatever the test does not set is far beyond the test's length, so each close has one cause. */
const LONG = 600_000;

function switchWith(
  t: Test,
  limits: Partial<ConnectionLimits>,
  extra: Parameters<typeof startSwitch>[2] = {},
): Promise<TestSwitch> {
  const connections = { idleTimeoutMs: LONG, frameTimeoutMs: LONG, firstFrameTimeoutMs: LONG, ...limits };
  return startSwitch(t, { listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, connections }] }, extra);
}

async function metric(s: TestSwitch, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}
const openGauge = (s: TestSwitch): Promise<number> => metric(s, /^switch_open_connections\{listener="iso93"\} (\d+)$/m);
const timeouts = (s: TestSwitch, kind: string): Promise<number> =>
  metric(s, new RegExp(`^switch_connection_timeouts_total\\{listener="iso93",timeout="${kind}"\\} (\\d+)$`, 'm'));

/** Polls until the probe holds; fails the test (does not hang) after `ms`. */
async function eventually(t: Test, what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) return void t.fail(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
  t.pass(what);
}

/** A raw client that records what it received and when the switch closed it. */
interface RawClient {
  socket: Socket;
  connectedAt: number;
  received: number;
  closedAt: Promise<number>;
}

async function raw(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const client: RawClient = {
    socket,
    connectedAt: 0,
    received: 0,
    closedAt: new Promise((resolve) => socket.once('close', () => resolve(performance.now()))),
  };
  socket.on('data', (chunk: Buffer) => (client.received += chunk.length));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  client.connectedAt = performance.now();
  return client;
}

/** When the switch closed the client, or undefined if it had not after `ms` (the client then hangs up itself). */
async function closedWithin(c: RawClient, ms: number): Promise<number | undefined> {
  const at = await Promise.race([c.closedAt, sleep(ms, undefined)]);
  if (at === undefined) c.socket.destroy();
  return at;
}

/** Purchases one after another on each terminal until `stop` resolves; every answer is kept. */
async function keepBuying(
  terminals: TestTerminal[],
  stop: Promise<unknown>,
): Promise<{ sent: number; codes: string[] }> {
  let done = false;
  void stop.then(() => (done = true));
  const codes: string[] = [];
  let sent = 0;
  await Promise.all(
    terminals.map(async (x, i) => {
      while (!done) {
        sent++;
        codes.push((await x.send(purchase93({ 41: `GOOD000${i}` })))[39] as string);
        await sleep(10);
      }
    }),
  );
  return { sent, codes };
}

/** Timers start when the switch reads, a little after the client writes; the event loop may run them a tick early. */
const TIMER_SLACK_MS = 50;

t.test('50 slow clients (a byte a second) are closed after frameTimeoutMs while terminals buy', async (t) => {
  const FRAME_TIMEOUT = 2000;
  const s = await switchWith(t, { frameTimeoutMs: FRAME_TIMEOUT });
  const port = s.port('iso93');
  const whole = encodeFrame(
    { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
    dialect('iso93ascii').pack(purchase93({ 11: '000001' })),
  );
  const good = await Promise.all(Array.from({ length: 5 }, () => TestTerminal.open(port)));
  t.teardown(() => good.forEach((x) => x.close()));

  const slow = await Promise.all(Array.from({ length: 50 }, () => raw(port)));
  const trickles = slow.map(async (c) => {
    const firstByteAt = performance.now();
    let sent = 0;
    const closed = c.closedAt.then(() => true);
    // Three times the timeout at most: a switch that never closes fails here instead of hanging.
    while (sent < (3 * FRAME_TIMEOUT) / 1000) {
      c.socket.write(whole.subarray(sent, ++sent));
      if (await Promise.race([closed, sleep(1000, false)])) break;
    }
    const closedAt = await closedWithin(c, 0);
    return { sent, after: closedAt === undefined ? undefined : closedAt - firstByteAt, received: c.received };
  });
  const buying = keepBuying(good, Promise.all(trickles));
  const results = await Promise.all(trickles);
  const bought = await buying;

  t.equal(
    results.filter((r) => r.after !== undefined).length,
    50,
    `the switch closed every slow client (after ${Math.max(...results.map((r) => r.sent))} bytes at most)`,
  );
  const after = results.map((r) => r.after ?? 0);
  t.ok(
    after.every((ms) => ms >= FRAME_TIMEOUT - TIMER_SLACK_MS),
    `none before frameTimeoutMs (earliest after ${Math.min(...after).toFixed(0)} ms)`,
  );
  t.ok(
    results.every((r) => r.received === 0),
    'closed without an answer',
  );
  t.equal(await timeouts(s, 'frame'), 50, 'each counted as a frame timeout');
  t.equal(s.logs.filter((l) => l.reason === 'frame not finished in time').length, 50, 'and logged with its reason');
  t.ok(bought.sent > 0, `the terminals bought meanwhile (${bought.sent} purchases)`);
  t.equal(bought.codes.length, bought.sent, 'every purchase answered');
  t.ok(
    bought.codes.every((c) => c === '000'),
    'every purchase approved',
  );
  await eventually(t, 'only the five terminals remain connected', async () => (await openGauge(s)) === 5);
});

t.test('a frame held up by the switch itself (in-flight limit) is not timed out', async (t) => {
  // One request at a time, each taking 600 ms: the second frame's first byte arrives with the
  // first request and its rest 400 ms later, but the switch does not read until the first is
  // answered. The 300 ms frame clock must not run while the switch is not reading.
  const slow: Step = { name: 'slow', run: () => sleep(600).then(() => undefined) };
  const route = { ...ROUTES['1200']!, steps: ['validateFields', 'slow', 'decide', 'respond'] };
  const s = await switchWith(t, { frameTimeoutMs: 300, maxInFlight: 1 }, { steps: [slow], routes: { '1200': route } });
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  const first = x.frame(purchase93({ 11: '000701' }));
  const second = x.frame(purchase93({ 11: '000702' }));
  const answers = Promise.all([x.expect('000701'), x.expect('000702')]);
  x.socket.write(Buffer.concat([first, second.subarray(0, 1)]));
  await sleep(400);
  x.socket.write(second.subarray(1));
  const outcome = await Promise.race([answers, x.closed.then(() => 'closed' as const)]);
  t.same(outcome === 'closed' ? outcome : outcome.map((a) => a[39]), ['000', '000'], 'both answered');
  t.equal(x.socket.destroyed, false, 'the connection stayed open');
  t.equal(await timeouts(s, 'frame'), 0);
});

t.test(
  'connections that never send a whole frame are closed after firstFrameTimeoutMs and give their slots back',
  async (t) => {
    const FIRST_FRAME_TIMEOUT = 500;
    const s = await switchWith(t, { firstFrameTimeoutMs: FIRST_FRAME_TIMEOUT });
    const port = s.port('iso93');
    const terminal = await TestTerminal.open(port);
    t.teardown(() => terminal.close());
    t.match(
      await terminal.send({ 0: '1804', 7: '1121101530', 24: '831' }),
      { 39: '800' },
      'a terminal that signs on at once stays',
    );
    // Silent ones, and ones that start a frame (one byte of a header) and go quiet: half-open peers look like either.
    const silent = await Promise.all(Array.from({ length: 20 }, () => raw(port)));
    const started = await Promise.all(Array.from({ length: 10 }, () => raw(port)));
    for (const c of started) c.socket.write(Buffer.from([0x00]));
    await eventually(t, 'all 31 connections are held meanwhile', async () => (await openGauge(s)) === 31);
    const all = [...silent, ...started];
    const closes = await Promise.all(all.map((c) => closedWithin(c, 10 * FIRST_FRAME_TIMEOUT)));
    t.equal(closes.filter((at) => at !== undefined).length, 30, 'the switch closed all thirty');
    const lifetimes = all.map((c, i) => (closes[i] ?? Infinity) - c.connectedAt);
    t.ok(
      lifetimes.every((ms) => ms >= FIRST_FRAME_TIMEOUT - TIMER_SLACK_MS),
      `none closed before firstFrameTimeoutMs (earliest after ${Math.min(...lifetimes).toFixed(0)} ms)`,
    );
    t.ok(
      all.every((c) => c.received === 0),
      'closed without a word',
    );
    t.equal(await timeouts(s, 'first_frame'), 30);
    await eventually(
      t,
      'their slots are free again (open connections back to 1)',
      async () => (await openGauge(s)) === 1,
    );
    t.match(
      await terminal.send({ 0: '1804', 7: '1121101530', 24: '831' }),
      { 39: '800' },
      'the terminal is still served',
    );
  },
);

t.test('a peer that resets mid-frame (no FIN) frees its slot at once', async (t) => {
  const s = await switchWith(t, {});
  const port = s.port('iso93');
  const peers = await Promise.all(Array.from({ length: 10 }, () => raw(port)));
  for (const p of peers) p.socket.write(Buffer.from([0x00, 0x40, 0x31, 0x32]));
  await eventually(t, 'the switch holds all ten', async () => (await openGauge(s)) === 10);
  for (const p of peers) p.socket.resetAndDestroy();
  // Every timeout is 10 minutes away: only the reset itself can free the slots this soon.
  await eventually(t, 'open connections back to 0', async () => (await openGauge(s)) === 0);
  t.equal(
    (await timeouts(s, 'frame')) + (await timeouts(s, 'first_frame')) + (await timeouts(s, 'idle')),
    0,
    'no timeout was needed',
  );
});

/** The timer of the switch's side of a connection in /proc/net/tcp: [kind, clock ticks left]; kind 2 is keepalive in ESTABLISHED. */
function serverSocketTimer(serverPort: number, clientPort: number): [number, number] | undefined {
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1]?.endsWith(`:${hex(serverPort)}`) && cols[2]?.endsWith(`:${hex(clientPort)}`)) {
      const [kind, left] = cols[5]!.split(':');
      return [parseInt(kind!, 16), parseInt(left!, 16)];
    }
  }
  return undefined;
}

t.test('accepted connections have TCP keepalive armed after tcpKeepAliveMs, or none when 0', async (t) => {
  for (const [keepAliveMs, expected] of [
    [7000, 'armed'],
    [0, 'off'],
  ] as const) {
    const s = await switchWith(t, { tcpKeepAliveMs: keepAliveMs });
    const x = await TestTerminal.open(s.port('iso93'));
    t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' });
    // Until the terminal has ACKed the answer, the retransmission timer (kind 1) is what shows.
    let timer = serverSocketTimer(s.port('iso93'), x.socket.localPort!);
    for (let i = 0; i < 100 && timer?.[0] === 1; i++) {
      await sleep(20);
      timer = serverSocketTimer(s.port('iso93'), x.socket.localPort!);
    }
    t.ok(timer !== undefined, 'the switch side of the connection is in /proc/net/tcp');
    if (expected === 'armed') {
      t.equal(timer![0], 2, 'a keepalive timer runs');
      // In USER_HZ ticks (100 a second): due within the configured 7 s, not the OS default of 2 hours.
      t.ok(timer![1] > 0 && timer![1] <= 700, `due in ${timer![1] / 100} s`);
    } else {
      t.equal(timer![0], 0, 'no timer runs on an idle connection without keepalive');
    }
    x.close();
  }
});

t.test(
  'a flood beyond maxConnections is shed at once and counted; connected terminals keep every answer',
  async (t) => {
    const s = await switchWith(t, { maxConnections: 4 });
    const port = s.port('iso93');
    const good = await Promise.all(Array.from({ length: 4 }, () => TestTerminal.open(port)));
    t.teardown(() => good.forEach((x) => x.close()));
    for (const x of good) t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' });

    const FLOOD = 1000;
    const flood = async (): Promise<RawClient[]> => {
      const clients: RawClient[] = [];
      // Batches of 100, so that the listen backlog (511) is never what refuses them.
      for (let i = 0; i < FLOOD; i += 100)
        clients.push(...(await Promise.all(Array.from({ length: 100 }, () => raw(port)))));
      return clients;
    };
    const flooding = flood();
    // Every timeout is 10 minutes away: closes within seconds are the shedding.
    const shed = flooding.then((clients) => Promise.all(clients.map((c) => closedWithin(c, 10_000))));
    const bought = keepBuying(good, shed);
    const clients = await flooding;
    t.equal(
      (await shed).filter((at) => at !== undefined).length,
      FLOOD,
      `all ${FLOOD} extra connections were closed by the switch`,
    );
    t.ok(
      clients.every((c) => c.received === 0),
      'without a byte sent to them',
    );
    t.equal(
      await metric(s, /^switch_rejected_connections_total\{listener="iso93"\} (\d+)$/m),
      FLOOD,
      'each one counted',
    );
    t.equal(
      s.logs.filter((l) => l.msg === 'connections refused: listener at its connection limit').length,
      1,
      'one warning, not one per connection',
    );
    const { sent, codes } = await bought;
    t.equal(codes.length, sent, `every purchase during the flood answered (${sent})`);
    t.ok(
      codes.every((c) => c === '000'),
      'and approved',
    );
    t.equal(await openGauge(s), 4);
    // A slot freed is a slot usable again.
    good.pop()!.close();
    await eventually(t, 'a slot is free', async () => (await openGauge(s)) === 3);
    const late = await TestTerminal.open(port);
    t.teardown(() => late.close());
    t.match(await late.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' }, 'a new terminal gets it');
  },
);
