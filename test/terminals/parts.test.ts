/**
 * The emulator's parts without a switch: option and parameter checks, field formats, action code
 * meanings, the readable exchange, and the connection against a scripted fake switch (answers
 * late, out of turn, unreadable, not at all, framing lost, connection gone).
 */
import t, { type Test } from 'tap';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type IsoMessage, dialect } from '../../src/codec/index.js';
import { FrameReader, type FramingSpec, encodeFrame } from '../../src/transport/framing.js';
import { ManualClock } from '../../src/time/clock.js';
import { responseMti } from '../../src/authorization/steps/respond.js';
import {
  ConnectError,
  TerminalError,
  Terminal,
  type TerminalOptions,
  describeExchange,
  meaningOf,
} from '../../terminals/index.js';
import { Link } from '../../terminals/link.js';
import { localTime, posData, transmissionTime } from '../../terminals/fields.js';

const iso93 = dialect('iso93ascii');
const iso87 = dialect('iso87ascii');
const FRAMING: FramingSpec = { header: 'binary2', tpdu: false, maxFrameSize: 8192 };
const PAN = '5019000000000008';

type Handler = (request: IsoMessage, socket: Socket, reply: (m: IsoMessage) => void) => void | Promise<void>;

/** A scripted switch: each request goes to the handler, which answers (or not) as the test wants. */
class FakeSwitch {
  readonly requests: IsoMessage[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {}

  static async start(handler: Handler): Promise<FakeSwitch> {
    let fake: FakeSwitch;
    const server = createServer((socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
      socket.on('error', () => {});
      const reader = new FrameReader(FRAMING);
      const reply = (m: IsoMessage): void => void socket.write(encodeFrame(FRAMING, iso93.pack(m)));
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          const m = iso93.unpack(frame.body);
          fake.requests.push(m);
          void handler(m, socket, reply);
        }
      });
    });
    fake = new FakeSwitch(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The answer the real switch would give: MTI + 10, STAN echoed, the code. */
const answer = (m: IsoMessage, code: string, extra: IsoMessage = {}): IsoMessage => ({
  0: responseMti(String(m[0])),
  11: m[11]!,
  39: code,
  ...extra,
});

/** Answers everything as accepted/approved. */
const approving: Handler = (m, _s, reply) =>
  reply(answer(m, m[0] === '1804' ? '800' : m[0] === '1420' || m[0] === '1421' ? '400' : '000', { 38: '123456' }));

async function fake(t: Test, handler: Handler = approving): Promise<FakeSwitch> {
  const f = await FakeSwitch.start(handler);
  t.teardown(() => f.stop());
  return f;
}

async function terminal(t: Test, f: FakeSwitch, o: Partial<TerminalOptions> = {}): Promise<Terminal> {
  const term = await Terminal.open({ kind: 'chip', terminalId: 'TERM0001', port: f.port, answerTimeoutMs: 2000, ...o });
  t.teardown(() => term.close());
  return term;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

t.test('options are checked before anything is sent', async (t) => {
  const base: TerminalOptions = { kind: 'chip', terminalId: 'TERM0001', port: 1 };
  const bad: [Partial<TerminalOptions> | Record<string, unknown>, RegExp][] = [
    [{ kind: 'toaster' }, /^kind: one of dkt1, dkt1plus, oem, chip, contactless, fuel, ticket, gateway, atm$/],
    [{ terminalId: '' }, /^terminal id/],
    [{ terminalId: 'TERMINAL9' }, /^terminal id/],
    [{ terminalId: 'TERMæ' }, /^terminal id/],
    [{ merchant: 'M'.repeat(16) }, /^merchant/],
    [{ port: 0 }, /^port/],
    [{ port: 65536 }, /^port/],
    [{ port: 1.5 }, /^port/],
    [{ dialect: 'iso99' }, /unknown dialect "iso99"/],
    [{ header: 'ascii2' }, /^header: one of binary2, ascii4, bcd2$/],
    [{ stan: 0 }, /^STAN/],
    [{ stan: 1_000_000 }, /^STAN/],
    [{ stan: 2.5 }, /^STAN/],
    [{ answerTimeoutMs: 0 }, /^answer timeout: 1 to 2147483647 ms$/],
    [{ answerTimeoutMs: Infinity }, /^answer timeout/],
    [{ answerTimeoutMs: NaN }, /^answer timeout/],
    [{ pinKey: { format: 4, key: Buffer.alloc(16) } }, /format 4 blocks have 16 bytes, field 52 of iso93ascii holds 8/],
  ];
  for (const [o, message] of bad)
    await t.rejects(
      Terminal.open({ ...base, ...o } as TerminalOptions),
      { name: 'TerminalError', message },
      JSON.stringify(o),
    );
  const port = await freePort();
  await t.rejects(
    Terminal.open({ ...base, port }),
    new ConnectError(`cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`),
    'nobody listening',
  );
});

t.test('parameters are checked before anything is sent', async (t) => {
  const f = await fake(t);
  const chip = await terminal(t, f);
  const fuel = await terminal(t, f, { kind: 'fuel' });
  const old = await terminal(t, f, { kind: 'dkt1' });
  const contactless = await terminal(t, f, { kind: 'contactless' });
  const atm = await terminal(t, f, { kind: 'atm' });
  const p = { pan: PAN, amount: 100 };
  const w = { ...p, pin: '1234' };
  const cases: [Promise<unknown>, RegExp][] = [
    [atm.purchase(p), /withdraw\(\)/],
    [atm.refund(p), /^an unattended machine makes no refunds$/],
    [chip.withdraw(w), /ATM's/],
    [atm.withdraw({ ...w, pan: '1' }), /card number/],
    [atm.withdraw({ ...w, amount: 0 }), /^amount/],
    [atm.withdraw({ ...w, pin: '12' }), /^PIN/],
    [atm.withdraw({ ...w, currency: 'EUR' }), /^currency/],
    [atm.withdraw({ ...w, country: 'DK' }), /^country/],
    [atm.withdraw({ ...w, dispensed: 101 }), /^dispensed/],
    [atm.withdraw({ ...w, dispensed: -1 }), /^dispensed/],
    [atm.withdraw({ ...w, dispensed: 0.5 }), /^dispensed/],
    [fuel.purchase(p), /fuel\(\)/],
    [fuel.refund(p), /no refunds/],
    [chip.fuel({ pan: PAN, pin: '1234', maximum: 100, pumped: 100 }), /fuel pump's/],
    [chip.purchase({ ...p, pan: '50190000000' }), /card number/],
    [chip.purchase({ ...p, pan: '50190000000000000000' }), /card number/],
    [chip.refund({ ...p, pan: '5019x00000000008' }), /card number/],
    [chip.purchase({ ...p, amount: 0 }), /^amount: whole øre, 1 to 999999999999$/],
    [chip.purchase({ ...p, amount: 1.5 }), /^amount/],
    [chip.refund({ ...p, amount: 1e12 }), /^amount/],
    [chip.purchase({ ...p, pin: '123' }), /^PIN/],
    [chip.refund({ ...p, pin: '12a4' }), /^PIN/],
    [chip.purchase({ ...p, expiry: '301' }), /^expiry/],
    [chip.refund({ ...p, expiry: '30-2' }), /^expiry/],
    [chip.purchase({ ...p, pin: '1234', rejectSignature: true }), /^rejectSignature/],
    [old.purchase({ ...p, rejectSignature: true }), /^rejectSignature/],
    [contactless.purchase({ ...p, rejectSignature: true }), /^rejectSignature/],
    [fuel.fuel({ pan: PAN, pin: '12', maximum: 100, pumped: 50 }), /^PIN/],
    [fuel.fuel({ pan: '1', pin: '1234', maximum: 100, pumped: 50 }), /card number/],
    [fuel.fuel({ pan: PAN, pin: '1234', maximum: 0, pumped: 0 }), /^maximum/],
    [fuel.fuel({ pan: PAN, pin: '1234', maximum: 100, pumped: 0 }), /^pumped/],
    [fuel.fuel({ pan: PAN, pin: '1234', maximum: 100, pumped: 101 }), /^pumped/],
    [fuel.fuel({ pan: PAN, pin: '1234', maximum: 100, pumped: 50.5 }), /^pumped/],
  ];
  for (const [call, message] of cases) await t.rejects(call, { name: 'TerminalError', message });
  t.equal(f.requests.length, 0, 'nothing sent');
  t.ok(new TerminalError('x') instanceof Error);
});

t.test('STANs count up across operations and connections and wrap after 999999', async (t) => {
  const f = await fake(t);
  const term = await terminal(t, f, { stan: 999_998, terminalId: 'T1' });
  t.equal(term.terminalId, 'T1');
  const first = await term.echo();
  t.equal(first.stan, '999998');
  t.equal(first.exchanges[0]!.request[41], 'T1      ', 'field 41 padded as on the wire');
  await term.close();
  await term.close(); // twice: nothing to close
  t.equal((await term.echo()).stan, '999999', 'a new connection, the same counter');
  t.equal((await term.echo()).stan, '000001');
  const random = await terminal(t, f);
  t.match((await random.echo()).stan, /^\d{6}$/, 'default: somewhere in the cycle');
});

t.test('operations run one at a time, in the order asked', async (t) => {
  let inFlight = 0;
  let most = 0;
  const f = await fake(t, async (m, _s, reply) => {
    most = Math.max(most, ++inFlight);
    await sleep(30);
    inFlight--;
    reply(answer(m, '000', { 38: '000001' }));
  });
  const term = await terminal(t, f, { stan: 1 });
  const [a, b, c] = await Promise.all([
    term.purchase({ pan: PAN, amount: 1 }),
    term.refund({ pan: PAN, amount: 2 }),
    term.purchase({ pan: PAN, amount: 3, magstripe: true }),
  ]);
  t.equal(most, 1, 'never two requests in flight');
  t.same(
    f.requests.map((m) => [m[0], m[11]]),
    [
      ['1100', '000001'],
      ['1220', '000002'],
      ['1200', '000003'],
      ['1200', '000004'],
    ],
  );
  t.same([a.stan, b.stan, c.stan], ['000001', '000003', '000004']);
});

t.test("answers that are not this request's are dropped; the right one is taken", async (t) => {
  const f = await fake(t, (m, socket, reply) => {
    socket.write(encodeFrame(FRAMING, Buffer.alloc(0))); // keep-alive
    socket.write(encodeFrame(FRAMING, Buffer.from('9999garbage'))); // unreadable
    reply(answer({ ...m, 11: '000000' }, '800')); // another STAN
    reply({ ...answer(m, '800'), 0: '1210' }); // another MTI
    reply(answer(m, '800'));
  });
  const term = await terminal(t, f);
  const o = await term.echo();
  t.match(o, { approved: true, actionCode: '800', timedOut: false });
  t.equal(o.exchanges[0]!.response![0], '1814');
});

t.test('an answer after the timeout is dropped; the request counts as unanswered', async (t) => {
  const f = await fake(t, async (m, _s, reply) => {
    if (m[0] === '1200') {
      await sleep(300);
      reply(answer(m, '000', { 38: '222222' }));
    } else void approving(m, _s, reply);
  });
  const term = await terminal(t, f, { answerTimeoutMs: 100 });
  const o = await term.refund({ pan: PAN, amount: 10 });
  t.match(o, { approved: false, timedOut: true, reversalStored: true });
  await sleep(400);
  const echo = await term.echo();
  t.same(
    echo.exchanges.map((e) => e.request[0]),
    ['1420', '1804'],
  );
  t.equal(
    echo.exchanges.every((e) => e.response !== undefined),
    true,
  );
  t.equal(term.exchanges.length, 3);
});

t.test('lost framing closes the connection: no answer at once, the next request reconnects', async (t) => {
  let first = true;
  const f = await fake(t, (m, socket, reply) => {
    if (first) {
      first = false;
      socket.write(Buffer.from([0x23, 0x28])); // declares 9000 bytes: above the maximum frame
      return;
    }
    void approving(m, socket, reply);
  });
  const term = await terminal(t, f, { answerTimeoutMs: 10_000, kind: 'dkt1' });
  const started = Date.now();
  const o = await term.purchase({ pan: PAN, amount: 10 });
  t.ok(Date.now() - started < 5000, 'not waiting for the timeout');
  t.match(o, { timedOut: true, reversalStored: false });
  t.equal(term.lastCompletedStan, '000000');
  const again = await term.purchase({ pan: PAN, amount: 10 });
  t.equal(again.approved, true, 'reconnected');
  t.equal(again.exchanges[0]!.request[48], '01006000000');
});

t.test('a reversal answered with another code than 400 stays stored and is repeated', async (t) => {
  let reversals = 0;
  const f = await fake(t, (m, socket, reply) => {
    if (m[0] === '1200') return; // never answered
    if (m[0] === '1420' || m[0] === '1421') return reply(answer(m, ++reversals === 1 ? '909' : '400'));
    void approving(m, socket, reply);
  });
  const term = await terminal(t, f, { answerTimeoutMs: 100 });
  await term.purchase({ pan: PAN, amount: 10, magstripe: true });
  t.equal(term.pendingReversals, 1);
  const first = await term.sendPendingReversals();
  t.same([first[0]!.request[0], first[0]!.response![39]], ['1420', '909']);
  t.equal(term.pendingReversals, 1, 'a system malfunction is no acknowledgement');
  const second = await term.sendPendingReversals();
  t.same([second[0]!.request[0], second[0]!.response![39]], ['1421', '400']);
  t.equal(term.pendingReversals, 0);
});

t.test(
  'a completion that cannot be sent stores the reversal; no switch at the next contact: ConnectError',
  async (t) => {
    const f = await fake(t, (m, socket, reply) => {
      if (m[0] === '1100') {
        reply(answer(m, '000', { 38: '333333' }));
        socket.end();
        void f.stop();
        return;
      }
      void approving(m, socket, reply);
    });
    const term = await terminal(t, f, { answerTimeoutMs: 1000 });
    const o = await term.purchase({ pan: PAN, amount: 10 });
    t.same(
      o.exchanges.map((e) => [e.request[0], e.timedOut]),
      [
        ['1100', false],
        ['1220', true],
      ],
    );
    t.match(o, { approved: false, timedOut: true, reversalStored: true });
    await t.rejects(term.sendPendingReversals(), ConnectError);
    await t.rejects(term.echo(), ConnectError, 'a failed operation does not stop the next one');
    t.equal(term.pendingReversals, 1, 'kept for when the switch is back');
  },
);

t.test('the link: a request that cannot connect gets no answer', async (t) => {
  const link = new Link('127.0.0.1', await freePort(), FRAMING, iso93);
  t.equal(await link.request({ 0: '1804', 11: '000001', 24: '831' }, 1000), undefined);
  await link.close();
});

t.test('a declined completion, and a network request answered with another code', async (t) => {
  const f = await fake(t, (m, _s, reply) =>
    reply(answer(m, m[0] === '1220' ? '913' : m[0] === '1804' ? '902' : '000', { 38: '444444' })),
  );
  const term = await terminal(t, f);
  const o = await term.purchase({ pan: PAN, amount: 10 });
  t.match(o, { approved: false, actionCode: '913', reversalStored: false, timedOut: false });
  t.equal(o.approvalCode, undefined);
  const echo = await term.signOn();
  t.match(echo, { approved: false, actionCode: '902' });
});

t.test('local time in Danish time (winter and summer), transmission time in UTC', async (t) => {
  t.equal(localTime(new Date('2026-11-21T10:15:30Z')), '261121111530', 'CET: UTC+1');
  t.equal(localTime(new Date('2026-07-01T22:30:05Z')), '260702003005', 'CEST: UTC+2, the next day');
  t.equal(localTime(new Date('2026-12-31T23:00:00Z')), '270101000000', 'midnight: 00, not 24');
  t.equal(transmissionTime(new Date('2026-07-01T22:30:05Z')), '0701223005');
});

t.test('field 22', async (t) => {
  const pos = (
    entry: 'magstripe' | 'chip' | 'contactless',
    pin: boolean,
    unattended: boolean,
    capability: 'magstripe' | 'chip' | 'contactless',
    iso87 = false,
  ): string => posData({ entry, pin, unattended, capability }, iso87);
  t.equal(pos('chip', true, false, 'chip'), '51010151304C', 'chip and PIN');
  t.equal(pos('magstripe', false, false, 'magstripe'), '21010125404C', 'stripe and signature');
  t.equal(pos('contactless', false, false, 'contactless'), 'A10101A0004C', 'contactless, no PIN');
  t.equal(pos('chip', true, true, 'chip'), '51020151304C', 'unattended, PIN');
  t.equal(pos('chip', false, true, 'chip'), '51020150004C', 'unattended without PIN: not authenticated');
  t.same(
    [
      pos('magstripe', true, false, 'magstripe', true),
      pos('chip', true, false, 'chip', true),
      pos('contactless', false, false, 'contactless', true),
    ],
    ['901', '051', '071'],
  );
});

t.test('action codes: meanings in both code sets; the message class settles shared codes', async (t) => {
  t.equal(meaningOf('000', iso93), 'approved');
  t.equal(meaningOf('117', iso93, '1210'), 'wrong PIN');
  t.equal(meaningOf('55', iso87, '0210'), 'wrong PIN');
  t.equal(meaningOf('00', iso87, '0210'), 'approved');
  t.equal(meaningOf('00', iso87, '0430'), 'reversal accepted');
  t.equal(meaningOf('00', iso87, '0810'), 'network management request accepted');
  t.equal(
    meaningOf('913', iso93, '1210'),
    'duplicate transmission: same terminal, STAN and local time with other content',
  );
  t.equal(meaningOf('913', iso93, '1230'), 'the authorization was completed already');
  t.equal(
    meaningOf('902', iso93, '1220'),
    'invalid transaction: the original was reversed, or is not an authorization',
  );
  t.equal(meaningOf('902', iso93, '1210'), 'invalid transaction');
  t.equal(meaningOf('999', iso93, '1210'), 'unknown code');
  t.equal(meaningOf('000', iso87), 'unknown code', '1993 codes mean nothing on a 1987 listener');
});

t.test('describeExchange: masked card data, hidden PIN block, the answer or that none came', async (t) => {
  const at = new Date('2026-11-21T10:15:30Z');
  const request: IsoMessage = {
    0: '1200',
    2: PAN,
    11: '000001',
    35: `${PAN}=30121010000000`,
    52: Buffer.alloc(8, 0xab),
  };
  const answered = describeExchange(
    { request, response: { 0: '1210', 2: PAN, 11: '000001', 39: '116' }, timedOut: false, at },
    iso93,
  );
  t.match(answered, '>> 1200 STAN 000001 at 2026-11-21T10:15:30.000Z');
  t.match(answered, '501900******0008');
  t.match(answered, '[hidden, 8 bytes]');
  t.match(answered, '<< 1210 116 insufficient funds');
  t.notMatch(answered, PAN);
  t.notMatch(answered, /ABAB/i);
  t.match(describeExchange({ request, timedOut: true, at }, iso93), '<< no answer (timed out or connection lost)');
  t.match(
    describeExchange({ request, response: { 0: '1210', 11: '000001' }, timedOut: false, at }, iso93),
    '<< 1210 without action code',
  );
});

t.test('the clock sets fields 7 and 12 of every request', async (t) => {
  const f = await fake(t);
  const clock = new ManualClock(new Date('2026-03-29T00:59:59Z'));
  const term = await terminal(t, f, { clock });
  const o = await term.echo();
  t.same(
    [o.exchanges[0]!.request[7], o.exchanges[0]!.request[12], o.localTime],
    ['0329005959', '260329015959', '260329015959'],
  );
  t.same(o.exchanges[0]!.at, new Date('2026-03-29T00:59:59Z'));
  clock.advance(1000);
  const later = await term.echo();
  t.same(
    [later.exchanges[0]!.request[7], later.localTime],
    ['0329010000', '260329030000'],
    'summer time starts: 02:00 is 03:00',
  );
});
