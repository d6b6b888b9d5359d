/**
 * `npm run clearing`: the entry of src/cli/clearing.ts (options: npm run clearing -- --help).
 */
import { main } from '../src/cli/clearing.js';

/* c8 ignore start */
main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`clearing failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
/* c8 ignore stop */
