/**
 * Runs once after every test file (tap's `after`): greps every log line the run's switches wrote
 * (test/support/log-capture.ts) for a clear PAN. A "test PAN" is a Luhn-valid run of 13-19
 * digits starting with an issuer prefix that the tests' own cards use (collected from the test
 * sources, scenarios and the shipped test-card catalogue, so a card added later is covered).
 * Masked PANs (first 6, last 4) never match: their middle is asterisks.
 */
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_STARTED_FILE, TEST_LOG_DIR } from '../support/log-capture.js';
import { findClearPans, testCardPrefixes } from '../support/pan-scan.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// A full run writes about 8,500 lines (2026-11-21); far fewer means the copy broke, not that the logs are clean.
const MIN_LINES_FULL_RUN = 4_000;

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : filesUnder(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

/** True when every test file has a result from this run (tap writes .tap/test-results/<file>.tap), i.e. not a run of a few files. */
function wholeSuiteRan(): boolean {
  const started = statSync(RUN_STARTED_FILE).mtimeMs;
  return filesUnder(join(ROOT, 'test'), /\.test\.ts$/).every((file) => {
    const result = join(ROOT, '.tap/test-results', `${file.slice(ROOT.length)}.tap`);
    try {
      return statSync(result).mtimeMs >= started;
    } catch {
      return false;
    }
  });
}

t.test('no clear PAN in any log line of the run', (t) => {
  const sources = ['test', 'scenarios', 'src/seed', 'bench', 'terminals'].flatMap((d) =>
    filesUnder(join(ROOT, d), /\.(ts|json)$/),
  );
  const prefixes = testCardPrefixes(sources.map((f) => readFileSync(f, 'utf8')));
  t.ok(prefixes.has('5019'), `the test cards' issuer prefixes were found (${[...prefixes].join(', ')})`);
  const logs = filesUnder(TEST_LOG_DIR, /\.ndjson$/);
  let lines = 0;
  const leaks: string[] = [];
  for (const file of logs) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      lines++;
      // The finding names where, never the PAN itself: this output is a log too.
      for (const pan of findClearPans(line, prefixes))
        leaks.push(
          `${file.slice(TEST_LOG_DIR.length)}: ${pan.slice(0, 6)}…${pan.slice(-4)} in ${line.slice(0, 80).replace(/\d{13,19}/g, '<digits>')}`,
        );
    }
  }
  const full = wholeSuiteRan();
  if (full)
    t.ok(
      lines >= MIN_LINES_FULL_RUN,
      `the whole suite ran: ${lines} log lines from ${logs.length} test processes were grepped`,
    );
  t.same(leaks.slice(0, 20), [], `no clear PAN in ${lines} log lines`);
  t.end();
});
