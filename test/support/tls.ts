/**
 * Test certificates, made once per test process by the module the sandbox uses
 * (src/crypto/certificates.ts) and written to a temporary directory (a listener reads files):
 * a CA, the switch's server certificate (127.0.0.1, localhost), terminal TERM0001's client
 * certificate, one expired, one from a CA the switch does not trust, and one without a CN.
 * Nothing is committed. tlsTerminal() opens a TestTerminal over TLS.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { type KeyAndCertificate, createCertificateAuthority, issueCertificate } from '../../src/crypto/certificates.js';
import { TestTerminal } from './terminal.js';

export interface TestPki {
  ca: KeyAndCertificate;
  server: KeyAndCertificate;
  /** CN TERM0001, signed by ca. */
  terminal: KeyAndCertificate;
  /** CN TERM0001, valid for a day ten days ago. */
  expired: KeyAndCertificate;
  /** CN TERM0001, signed by another CA. */
  stranger: KeyAndCertificate;
  /** CN TERM0002, signed by ca. */
  other: KeyAndCertificate;
  /** Files for a listener's tls settings: the server's certificate and key, the CA. */
  files: { certificate: string; key: string; ca: string; dir: string };
}

const DAY_MS = 86_400_000;
let once: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  once ??= (async () => {
    const now = new Date();
    const ca = await createCertificateAuthority('Switch test CA', { now, days: 30 });
    const server = await issueCertificate(ca, {
      commonName: 'localhost',
      usage: 'server',
      altNames: ['localhost', '127.0.0.1'],
      now,
      days: 30,
    });
    const client = (commonName: string) => issueCertificate(ca, { commonName, usage: 'client', now, days: 30 });
    const foreign = await createCertificateAuthority('Some other CA', { now, days: 30 });
    const dir = await mkdtemp(join(tmpdir(), 'switch-tls-'));
    // The test process's certificates go with it.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const files = { certificate: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt'), dir };
    await writeFile(files.certificate, server.certificate);
    await writeFile(files.key, server.key, { mode: 0o600 });
    await writeFile(files.ca, ca.certificate);
    return {
      ca,
      server,
      terminal: await client('TERM0001'),
      other: await client('TERM0002'),
      expired: await issueCertificate(ca, {
        commonName: 'TERM0001',
        usage: 'client',
        now: new Date(now.getTime() - 10 * DAY_MS),
        days: 1,
      }),
      stranger: await issueCertificate(foreign, { commonName: 'TERM0001', usage: 'client', now, days: 30 }),
      files,
    };
  })();
  return once;
}

/** A listener's tls settings with the test PKI. */
export async function tlsSettings(clientCertificates: 'off' | 'optional' | 'required' = 'off') {
  const { files } = await testPki();
  return {
    certificate: files.certificate,
    key: files.key,
    clientCertificates,
    ...(clientCertificates === 'off' ? {} : { clientCa: files.ca }),
  };
}

/** A TestTerminal over TLS to 127.0.0.1:port, trusting the test CA, with `client`'s certificate if given. */
export async function tlsTerminal(port: number, client?: KeyAndCertificate, dialectName = 'iso93ascii') {
  const { ca } = await testPki();
  const socket = connect({
    host: '127.0.0.1',
    port,
    ca: ca.certificate,
    ...(client === undefined ? {} : { cert: client.certificate, key: client.key }),
  });
  const t = new TestTerminal(port, dialectName, { header: 'binary2', tpdu: false, maxFrameSize: 8192 }, socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return t;
}
