/**
 * `npm run fuzz`: a million hostile frames against a switch process, and a verdict. Usage: cli.ts.
 *
 * The run fails (exit 1) when: a frame is not handled as documented (runner.ts), the switch
 * process exits, it logs an error, its RSS grows beyond the bound after warm-up (memory.ts), or
 * a well-formed purchase is no longer approved afterwards. It always cleans up: the switch is
 * stopped, the run's Redis keys deleted, its directory removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../bench/load/harness.js';
import { checkLoopbackRedis } from '../../bench/load/switch-config.js';
import { machine } from '../../bench/support/machine.js';
import { systemClock } from '../../src/time/clock.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';
import { CardRegister } from '../../src/card/card-register.js';
import { type SwitchChild, startSwitchChild } from './child.js';
import { type FuzzCliOptions, USAGE, parseCli } from './cli.js';
import { request } from './connection.js';
import { type MemorySample, formatMemory, memoryVerdict } from './memory.js';
import { formatSummary } from './report.js';
import { type FuzzSummary, runFuzz } from './runner.js';
import { FUZZ_TARGETS } from './targets.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** Ctrl-C ends the run early but still cleanly: switch stopped, keys deleted, summary printed. */
let interrupted: string | undefined;
process.once('SIGINT', () => (interrupted = 'interrupted (SIGINT)'));

/** The card of the closing purchase: registered for the run, no PIN needed (a signature purchase). */
const FINAL_PAN = ((body: string) => body + luhnCheckDigit(body))('501998000000001');

async function registerFinalCard(redis: Redis, prefix: string): Promise<void> {
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, systemClock);
  const r = await register.register({
    pan: FINAL_PAN,
    issuer: 'fuzz-bank',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '0000',
    account: 'FUZZ000001',
    balance: 10_000_000,
    currency: '208',
    status: 'active',
  });
  if (!r.ok) throw new Error(`registering the closing purchase's card: ${r.reason}`);
}

/** A purchase on each of the two usual listeners; what came back, as problems (none: all approved). */
async function finalPurchases(child: SwitchChild, timeoutMs: number): Promise<string[]> {
  const problems: string[] = [];
  const common = {
    2: FINAL_PAN,
    3: '000000',
    4: '000000012500',
    7: '1121143015',
    11: '000001',
    41: 'FUZZEND1',
    49: '208',
  };
  const cases: [string, IsoMessage, string][] = [
    ['iso93', { ...common, 0: '1200', 12: '261121143015' }, '000'],
    ['iso87', { ...common, 0: '0200', 12: '143015', 13: '1121' }, '00'],
  ];
  for (const [listener, message, approved] of cases) {
    const target = FUZZ_TARGETS.find((t) => t.listener === listener)!;
    const answer = await request(child.ports[listener]!, target, message, timeoutMs);
    if (typeof answer === 'string' || answer[39] !== approved)
      problems.push(
        `closing purchase on ${listener}: ${typeof answer === 'string' ? answer : `action code ${String(answer[39])}`}`,
      );
  }
  return problems;
}

/** RSS and heap every second, tagged with the frames judged so far. */
function sampleMemory(child: SwitchChild, frames: () => number): { samples: MemorySample[]; stop(): void } {
  const samples: MemorySample[] = [];
  const timer = setInterval(() => {
    const rssMiB = child.rssMiB();
    const at = frames();
    void child.heapUsedMiB().then((heapMiB) => samples.push({ frames: at, rssMiB, heapMiB }));
  }, 1000);
  return { samples, stop: () => clearInterval(timer) };
}

interface Outcome {
  summary: FuzzSummary;
  problems: string[];
  memory: string;
}

