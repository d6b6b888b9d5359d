/**
 * `npm run scenario`: the entry of terminals/scenario/cli.ts (usage: npm run scenario -- --help).
 */
import { main } from './cli.js';

/* c8 ignore start */
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`scenario failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
/* c8 ignore stop */
