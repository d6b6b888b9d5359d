/**
 * The terminal emulator over TLS against a real switch with a TLS listener asking for client
 * certificates (test/support/tls.ts makes them): the library (Terminal.open with `tls`) and the
 * CLI's --tls, --ca, --cert and --cert-key, their usage errors and an untrusted switch.
 */
import t, { type Test } from 'tap';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OPERATOR_HEADERS, startSwitch, type TestSwitch } from '../support/switch.js';
import { testPki, tlsSettings } from '../support/tls.js';
import { ConnectError, Terminal, meaningOf } from '../../terminals/index.js';
import { main } from '../../terminals/cli.js';
import { main as scenarioMain } from '../../terminals/scenario/cli.js';
import { ISSUER, TOKENS, VENDOR } from '../scenarios/fixtures/switch.js';
import { TLS_PORT, tlsOf } from '../../terminals/tls-cli.js';
import { createCertificateAuthority } from '../../src/crypto/certificates.js';

async function tlsSwitch(t: Test): Promise<TestSwitch> {
  return startSwitch(t, {
    listeners: [
      {
        name: 'tls',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: await tlsSettings('required'),
      },
    ],
  });
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** The client certificate's files (the CLI reads files). */
async function clientFiles(t: Test): Promise<{ cert: string; key: string; ca: string }> {
  const pki = await testPki();
  const dir = t.testdir();
  const cert = join(dir, 'terminal.crt');
  const key = join(dir, 'terminal.key');
  await writeFile(cert, pki.terminal.certificate);
  await writeFile(key, pki.terminal.key, { mode: 0o600 });
  return { cert, key, ca: pki.files.ca };
}

t.test('Terminal.open over TLS with a client certificate', async (t) => {
  const s = await tlsSwitch(t);
  const pki = await testPki();
  const tls = { ca: pki.ca.certificate, cert: pki.terminal.certificate, key: pki.terminal.key };
  const ok = await Terminal.open({ kind: 'chip', terminalId: 'TERM0001', port: s.port('tls'), tls });
  t.teardown(() => ok.close());
  const o = await ok.purchase({ pan: '5019000000000016', amount: 12_550, pin: '1234' });
  t.equal(o.approved, true, 'a chip purchase over TLS is approved');
  const other = await Terminal.open({ kind: 'chip', terminalId: 'TERM0002', port: s.port('tls'), tls });
  t.teardown(() => other.close());
  const refused = await other.echo();
  t.equal(refused.actionCode, '122', "another terminal id than the certificate's: security violation");
  t.match(meaningOf('122', other.dialect, '1814'), /^security violation/);
});

t.test('Terminal.open: a switch whose certificate the terminal does not trust is a ConnectError', async (t) => {
  const s = await tlsSwitch(t);
  const stranger = await createCertificateAuthority('not the switch CA', { now: new Date(), days: 1 });
  await t.rejects(
    Terminal.open({ kind: 'chip', terminalId: 'TERM0001', port: s.port('tls'), tls: { ca: stranger.certificate } }),
    ConnectError,
  );
});

t.test('the CLI over TLS: --tls --ca --cert --cert-key', async (t) => {
  const s = await tlsSwitch(t);
  const f = await clientFiles(t);
  const port = ['--port', String(s.port('tls'))];
  const approved = await run([
    'echo',
    '--type',
    'chip',
    '--tls',
    '--ca',
    f.ca,
    '--cert',
    f.cert,
    '--cert-key',
    f.key,
    ...port,
  ]);
  t.equal(approved.code, 0, approved.err);
  t.match(approved.out, `echo on a chip terminal TERM0001 at 127.0.0.1:${s.port('tls')} over TLS`);
  const implied = await run(['echo', '--type', 'chip', '--ca', f.ca, '--cert', f.cert, '--cert-key', f.key, ...port]);
  t.equal(implied.code, 0, '--ca and --cert imply --tls');
  const other = await run([
    'echo',
    '--type',
    'chip',
    '--terminal',
    'TERM0002',
    '--ca',
    f.ca,
    '--cert',
    f.cert,
    '--cert-key',
    f.key,
    ...port,
  ]);
  t.equal(other.code, 1, 'declined');
  t.match(other.out, 'DECLINED 122 security violation');
  const untrusted = await run(['echo', '--type', 'chip', '--tls', '--ca', f.cert, ...port]);
  t.equal(untrusted.code, 3, "a CA that did not sign the switch's certificate: cannot connect");
  t.match(untrusted.err, `cannot connect to 127.0.0.1:${s.port('tls')} over TLS`);
});

t.test('the CLI: TLS usage errors', async (t) => {
  const f = await clientFiles(t);
  const dir = dirname(f.cert);
  const missing = join(dir, 'nothing.pem');
  const cases: [string[], string][] = [
    [['--tls', '--cert', f.cert], '--cert and --cert-key go together'],
    [['--tls', '--cert-key', f.key], '--cert and --cert-key go together'],
    [['--ca', missing], `--ca: cannot read ${missing}: no such file`],
    [['--cert', missing, '--cert-key', f.key], `--cert: cannot read ${missing}: no such file`],
    [['--cert', f.cert, '--cert-key', dir], `--cert-key: cannot read ${dir} (EISDIR)`],
  ];
  for (const [args, message] of cases) {
    const r = await run(['echo', '--type', 'chip', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, `terminal: ${message}`);
  }
});

t.test("--tls alone: port 8543 and the sandbox's CA when it is there, else the system's", async (t) => {
  const f = await clientFiles(t);
  t.equal(tlsOf({}), undefined, 'no TLS option: plain TCP');
  t.same(tlsOf({ tls: true }, join(dirname(f.cert), 'absent.crt')), {}, "no sandbox CA: the system's CAs");
  const withCa = tlsOf({ tls: true }, f.ca);
  t.ok(Buffer.isBuffer(withCa?.ca) && withCa.ca.toString().startsWith('-----BEGIN CERTIFICATE-----'), 'the sandbox CA');
  t.equal(TLS_PORT, 8543);
  const r = await run(['echo', '--type', 'chip', '--tls', '--ca', f.ca, '--host', '127.0.0.1', '--timeout', '500']);
  t.match(r.out + r.err, '127.0.0.1:8543', 'the default port with --tls');
});

t.test('the scenario runner over TLS, its retransmissions on connections of their own too', async (t) => {
  const s = await startSwitch(t, {
    admin: { host: '127.0.0.1', port: 0, tokens: TOKENS },
    terminals: { keyFile: 'config/terminal-keys.example.json' },
    issuers: { 'bank-a': { blockService: true, name: 'Bank A' } },
    listeners: [
      {
        name: 'tls',
        host: '127.0.0.1',
        port: 0,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: await tlsSettings('optional'),
      },
    ],
  });
  const { files } = await testPki();
  const args = ['--tls', '--ca', files.ca, '--port', String(s.port('tls')), '--admin', s.adminUrl];
  const tokens = ['--issuer-token', ISSUER, '--vendor-token', VENDOR];
  let out = '';
  let err = '';
  const io = { out: (x: string) => (out += x), err: (x: string) => (err += x), env: {} };
  const code = await scenarioMain(['scenarios/retransmission.json', ...args, ...tokens], io);
  t.equal(code, 0, err + out.slice(-2000));
  t.match(out, '1 scenario: 1 passed, 0 failed');
  t.match(await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS }).then((r) => r.text()), /listener="tls"/);
  const bad = await scenarioMain(['scenarios/retransmission.json', '--ca', join(files.dir, 'absent.crt')], io);
  t.equal(bad, 2, 'an unreadable --ca is a usage error');
  t.match(err, `--ca: cannot read ${join(files.dir, 'absent.crt')}: no such file`);
});
