/**
 * The command line of `npm run bench`, checked up front with bounds on everything (so a typo
 * cannot ask for a run of a day or a million connections) and defaults for the rest.
 */
import { parseArgs } from 'node:util';
import { SHIPPED_DIALECTS, type ShippedDialect } from '../../src/codec/index.js';

export const USAGE = `Load benchmark of the switch (starts its own switch child, seeds cards, measures, cleans up).

  npm run bench -- --rate R|max [options]       traffic
  npm run bench -- --idle N [options]           RSS of the switch holding N idle connections

Traffic:
  --rate R|max          open loop at R requests/s; max: closed loop, each connection keeps
                        --depth requests in flight
  --duration S          measured seconds (default 20)
  --warmup S            seconds before, not counted (default 5)
  --connections C       terminal connections (default 100)
  --depth N             closed loop: requests in flight per connection (default 1: a terminal
                        waits for its answer)
  --mix NAME|FILE       bench/mixes/NAME.json or a JSON file (default: default)
  --dialect D           iso93ascii (default), iso87ascii or iso93binary; framing follows the dialect
  --baseline [B,...]    also run the same load against baselines and report the ratios:
                        echo (the default): a bare echo server, what the transport costs;
                        floor: the floor server, what an authorization cannot avoid (unpack,
                        one Redis call, pack); monitoring-off: the switch again with its fraud
                        monitoring off, on cards seeded afresh (what monitoring costs);
                        e.g. --baseline floor, --baseline echo,floor.
                        Phases run switch, then monitoring-off, then floor, then echo
  --monitoring on|off   the switch's fraud monitoring (default on, with the shipped rules'
                        counts scaled to the bench: bench/load/bench-rules.ts)
  --card-scale K        every card pool of the mix K times as large (default 1): each card used
                        K times less often, as real cards are (what the fraud monitoring keeps
                        per card grows with how often it is used)
  --fraud SHARE         that share of the cards (0 < SHARE <= 0.5, e.g. 0.01) behave like stolen
                        cards: bursts of 5,000.00 DKK internet purchases, blocked by the
                        monitoring (bench/load/fraud.ts); reports blocks, their delay and the
                        purchases approved after the firing one
  --workers N           generator threads (default: cores - 1, at least 1)
  --timeout MS          a request unanswered this long is a timeout (default 5000)
  --seed N              seed of the request-kind choice (default 1)
  --mac                 the chip share of the mix (entries neither contactless nor internet) MACs
                        its requests (field 64 or 128, the retail MAC, docs/SECURITY.md §3) under
                        the bench key file's macKey; the switch's listener checks MACs (optional)
  --icc                 the chip share's purchases (processing code 00, 1100/1200; not their
                        follow-ups) carry field 55 with a real ARQC (docs/SECURITY.md §1), a new
                        ATC per send; the cards are seeded with chip keys (PAN sequence number
                        01), so the switch verifies every one. With --mac the MAC covers it
Both:
  --json PATH           results (default bench/results/<kind>-<time>.json, copied to <kind>-latest.json)
  --html PATH           charts (default bench/results/<kind>-latest.html; traffic only)
  --redis URL           Redis on this machine (default redis://127.0.0.1:6379)
  --max-in-flight N     the switch's maxInFlight per connection (default 256)
  --slow N              switch phase: N more clients trickling a frame a byte a second (closed
                        by the switch's frame timeout, 10 s; they connect again)
  --flood N             switch phase: N more connections that send nothing: those beyond the
                        switch's connection limit (connections + slow + 1000) are shed and retry
                        each second
  --processes N         switch processes sharing the listener (npm start -- --processes N;
                        default 1); CPU and RSS are the sum over the supervisor and its workers
  --switch-command CMD  how to start the switch (default: node dist/src/main.js)
  --profile DIR         a V8 CPU profile of each server process (node --cpu-prof), written when it
                        stops: DIR/switch, DIR/monitoring-off, DIR/floor, DIR/echo (open them in
                        Chrome DevTools' Performance panel or any .cpuprofile viewer)
  --idle-batch N        idle: connections opened at a time (default 500)
  --help`;

export class CliError extends Error {
  override name = 'CliError';
}

/** The baselines a run can compare the switch with, in the order their phases run. */
export const BASELINES = ['monitoring-off', 'floor', 'echo'] as const;
export type Baseline = (typeof BASELINES)[number];

export interface LoadOptions {
  kind: 'load' | 'idle';
  /** requests/s, or 'max' for the closed loop */
  rate: number | 'max';
  durationS: number;
  warmupS: number;
  connections: number;
  depth: number;
  mix: string;
  dialect: ShippedDialect;
  /** Baselines to run after the switch phase, in BASELINES order; empty: none. */
  baselines: Baseline[];
  workers: number;
  timeoutMs: number;
  seed: number;
  json: string | undefined;
  html: string | undefined;
  redis: string;
  maxInFlight: number;
  /** Misbehaving clients beside the terminals during the switch phase (bench/load/hostile.ts). */
  slow: number;
  flood: number;
  /** Switch processes (the switch's `processes` setting). */
  processes: number;
  switchCommand: string[] | undefined;
  /** Write a V8 CPU profile of each server process (switch, floor, echo) under this directory. */
  profile: string | undefined;
  idle: number;
  idleBatch: number;
  /** The chip share of the mix MACs its requests; the listener checks MACs (optional). */
  mac: boolean;
  /** The chip share's purchases carry field 55 with an ARQC; the cards are seeded with chip keys. */
  icc: boolean;
  /** The switch's fraud monitoring (its config's monitoring.enabled). */
  monitoring: boolean;
  /** Share of the cards behaving like stolen ones (bench/load/fraud.ts); 0: none. */
  fraud: number;
  /** Every card pool this many times as large. */
  cardScale: number;
}

