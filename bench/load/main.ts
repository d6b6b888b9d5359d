/**
 * `npm run bench`: the switch's load benchmark. Plans and seeds the cards of the mix under a key
 * prefix of its own, starts a switch child process, drives it from worker threads (open loop at
 * a rate, or closed loop at --rate max), optionally does the same against baselines
 * (--baseline: the switch with its fraud monitoring off, the floor server, bench/load/floor.ts, and
 * the echo server), with --fraud a share of stolen cards (bench/load/fraud.ts), and writes the
 * results as JSON and an HTML page. Or, with --idle N, measures the
 * switch's memory with N idle connections. It always cleans up: the children are stopped, the
 * run's keys deleted, and a watchdog ends a run that overstays its time budget.
 * Usage: bench/load/cli.ts (or --help).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { actionCode, codeSetOf } from '../../src/messages/action-codes.js';
import { dialect } from '../../src/codec/index.js';
import { planCards } from './cards.js';
import { CliError, type LoadOptions, USAGE, parseCli } from './cli.js';
import {
  type Child,
  FRAMING_OF,
  checkLoopbackRedis,
  deleteKeys,
  startEcho,
  startFloor,
  startSwitch,
} from './harness.js';
import { startHostile } from './hostile.js';
import { BENCH_CHIP, BENCH_MAC_KEY } from './switch-config.js';
import { renderHtml } from './html.js';
import { runIdle } from './idle.js';
import { expectedCodes, loadMix, mixRows, withCardScale } from './mix.js';
import { RESULTS_DIR, ROOT } from './paths.js';
import { processCpuMs } from './procstat.js';
import { type PhaseReport, buildReport, formatReport, machine } from './report.js';
import { runPhase } from './run.js';
import { seedCards } from './seed.js';
import { buildTemplates, stanEncoding, toWire } from './templates.js';
import { benchRules } from './bench-rules.js';
import { FRAUD_ENTRY, firingIndex, fraudTally, withFraud } from './fraud.js';
import { phaseMonitoring, scrapeMonitoring } from './monitoring.js';

/** The switch RSS target with 10,000 idle connections (MiB). */
const IDLE_RSS_TARGET_MIB = 300;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function commandLine(argv: string[]): string {
  const args = argv.map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench -- ${args}`
    : `node ${relative(ROOT, process.argv[1] ?? 'main.js')} ${args}`;
}

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/** Writes the JSON to `explicit`, or to bench/results/<kind>-<time>.json plus <kind>-latest.json. */
function writeJson(kind: string, report: object, date: Date, explicit: string | undefined): string {
  const text = JSON.stringify(report, null, 2) + '\n';
  const path = explicit ?? join(RESULTS_DIR, `${kind}-${stamp(date)}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (explicit === undefined) copyFileSync(path, join(RESULTS_DIR, `${kind}-latest.json`));
  return path;
}

/** Redis's pid, when it runs on this machine and its /proc entry can be read (for its CPU). */
async function redisPid(redis: Redis): Promise<number | null> {
  try {
    const m = /process_id:(\d+)/.exec(await redis.info('server'));
    const pid = m ? Number(m[1]) : NaN;
    return Number.isInteger(pid) && processCpuMs(pid) !== null ? pid : null;
  } catch {
    return null;
  }
}

