/**
 * `npm run terminal` in-process against a real switch: what it prints (card data masked, the PIN
 * block hidden, the action code's meaning) and its exit codes: 0 approved, 1 declined, 2 usage
 * error, 3 no answer.
 */
import t from 'tap';
import { type AddressInfo, createServer } from 'node:net';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ManualClock } from '../../src/time/clock.js';
import { USAGE, main, parseAmount } from '../../terminals/cli.js';
import { AnswerGate, TEST_KEY_HEX, journal, keyFile } from './fixtures/support.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

const clock = new ManualClock(new Date('2026-11-21T10:15:30Z'));

async function run(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), clock });
  return { code, out: out.join(''), err: err.join('') };
}

const at = (s: TestSwitch, listener = 'iso93'): string[] => ['--port', String(s.port(listener))];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

t.test('--help, and usage errors: exit 2 with what is wrong and the usage', async (t) => {
  t.same(await run(['--help']), { code: 0, out: USAGE, err: '' });
  t.equal((await run(['echo', '-h'])).out, USAGE);
  const port = String(await freePort());
  const cases: [string[], string][] = [
    [[], 'a command: purchase, refund, fuel, remote, withdraw, sign-on, echo'],
    [['pay', '--type', 'chip'], 'a command'],
    [['echo', 'now', '--type', 'chip'], 'unexpected now'],
    [['echo', '--type', 'chip', '--bogus'], "Unknown option '--bogus'"],
    [['echo'], '--type: one of dkt1, dkt1plus, oem, chip, contactless, fuel, ticket, gateway, atm'],
    [['purchase', '--type', 'chip', '--card', '5019000000000008'], 'purchase needs --amount'],
    [['fuel', '--type', 'fuel', '--card', '5019000000000008', '--max', '1.00', '--pumped', '1.00'], 'fuel needs --pin'],
    [['echo', '--type', 'chip', '--card', '5019000000000008'], '--card is not an option of echo'],
    [
      ['refund', '--type', 'chip', '--card', '5019000000000008', '--amount', '1.00', '--magstripe'],
      '--magstripe is not an option of refund',
    ],
    [
      ['purchase', '--type', 'chip', '--card', '5019000000000008', '--amount', '12.345'],
      '--amount: an amount in DKK with at most two decimals, e.g. 125.00',
    ],
    [
      ['fuel', '--type', 'fuel', '--card', '5019000000000008', '--pin', '1234', '--max', '1e3', '--pumped', '1'],
      '--max: an amount',
    ],
    [['echo', '--type', 'chip', '--header', 'ascii2'], '--header: one of binary2, ascii4, bcd2'],
    [['echo', '--type', 'chip', '--key', 'ABC'], '--key: 32 or 48 hex digits (triple DES)'],
    [
      ['refund', '--type', 'chip', '--card', '5019000000000008', '--amount', '1', '--last-completed', '1'],
      '--last-completed is for dkt1, dkt1plus, oem',
    ],
    [
      ['purchase', '--type', 'oem', '--card', '5019000000000008', '--amount', '1', '--last-completed', '1234567'],
      '--last-completed: a STAN, up to 6 digits',
    ],
    [['echo', '--type', 'oem', '--last-completed', '1'], '--last-completed is not an option of echo'],
    [['echo', '--type', 'chip', '--port', '85x3'], '--port: a whole number'],
    [['echo', '--type', 'chip', '--stan', '1.5'], '--stan: a whole number'],
    [['echo', '--type', 'toaster', '--port', port], 'kind: one of'],
    [['echo', '--type', 'chip', '--terminal', 'TERMINAL01', '--port', port], 'terminal id: 1 to 8'],
    [['echo', '--type', 'chip', '--timeout', '0', '--port', port], 'answer timeout'],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, `terminal: ${message}`);
    t.match(r.err, USAGE);
    t.equal(r.out, '');
  }
});

