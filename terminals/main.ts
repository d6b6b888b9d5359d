/**
 * `npm run terminal`: the entry of terminals/cli.ts (usage: npm run terminal -- --help).
 */
import { main } from './cli.js';

/* c8 ignore start */
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`terminal failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
/* c8 ignore stop */
