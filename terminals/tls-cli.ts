/**
 * The CLI's TLS options (terminals/cli.ts): `--tls` speaks TLS to the listener (default port 8543,
 * the sandbox's TLS listener), trusting `--ca` (default the sandbox's test CA, data/sandbox/tls/ca.crt,
 * when it is there; else the system's CAs); `--cert` and `--cert-key` give the terminal's client
 * certificate and its key. `--ca`, `--cert` or `--cert-key` alone imply `--tls`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_TLS_DIR, SANDBOX_TLS_FILES, SANDBOX_TLS_PORT } from '../src/config/sandbox.js';
import type { LinkTls } from './link.js';
import { UsageError, type Values } from './cli.js';

export const TLS_OPTIONS = ['tls', 'ca', 'cert', 'cert-key'] as const;

/** The sandbox's TLS port: the default port with --tls. */
export const TLS_PORT = SANDBOX_TLS_PORT;

/** What --tls, --ca, --cert and --cert-key ask for; undefined: plain TCP. Throws UsageError. */
export function tlsOf(values: Values, sandboxCa = join(SANDBOX_TLS_DIR, SANDBOX_TLS_FILES.ca)): LinkTls | undefined {
  if (values.tls !== true && values.ca === undefined && values.cert === undefined && values['cert-key'] === undefined)
    return undefined;
  if ((values.cert === undefined) !== (values['cert-key'] === undefined))
    throw new UsageError('--cert and --cert-key go together (the client certificate and its key)');
  const tls: LinkTls = {};
  const ca = values.ca ?? sandboxCa;
  if (values.ca !== undefined || exists(ca)) tls.ca = read(ca, 'ca');
  if (values.cert !== undefined) {
    tls.cert = read(values.cert, 'cert');
    tls.key = read(values['cert-key']!, 'cert-key');
  }
  return tls;
}

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

function read(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--${option}: cannot read ${path}${code === 'ENOENT' ? ': no such file' : ` (${code})`}`);
  }
}
