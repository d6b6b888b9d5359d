/**
 * `npm run seed`: puts the documented test cards (docs/TEST-CARDS.md) into the card register of
 * the switch's Redis, each in its documented state, and prints them. Running it again puts every
 * test card back into that state.
 *
 * It reads the switch's own configuration (SWITCH_CONFIG, REDIS_URL; src/config/load.ts): seed
 * with the same key prefix and register secret as the switch, or the switch will not find the
 * cards. Without SWITCH_CONFIG that is the sandbox's (src/config/sandbox.ts), as for `npm start`. Without REDIS_URL or redis.url (or a cluster: REDIS_CLUSTER, redis.cluster) it uses
 * 127.0.0.1:6379; it never starts a private Redis, which would vanish with the cards when this
 * script ends.
 *
 * Options: --keep-notices keeps the issuer notices the seeding causes (blocks, wrong PINs), for
 * a running switch to relay to the issuers' feeds; by default they are discarded.
 */
import { pathToFileURL } from 'node:url';
import { systemClock } from '../src/time/clock.js';
import { ConfigError, loadStartupConfig } from '../src/config/load.js';
import { createCardRegister } from '../src/card/index.js';
import { DEFAULT_PROBE_URL, connectRedis, redactUrl, redisAnswers } from '../src/redis/connect.js';
import { type SeedSummary, seedTestCards } from '../src/seed/seed.js';

export const SEED_USAGE = `Usage: npm run seed [-- --keep-notices]

Puts the documented test cards (docs/TEST-CARDS.md) into the card register, each in its
documented state, and prints them; running it again puts every card back. It uses the switch's
configuration: SWITCH_CONFIG and REDIS_URL, or with neither the sandbox that \`npm start\` runs
(key prefix "sandbox:" on 127.0.0.1:6379). The sandbox seeds itself at start.

Options:
  --keep-notices   keep the issuer notices the seeding causes, for a running switch to relay
  --help           this text
`;

export interface RunSeedOptions {
  env: NodeJS.ProcessEnv;
  /** The command line after the script's name. */
  args: string[];
  /** Where a Redis is looked for when none is configured; default redis://127.0.0.1:6379. */
  probeUrl?: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Seeds and prints; resolves with the exit code: 0 done, 1 no Redis or seeding failed, 2 bad configuration or arguments. */
export async function runSeed(options: RunSeedOptions): Promise<number> {
  const { out, err, args } = options;
  if (args.includes('--help') || args.includes('-h')) {
    out(SEED_USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--keep-notices');
  if (unknown.length > 0) {
    err(`seed: unknown argument ${unknown.join(' ')} (the options are --keep-notices and --help)\n`);
    return 2;
  }
  let config;
  try {
    config = loadStartupConfig({ env: options.env }).config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`seed: ${e.message}\n`);
    return 2;
  }
  const probeUrl = options.probeUrl ?? DEFAULT_PROBE_URL;
  const url = config.redis.url ?? probeUrl;
  if (config.redis.url === undefined && config.redis.cluster === undefined && !(await redisAnswers(probeUrl))) {
    err(
      `seed: no Redis answers on ${redactUrl(probeUrl)} and none is configured. A private Redis would ` +
        'vanish with the test cards when this script ends, so none is started. Start Redis, or point ' +
        "the seed at the switch's Redis with REDIS_URL=redis://host:port (or redis.url in SWITCH_CONFIG).\n",
    );
    return 1;
  }
  let connection;
  try {
    connection = await connectRedis({ url, cluster: config.redis.cluster });
  } catch (e) {
    err(`seed: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const cards = createCardRegister({
      redis: connection.redis,
      prefix: config.redis.keyPrefix,
      config: config.register,
      clock: systemClock,
    });
    const summary = await seedTestCards(cards, { keepNotices: args.includes('--keep-notices') });
    out(
      `Seeded ${summary.cards.length} test cards into ${redactUrl(connection.url)} (key prefix "${config.redis.keyPrefix}"):\n\n`,
    );
    out(formatSummary(summary));
    out('\nPINs and the full catalogue: docs/TEST-CARDS.md\n');
    return 0;
  } catch (e) {
    err(`seed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await connection.stop();
  }
}

/** One line per card: PAN, issuer, state, what the register holds, and the documented answer. No PINs. */
export function formatSummary(summary: SeedSummary): string {
  const money = (ore: number) => (ore / 100).toFixed(2);
  const header = [
    'PAN',
    'issuer',
    'state',
    'in the register',
    'PIN tries',
    'contactless',
    'available DKK',
    'answer with PIN (iso93/iso87)',
  ];
  const rows = summary.cards.map((c) => [
    c.pan,
    c.issuer ?? '-',
    c.state,
    c.status === null
      ? 'not registered'
      : [c.status, c.block ? `blocked ${c.block}` : '', c.pinBlocked ? 'PIN-blocked' : ''].filter(Boolean).join(', '),
    c.status === null ? '-' : String(c.pinTries),
    c.status === null ? '-' : `${c.contactless.count} / ${money(c.contactless.sum)}`,
    c.status === null ? '-' : money(c.available),
    `${c.withPin.iso93} / ${c.withPin.iso87} ${c.withPin.outcome}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd() + '\n';
  const notices = summary.notices.kept
    ? `${summary.notices.written} issuer notices written by the seeding were kept for the switch to relay.\n`
    : `${summary.notices.written} issuer notices written by the seeding were discarded (--keep-notices keeps them).\n`;
  return line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('') + '\n' + notices;
}

// Run as a program (npm run seed), not when imported (tests).
/* c8 ignore start */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSeed({
    env: process.env,
    args: process.argv.slice(2),
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`seed failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
/* c8 ignore stop */
