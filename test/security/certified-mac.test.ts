/**
 * The MAC key of a terminal that a TLS client certificate names (docs/SECURITY.md §3): its
 * requests are checked, and its answers MACed, under the certificate's terminal's key, whatever
 * field 41 says, and also when field 41 is absent (network management), never under the key
 * file's default. A real switch, a real TLS listener with client certificates, real Redis.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { purchase93, type TestTerminal } from '../support/terminal.js';
import { testPki, tlsSettings, tlsTerminal } from '../support/tls.js';
import { retailMac } from '../../src/crypto/retail-mac.js';
import type { IsoMessage } from '../../src/codec/index.js';

const PIN_KEY = '0123456789ABCDEFFEDCBA9876543210';
// ISO 9797-1 B.4's MAC key for TERM0001; any other for the file's default.
const MAC_KEY = '0123456789ABCDEFFEDCBA9876543210';
const DEFAULT_MAC_KEY = '00112233445566778899AABBCCDDEEFF';
const hex = (s: string) => Buffer.from(s, 'hex');

async function start(t: Test): Promise<TestSwitch> {
  const dir = t.testdir({
    'keys.json': JSON.stringify({
      default: { format: 0, key: PIN_KEY, macKey: DEFAULT_MAC_KEY },
      terminals: { TERM0001: { format: 0, key: PIN_KEY, macKey: MAC_KEY } },
    }),
  });
  return startSwitch(t, {
    terminals: { keyFile: join(dir, 'keys.json') },
    listeners: [
      {
        name: 'tls',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: await tlsSettings('required'),
        mac: 'required',
      },
    ],
  });
}

/** `message` with its field 64 under `key`: the MAC over the packed bytes before it (16 hex characters in iso93ascii). */
function maced(term: TestTerminal, message: IsoMessage, key: string): IsoMessage {
  const m: IsoMessage = { ...message, 11: term.nextStan(), 64: Buffer.alloc(8) };
  const packed = term.dialect.pack(m);
  m[64] = retailMac(hex(key), packed.subarray(0, packed.length - 16));
  return m;
}

/** Whether an answer's field 64 is right under `key`. */
function answerMacedUnder(term: TestTerminal, answer: IsoMessage, key: string): boolean {
  const body = term.dialect.pack(answer);
  return Buffer.isBuffer(answer[64]) && retailMac(hex(key), body.subarray(0, body.length - 16)).equals(answer[64]);
}

const echo: IsoMessage = { 0: '1804', 7: '1121101530', 24: '831' };

t.test("a certified terminal's echo without field 41: checked and answered under its own MAC key", async (t) => {
  const s = await start(t);
  const term = await tlsTerminal(s.port('tls'), (await testPki()).terminal);
  t.teardown(() => term.close());
  const own = await term.send(maced(term, echo, MAC_KEY));
  t.equal(own[39], '800', "MACed under TERM0001's key: accepted");
  t.ok(answerMacedUnder(term, own, MAC_KEY), "the answer MACed under TERM0001's key");
  const fallback = await term.send(maced(term, echo, DEFAULT_MAC_KEY));
  t.equal(fallback[39], '916', "MACed under the file's default key: refused");
  t.ok(answerMacedUnder(term, fallback, MAC_KEY), "and the refusal MACed under TERM0001's key");
});

t.test("field 41 naming another terminal does not choose the key: the certificate's does", async (t) => {
  const s = await start(t);
  const term = await tlsTerminal(s.port('tls'), (await testPki()).terminal);
  t.teardown(() => term.close());
  // TERM0002 is not in the key file: its key would be the default's.
  const underDefault = await term.send(maced(term, purchase93({ 41: 'TERM0002' }), DEFAULT_MAC_KEY));
  t.equal(underDefault[39], '916', "MACed under field 41's terminal's key: refused as a wrong MAC");
  t.notOk(s.sw.trace.has('TERM0002'), "traced under the certificate's terminal");
  const underOwn = await term.send(maced(term, purchase93({ 41: 'TERM0002' }), MAC_KEY));
  t.equal(underOwn[39], '122', "MACed under the certificate's terminal's key: then refused as speaking for another");
  t.ok(answerMacedUnder(term, underOwn, MAC_KEY), "answered under the certificate's terminal's key");
  const purchase = await term.send(maced(term, purchase93({ 41: 'TERM0001' }), MAC_KEY));
  t.equal(purchase[39], '000', 'its own purchase: approved');
  t.ok(
    s.logs.some((l) => l.outcome === 'macIncorrect' && l.terminal === 'TERM0001'),
    "the wrong MAC logged as the certificate's terminal's",
  );
});
