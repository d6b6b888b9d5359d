/**
 * The sandbox's test PKI (docs/SECURITY.md §6): a local test CA, the switch's server certificate
 * (localhost, 127.0.0.1, ::1) and one test terminal's client certificate (CN TERM0001), made on the
 * sandbox's first start in SANDBOX_TLS_DIR and reused by every later start, so that a terminal
 * trusting the CA once keeps working. Anyone can read these keys: they are for the sandbox only.
 *
 * Keys are written mode 0600 (src/files/atomic-file.ts), certificates 0644 (public), the
 * directory 0700. The set is made anew only when a file of it is missing (a new CA would not have
 * signed the others): delete the directory to start over.
 */
import { access, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../crypto/certificates.js';
import { writeFileAtomic } from '../files/atomic-file.js';
import type { Clock } from '../time/clock.js';
import { SANDBOX_TLS_DIR, SANDBOX_TLS_FILES } from '../config/sandbox.js';

/** The test terminal's id: its client certificate's subject CN (the emulator's default terminal). */
export const SANDBOX_TLS_TERMINAL = 'TERM0001';

export type SandboxTlsFiles = Record<keyof typeof SANDBOX_TLS_FILES, string>;

/** The names the server certificate is for: how a terminal on this machine reaches the sandbox. */
const SERVER_NAMES = ['localhost', '127.0.0.1', '::1'];
const CA_DAYS = 3650;
const CERTIFICATE_DAYS = 825;

/** The paths of the set's files in `dir`. */
export function sandboxTlsFiles(dir: string = SANDBOX_TLS_DIR): SandboxTlsFiles {
  const entries = Object.entries(SANDBOX_TLS_FILES).map(([k, name]) => [k, join(dir, name)]);
  return Object.fromEntries(entries) as SandboxTlsFiles;
}

/** Makes the set in `dir` unless it is all there; `created` says which. */
export async function ensureSandboxTls(
  clock: Clock,
  dir: string = SANDBOX_TLS_DIR,
): Promise<{ files: SandboxTlsFiles; created: boolean }> {
  const files = sandboxTlsFiles(dir);
  const present = await Promise.all(
    Object.values(files).map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean)) return { files, created: false };
  const now = clock.now();
  const ca = await createCertificateAuthority('Dankort switch sandbox test CA', { now, days: CA_DAYS });
  const server = await issueCertificate(ca, {
    commonName: 'localhost',
    usage: 'server',
    altNames: SERVER_NAMES,
    now,
    days: CERTIFICATE_DAYS,
  });
  const terminal = await issueCertificate(ca, {
    commonName: SANDBOX_TLS_TERMINAL,
    usage: 'client',
    now,
    days: CERTIFICATE_DAYS,
  });
  const write = async (path: string, pem: string, mode: number): Promise<void> => {
    await writeFileAtomic(path, pem, { directoryMode: 0o700 });
    await chmod(path, mode);
  };
  // Keys first, each certificate after its key: a start interrupted half-way finds a file missing.
  await write(files.caKey, ca.key, 0o600);
  await write(files.serverKey, server.key, 0o600);
  await write(files.terminalKey, terminal.key, 0o600);
  await write(files.server, server.certificate, 0o644);
  await write(files.terminal, terminal.certificate, 0o644);
  await write(files.ca, ca.certificate, 0o644);
  return { files, created: true };
}