t.test('without io: stdout and stderr', async (t) => {
  const streams = { out: process.stdout.write, err: process.stderr.write };
  let out = '';
  let err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  let codes: number[];
  try {
    codes = [await main(['--help']), await main([])];
  } finally {
    process.stdout.write = streams.out;
    process.stderr.write = streams.err;
  }
  t.same(codes, [0, 2]);
  t.equal(out, USAGE);
  t.match(err, 'terminal: a command');
});

t.test('amounts in DKK', async (t) => {
  t.same(
    ['125', '125.5', '125.50', '0.01', '9999999999.99'].map((a) => parseAmount(a, 'amount')),
    [12_500, 12_550, 12_550, 1, 999_999_999_999],
  );
  for (const bad of ['', '1,00', '.5', '1.', '1.001', '+1', '12345678901'])
    t.throws(() => parseAmount(bad, 'amount'), { message: /^--amount: an amount/ }, bad);
});

t.test('chip purchase approved: exit 0, every exchange masked, the outcome', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const r = await run([
    'purchase',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--amount',
    '125.00',
    '--pin',
    '1234',
    '--stan',
    '77',
    ...at(s),
  ]);
  t.equal(r.code, 0, r.err);
  t.equal(r.err, '');
  const masked = `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`;
  t.match(r.out, `purchase of 125.00 DKK on a chip terminal TERM0001 at 127.0.0.1:${s.port('iso93')} (iso93ascii)`);
  t.match(r.out, '>> 1100 STAN 000077 at 2026-11-21T10:15:30.000Z');
  t.match(r.out, masked);
  t.match(r.out, '[hidden, 8 bytes]', 'the PIN block hidden');
  t.match(r.out, '<< 1110 000 approved');
  t.match(r.out, '>> 1220 STAN 000078');
  t.match(r.out, /\nAPPROVED approval code \d{6} \(STAN 000077, local time 261121111530\)\n$/);
  t.notMatch(r.out, card.pan, 'never the full PAN');
  t.same(
    (await journal(s)).map((p) => p.amount),
    [12_500],
  );
});

t.test('declined: exit 1 with the code and its meaning', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const r = await run(['purchase', '--type', 'chip', '--card', card.pan, '--amount', '10', '--pin', '9999', ...at(s)]);
  t.equal(r.code, 1);
  t.match(r.out, /\nDECLINED 117 wrong PIN \(STAN \d{6}, local time 261121111530\)\n$/);
  const unknown = await run(['refund', '--type', 'chip', '--card', '5019990000000018', '--amount', '10', ...at(s)]);
  t.equal(unknown.code, 1);
  t.match(unknown.out, 'DECLINED 111 card not registered');
});

