/**
 * Message security end to end over TCP (docs/SECURITY.md §3, §4): MACed purchases and MACed
 * answers, wrong and missing MACs, DUKPT PIN blocks (triple DES with the KSN in field 53 or field
 * 48 sub-element 05, AES-128 with format 4 blocks), a replayed KSN (also under another terminal id),
 * counters out of order within the window and one below it, fixed-key format 4
 * blocks in a 16-byte field 52, and the dropMac fault. A real switch, real Redis, the terminal
 * emulator or a bare socket.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSwitch, TEST_CARD, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { Terminal, type TerminalOptions } from '../../terminals/index.js';
import { retailMac } from '../../src/crypto/retail-mac.js';
import { type IsoMessage, dialect } from '../../src/codec/index.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { tdesPinKey } from '../../src/crypto/dukpt-tdes.js';
import { conformance } from '../../src/faults/conformance.js';
import { encodeFrame } from '../../src/transport/framing.js';

const TEST_KEY = '0123456789ABCDEFFEDCBA9876543210';
// The published test keys: ISO 9797-1 B.4's MAC key, X9.24-1 A.4's and X9.24-3 B.1's BDKs.
const MAC_KEY = '0123456789ABCDEFFEDCBA9876543210';
const TDES_BDK = '0123456789ABCDEFFEDCBA9876543210';
const AES_BDK = 'FEDCBA9876543210F1F1F1F1F1F1F1F1';
const AES_KEY = '000102030405060708090A0B0C0D0E0F';
const TDES_KSN = 'FFFF9876543210E00001';
const AES_KSN = '123456789012345600000001';

function keyFile(t: Test): string {
  const dir = t.testdir({
    'keys.json': JSON.stringify({
      terminals: {
        MACT0001: { format: 0, key: TEST_KEY, macKey: MAC_KEY },
        DUKT0001: { format: 0, dukpt: 'vendor-tdes' },
        DUKT0002: { format: 0, dukpt: 'vendor-tdes' },
        DUK87001: { format: 0, dukpt: 'vendor-tdes', macKey: MAC_KEY },
        DUKA0001: { format: 4, dukpt: 'vendor-aes', macKey: MAC_KEY },
        AES40001: { format: 4, key: AES_KEY },
      },
      dukpt: {
        'vendor-tdes': { algorithm: 'tdes', bdk: TDES_BDK },
        'vendor-aes': { algorithm: 'aes128', bdk: AES_BDK },
      },
    }),
  });
  return join(dir, 'keys.json');
}

/** Listeners: optional MACs and 16-byte PIN blocks; required MACs; 1987 with required MACs. */
async function start(t: Test): Promise<TestSwitch> {
  return startSwitch(t, {
    terminals: { keyFile: keyFile(t) },
    listeners: [
      { name: 'optional', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', mac: 'optional', pinBlock: 'variable16' },
      { name: 'required', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', mac: 'required' },
      {
        name: 'iso87',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso87ascii',
        framing: { header: 'ascii4' },
        mac: 'required',
      },
      { name: 'plain', host: '127.0.0.1', port: 0, dialect: 'iso93binary' },
    ],
  });
}

async function terminal(
  t: Test,
  s: TestSwitch,
  listener: string,
  o: Partial<TerminalOptions> & Pick<TerminalOptions, 'terminalId'>,
): Promise<Terminal> {
  const term = await Terminal.open({
    kind: 'chip',
    port: s.port(listener),
    answerTimeoutMs: 1500,
    ...(listener === 'iso87' ? { dialect: 'iso87ascii' } : {}),
    ...(listener === 'optional' ? { pinBlock: 'variable16' } : {}),
    ...o,
  });
  t.teardown(() => term.close());
  return term;
}

const hex = (s: string) => Buffer.from(s, 'hex');
const purchase = { pan: TEST_CARD.pan, amount: 12_500, pin: '1234' };

t.test('a MACed purchase is approved with a MACed answer, on both code sets', async (t) => {
  const s = await start(t);
  for (const listener of ['required', 'iso87']) {
    const term = await terminal(t, s, listener, { terminalId: 'MACT0001', macKey: hex(MAC_KEY) });
    const o = await term.purchase(purchase);
    t.equal(o.approved, true, `${listener}: approved`);
    const e = o.exchanges[0]!;
    t.ok(Buffer.isBuffer(e.response?.[64]), `${listener}: the answer carries field 64, which the terminal believed`);
  }
});

t.test('the MAC covers the packed message from the MTI to the MAC field (an independent check)', async (t) => {
  const s = await start(t);
  const term = await TestTerminal.open(s.port('required'));
  t.teardown(() => term.close());
  const d = dialect('iso93ascii');
  const request: IsoMessage = { ...purchase93({ 41: 'MACT0001' }), 11: term.nextStan(), 64: Buffer.alloc(8) };
  const packed = d.pack(request);
  // field 64 is written as 16 hexadecimal characters in iso93ascii: the MAC is over all before them
  request[64] = retailMac(hex(MAC_KEY), packed.subarray(0, packed.length - 16));
  const answered = term.expect(String(request[11]));
  term.socket.write(encodeFrame(term.framing, d.pack(request)));
  const answer = await answered;
  t.equal(answer[39], '000');
  const body = d.pack(answer);
  t.same(answer[64], retailMac(hex(MAC_KEY), body.subarray(0, body.length - 16)), "the answer's MAC");
});

t.test('a wrong MAC is refused 916 (63), not processed; the answer is MACed', async (t) => {
  const s = await start(t);
  const term = await TestTerminal.open(s.port('required'));
  t.teardown(() => term.close());
  const answer = await term.send(purchase93({ 41: 'MACT0001', 64: Buffer.from('0011223344556677', 'hex') }));
  t.equal(answer[39], '916');
  t.ok(Buffer.isBuffer(answer[64]), 'MACed for the terminal that MACs');
  t.equal(answer[38], undefined, 'no approval code');
  t.equal((await s.sw.register.state(s.sw.register.idOf(TEST_CARD.pan)))!.unbooked, 0, 'nothing reserved');

  const wrongKey = await terminal(t, s, 'iso87', { terminalId: 'MACT0001', macKey: hex(AES_KEY) });
  const o = await wrongKey.purchase(purchase);
  t.equal(o.approved, false);
  t.ok(o.exchanges[0]!.macRejected, 'the emulator does not believe an answer MACed under another key');
  t.equal(o.exchanges[0]!.macRejected?.[39], '63', '1987: security violation');
});

t.test('a missing MAC: refused where required, processed where optional; no key: refused', async (t) => {
  const s = await start(t);
  const required = await terminal(t, s, 'required', { terminalId: 'MACT0001' });
  const r = await required.purchase(purchase);
  t.equal(r.actionCode, '916', 'required: MAC incorrect');
  t.equal(r.exchanges[0]!.response?.[64] instanceof Buffer, true, 'the answer is MACed (the terminal has a key)');

  t.equal((await required.echo()).actionCode, '916', 'an echo test without a MAC too');
  const macing = await terminal(t, s, 'required', { terminalId: 'MACT0001', macKey: hex(MAC_KEY) });
  t.equal((await macing.echo()).actionCode, '800', 'a MACed echo test: accepted, its answer believed');

  const optional = await terminal(t, s, 'optional', { terminalId: 'MACT0001' });
  const o = await optional.purchase(purchase);
  t.equal(o.approved, true, 'optional: approved');
  t.equal(o.exchanges[0]!.response?.[64], undefined, 'and the answer carries no MAC');

  const noKey = await terminal(t, s, 'optional', { terminalId: 'TERM0001', macKey: hex(MAC_KEY) });
  const n = await noKey.purchase(purchase);
  t.equal(n.exchanges[0]!.macRejected?.[39], '916', 'a MAC from a terminal without a key: refused');
  t.equal(n.exchanges[0]!.macRejected?.[64], undefined, 'unMACed (the switch has no key for it), so not believed');

  const plain = await terminal(t, s, 'plain', { terminalId: 'MACT0001', dialect: 'iso93binary' });
  t.equal((await plain.purchase(purchase)).approved, true, 'a listener with mac off checks nothing');
  t.ok(
    s.logs.some((l) => JSON.stringify(l).includes('field 64 (MAC) missing')),
    'the log says which field was wrong',
  );
  t.notMatch(JSON.stringify(s.logs), new RegExp(MAC_KEY, 'i'), 'no key in the logs');
});

const tdes = (ksn: string) => ({ algorithm: 'tdes' as const, bdk: hex(TDES_BDK), ksn: hex(ksn) });

t.test('DUKPT triple DES: approved, the PIN checked, a used KSN refused 919', async (t) => {
  const s = await start(t);
  const term = await terminal(t, s, 'optional', { terminalId: 'DUKT0001', dukpt: tdes(TDES_KSN) });
  const a = await term.purchase(purchase);
  t.equal(a.approved, true, 'counter 1: approved');
  t.same(a.exchanges[0]!.request[53], hex(TDES_KSN), 'the KSN in field 53');
  t.same(term.security.nextKsn, hex('FFFF9876543210E00002'), 'the counter advanced');
  t.equal((await term.purchase(purchase)).approved, true, 'counter 2: approved');
  t.equal((await term.purchase({ ...purchase, pin: '4321' })).actionCode, '117', 'counter 3, wrong PIN: wrong PIN');
  t.equal(await s.sw.modules.ksnCounters.last({ vendor: 'vendor-tdes', device: 'FFFF9876543210E00000' }), 3);

  const stale = await terminal(t, s, 'optional', { terminalId: 'DUKT0001', dukpt: tdes('FFFF9876543210E00002') });
  const tries = async () => (await s.sw.register.state(s.sw.register.idOf(TEST_CARD.pan)))!.pinTries;
  t.equal(await tries(), 1, 'the wrong PIN counted');
  t.equal((await stale.purchase(purchase)).actionCode, '919', 'counter 2, used by another transaction: refused');
  t.equal((await stale.purchase(purchase)).actionCode, '919', 'counter 3, used by another transaction: refused');
  t.equal(await tries(), 1, 'the refusals cost no PIN try');
  t.equal((await stale.purchase(purchase)).approved, true, 'counter 4, above the last: approved');
});

t.test(
  'DUKPT: a retransmission brings its KSN again and gets the first answer; no KSN is a format error',
  async (t) => {
    const s = await start(t);
    const term = await TestTerminal.open(s.port('plain'), 'iso93binary');
    t.teardown(() => term.close());
    const ksn = hex('FFFF9876543210E00007');
    const block = encryptPinBlockFormat0('1234', TEST_CARD.pan, tdesPinKey(hex(TDES_BDK), ksn));
    const request = purchase93({ 11: term.nextStan(), 41: 'DUKT0001', 52: block, 53: ksn });
    const first = await term.send(request);
    t.equal(first[39], '000');
    const again = await term.send({ ...request, 0: '1201' });
    t.equal(again[39], '000', 'the repeat is answered as the first time');
    t.equal(again[38], first[38], 'with the same approval code');
    const other = await term.send({ ...request, 11: term.nextStan() });
    t.equal(other[39], '919', 'another transaction with that KSN is refused');
    const none = await term.send(purchase93({ 41: 'DUKT0001', 52: block }));
    t.equal(none[39], '904', 'a DUKPT PIN block without its KSN');
    const short = await term.send(purchase93({ 41: 'DUKT0001', 52: block, 53: hex('FFFF9876543210E000') }));
    t.equal(short[39], '904', 'a KSN of 9 bytes');
    const aesKsn = await term.send(purchase93({ 41: 'DUKT0001', 52: block, 53: hex(AES_KSN) }));
    t.equal(aesKsn[39], '904', 'an AES KSN for a triple-DES vendor');
  },
);

t.test("DUKPT: the counters are the device's, whatever field 41 says; a window of 32 below the highest", async (t) => {
  const s = await start(t);
  const term = await TestTerminal.open(s.port('plain'), 'iso93binary');
  t.teardown(() => term.close());
  const send = (counter: number, terminalId = 'DUKT0001') => {
    const ksn = hex(`FFFF9876543210E${counter.toString(16).padStart(5, '0')}`);
    const block = encryptPinBlockFormat0('1234', TEST_CARD.pan, tdesPinKey(hex(TDES_BDK), ksn));
    return term.send(purchase93({ 11: term.nextStan(), 41: terminalId, 52: block, 53: ksn }));
  };
  const tries = async () => (await s.sw.register.state(s.sw.register.idOf(TEST_CARD.pan)))!.pinTries;
  t.equal((await send(6))[39], '000', 'counter 6 at DUKT0001: approved');
  const replay = await send(6, 'DUKT0002');
  t.equal(replay[39], '919', "its PIN block and KSN replayed under DUKT0002, the same vendor's: refused");
  t.equal((await send(5))[39], '000', 'counter 5 after 6 (answered out of order): approved');
  t.equal((await send(5, 'DUKT0002'))[39], '919', 'but once, at any terminal id');
  t.equal((await send(40))[39], '000', 'counter 40');
  t.equal((await send(8))[39], '000', '8, 32 below the highest: approved');
  t.equal((await send(7))[39], '919', '7, 33 below: refused');
  t.equal(await tries(), 0, 'the refusals cost no PIN try');
  t.ok(
    s.logs.some((l) => JSON.stringify(l).includes('counter 7 too far below the highest used')),
    'the log says why',
  );
});

t.test('DUKPT on the 1987 dialect: the KSN in field 48 sub-element 05', async (t) => {
  const s = await start(t);
  const term = await terminal(t, s, 'iso87', { terminalId: 'DUK87001', macKey: hex(MAC_KEY), dukpt: tdes(TDES_KSN) });
  const approved = await term.purchase(purchase);
  t.equal(approved.approved, true, 'MACed, DUKPT: approved');
  t.match(String(approved.exchanges[0]!.request[48]), /^05020FFFF9876543210E00001$/, 'the KSN as sub-element 05');
  t.equal((await term.purchase(purchase)).approved, true, 'the next counter: approved');
  const tdesTerm = await Terminal.open({
    kind: 'chip',
    terminalId: 'DUKT0001',
    port: s.port('iso87'),
    dialect: 'iso87ascii',
    answerTimeoutMs: 1500,
    dukpt: tdes(TDES_KSN),
  });
  t.teardown(() => tdesTerm.close());
  const o = await tdesTerm.purchase(purchase);
  t.equal(o.actionCode, '63', 'the iso87 listener requires MACs: DUKT0001 has no MAC key');
});

t.test('format 4 PIN blocks in a 16-byte field 52: a fixed AES key, and AES DUKPT with MACs', async (t) => {
  const s = await start(t);
  const fixed = await terminal(t, s, 'optional', { terminalId: 'AES40001', pinKey: { format: 4, key: hex(AES_KEY) } });
  const f = await fixed.purchase(purchase);
  t.equal(f.approved, true, 'a fixed-key format 4 block: approved');
  t.equal((f.exchanges[0]!.request[52] as Buffer).length, 16);
  t.equal((await fixed.purchase({ ...purchase, pin: '9999' })).actionCode, '117', 'a wrong PIN in it: wrong PIN');

  const aes = await terminal(t, s, 'optional', {
    terminalId: 'DUKA0001',
    macKey: hex(MAC_KEY),
    dukpt: { algorithm: 'aes128', bdk: hex(AES_BDK), ksn: hex(AES_KSN) },
  });
  const a = await aes.purchase(purchase);
  t.equal(a.approved, true, 'AES DUKPT, format 4, MACed: approved');
  t.same(a.exchanges[0]!.request[53], hex(AES_KSN));
  t.ok(Buffer.isBuffer(a.exchanges[0]!.response?.[64]), 'and the answer is MACed');

  const term = await TestTerminal.open(s.port('required'));
  t.teardown(() => term.close());
  const eight = await term.send(purchase93({ 41: 'AES40001', 52: Buffer.alloc(8), 64: Buffer.alloc(8) }));
  t.equal(eight[39], '916', 'the required listener checks the MAC first');
  t.throws(
    () => dialect('iso93ascii').pack({ ...purchase93(), 11: '000001', 52: Buffer.alloc(16) }),
    /52/,
    'a 16-byte block does not fit an 8-byte field 52',
  );
});

t.test('dropMac: the answer leaves without its MAC; the terminal does not believe it', async (t) => {
  const s = await start(t);
  const term = await terminal(t, s, 'required', { terminalId: 'MACT0001', macKey: hex(MAC_KEY) });
  await s.sw.faults.create({ terminal: 'MACT0001', kind: 'dropMac', times: 1 });
  const o = await term.purchase(purchase);
  const e = o.exchanges[0]!;
  t.ok(e.macRejected, 'the answer came without a MAC');
  t.equal(e.macRejected?.[64], undefined);
  t.equal(e.macRejected?.[39], '000', 'the request was processed as usual');
  t.equal(o.approved, false, 'an answer it cannot believe is no approval');
  t.equal(o.reversalStored, true, 'the terminal reverses what the switch may have approved');
  const next = await term.purchase(purchase);
  t.same(
    next.exchanges.map((x) => x.request[0]),
    ['1420', '1100', '1220'],
    'the reversal first, then the purchase',
  );
  t.equal(next.approved, true, 'one-shot: the next answers are MACed again');
  const trace = s.sw.trace.render('MACT0001', (l) => s.sw.dialectOf(l));
  t.match(trace[0], { fault: { kind: 'dropMac', actionCode: '000' } }, 'the trace notes the fault');
});

t.test('dropMac in the conformance view: the terminal reversed what it could not believe', async (t) => {
  const s = await start(t);
  const term = await terminal(t, s, 'required', { terminalId: 'MACT0001', macKey: hex(MAC_KEY) });
  await s.sw.faults.create({ terminal: 'MACT0001', kind: 'dropMac', times: 1 });
  await term.purchase(purchase);
  await term.purchase(purchase);
  const view = conformance({
    terminal: 'MACT0001',
    ...s.sw.trace.window('MACT0001'),
    dialectOf: (l) => s.sw.dialectOf(l),
    timeoutMs: 30_000,
    oldTerminal: false,
  });
  t.match(
    view.checks.find((c) => c.check === 'lostApprovalReversed'),
    { status: 'pass' },
  );
  t.match(view.checks.find((c) => c.check === 'lostApprovalReversed')?.detail, /sent without its MAC/);
});