async function load(o: LoadOptions, ctx: Context, argv: string[]): Promise<void> {
  const scaled = withCardScale(loadMix(o.mix), o.cardScale);
  const mix = o.fraud > 0 ? withFraud(scaled, o.fraud) : scaled;
  const d = dialect(o.dialect);
  const framing = FRAMING_OF[o.dialect];
  const plan = planCards(mix);
  const { templates, byEntry, mac, icc } = buildTemplates(
    d,
    framing,
    mix,
    plan,
    new Date(),
    o.mac ? BENCH_MAC_KEY : undefined,
    o.icc ? BENCH_CHIP : undefined,
  );
  const wire = toWire(templates, stanEncoding(d), mac, icc);
  log(
    `bench: ${templates.length} request templates (follow-ups included) for ${mix.entries.length} mix entries; seeding ${[...plan.values()].reduce((s, c) => s + c.length, 0)} cards under ${ctx.keyPrefix}`,
  );
  const seed = (): Promise<number> =>
    seedCards(ctx.redis, ctx.keyPrefix, plan, o.icc ? BENCH_CHIP.panSequence : undefined);
  const seeded = await seed();
  const codes = codeSetOf(d);
  const common = {
    redisPid: await redisPid(ctx.redis),
    options: o,
    dialect: o.dialect,
    framing,
    templates: wire,
    byEntry,
    entries: mix.entries,
    cores: os.cpus().length,
    log,
  };
  const fraudEntry = mix.entries.findIndex((e) => e.name === FRAUD_ENTRY);
  const rules = benchRules();
  const firing = fraudEntry >= 0 ? firingIndex(rules.rules) : 0;
  let hostile: ReturnType<typeof startHostile> | undefined;
  /** A phase against the switch: monitoring on (target 'switch', as --monitoring says) or off. */
  const switchPhase = async (target: 'switch' | 'monitoring-off', monitoring: boolean): Promise<PhaseReport> => {
    const sw = await startSwitch(
      {
        dialect: o.dialect,
        framing,
        redisUrl: o.redis,
        keyPrefix: ctx.keyPrefix,
        maxInFlight: o.maxInFlight,
        maxConnections: o.connections + o.slow + 1000,
        processes: o.processes,
        dir: ctx.dir,
        mac: o.mac,
        icc: o.icc,
        monitoring,
      },
      o.switchCommand,
      profileDirOf(o, target),
    );
    ctx.sw = sw;
    log(
      `bench: ${target === 'switch' ? `${seeded} cards seeded; ` : ''}switch pid ${sw.pid} listening on 127.0.0.1:${sw.port} (${o.dialect}, ${framing.header}), monitoring ${monitoring ? 'on' : 'off'}`,
    );
    const beside = (): void => {
      if (target !== 'switch' || o.slow + o.flood === 0) return;
      hostile = startHostile({ port: sw.port, slow: o.slow, flood: o.flood });
      log(`bench: ${o.slow} slow and ${o.flood} flooding clients beside the terminals`);
    };
    let approvals: Record<number, number> = {};
    const phase = await runPhase({
      ...common,
      target,
      port: sw.port,
      pid: sw.pid,
      warnings: sw.warnings,
      expected: mixRows(mix.entries).map((row) => expectedCodes(row, codes)),
      onConnected: beside,
      ...(fraudEntry >= 0 && monitoring
        ? { tally: { entry: fraudEntry, approved: actionCode('approved', codes), done: (a) => (approvals = a) } }
        : {}),
    }).finally(() => (target === 'switch' ? hostile?.stop() : undefined));
    // Read before the switch stops: its metrics go with it.
    const scrape = monitoring ? await scrapeMonitoring(sw.adminPort!, sw.adminToken!) : null;
    const fraud =
      fraudEntry >= 0 && monitoring
        ? {
            share: o.fraud,
            firingPurchase: firing,
            ...fraudTally(
              byEntry[fraudEntry]!.map((t) => approvals[t] ?? 0),
              firing,
            ),
          }
        : null;
    phase.monitoring = phaseMonitoring(monitoring, rules.description ?? null, scrape, fraud);
    await sw.stop();
    ctx.sw = undefined;
    return phase;
  };
  const phases = [await switchPhase('switch', o.monitoring)];
  const hostileCounts = hostile?.stop();
  if (o.baselines.includes('monitoring-off')) {
    // The same cards as they were seeded: the first phase's blocks, counters and reservations gone.
    await deleteKeys(ctx.redis, ctx.keyPrefix);
    await seed();
    phases.push(await switchPhase('monitoring-off', false));
  }
  // Each baseline after the switch is stopped, so that its server has the machine the switch had.
  for (const target of o.baselines) {
    if (target === 'monitoring-off') continue;
    const server =
      target === 'echo'
        ? await startEcho(framing.header, undefined, profileDirOf(o, target))
        : await startFloor({
            header: framing.header,
            dialect: o.dialect,
            redisUrl: o.redis,
            keyPrefix: ctx.keyPrefix,
            profileDir: profileDirOf(o, target),
          });
    ctx.sw = server;
    log(`bench: ${target} server pid ${server.pid} on 127.0.0.1:${server.port}`);
    phases.push(
      await runPhase({
        ...common,
        target,
        port: server.port,
        pid: server.pid,
        warnings: server.warnings,
        // The floor approves every card it finds (the echo answers no field 39).
        expected: target === 'echo' ? null : mixRows(mix.entries).map(() => [actionCode('approved', codes)]),
      }),
    );
    await server.stop();
    ctx.sw = undefined;
  }
  const date = new Date();
  const { switchCommand: _, ...shown } = o;
  const report = buildReport({
    date,
    machine: machine(),
    command: commandLine(argv),
    options: { ...shown, switchCommand: o.switchCommand?.join(' ') ?? null },
    mix,
    keyPrefix: ctx.keyPrefix,
    phases,
    ...(hostileCounts === undefined ? {} : { hostile: hostileCounts }),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  const json = writeJson('load', report, date, o.json);
  const html = o.html ?? join(RESULTS_DIR, 'load-latest.html');
  mkdirSync(dirname(html), { recursive: true });
  writeFileSync(html, renderHtml(report));
  log(`bench: results in ${relative(process.cwd(), json)} and ${relative(process.cwd(), html)}`);
}

/** Where a phase's server writes its CPU profile with --profile (none without). */
function profileDirOf(o: LoadOptions, phase: string): string | undefined {
  return o.profile === undefined ? undefined : join(resolve(o.profile), phase);
}

async function idle(o: LoadOptions, ctx: Context, argv: string[]): Promise<void> {
  const framing = FRAMING_OF[o.dialect];
  ctx.sw = await startSwitch(
    {
      dialect: o.dialect,
      framing,
      redisUrl: o.redis,
      keyPrefix: ctx.keyPrefix,
      maxInFlight: o.maxInFlight,
      maxConnections: o.idle + 1000,
      dir: ctx.dir,
    },
    o.switchCommand,
    profileDirOf(o, 'switch'),
  );
  log(
    `bench: switch pid ${ctx.sw.pid} on 127.0.0.1:${ctx.sw.port}; opening ${o.idle} idle connections, ${o.idleBatch} at a time`,
  );
  const result = await runIdle({
    pid: ctx.sw.pid,
    port: ctx.sw.port,
    adminPort: ctx.sw.adminPort,
    adminToken: ctx.sw.adminToken,
    connections: o.idle,
    batch: o.idleBatch,
    log,
  });
  const date = new Date();
  const target = {
    rssMiB: IDLE_RSS_TARGET_MIB,
    connections: 10_000,
    met: result.rssAfterMiB === null ? null : o.idle >= 10_000 ? result.rssAfterMiB < IDLE_RSS_TARGET_MIB : null,
  };
  const report = {
    version: 1,
    kind: 'idle',
    date: date.toISOString(),
    machine: machine(),
    command: commandLine(argv),
    options: { dialect: o.dialect, idle: o.idle, idleBatch: o.idleBatch, maxInFlight: o.maxInFlight },
    switch: { pid: ctx.sw.pid, warnings: ctx.sw.warnings() },
    idle: result,
    target,
  };
  process.stdout.write(
    `idle: ${result.opened}/${result.connections} connections open (switch reports ${result.switchOpenConnections ?? 'n/a'}, closed by the switch ${result.closedBySwitch}) in ${result.openSeconds} s\n` +
      `  switch RSS before ${result.rssBeforeMiB ?? 'n/a'} MiB, after ${result.rssAfterMiB ?? 'n/a'} MiB (${result.kibPerConnection ?? 'n/a'} KiB per connection)` +
      `${target.met === null ? '' : `; target < ${IDLE_RSS_TARGET_MIB} MiB with 10,000: ${target.met ? 'met' : 'NOT met'}`}\n`,
  );
  const json = writeJson('idle', report, date, o.json);
  log(`bench: results in ${relative(process.cwd(), json)}`);
}

interface Context {
  redis: Redis;
  keyPrefix: string;
  dir: string;
  sw: Child | undefined;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let o: LoadOptions | 'help';
  try {
    o = parseCli(argv, os.cpus().length);
    if (o !== 'help') checkLoopbackRedis(o.redis);
  } catch (e) {
    if (!(e instanceof CliError) && !(e instanceof Error && e.message.startsWith('--redis'))) throw e;
    log(`bench: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (o === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const redis = new Redis(o.redis, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (e) {
    log(`bench: no Redis at ${o.redis}: ${(e as Error).message}`);
    return 1;
  }
  const ctx: Context = {
    redis,
    keyPrefix: `bench:${process.pid}:${Date.now().toString(36)}:`,
    dir: mkdtempSync(join(os.tmpdir(), 'switch-bench-')),
    sw: undefined,
  };
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      await ctx.sw?.stop().catch(() => undefined);
      const n = await deleteKeys(redis, ctx.keyPrefix).catch(() => -1);
      log(
        n >= 0
          ? `bench: deleted ${n} keys under ${ctx.keyPrefix}`
          : `bench: could not delete the keys under ${ctx.keyPrefix}`,
      );
      redis.disconnect();
      rmSync(ctx.dir, { recursive: true, force: true });
    })());
  // Bounded: the phases' own time plus generous room for starting, seeding and stopping.
  const budgetS =
    o.kind === 'idle'
      ? 300 + o.idle / 50
      : (1 + o.baselines.length) * (o.warmupS + o.durationS + o.timeoutMs / 1000 + 60) + 120;
  const watchdog = setTimeout(() => {
    log(`bench: still running after ${Math.round(budgetS)} s; stopping`);
    void cleanup().finally(() => process.exit(3));
  }, budgetS * 1000);
  process.once('SIGINT', () => {
    log('bench: interrupted; cleaning up');
    void cleanup().finally(() => process.exit(130));
  });
  try {
    await (o.kind === 'idle' ? idle(o, ctx, argv) : load(o, ctx, argv));
    return 0;
  } catch (e) {
    log(`bench: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`bench: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
