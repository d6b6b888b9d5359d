/**
 * The sandbox: what `npm start` runs when it is given no configuration (no file, no
 * SWITCH_CONFIG), so that a vendor's first start needs nothing written first. Listeners on
 * loopback only (nothing outside this machine reaches test tokens), the documented test tokens for
 * every role, the test issuers with a block service agreement, the example terminal keys, and a
 * key prefix of its own. src/main.ts seeds the test-card catalogue into it and prints the banner
 * (src/startup/sandbox.ts).
 *
 * Any configuration file turns the sandbox off: a production-like config never gets these tokens.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeepPartial } from './load.js';
import type { SwitchConfig } from './types.js';

/** The sandbox's tokens, one per role; documented in config/README.md and docs/ADMIN-API.md. Test tokens: anyone knows them. */
export const SANDBOX_TOKENS = {
  'test-token-bank-a': { role: 'issuer', issuer: 'bank-a' },
  'test-token-bank-b': { role: 'issuer', issuer: 'bank-b' },
  'test-token-block-service': { role: 'blockService' },
  'test-token-vendor': { role: 'vendor' },
  'test-token-operator': { role: 'operator' },
  'test-token-offline-terminals': { role: 'offlineTerminals' },
} as const satisfies SwitchConfig['admin']['tokens'];

/** The tokens the command-line tools use when none is given (they reach the sandbox with no option). */
export const SANDBOX_ISSUER_TOKEN = 'test-token-bank-a';
export const SANDBOX_VENDOR_TOKEN = 'test-token-vendor';
export const SANDBOX_BLOCK_SERVICE_TOKEN = 'test-token-block-service';
export const SANDBOX_OFFLINE_TERMINALS_TOKEN = 'test-token-offline-terminals';

export const SANDBOX_KEY_PREFIX = 'sandbox:';

const LOOPBACK = '127.0.0.1';

/** True when nothing configures the switch: no file given and SWITCH_CONFIG unset or empty. */
export function isUnconfigured(env: NodeJS.ProcessEnv, file?: string): boolean {
  return file === undefined && (env.SWITCH_CONFIG === undefined || env.SWITCH_CONFIG === '');
}

/**
 * Where the sandbox's test CA, server and terminal certificates are (src/startup/sandbox-tls.ts
 * makes them): relative to the working directory, beside the sandbox's clearing files.
 */
export const SANDBOX_TLS_DIR = 'data/sandbox/tls';

export const SANDBOX_TLS_FILES = {
  ca: 'ca.crt',
  caKey: 'ca.key',
  server: 'server.crt',
  serverKey: 'server.key',
  terminal: 'terminal.crt',
  terminalKey: 'terminal.key',
} as const;

/** The sandbox's TLS listener's port (docs/SECURITY.md §5). */
export const SANDBOX_TLS_PORT = 8543;

/**
 * What the sandbox sets over the defaults (the environment still wins: SWITCH_PORT, REDIS_URL…).
 * Two listeners, as in config/switch.example.json: iso93ascii on 8583, iso87ascii on 8587; and
 * iso93ascii over TLS on 8543 with the sandbox's test certificates (src/startup/sandbox-tls.ts,
 * made by src/main.ts before the listeners start), client certificates optional.
 */
export function sandboxSettings(): DeepPartial<SwitchConfig> {
  const keyFile = exampleTerminalKeys();
  return {
    listeners: [
      { name: 'iso93', host: LOOPBACK, port: 8583, dialect: 'iso93ascii', framing: { header: 'binary2' } },
      { name: 'iso87', host: LOOPBACK, port: 8587, dialect: 'iso87ascii', framing: { header: 'ascii4' } },
      {
        name: 'tls',
        host: LOOPBACK,
        port: SANDBOX_TLS_PORT,
        dialect: 'iso93ascii',
        framing: { header: 'binary2' },
        tls: {
          certificate: `${SANDBOX_TLS_DIR}/${SANDBOX_TLS_FILES.server}`,
          key: `${SANDBOX_TLS_DIR}/${SANDBOX_TLS_FILES.serverKey}`,
          clientCertificates: 'optional',
          clientCa: `${SANDBOX_TLS_DIR}/${SANDBOX_TLS_FILES.ca}`,
        },
      },
    ],
    admin: { host: LOOPBACK, tokens: SANDBOX_TOKENS },
    redis: { keyPrefix: SANDBOX_KEY_PREFIX },
    // The test cards' issuers, with a block service agreement (001 §14) and the built-in SMS text.
    issuers: {
      'bank-a': { blockService: true, name: 'Bank A', phone: '+45 70 00 00 01' },
      'bank-b': { blockService: true, name: 'Bank B', phone: '+45 70 00 00 02' },
    },
    clearing: {
      directory: 'data/sandbox/clearing',
      queuePrefix: 'sandbox-bull',
      blockList: { directory: 'data/sandbox/block-list' },
    },
    ...(keyFile === undefined ? {} : { terminals: { keyFile } }),
    // Off: the test cards are used again and again (the scenarios, a vendor's tests), and the shipped
    // rules would block them; SWITCH_MONITORING=on turns it on (docs/MONITORING.md, "In the sandbox").
    monitoring: { enabled: false },
  };
}

/** config/terminal-keys.example.json of this package, found from here (src/ under tsx, dist/src/ when built). */
function exampleTerminalKeys(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const file = join(dir, 'config', 'terminal-keys.example.json');
    if (existsSync(file)) return file;
  }
  return undefined;
}