t.test('every command and kind; the 1987 listener; options', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { DKT00001: 'dkt1' }) } });
  const card = await addCard(s.sw);
  const dkt = await run([
    'purchase',
    '--type',
    'dkt1',
    '--terminal',
    'DKT00001',
    '--card',
    card.pan,
    '--amount',
    '10.50',
    '--pin',
    '1234',
    '--expiry',
    '2811',
    ...at(s),
  ]);
  t.equal(dkt.code, 0, dkt.err);
  t.match(dkt.out, `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}=***********`, 'track 2 masked');
  t.notMatch(dkt.out, card.pan);
  const stripe = await run([
    'purchase',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--amount',
    '1',
    '--magstripe',
    ...at(s),
  ]);
  t.match(stripe.out, '>> 1200');
  t.equal((await run(['refund', '--type', 'contactless', '--card', card.pan, '--amount', '2.00', ...at(s)])).code, 0);
  const fuel = await run([
    'fuel',
    '--type',
    'fuel',
    '--card',
    card.pan,
    '--pin',
    '1234',
    '--max',
    '500.00',
    '--pumped',
    '312.50',
    '--terminal',
    'PUMP0001',
    ...at(s),
  ]);
  t.equal(fuel.code, 0, fuel.err);
  t.match(fuel.out, 'fuel of up to 500.00 DKK on a fuel terminal PUMP0001');
  const signOn = await run(['sign-on', '--type', 'chip', ...at(s)]);
  t.equal(signOn.code, 0);
  t.match(signOn.out, '<< 1814 800 network management request accepted');
  t.match(signOn.out, /\nAPPROVED \(STAN/);
  const echo87 = await run([
    'echo',
    '--type',
    'chip',
    '--dialect',
    'iso87ascii',
    '--header',
    'ascii4',
    '--terminal',
    'TERM0087',
    '--merchant',
    'SHOP',
    '--timeout',
    '3000',
    '--key',
    TEST_KEY_HEX,
    ...at(s, 'iso87'),
  ]);
  t.equal(echo87.code, 0, echo87.err);
  t.match(echo87.out, '<< 0810 00 network management request accepted');
  const wrong87 = await run([
    'purchase',
    '--type',
    'chip',
    '--dialect',
    'iso87ascii',
    '--merchant',
    'SHOP',
    '--key',
    TEST_KEY_HEX,
    '--card',
    card.pan,
    '--amount',
    '1',
    '--pin',
    '1111',
    ...at(s, 'iso87'),
  ]);
  t.equal(wrong87.code, 1);
  t.match(wrong87.out, 'DECLINED 55 wrong PIN');
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.terminal, p.type, p.amount]),
    [
      ['DKT00001', 'purchase', 1_050],
      ['TERM0001', 'purchase', 100],
      ['TERM0001', 'refund', 200],
      ['PUMP0001', 'purchase', 31_250],
    ],
  );
  const fuelOnChip = await run([
    'fuel',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--pin',
    '1234',
    '--max',
    '1',
    '--pumped',
    '1',
    ...at(s),
  ]);
  t.equal(fuelOnChip.code, 2, "the library's own checks are usage errors too");
  t.match(fuelOnChip.err, "terminal: fuel() is a fuel pump's");
});

t.test('old terminals: the CLI keeps no field 48 between runs; --last-completed carries it', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { DKT00001: 'dkt1' }) } });
  const card = await addCard(s.sw);
  const sale = (amount: string, ...more: string[]): Promise<Run> =>
    run([
      'purchase',
      '--type',
      'dkt1',
      '--terminal',
      'DKT00001',
      '--card',
      card.pan,
      '--amount',
      amount,
      ...more,
      ...at(s),
    ]);
  const first = await sale('1', '--stan', '500');
  t.match(first.out, /\nNext request of DKT00001: --last-completed 000500\n$/);
  const second = await sale('2', '--stan', '501', '--last-completed', '500');
  t.match(second.out, '"01006000500"', 'field 48 as told');
  t.match(second.out, /--last-completed 000501\n$/);
  t.same(
    (await journal(s)).map((p) => p.type),
    ['purchase', 'purchase'],
    'nothing reversed',
  );
  const forgetful = await sale('3', '--stan', '502');
  t.match(forgetful.out, '"01006000000"');
  t.same(
    (await journal(s)).map((p) => [p.type, p.amount]),
    [
      ['purchase', 100],
      ['purchase', 200],
      ['reversal', 200],
      ['purchase', 300],
    ],
    'without it the switch reverses the last sale',
  );
  const refund = await run([
    'refund',
    '--type',
    'oem',
    '--terminal',
    'DKT00001',
    '--card',
    card.pan,
    '--amount',
    '1',
    '--pin',
    '0000',
    '--last-completed',
    '502',
    ...at(s),
  ]);
  t.match(
    refund.out,
    /DECLINED 117 wrong PIN .*\nNext request of DKT00001: --last-completed 000502\n$/s,
    'a decline completes nothing',
  );
});

