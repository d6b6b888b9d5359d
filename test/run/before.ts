/** Runs once before the test files (tap's `before`): an empty log copy for test/run/after.ts to grep, and the run's start time. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { RUN_STARTED_FILE, TEST_LOG_DIR } from '../support/log-capture.js';

rmSync(TEST_LOG_DIR, { recursive: true, force: true });
mkdirSync(TEST_LOG_DIR, { recursive: true });
writeFileSync(RUN_STARTED_FILE, new Date().toISOString());
