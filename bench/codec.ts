/**
 * Codec throughput: our dialects against the iso_8583 package, packing and unpacking a typical
 * purchase request (bench/support/purchase.ts).
 *
 *   npm run bench:codec [-- --seconds 30] [-- --json bench/results/codec.json]
 *
 * Every case (implementation x pack/unpack) is warmed up and calibrated first (not counted), then
 * timed in ROUNDS rounds. Each round runs every case once, in reverse order every other round, so
 * that all cases share the same machine conditions (clock drift, GC debt left by the case before).
 * The median round rate is reported. --seconds is the approximate total run time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { type IsoMessage, dialect } from '../src/codec/index.js';
import { PURCHASE_87, PURCHASE_93, PURCHASE_ISO_8583 } from './support/purchase.js';
import { machine } from './support/machine.js';

const CODEC_USAGE = `Usage: npm run bench:codec [-- --seconds 30] [-- --json FILE]

Packs and unpacks a typical purchase request with each of our dialects and with the iso_8583
package (the baseline), and prints each one's median rate and iso93ascii's ratio to the baseline.

Options:
  --seconds 30   approximate total run time
  --json FILE    also write the results as JSON
  --help         this text
`;

const ROUNDS = 5;
const TARGETS = { pack: 20, unpack: 10 } as const;
const OPS = ['pack', 'unpack'] as const;
type OpName = (typeof OPS)[number];

/** One pack or unpack; returns a length that goes into the sink. */
type Op = () => number;
interface Subject {
  name: string;
  /** The purchase's size on the wire. */
  bytes: number;
  pack: Op;
  unpack: Op;
}

/** Results end up here so that the measured work cannot be optimised away. */
let sink = 0;

// ---- the implementations ---------------------------------------------------------------------

/** Field 2 of an unpacked message, checked on every call so that no case can measure a failure. */
function checkedPan(value: unknown, expected: unknown, name: string): string {
  if (typeof value !== 'string' || value !== expected)
    throw new Error(`${name}: unpack returned field 2 = ${String(value)}`);
  return value;
}

function ours(dialectName: string, message: IsoMessage): Subject {
  const d = dialect(dialectName);
  const name = `ours ${dialectName}`;
  const wire = d.pack(message);
  if (!isDeepStrictEqual(d.unpack(wire), message)) throw new Error(`${name}: the purchase does not round-trip`);
  return {
    name,
    bytes: wire.length,
    pack: () => d.pack(message).length,
    unpack: () => checkedPan(d.unpack(wire)[2], message[2], name).length,
  };
}

/** The slice of the iso_8583 API used here; failures come back as `{ error }`, not as exceptions. */
interface Iso8583 {
  getRawMessage(): Buffer | { error: unknown };
  getIsoJSON(wire: Buffer, config?: { lenHeader?: boolean }): Record<string, string | undefined> & { error?: unknown };
}
const require = createRequire(import.meta.url);
const Iso8583 = require('iso_8583') as new (message?: Record<string, string>) => Iso8583;
const ISO_8583_VERSION = (require('iso_8583/package.json') as { version: string }).version;

function iso8583Pack(message: Record<string, string>): Buffer {
  const raw = new Iso8583(message).getRawMessage();
  if (!Buffer.isBuffer(raw)) throw new Error(`iso_8583 pack: ${String(raw.error)}`);
  return raw;
}

function iso8583Unpack(wire: Buffer): Record<string, string | undefined> {
  // Without lenHeader: false, getIsoJSON takes the first two bytes for a TCP length header.
  const json = new Iso8583().getIsoJSON(wire, { lenHeader: false });
  if (json.error !== undefined) throw new Error(`iso_8583 unpack: ${String(json.error)}`);
  return json;
}

function theirs(message: Record<string, string>): Subject {
  const name = `iso_8583 ${ISO_8583_VERSION}`;
  const wire = iso8583Pack(message);
  const back = iso8583Unpack(wire);
  // Field 52 comes back as lower-case hex, hence the case-insensitive comparison.
  const same =
    Object.keys(back).length === Object.keys(message).length &&
    Object.entries(message).every(([k, v]) => back[k]?.toUpperCase() === v.toUpperCase());
  if (!same) throw new Error(`${name}: the purchase does not round-trip`);
  return {
    name,
    bytes: wire.length,
    pack: () => iso8583Pack(message).length,
    unpack: () => checkedPan(iso8583Unpack(wire)[2], message[2], name).length,
  };
}

// ---- timing --------------------------------------------------------------------------------------

/** Runs `op` n times and returns the seconds it took. */
function time(op: Op, n: number): number {
  let sum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sum += op();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  sink += sum;
  return seconds;
}