t.test('no switch: exit 3; the default ports', async (t) => {
  const port = String(await freePort());
  const r = await run(['echo', '--type', 'chip', '--port', port]);
  t.same(r, { code: 3, out: '', err: `terminal: cannot connect to 127.0.0.1:${port} (ECONNREFUSED)\n` });
  // Nothing is expected on 127.0.0.2: only which port is tried matters.
  for (const [argv, expected] of [
    [[], '127.0.0.2:8583'],
    [['--dialect', 'iso87ascii'], '127.0.0.2:8587'],
  ] as const) {
    const d = await run(['echo', '--type', 'chip', '--host', '127.0.0.2', '--timeout', '300', ...argv]);
    t.match(d.out + d.err, expected);
  }
});

t.test('no answer: exit 3; a PSAM terminal sends its reversal before the command ends', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw);
  void gate.hold('1200');
  const r = await run([
    'purchase',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--amount',
    '33',
    '--magstripe',
    '--timeout',
    '2000',
    ...at(s),
  ]);
  t.equal(r.code, 3);
  t.match(r.out, '<< no answer (timed out or connection lost)');
  t.match(r.out, /NO ANSWER within 2000 ms \(STAN \d{6}, local time 261121111530\): reversal stored\n/);
  t.match(r.out, 'Sending the stored reversal now');
  t.match(r.out, '<< 1430 400 reversal accepted');
  t.match(r.out, /Reversal acknowledged\.\n$/);
  gate.release();
  t.same(
    (await journal(s)).map((p) => [p.type, p.amount]),
    [
      ['purchase', 3_300],
      ['reversal', 3_300],
    ],
  );

  const dkt = await startSwitch(t, { terminals: { keyFile: keyFile(t, { DKT00001: 'dkt1' }) } }, gate.extra);
  const oldCard = await addCard(dkt.sw);
  void gate.hold('1200');
  const old = await run([
    'purchase',
    '--type',
    'dkt1',
    '--terminal',
    'DKT00001',
    '--card',
    oldCard.pan,
    '--amount',
    '1',
    '--timeout',
    '2000',
    ...at(dkt),
  ]);
  t.equal(old.code, 3);
  t.match(
    old.out,
    /NO ANSWER within 2000 ms \(STAN \d{6}, local time \d{12}\)\nNext request of DKT00001: --last-completed 000000\n$/,
    'an old terminal stores nothing',
  );
  gate.release();
});

t.test('a reversal the switch cannot be reached for: said so, exit 3', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const proxy = await TcpProxy.start('127.0.0.1', s.port('iso93'));
  t.teardown(() => proxy.close());
  const card = await addCard(s.sw);
  void gate.hold('1200').then(() => proxy.cut());
  const r = await run([
    'refund',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--amount',
    '5',
    '--timeout',
    '2000',
    '--port',
    String(proxy.port),
  ]);
  t.equal(r.code, 3);
  t.match(r.out, /Reversal NOT acknowledged: it is lost with this run; reverse it by hand\.\n$/);
});

t.test('signature rejected: exit 1, cancelled, the reversal sent', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const r = await run([
    'purchase',
    '--type',
    'chip',
    '--card',
    card.pan,
    '--amount',
    '99.95',
    '--reject-signature',
    ...at(s),
  ]);
  t.equal(r.code, 1);
  t.match(r.out, /\nCANCELLED signature rejected after approval code \d{6}: reversal stored \(STAN/);
  t.match(r.out, /Reversal acknowledged\.\n$/);
  t.same(
    (await journal(s)).map((p) => [p.type, p.amount, p.reason]),
    [
      ['purchase', 9_995, undefined],
      ['reversal', 9_995, '4351'],
    ],
  );
});

t.test('an unexpected failure is not swallowed', async (t) => {
  const s = await startSwitch(t);
  await t.rejects(
    main(['echo', '--type', 'chip', ...at(s)], {
      out: () => {
        throw new Error('stdout gone');
      },
      err: () => {},
    }),
    { message: 'stdout gone' },
  );
});
