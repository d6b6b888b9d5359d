/**
 * The sandbox's start (src/config/sandbox.ts says what it is): the test-card catalogue put into
 * its key prefix, and the banner that tells a first-time user where everything is and what to try.
 */
import { createCardRegister } from '../card/index.js';
import type { SwitchConfig } from '../config/types.js';
import type { RegisterRedis } from '../redis/client.js';
import { seedTestCards } from '../seed/seed.js';
import type { Clock } from '../time/clock.js';
import type { SandboxTlsFiles } from './sandbox-tls.js';

/**
 * Puts every test card into its documented state (docs/TEST-CARDS.md), as `npm run seed` does:
 * idempotent, so each start of the sandbox begins from the same cards. Returns how many.
 */
export async function seedSandbox(redis: RegisterRedis, config: SwitchConfig, clock: Clock): Promise<number> {
  const cards = createCardRegister({
    redis,
    prefix: config.redis.keyPrefix,
    config: config.register,
    clock,
  });
  return (await seedTestCards(cards, { clock })).cards.length;
}

export interface BannerFacts {
  config: SwitchConfig;
  /** Each ISO 8583 listener's bound port, in config order. */
  listenerPorts: number[];
  adminPort: number;
  /** Where Redis is, password hidden. */
  redis: string;
  cards: number;
  /** The sandbox's test CA and certificates, when a listener speaks TLS with them. */
  tls?: SandboxTlsFiles;
}

const HEADER_NAMES: Record<string, string> = {
  binary2: '2-byte binary length header',
  ascii4: '4 ASCII digit length header',
  bcd2: '2-byte BCD length header',
};

/** Where the test CA and certificates are, and how a terminal uses them (docs/SECURITY.md §5, §6). */
function tlsLines(f: BannerFacts): string[] {
  const at = f.config.listeners.findIndex((l) => l.tls !== undefined);
  if (f.tls === undefined || at === -1) return [];
  const port = f.listenerPorts[at]!;
  const { host } = f.config.listeners[at]!;
  return [
    '',
    `  TLS on ${host}:${port}: test certificates, made on the first start and reused (docs/SECURITY.md §5, §6):`,
    `    CA certificate (trust it in the terminal):  ${f.tls.ca}`,
    `    server certificate (localhost, 127.0.0.1):  ${f.tls.server}`,
    `    test terminal TERM0001 client certificate:  ${f.tls.terminal}  key ${f.tls.terminalKey}`,
    `    npm run terminal -- echo --type chip --tls --port ${port} --cert ${f.tls.terminal} --cert-key ${f.tls.terminalKey}`,
    `    openssl s_client -connect ${host}:${port} -CAfile ${f.tls.ca} -cert ${f.tls.terminal} -key ${f.tls.terminalKey}`,
  ];
}

/** The text printed once when the sandbox is up: ports, tokens, the console, and commands to try. */
export function sandboxBanner(f: BannerFacts): string {
  const { config } = f;
  const admin = `http://${config.admin.host}:${f.adminPort}`;
  const listeners = config.listeners.map(
    (l, i) =>
      `    ${l.host}:${f.listenerPorts[i]}  ${l.dialect}, ${HEADER_NAMES[l.framing.header] ?? l.framing.header}` +
      (l.framing.tpdu ? ', TPDU' : '') +
      (l.tls === undefined ? '' : `, TLS (client certificates ${l.tls.clientCertificates ?? 'off'})`),
  );
  const tokens = Object.entries(config.admin.tokens).map(
    ([token, who]) => `    ${token.padEnd(30)} ${who.role}${'issuer' in who && who.issuer ? ` ${who.issuer}` : ''}`,
  );
  const portArgs = f.listenerPorts[0] === 8583 ? '' : ` --port ${f.listenerPorts[0]}`;
  const adminArg = f.adminPort === 8080 ? '' : ` --admin ${admin}`;
  return [
    '',
    'Dankort switch simulator: SANDBOX (no configuration given; SWITCH_CONFIG or a config file turns it off)',
    '',
    '  ISO 8583 listeners (loopback only):',
    ...listeners,
    `  Admin API: ${admin}  (docs/ADMIN-API.md)`,
    `  Console: ${admin}/  (in a browser; sign in with a token below)`,
    `  Redis: ${f.redis}, key prefix "${config.redis.keyPrefix}": ${f.cards} test cards seeded (docs/TEST-CARDS.md)`,
    ...tlsLines(f),
    '',
    '  Test tokens (Authorization: Bearer <token>), known to anyone who reads this:',
    ...tokens,
    '',
    '  Try next:',
    `    npm run terminal -- purchase --type chip --card 5019000000000008 --amount 125.50 --pin 1234${portArgs}`,
    `    npm run scenario -- scenarios/${portArgs}${adminArg}`,
    `    curl -H 'Authorization: Bearer test-token-vendor' ${admin}/terminals/TERM0001/trace`,
    '',
  ].join('\n');
}