function number(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new CliError(`--${name} ${value}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/**
 * `--baseline` alone means the echo baseline; its value, when it has one, is the next word
 * (`--baseline floor`) or follows '=' (`--baseline=echo,floor`). parseArgs has no optional
 * values, so a bare one is given 'echo' here.
 */
function withBaselineValue(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a !== '--baseline') out.push(a);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) out.push(`--baseline=${argv[++i]!}`);
    else out.push('--baseline=echo');
  }
  return out;
}

/** 'echo,floor' -> ['floor', 'echo'] (the phases' order); undefined -> none. */
function baselinesOf(value: string | undefined): Baseline[] {
  if (value === undefined) return [];
  const named = value.split(',').map((b) => b.trim());
  for (const b of named)
    if (!(BASELINES as readonly string[]).includes(b))
      throw new CliError(`--baseline ${value}: each one of ${BASELINES.join(', ')} (comma-separated)`);
  return BASELINES.filter((b) => named.includes(b));
}

export function parseCli(argv: string[], cores: number): LoadOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: withBaselineValue(argv),
      strict: true,
      options: {
        rate: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        depth: { type: 'string' },
        mix: { type: 'string' },
        dialect: { type: 'string' },
        baseline: { type: 'string' },
        workers: { type: 'string' },
        timeout: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        html: { type: 'string' },
        redis: { type: 'string' },
        'max-in-flight': { type: 'string' },
        processes: { type: 'string' },
        slow: { type: 'string' },
        flood: { type: 'string' },
        'switch-command': { type: 'string' },
        profile: { type: 'string' },
        idle: { type: 'string' },
        'idle-batch': { type: 'string' },
        mac: { type: 'boolean' },
        icc: { type: 'boolean' },
        monitoring: { type: 'string' },
        fraud: { type: 'string' },
        'card-scale': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (values.help) return 'help';
  const idle = number('idle', values.idle, 0, 1, 60_000);
  if (idle === 0 && values.rate === undefined)
    throw new CliError('give --rate R (requests/s) or --rate max, or --idle N');
  if (idle > 0 && values.rate !== undefined)
    throw new CliError('--idle and --rate are separate runs: give one of them');
  const dialect = values.dialect ?? 'iso93ascii';
  if (!(SHIPPED_DIALECTS as readonly string[]).includes(dialect))
    throw new CliError(`--dialect ${dialect}: one of ${SHIPPED_DIALECTS.join(', ')}`);
  const connections = number('connections', values.connections, 100, 1, 20_000);
  const maxInFlight = number('max-in-flight', values['max-in-flight'], 256, 1, 10_000);
  const processes = number('processes', values.processes, 1, 1, 64);
  const slow = number('slow', values.slow, 0, 0, 5_000);
  const flood = number('flood', values.flood, 0, 0, 20_000);
  const depth = number('depth', values.depth, 1, 1, maxInFlight);
  const rate =
    values.rate === undefined || values.rate === 'max' ? 'max' : number('rate', values.rate, 0, 1, 1_000_000, false);
  const command = values['switch-command']?.trim().split(/\s+/);
  if (values.profile !== undefined && command !== undefined && command[0] !== '')
    throw new CliError('--profile profiles the switch it starts itself: with --switch-command, put --cpu-prof in it');
  if (values.profile === '') throw new CliError('--profile DIR: a directory');
  const monitoring = values.monitoring ?? 'on';
  if (monitoring !== 'on' && monitoring !== 'off') throw new CliError(`--monitoring ${monitoring}: on or off`);
  const baselines = baselinesOf(values.baseline);
  if (monitoring === 'off' && baselines.includes('monitoring-off'))
    throw new CliError('--baseline monitoring-off compares with monitoring on: leave out --monitoring off');
  return {
    kind: idle > 0 ? 'idle' : 'load',
    rate,
    durationS: number('duration', values.duration, 20, 1, 3600, false),
    warmupS: number('warmup', values.warmup, 5, 0, 600, false),
    connections,
    depth,
    mix: values.mix ?? 'default',
    dialect: dialect as ShippedDialect,
    baselines,
    workers: Math.min(connections, number('workers', values.workers, Math.max(1, cores - 1), 1, 64)),
    timeoutMs: number('timeout', values.timeout, 5000, 100, 60_000),
    seed: number('seed', values.seed, 1, 0, 2 ** 31),
    json: values.json,
    html: values.html,
    redis: values.redis ?? 'redis://127.0.0.1:6379',
    maxInFlight,
    processes,
    slow,
    flood,
    switchCommand: command !== undefined && command[0] !== '' ? command : undefined,
    profile: values.profile,
    idle,
    idleBatch: number('idle-batch', values['idle-batch'], 500, 1, 5000),
    mac: values.mac === true,
    icc: values.icc === true,
    monitoring: monitoring === 'on',
    fraud: number('fraud', values.fraud, 0, 0.0001, 0.5, false),
    cardScale: number('card-scale', values['card-scale'], 1, 1, 1000),
  };
}