/** Warm-up and calibration in one: doubles the batch until it takes a quarter of a round. */
function calibrate(op: Op, roundSeconds: number): number {
  for (let n = 1; ; n *= 2) {
    const seconds = time(op, n);
    if (seconds >= roundSeconds / 4) return Math.max(1, Math.round((n * roundSeconds) / seconds));
  }
}

interface Case {
  subject: Subject;
  op: OpName;
  iterations: number;
  rates: number[];
}

function measure(subjects: Subject[], roundSeconds: number): Case[] {
  const cases: Case[] = subjects.flatMap((subject) =>
    OPS.map((op) => ({ subject, op, iterations: 0, rates: [] as number[] })),
  );
  for (const c of cases) c.iterations = calibrate(c.subject[c.op], roundSeconds);
  const order = (round: number): Case[] => (round % 2 === 0 ? cases : [...cases].reverse());
  for (const c of order(1)) time(c.subject[c.op], c.iterations); // one more uncounted round, at full length
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of order(round)) c.rates.push(c.iterations / time(c.subject[c.op], c.iterations));
  }
  return cases;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---- report ------------------------------------------------------------------------------------

interface Row {
  name: string;
  bytes: number;
  pack: { median: number; rounds: number[] };
  unpack: { median: number; rounds: number[] };
}

function rows(cases: Case[]): Row[] {
  const byName = new Map<string, Row>();
  for (const { subject, op, rates } of cases) {
    const row = byName.get(subject.name) ?? {
      name: subject.name,
      bytes: subject.bytes,
      pack: { median: 0, rounds: [] },
      unpack: { median: 0, rounds: [] },
    };
    row[op] = { median: median(rates), rounds: rates };
    byName.set(subject.name, row);
  }
  return [...byName.values()];
}

const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
/** Half the min-max range of the rounds, relative to the median. */
const spread = ({ median: m, rounds }: Row['pack']): string =>
  `±${((50 * (Math.max(...rounds) - Math.min(...rounds))) / m).toFixed(1)}%`;

function table(rs: Row[]): string {
  const lines = [
    ['implementation', 'bytes', 'pack msg/s', 'spread', 'unpack msg/s', 'spread'],
    ...rs.map((r) => [
      r.name,
      String(r.bytes),
      rate(r.pack.median),
      spread(r.pack),
      rate(r.unpack.median),
      spread(r.unpack),
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const cells = (l: string[]): string =>
    `| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => '-'.repeat(i === 0 ? w + 2 : w + 1) + (i === 0 ? '' : ':')).join('|')}|`;
  return [cells(lines[0]!), rule, ...lines.slice(1).map(cells)].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(CODEC_USAGE);
    return;
  }
  const total = Number(values.seconds);
  if (!(total > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  const subjects = [
    ours('iso93ascii', PURCHASE_93),
    theirs(PURCHASE_ISO_8583),
    ours('iso87ascii', PURCHASE_87),
    ours('iso93binary', PURCHASE_93),
  ];
  // Per case: calibration (up to a round), one uncounted round, ROUNDS timed rounds.
  const roundSeconds = total / (subjects.length * OPS.length * (ROUNDS + 2));

  const m = machine();
  const fields = Object.keys(PURCHASE_93)
    .filter((k) => k !== '0')
    .join(' ');
  console.log(`ISO 8583 codec benchmark: a 1200 purchase with fields ${fields}`);
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}`);
  console.log(
    `Method: warm-up and calibration, then ${ROUNDS} timed rounds of ~${roundSeconds.toFixed(2)} s per case, cases interleaved; median round rate\n`,
  );

  const results = rows(measure(subjects, roundSeconds));
  const [ours93, iso8583] = results; // in the order of `subjects`
  const ratios = Object.fromEntries(
    OPS.map((op) => {
      const ratio = ours93![op].median / iso8583![op].median;
      return [op, { ratio: Number(ratio.toFixed(2)), target: TARGETS[op], met: ratio >= TARGETS[op] }];
    }),
  ) as Record<OpName, { ratio: number; target: number; met: boolean }>;

  console.log(table(results) + '\n');
  const verdict = (op: OpName): string =>
    `${op} ${ratios[op].ratio.toFixed(1)}× (target ≥ ${ratios[op].target}×: ${ratios[op].met ? 'met' : 'NOT met'})`;
  console.log(`ours iso93ascii / ${iso8583!.name}: ${verdict('pack')}, ${verdict('unpack')}`);

  if (values.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      machine: m,
      method: { rounds: ROUNDS, roundSeconds, totalSeconds: total },
      results,
      ratios,
      sink,
    };
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  }
}

main();