async function fuzz(o: FuzzCliOptions, child: SwitchChild): Promise<Outcome> {
  let judged = 0;
  const memory = sampleMemory(child, () => judged);
  const started = performance.now();
  const summary = await runFuzz({
    ports: child.ports,
    frames: o.frames,
    seed: o.seed,
    connections: o.connections,
    answerTimeoutMs: o.timeoutMs,
    frameTimeoutMs: o.frameTimeoutMs,
    progressEvery: Math.max(1000, Math.round(o.frames / 20)),
    onProgress: (n) => {
      judged = n;
      const rate = Math.round(n / ((performance.now() - started) / 1000));
      log(
        `fuzz: ${n.toLocaleString('en-US')} frames, ${rate.toLocaleString('en-US')}/s, switch RSS ${child.rssMiB()?.toFixed(1) ?? 'n/a'} MiB`,
      );
    },
    abort: () => child.exited() ?? interrupted,
  });
  judged = summary.frames;
  // Two more samples at the very end, so that short runs have an end window too.
  await new Promise((r) => setTimeout(r, 2100));
  memory.stop();
  const verdict = memoryVerdict(memory.samples, summary.frames, o.maxGrowthMiB);
  const problems: string[] = [];
  if (summary.violations > 0) problems.push(`${summary.violations} frames not handled as documented`);
  if (summary.aborted !== undefined) problems.push(`run aborted: ${summary.aborted}`);
  if (child.exited() !== undefined) problems.push(`the switch ${child.exited()}`);
  if (verdict.ok === false)
    problems.push(
      `switch RSS grew by ${verdict.growthMiB!.toFixed(1)} MiB after warm-up (bound ${o.maxGrowthMiB} MiB)`,
    );
  if (child.exited() === undefined) problems.push(...(await finalPurchases(child, o.timeoutMs)));
  const errors = Object.entries(child.logCounts()).filter(([k]) => k.startsWith('error'));
  for (const [k, n] of errors) problems.push(`the switch logged ${n} × ${k}`);
  return { summary, problems, memory: formatMemory(verdict, o.maxGrowthMiB) };
}

function report(o: FuzzCliOptions, child: SwitchChild, out: Outcome, exitCode: number | null): void {
  log(formatSummary(out.summary));
  log(out.memory);
  const counts = Object.entries(child.logCounts()).sort(([, a], [, b]) => b - a);
  log(
    `switch log lines at warn or above: ${counts.length === 0 ? 'none' : counts.map(([k, n]) => `${n.toLocaleString('en-US')} × ${k}`).join('; ')}`,
  );
  log(`switch stopped with SIGTERM: exit code ${exitCode}`);
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}`);
  if (out.problems.length > 0) {
    log(`FAILED (seed ${o.seed}):`);
    for (const p of out.problems) log(`  - ${p}`);
    log(child.tail().slice(-3000));
  } else {
    log(`PASSED (seed ${o.seed})`);
  }
  if (o.json !== undefined)
    writeFileSync(
      o.json,
      JSON.stringify(
        {
          options: o,
          machine: m,
          summary: out.summary,
          memory: out.memory,
          problems: out.problems,
          logCounts: child.logCounts(),
          exitCode,
        },
        null,
        2,
      ) + '\n',
    );
}

async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseCli(argv);
    if (o !== 'help') checkLoopbackRedis(o.redis);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (o === 'help') return (void log(USAGE), 0);
  const redis = new Redis(o.redis, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (e) {
    process.stderr.write(`fuzz: no Redis at ${o.redis}: ${(e as Error).message}\n`);
    return 2;
  }
  const prefix = `fuzz:${process.pid}:${Date.now().toString(36)}:`;
  const dir = mkdtempSync(join(os.tmpdir(), 'switch-fuzz-'));
  let child: SwitchChild | undefined;
  try {
    await registerFinalCard(redis, prefix);
    child = await startSwitchChild({
      redisUrl: o.redis,
      keyPrefix: prefix,
      dir,
      logLevel: o.logLevel,
      frameTimeoutMs: o.frameTimeoutMs,
    });
    log(
      `fuzz: seed ${o.seed}, ${o.frames.toLocaleString('en-US')} frames, ${o.connections} connections; switch pid ${child.pid}, listeners ${FUZZ_TARGETS.map((t) => `${t.listener} (${t.dialect}, ${t.framing.header}${t.framing.tpdu ? ' + TPDU' : ''}) :${child!.ports[t.listener]}`).join(', ')}`,
    );
    const out = await fuzz(o, child);
    const exitCode = await child.stop();
    report(o, child, out, exitCode);
    return out.problems.length > 0 ? 1 : 0;
  } finally {
    await child?.stop(2000);
    await deleteKeys(redis, prefix).catch(() => -1);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
