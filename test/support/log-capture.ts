/**
 * A copy of every log line the test run's switches write (in-process and child processes), in
 * tmp/test-logs/, so that test/run/after.ts can grep the whole run for clear PANs afterwards.
 * One file per test process, written synchronously: a test process may end at any moment.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_LOG_DIR = fileURLToPath(new URL('../../tmp/test-logs/', import.meta.url));
/** Written by test/run/before.ts: tells after.ts which test files ran in this run. */
export const RUN_STARTED_FILE = join(TEST_LOG_DIR, 'run-started');

let fd: number | undefined;

export function captureLog(text: string): void {
  if (fd === undefined) {
    mkdirSync(TEST_LOG_DIR, { recursive: true });
    fd = openSync(join(TEST_LOG_DIR, `${process.pid}-${randomBytes(4).toString('hex')}.ndjson`), 'a');
    process.once('exit', () => closeSync(fd!));
  }
  writeSync(fd, text.endsWith('\n') ? text : `${text}\n`);
}

/** For a child's stdout or stderr: chunks may end mid-line, so only whole lines are copied (the rest at exit). */
export function lineCapture(): (chunk: Buffer) => void {
  let partial = '';
  process.once('exit', () => partial !== '' && captureLog(partial));
  return (chunk) => {
    const text = partial + chunk.toString('utf8');
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    if (end >= 0) captureLog(text.slice(0, end + 1));
  };
}
