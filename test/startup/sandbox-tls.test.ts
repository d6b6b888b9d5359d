/**
 * The sandbox's test PKI (src/startup/sandbox-tls.ts) in a directory of the test's own: made on
 * the first start, reused on the second, made anew when a file is missing; keys mode 0600; the
 * certificates checked by node's own X509Certificate (signature, names, dates, usage) and by a
 * real TLS handshake between the server and terminal certificates. The banner says where they are.
 */
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type TLSSocket, connect, createServer } from 'node:tls';
import { ManualClock } from '../../src/time/clock.js';
import { SANDBOX_TLS_TERMINAL, ensureSandboxTls, sandboxTlsFiles } from '../../src/startup/sandbox-tls.js';
import { SANDBOX_TLS_DIR } from '../../src/config/sandbox.js';
import { sandboxBanner } from '../../src/startup/sandbox.js';
import { loadStartupConfig } from '../../src/config/load.js';

const NOW = new Date('2026-12-06T06:00:00Z');
const DAY_MS = 86_400_000;

t.test('first start makes the CA and certificates; the second reuses them', async (t) => {
  const dir = join(t.testdir(), 'tls');
  const clock = new ManualClock(NOW);
  const first = await ensureSandboxTls(clock, dir);
  t.equal(first.created, true, 'made on the first start');
  t.same(first.files, sandboxTlsFiles(dir));
  for (const key of [first.files.caKey, first.files.serverKey, first.files.terminalKey])
    t.equal((await stat(key)).mode & 0o777, 0o600, `${key} is mode 0600`);
  for (const cert of [first.files.ca, first.files.server, first.files.terminal])
    t.equal((await stat(cert)).mode & 0o777, 0o644, `${cert} is readable by all: a certificate is public`);
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'the directory is 0700');

  const ca = new X509Certificate(await readFile(first.files.ca));
  const server = new X509Certificate(await readFile(first.files.server));
  const terminal = new X509Certificate(await readFile(first.files.terminal));
  t.ok(ca.ca, 'the CA is a CA');
  t.ok(ca.verify(ca.publicKey), 'self-signed');
  t.ok(server.verify(ca.publicKey) && server.checkIssued(ca), 'the server certificate is signed by the CA');
  t.ok(terminal.verify(ca.publicKey) && terminal.checkIssued(ca), 'the terminal certificate too');
  t.notOk(server.ca || terminal.ca, 'neither is a CA');
  t.equal(server.checkHost('localhost'), 'localhost');
  t.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(server.checkIP('::1'), '::1');
  t.equal(terminal.subject, `CN=${SANDBOX_TLS_TERMINAL}`);
  t.same(server.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
  t.same(terminal.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'clientAuth');
  t.equal(new Date(server.validFrom).getTime(), NOW.getTime() - 3_600_000, 'valid from an hour before the clock');
  t.equal(new Date(server.validTo).getTime(), NOW.getTime() + 825 * DAY_MS, 'for 825 days');
  t.equal(new Date(ca.validTo).getTime(), NOW.getTime() + 3650 * DAY_MS, 'the CA for ten years');

  const before = await readFile(first.files.ca, 'utf8');
  clock.advance(DAY_MS);
  const second = await ensureSandboxTls(clock, dir);
  t.equal(second.created, false, 'reused on the second start');
  t.equal(await readFile(second.files.ca, 'utf8'), before, 'the same CA');

  await unlink(first.files.terminalKey);
  const third = await ensureSandboxTls(clock, dir);
  t.equal(third.created, true, 'a file missing: made anew');
  t.not(await readFile(third.files.ca, 'utf8'), before, 'with a new CA, which signs the new certificates');
  const newCa = new X509Certificate(await readFile(third.files.ca));
  t.ok(new X509Certificate(await readFile(third.files.server)).verify(newCa.publicKey));
});

t.test("the sandbox's certificates make a TLS connection with the terminal's certificate", async (t) => {
  const { files } = await ensureSandboxTls(new ManualClock(new Date()), join(t.testdir(), 'tls'));
  const read = (f: string) => readFile(f);
  const server = createServer({
    cert: await read(files.server),
    key: await read(files.serverKey),
    ca: await read(files.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const names: unknown[] = [];
  server.on('secureConnection', (s: TLSSocket) => {
    names.push(s.getPeerCertificate().subject.CN);
    s.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const client = connect({
    host: '127.0.0.1',
    port,
    ca: await read(files.ca),
    cert: await read(files.terminal),
    key: await read(files.terminalKey),
  });
  await once(client, 'secureConnect');
  t.ok(client.authorized, "the client trusts the server's certificate for 127.0.0.1");
  client.resume();
  await once(client, 'close');
  t.same(names, [SANDBOX_TLS_TERMINAL], "the server sees the terminal's CN");
});

t.test('the banner says where the CA and certificates are and how to use them', async (t) => {
  const { config } = loadStartupConfig({ env: {} });
  const banner = sandboxBanner({
    config,
    listenerPorts: [8583, 8587, 8543],
    adminPort: 8080,
    redis: 'redis://127.0.0.1:6379',
    cards: 10,
    tls: sandboxTlsFiles(),
  });
  t.match(banner, '127.0.0.1:8543  iso93ascii, 2-byte binary length header, TLS (client certificates optional)');
  t.match(banner, `CA certificate (trust it in the terminal):  ${join(SANDBOX_TLS_DIR, 'ca.crt')}`);
  t.match(banner, join(SANDBOX_TLS_DIR, 'server.crt'));
  t.match(banner, `${join(SANDBOX_TLS_DIR, 'terminal.crt')}  key ${join(SANDBOX_TLS_DIR, 'terminal.key')}`);
  t.match(banner, '--tls --port 8543 --cert');
  t.match(banner, 'Fraud monitoring: off (SWITCH_MONITORING=on npm start turns it on; docs/MONITORING.md)');
  const watched = sandboxBanner({
    config: { ...config, monitoring: { enabled: true } },
    listenerPorts: [8583, 8587, 8543],
    adminPort: 8080,
    redis: 'redis://127.0.0.1:6379',
    cards: 10,
    tls: sandboxTlsFiles(),
  });
  t.match(watched, 'Fraud monitoring: on\n');
  const plain = sandboxBanner({
    config: { ...config, listeners: config.listeners.slice(0, 2) },
    listenerPorts: [8583, 8587],
    adminPort: 8080,
    redis: 'redis://127.0.0.1:6379',
    cards: 10,
    tls: sandboxTlsFiles(),
  });
  t.notMatch(plain, 'TLS', 'no TLS lines without a TLS listener');
});
