/**
 * TLS listeners over real sockets, with certificates made in the test (test/support/tls.ts): a
 * purchase over TLS, the client certificate's terminal id against field 41, handshakes refused
 * (no certificate where required, expired, untrusted, nameless, too old a TLS version, plain bytes,
 * silence) and counted, while the listener keeps serving the others.
 */
import t, { type Test } from 'tap';
import { connect as connectTcp } from 'node:net';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPERATOR_HEADERS, type TestSwitch, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { testPki, tlsSettings, tlsTerminal } from '../support/tls.js';
import type { KeyAndCertificate } from '../../src/crypto/certificates.js';
import { issueCertificate } from '../../src/crypto/certificates.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { Listener } from '../../src/transport/listener.js';
import { ListenError } from '../../src/transport/listen.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../src/config/defaults.js';
import { SwitchMetrics } from '../../src/metrics/metrics.js';
import { createLogger } from '../../src/log/logger.js';
import { Writable } from 'node:stream';

type Mode = 'off' | 'optional' | 'required';

/** A switch with a plain iso93 listener and a TLS one named 'tls' (iso93ascii, binary2). */
async function tlsSwitch(t: Test, mode: Mode, extra: Record<string, unknown> = {}): Promise<TestSwitch> {
  return startSwitch(t, {
    listeners: [
      { name: 'iso93', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', framing: { header: 'binary2' } },
      {
        name: 'tls',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: await tlsSettings(mode),
        ...extra,
      },
    ],
  });
}

async function metrics(s: TestSwitch): Promise<string> {
  return (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
}

/**
 * Connects with `client`'s certificate (or none) and sends a purchase: the answer, or 'closed'
 * when the switch closed the connection (TLS 1.3 finishes the client's handshake before the
 * server has seen its certificate, so the refusal shows as a close) or the handshake failed.
 */
async function tryPurchase(port: number, client?: KeyAndCertificate): Promise<Record<number, unknown> | 'closed'> {
  let x: TestTerminal;
  try {
    x = await tlsTerminal(port, client);
  } catch {
    return 'closed';
  }
  const answer = x.send(purchase93());
  const result = await Promise.race([answer, x.closed.then(() => 'closed' as const)]);
  x.close();
  return result;
}

t.test('a purchase over TLS is approved; the plain listener beside it too', async (t) => {
  const s = await tlsSwitch(t, 'off');
  const x = await tlsTerminal(s.port('tls'));
  t.teardown(() => x.close());
  t.equal((x.socket as TLSSocket).getProtocol(), 'TLSv1.3', 'TLS 1.3 negotiated');
  t.match(await x.send(purchase93()), { 0: '1210', 39: '000' }, 'approved over TLS');
  t.match(await x.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' }, 'an echo on the same connection');
  const plain = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => plain.close());
  t.match(await plain.send(purchase93()), { 39: '000' }, 'approved on plain TCP');
  t.match(await metrics(s), /switch_requests_total\{listener="tls",mti="1200",action_code="000"\} 1/);
  t.ok(
    s.logs.some((l) => l.msg === 'listening' && l.listener === 'tls' && l.tls === 'off'),
    'the listener logs that it speaks TLS',
  );
  t.ok(
    s.logs.some((l) => l.msg === 'listening' && l.listener === 'iso93' && l.tls === false),
    'and the plain one that it does not',
  );
});

t.test('TLS 1.2 is accepted by default, older versions are refused and counted', async (t) => {
  const s = await tlsSwitch(t, 'off');
  const { ca } = await testPki();
  const v12 = connectTls({ host: '127.0.0.1', port: s.port('tls'), ca: ca.certificate, maxVersion: 'TLSv1.2' });
  await once(v12, 'secureConnect');
  t.equal(v12.getProtocol(), 'TLSv1.2');
  v12.destroy();
  const v11 = connectTls({
    host: '127.0.0.1',
    port: s.port('tls'),
    ca: ca.certificate,
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.1',
  });
  const [err] = (await once(v11, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
  t.match(err.code, /^ERR_SSL_/, 'the handshake fails');
  await until(async () => /reason="handshake"\} 1/.test(await metrics(s)));
  t.match(await metrics(s), /switch_tls_handshake_failures_total\{listener="tls",reason="handshake"\} 1/);
});

t.test('minVersion TLSv1.3 refuses TLS 1.2', async (t) => {
  const s = await startSwitch(t, {
    listeners: [
      {
        name: 'tls13',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: { ...(await tlsSettings('off')), minVersion: 'TLSv1.3' },
      },
    ],
  });
  const { ca } = await testPki();
  const v12 = connectTls({ host: '127.0.0.1', port: s.port('tls13'), ca: ca.certificate, maxVersion: 'TLSv1.2' });
  const [err] = (await once(v12, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
  t.match(err.code, /^ERR_SSL_/);
  const v13 = await tlsTerminal(s.port('tls13'));
  t.teardown(() => v13.close());
  t.match(await v13.send(purchase93()), { 39: '000' }, 'TLS 1.3 served');
});

t.test('client certificates required: the certificate names the terminal', async (t) => {
  const s = await tlsSwitch(t, 'required');
  const pki = await testPki();
  const x = await tlsTerminal(s.port('tls'), pki.terminal);
  t.teardown(() => x.close());
  t.match(await x.send(purchase93({ 41: 'TERM0001' })), { 39: '000' }, 'field 41 is the certificate CN: approved');
  const other = await x.send(purchase93({ 41: 'TERM0002' }));
  t.match(other, { 0: '1210', 39: '122', 41: 'TERM0002' }, 'another terminal id: security violation');
  t.equal(other[38], undefined, 'no approval code');
  const refused = s.logs.find((l) => l.outcome === 'terminalNotCertified');
  t.match(refused, { reason: 'field 41 is not the terminal of the client certificate' }, 'logged with its reason');
  t.notOk(s.sw.trace.has('TERM0002'), "the refused request is traced under the certificate's terminal");

  const y = await tlsTerminal(s.port('tls'), pki.other);
  t.teardown(() => y.close());
  t.match(await y.send({ 0: '1804', 7: '1121101530', 24: '831' }), { 39: '800' }, 'an echo without field 41');
  t.ok(s.sw.trace.has('TERM0002'), "traced as the certificate's terminal");
  t.match(await y.send(purchase93({ 41: 'TERM0002' })), { 39: '000' }, 'TERM0002 with its own certificate');
  t.match(await y.send(purchase93({ 41: 'TERM0001' })), { 39: '122' }, 'TERM0002 cannot speak for TERM0001');
  // A message that cannot be unpacked (field 49 cut short), naming TERM0003: the format error is TERM0002's.
  const packed = y.dialect.pack(purchase93({ 11: '000777', 41: 'TERM0003' })).toString('latin1');
  const malformed = Buffer.from(packed.slice(0, -2), 'latin1');
  const answer = y.expect('000777');
  y.socket.write(Buffer.concat([Buffer.from([malformed.length >> 8, malformed.length & 0xff]), malformed]));
  t.match(await answer, { 39: '904' }, 'a format error');
  t.notOk(s.sw.trace.has('TERM0003'), "traced under the certificate's terminal, not field 41's");
  // Unpacked but refused before identifyTerminal (a field the route requires missing): TERM0002's too.
  const { 4: _amount, ...noAmount } = purchase93({ 11: '000778', 41: 'TERM0004' });
  t.match(await y.send(noAmount), { 39: '904' }, 'missing field 4: a format error');
  t.notOk(s.sw.trace.has('TERM0004'), "the format error traced under the certificate's terminal");
});

t.test("a vendor's fault rule for a terminal fires for its certificate, not for a field 41 naming it", async (t) => {
  const s = await tlsSwitch(t, 'required');
  const pki = await testPki();
  const created = await s.sw.faults.create({ terminal: 'TERM0002', kind: 'actionCode', code: '100', times: 'always' });
  t.ok(created.ok);
  const x = await tlsTerminal(s.port('tls'), pki.terminal);
  t.teardown(() => x.close());
  t.match(await x.send(purchase93({ 41: 'TERM0002' })), { 39: '122' }, "TERM0001 naming TERM0002: not TERM0002's rule");
  const y = await tlsTerminal(s.port('tls'), pki.other);
  t.teardown(() => y.close());
  t.match(await y.send(purchase93({ 41: 'TERM0002' })), { 39: '100' }, "TERM0002's own certificate: its rule fires");
});

t.test('the 1987 code set: a mismatching terminal is answered 63', async (t) => {
  const s = await startSwitch(t, {
    listeners: [
      {
        name: 'tls87',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso87ascii',
        framing: { header: 'binary2' },
        tls: await tlsSettings('required'),
      },
    ],
  });
  const pki = await testPki();
  const x = await tlsTerminal(s.port('tls87'), pki.terminal, 'iso87ascii');
  t.teardown(() => x.close());
  t.match(await x.send(purchase87({ 41: 'TERM0001' })), { 0: '0210', 39: '00' });
  t.match(await x.send(purchase87({ 41: 'TERM0009' })), { 0: '0210', 39: '63' });
});

t.test('required: no, expired or untrusted certificates are refused and counted; others are served', async (t) => {
  const s = await tlsSwitch(t, 'required');
  const pki = await testPki();
  const served = await tlsTerminal(s.port('tls'), pki.terminal);
  t.teardown(() => served.close());
  t.equal(await tryPurchase(s.port('tls')), 'closed', 'no certificate: closed');
  t.equal(await tryPurchase(s.port('tls'), pki.expired), 'closed', 'expired: closed');
  t.equal(await tryPurchase(s.port('tls'), pki.stranger), 'closed', 'signed by another CA: closed');
  t.match(await served.send(purchase93()), { 39: '000' }, 'the connection open before is still served');
  t.match(await tryPurchase(s.port('tls'), pki.terminal), { 39: '000' }, 'a new one with a good certificate too');
  const plain = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => plain.close());
  t.match(await plain.send(purchase93()), { 39: '000' }, 'and the plain listener');
  const text = await metrics(s);
  for (const reason of ['no_certificate', 'certificate_expired', 'certificate_untrusted'])
    t.match(text, new RegExp(`switch_tls_handshake_failures_total\\{listener="tls",reason="${reason}"\\} 1`), reason);
  const warned = s.logs.filter((l) => l.msg === 'TLS connection refused');
  t.equal(warned.length, 1, 'one warning for the three: later ones wait for the interval');
  t.match(warned[0], { listener: 'tls', reason: 'no_certificate', failed: 1 });
  t.notOk(JSON.stringify(warned).includes('PRIVATE KEY'), 'no key in the log');
});

t.test('optional: a terminal without a certificate is served as on plain TCP; one with it is bound', async (t) => {
  const s = await tlsSwitch(t, 'optional');
  const pki = await testPki();
  const anonymous = await tlsTerminal(s.port('tls'));
  t.teardown(() => anonymous.close());
  t.match(await anonymous.send(purchase93({ 41: 'TERM0002' })), { 39: '000' }, 'no certificate: any field 41');
  const bound = await tlsTerminal(s.port('tls'), pki.terminal);
  t.teardown(() => bound.close());
  t.match(await bound.send(purchase93({ 41: 'TERM0002' })), { 39: '122' }, 'a certificate binds its terminal');
  t.equal(await tryPurchase(s.port('tls'), pki.stranger), 'closed', 'an untrusted certificate is still refused');
});

t.test('a certificate without a CN names no terminal: refused', async (t) => {
  const s = await tlsSwitch(t, 'optional');
  const pki = await testPki();
  const nameless = await issueCertificate(pki.ca, { commonName: '', usage: 'client', now: new Date(), days: 1 });
  t.equal(await tryPurchase(s.port('tls'), nameless), 'closed');
  await until(async () => /certificate_without_name/.test(await metrics(s)));
  t.match(await metrics(s), /reason="certificate_without_name"\} 1/);
});

t.test('plain ISO 8583 bytes sent to the TLS port: counted, nothing crashes', async (t) => {
  const s = await tlsSwitch(t, 'required');
  const x = new TestTerminal(s.port('tls'), 'iso93ascii', { header: 'binary2', tpdu: false, maxFrameSize: 8192 });
  await once(x.socket, 'connect');
  x.socket.write(x.frame(purchase93({ 11: '000001' })));
  await x.closed;
  t.pass('the switch closed the connection');
  await until(async () => /reason="handshake"\} 1/.test(await metrics(s)));
  const pki = await testPki();
  t.match(await tryPurchase(s.port('tls'), pki.terminal), { 39: '000' }, 'the listener still serves');
});

t.test('a client that never finishes its handshake is closed after the first-frame timeout', async (t) => {
  const s = await tlsSwitch(t, 'off', { connections: { firstFrameTimeoutMs: 200 } });
  const silent = connectTcp(s.port('tls'), '127.0.0.1');
  silent.on('error', () => {});
  await once(silent, 'connect');
  const started = Date.now();
  await once(silent, 'close');
  t.ok(Date.now() - started < 5000, 'closed soon');
  await until(async () => /reason="timeout"\} 1/.test(await metrics(s)));
  t.pass('counted as a timeout');
});

t.test('stopping the switch closes connections still in their handshake', async (t) => {
  const s = await tlsSwitch(t, 'off');
  const silent = connectTcp(s.port('tls'), '127.0.0.1');
  silent.on('error', () => {});
  await once(silent, 'connect');
  const served = await tlsTerminal(s.port('tls'));
  t.match(await served.send(purchase93()), { 39: '000' });
  const started = Date.now();
  const closed = once(silent, 'close');
  await s.sw.stop();
  await closed;
  await served.closed;
  t.ok(Date.now() - started < 5000, 'the stop did not wait for the handshake timeout');
});

t.test('config: client certificates need a CA', async (t) => {
  const bad = () =>
    loadConfig({
      env: {},
      overrides: {
        listeners: [
          {
            name: 'tls',
            port: 0,
            tls: { certificate: 'server.crt', key: 'server.key', clientCertificates: 'required' },
          },
        ],
      },
    });
  t.throws(bad, new ConfigError("/listeners/0/tls/clientCa is required with clientCertificates 'required'"));
  const good = loadConfig({
    env: {},
    overrides: { listeners: [{ name: 'tls', port: 0, tls: { certificate: 'a.crt', key: 'a.key' } }] },
  });
  t.same(good.listeners[0]!.tls, { certificate: 'a.crt', key: 'a.key' }, 'defaults stay where they are read');
});

t.test('a file that cannot be read or used is a ListenError naming it, without its content', async (t) => {
  const pki = await testPki();
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const start = async (tls: Record<string, unknown>) => {
    const listener = new Listener(
      {
        name: 'tls',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
        connections: DEFAULT_CONNECTION_LIMITS,
        tls: tls as never,
      },
      () => Promise.resolve({ kind: 'none' }),
      new SwitchMetrics({ defaultMetrics: false }),
      createLogger('silent', sink),
    );
    try {
      await listener.start();
    } finally {
      await listener.stop(100);
    }
  };
  const missing = join(pki.files.dir, 'missing.key');
  await t.rejects(
    start({ certificate: pki.files.certificate, key: missing }),
    new ListenError(`listener tls: cannot read tls.key ${missing}: no such file`),
  );
  await t.rejects(
    start({ certificate: pki.files.dir, key: pki.files.key }),
    new ListenError(`listener tls: cannot read tls.certificate ${pki.files.dir}: EISDIR`),
  );
  await t.rejects(
    start({ certificate: pki.files.certificate, key: pki.files.key, clientCertificates: 'optional' }),
    new ListenError("listener tls: tls.clientCertificates 'optional' needs tls.clientCa"),
  );
  // Another key than the certificate's.
  const otherKey = join(pki.files.dir, 'other.key');
  await writeFile(otherKey, pki.terminal.key, { mode: 0o600 });
  const mismatch = await start({ certificate: pki.files.certificate, key: otherKey }).catch((e: Error) => e);
  t.type(mismatch, ListenError);
  t.match((mismatch as Error).message, /^listener tls: tls\.certificate or tls\.key not usable: /);
  t.notOk((mismatch as Error).message.includes(pki.terminal.key.split('\n')[1]!), 'no byte of the key');
});

async function until(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
