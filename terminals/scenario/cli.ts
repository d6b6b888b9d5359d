/**
 * `npm run scenario -- [options] file…`: runs scenario files (docs/SCENARIOS.md) against a running
 * switch, prints a pass/fail report per step, and writes JUnit XML when asked.
 *
 * Exit codes: 0 every step passed, 1 a step failed (or a scenario could not be set up),
 * 2 usage error or a file that is not a valid scenario (nothing is run then).
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LENGTH_HEADERS, type LengthHeader } from '../../src/transport/framing.js';
import {
  SANDBOX_BLOCK_SERVICE_TOKEN,
  SANDBOX_ISSUER_TOKEN,
  SANDBOX_OFFLINE_TERMINALS_TOKEN,
  SANDBOX_VENDOR_TOKEN,
} from '../../src/config/sandbox.js';
import { type RunOptions, type ScenarioResult, runProblems, runScenario } from './runner.js';
import { TLS_PORT, tlsOf } from '../tls-cli.js';
import { type Scenario, ScenarioError, loadScenario } from './scenario.js';
import { junitXml, summary, textReport } from './report.js';

export const USAGE = `Usage: npm run scenario -- [options] file-or-directory…

Runs scenario files (docs/SCENARIOS.md) against a running switch; a directory means every
*.json file in it. Each run registers fresh cards through the issuer API.

Options:
  --host 127.0.0.1               the switch's ISO 8583 listener
  --port 8583                    its port (default 8587 with --dialect iso87ascii)
  --dialect iso93ascii           its dialect: iso93ascii, iso87ascii or iso93binary
  --header binary2               its length header (default ascii4 with iso87ascii, else binary2)
  --tls                          TLS to the listeners (default port 8543, the sandbox's TLS listener)
  --ca FILE                      the CA (PEM) of the switch's certificate (default with --tls: the
                                 sandbox's data/sandbox/tls/ca.crt when it is there, else the system's)
  --listener DIALECT=PORT        another listener, for terminals that name another dialect (repeatable)
  --admin http://127.0.0.1:8080  the admin API
  --issuer-token TOKEN           an issuer's token (or SCENARIO_ISSUER_TOKEN): registers the cards
                                 (unset: the sandbox's test-token-bank-a; empty: none)
  --vendor-token TOKEN           a terminal vendor's token (or SCENARIO_VENDOR_TOKEN): fault rules,
                                 postings and notices (unset: the sandbox's test-token-vendor)
  --block-service-token TOKEN    the block service's token (or SCENARIO_BLOCK_SERVICE_TOKEN): report
                                 steps (unset: the sandbox's test-token-block-service)
  --offline-terminals-token TOKEN  the offline terminals' token (or SCENARIO_OFFLINE_TERMINALS_TOKEN):
                                 fetchBlockList steps (unset: the sandbox's test-token-offline-terminals)
  --junit FILE                   also write JUnit XML (a testsuite per scenario, a testcase per step)
  --settle-ms 1000               how long a step waits for the postings and notices it expects
  --help                         this text

Exit codes: 0 all steps passed, 1 a step failed, 2 usage error or invalid scenario file.
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Environment (tokens); default process.env. */
  env?: Record<string, string | undefined>;
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  dialect: { type: 'string' },
  header: { type: 'string' },
  listener: { type: 'string', multiple: true },
  admin: { type: 'string' },
  'issuer-token': { type: 'string' },
  'vendor-token': { type: 'string' },
  'block-service-token': { type: 'string' },
  'offline-terminals-token': { type: 'string' },
  junit: { type: 'string' },
  'settle-ms': { type: 'string' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DIALECTS = ['iso93ascii', 'iso87ascii', 'iso93binary'];

class UsageError extends Error {}

function port(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new UsageError(`${what}: a port from 1 to 65535`);
  return Number(text);
}

interface Plan {
  options: RunOptions;
  files: string[];
  junit?: string;
}

function plan(argv: string[], env: Record<string, string | undefined>): Plan | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  const dialect = v.dialect ?? 'iso93ascii';
  if (!DIALECTS.includes(dialect)) throw new UsageError(`--dialect: one of ${DIALECTS.join(', ')}`);
  if (v.header !== undefined && !LENGTH_HEADERS.includes(v.header as LengthHeader))
    throw new UsageError(`--header: one of ${LENGTH_HEADERS.join(', ')}`);
  const listeners: Record<string, number> = {};
  for (const l of v.listener ?? []) {
    const m = /^([a-z0-9]+)=(.*)$/.exec(l);
    if (m === null || !DIALECTS.includes(m[1]!))
      throw new UsageError(`--listener: DIALECT=PORT, the dialect one of ${DIALECTS.join(', ')}`);
    listeners[m[1]!] = port(m[2]!, `--listener ${m[1]!}`);
  }
  const admin = v.admin ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^/\s]+\/?$/.test(admin))
    throw new UsageError("--admin: the admin API's base URL, e.g. http://127.0.0.1:8080");
  let settleMs: number | undefined;
  if (v['settle-ms'] !== undefined) {
    if (!/^\d{1,6}$/.test(v['settle-ms'])) throw new UsageError('--settle-ms: a whole number of milliseconds');
    settleMs = Number(v['settle-ms']);
  }
  if (parsed.positionals.length === 0) throw new UsageError('give at least one scenario file or directory');
  const files: string[] = [];
  for (const p of parsed.positionals) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // not there: loading it reports the problem, naming the file
    }
    if (isDir)
      files.push(
        ...readdirSync(p)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f)),
      );
    else files.push(p);
  }
  if (files.length === 0) throw new UsageError(`no *.json scenario file in ${parsed.positionals.join(', ')}`);
  let tls;
  try {
    tls = tlsOf({ ...(v.tls === undefined ? {} : { tls: v.tls }), ...(v.ca === undefined ? {} : { ca: v.ca }) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const defaultPort = tls !== undefined ? TLS_PORT : dialect === 'iso87ascii' ? 8587 : 8583;
  const options: RunOptions = {
    host: v.host ?? '127.0.0.1',
    port: v.port === undefined ? defaultPort : port(v.port, '--port'),
    ...(tls === undefined ? {} : { tls }),
    dialect,
    listeners,
    admin,
    issuerToken: v['issuer-token'] ?? tokenOf(env.SCENARIO_ISSUER_TOKEN, SANDBOX_ISSUER_TOKEN),
    vendorToken: v['vendor-token'] ?? tokenOf(env.SCENARIO_VENDOR_TOKEN, SANDBOX_VENDOR_TOKEN),
    blockServiceToken:
      v['block-service-token'] ?? tokenOf(env.SCENARIO_BLOCK_SERVICE_TOKEN, SANDBOX_BLOCK_SERVICE_TOKEN),
    offlineTerminalsToken:
      v['offline-terminals-token'] ?? tokenOf(env.SCENARIO_OFFLINE_TERMINALS_TOKEN, SANDBOX_OFFLINE_TERMINALS_TOKEN),
  };
  if (v.header !== undefined) options.header = v.header as LengthHeader;
  if (settleMs !== undefined) options.settleMs = settleMs;
  return { options, files, ...(v.junit === undefined ? {} : { junit: v.junit }) };
}

/**
 * A token from the environment: unset means the sandbox's test token (`npm start` with no
 * configuration accepts it, so the scenarios run with no option); set but empty means none.
 */
const tokenOf = (s: string | undefined, sandbox: string): string | undefined =>
  s === undefined ? sandbox : s === '' ? undefined : s;

/** Runs the scenarios; resolves with the exit code and never exits the process itself. */
export async function main(
  argv: string[],
  io: CliIo = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) },
): Promise<number> {
  let p: Plan;
  try {
    const planned = plan(argv, io.env ?? process.env);
    if (planned === 'help') {
      io.out(USAGE);
      return 0;
    }
    p = planned;
  } catch (e) {
    io.err(`scenario: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Every file is checked before anything runs: a typo in the last file stops the run at once.
  const loaded: { file: string; scenario: Scenario }[] = [];
  const problems: string[] = [];
  for (const file of p.files) {
    try {
      const scenario = loadScenario(file);
      const missing = runProblems(scenario, p.options);
      if (missing.length > 0) throw new ScenarioError(file, missing);
      loaded.push({ file, scenario });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length > 0) {
    io.err(
      `scenario: not run, ${problems.length} file${problems.length === 1 ? '' : 's'} with problems:\n${problems.join('\n')}\n`,
    );
    return 2;
  }
  const results: ScenarioResult[] = [];
  for (const l of loaded) {
    const r = await runScenario(l, p.options);
    results.push(r);
    io.out(`${textReport(r)}\n`);
  }
  io.out(`${summary(results)}\n`);
  if (p.junit !== undefined) {
    try {
      writeFileSync(p.junit, junitXml(results));
      io.out(`JUnit XML written to ${p.junit}\n`);
    } catch (e) {
      io.err(`scenario: cannot write ${p.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
  }
  return results.every((r) => r.passed) ? 0 : 1;
}
