/**
 * `npm run monitoring`: the entry of src/cli/monitoring.ts (options: npm run monitoring -- --help).
 */
import { main } from '../src/cli/monitoring.js';

/* c8 ignore start */
main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`monitoring failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
/* c8 ignore stop */
