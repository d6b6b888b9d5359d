/**
 * Follow-ups against a real switch process (src/main.ts under tsx), driven by the bench's own
 * workers in this process: short runs of the default mix in which every completion advice is
 * approved and every reversal advice accepted, with no unexpected code. A reversal advice is
 * answered 400 whether or not the switch knows its original, so the journal is read as well
 * (before the run's keys are deleted): one completion posting per completion, one reversal
 * posting of the right sale per reversal, and no unmatched reversal.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { codeSetOf } from '../../src/messages/action-codes.js';
import { type ShippedDialect, dialect } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { planCards } from '../../bench/load/cards.js';
import { type LoadOptions, parseCli } from '../../bench/load/cli.js';
import { FRAMING_OF, deleteKeys, startSwitch } from '../../bench/load/harness.js';
import { expectedCodes, loadMix, mixRows } from '../../bench/load/mix.js';
import type { PhaseReport } from '../../bench/load/report.js';
import { runPhase } from '../../bench/load/run.js';
import { seedCards } from '../../bench/load/seed.js';
import { buildTemplates, localTimeAt, stanEncoding, toWire } from '../../bench/load/templates.js';
import { testRedisUrl } from '../support/redis.js';

const defaultMix = loadMix('default');
// Small pools: seeding is quick, and what follows is the same for 20 cards as for 2,000.
const mix = {
  ...defaultMix,
  cards: Object.fromEntries(Object.entries(defaultMix.cards).map(([k, v]) => [k, { ...v, count: 20 }])),
};

interface Run {
  phase: PhaseReport;
  postings: Posting[];
  unmatched: number;
  localTime: string;
}

async function run(t: Test, name: ShippedDialect, traffic: string[]): Promise<Run> {
  const url = await testRedisUrl();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:bench:${process.pid}:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  const d = dialect(name);
  const framing = FRAMING_OF[name];
  const plan = planCards(mix);
  await seedCards(redis, prefix, plan);
  const sw = await startSwitch({
    dialect: name,
    framing,
    redisUrl: url,
    keyPrefix: prefix,
    maxInFlight: 256,
    maxConnections: 100,
    dir: t.testdir(),
  });
  t.teardown(() => sw.stop());
  const at = new Date();
  const { templates, byEntry } = buildTemplates(d, framing, mix, plan, at);
  const options = parseCli(
    [...traffic, '--duration', '2', '--warmup', '0', '--connections', '4', '--workers', '2'],
    2,
  ) as LoadOptions;
  const phase = await runPhase({
    target: 'switch',
    port: sw.port,
    pid: sw.pid,
    warnings: sw.warnings,
    redisPid: null,
    options,
    dialect: name,
    framing,
    templates: toWire(templates, stanEncoding(d)),
    byEntry,
    entries: mix.entries,
    expected: mixRows(mix.entries).map((row) => expectedCodes(row, codeSetOf(d))),
    cores: 2,
    log: () => undefined,
  });
  // Every approval posts, but authorizations (x100): they only reserve; a cash withdrawal posts
  // its fee beside it (every bench terminal is another bank's ATM). The relay appends the
  // postings to the journal just after the answers; wait until it has them all.
  const rows = mixRows(mix.entries);
  const each = (i: number): number =>
    rows[i]!.followUp || !mix.entries[rows[i]!.entry]!.processingCode.startsWith('01') ? 1 : 2;
  const posted = phase.entries.reduce(
    (s, e, i) =>
      s +
      (rows[i]!.mti[1] === '1' ? 0 : ((e.codes['000'] ?? 0) + (e.codes['00'] ?? 0) + (e.codes['400'] ?? 0)) * each(i)),
    0,
  );
  const stream = `${prefix}{journal}:postings`;
  for (let i = 0; i < 150 && (await redis.xlen(stream)) < posted; i++) await new Promise((r) => setTimeout(r, 100));
  const postings = (await redis.xrange(stream, '-', '+')).map(([, fields]) => JSON.parse(fields[1]!) as Posting);
  t.equal(postings.length, posted, 'a posting per approval of a sale, refund or completion and per reversal');
  const unmatched = await redis.hlen(`${prefix}{journal}:unmatched`);
  await sw.stop();
  return { phase, postings, unmatched, localTime: localTimeAt(at) };
}

function check(t: Test, r: Run, iso87: boolean): void {
  const { phase } = r;
  const approved = iso87 ? '00' : '000';
  const accepted = iso87 ? '00' : '400';
  const row = (name: string) => phase.entries.find((e) => e.name === name)!;
  t.same(phase.requests.errors, {}, 'no wrong MTI, no unmatched STAN');
  t.equal(phase.requests.timeouts, 0);
  t.equal(phase.unexpected, 0, JSON.stringify(phase.entries.filter((e) => e.unexpected !== 0)));
  const fuel = row('fuel-completion');
  const completion = row('fuel-completion then');
  const sale = row('psam-reversal');
  const reversal = row('psam-reversal then');
  t.match(completion, { followUpOf: 'fuel-completion', weight: 6 });
  t.ok(completion.answered >= 5, `completions: ${completion.answered}`);
  t.ok(reversal.answered >= 5, `reversals: ${reversal.answered}`);
  t.same(completion.codes, { [approved]: completion.answered }, 'every completion approved');
  t.same(reversal.codes, { [accepted]: reversal.answered }, 'every reversal accepted');
  t.same(fuel.codes, { [approved]: fuel.answered });
  t.same(sale.codes, { [approved]: sale.answered });
  // A follow-up goes after each answered original, except those answered too late to send one.
  t.ok(
    completion.sent <= fuel.answered && completion.sent >= fuel.answered - 4,
    `completions ${completion.sent} after ${fuel.answered} authorizations`,
  );
  t.ok(
    reversal.sent <= sale.answered && reversal.sent >= sale.answered - 4,
    `reversals ${reversal.sent} after ${sale.answered} sales`,
  );
  t.equal(
    phase.requests.answered,
    phase.entries.reduce((s, e) => s + e.answered, 0),
    'follow-ups count as requests',
  );

  // What the switch made of them: a completion posting per completion, a reversal of its sale per reversal.
  t.equal(r.unmatched, 0, 'every reversal advice named a sale the switch knew');
  const withdrawals = r.postings.filter((p) => p.type === 'withdrawal');
  t.same(
    r.postings.filter((p) => p.type === 'fee').map((p) => [p.txn, p.amount]),
    withdrawals.map((p) => [p.txn, 500]),
    "a fee beside each withdrawal: the bench's terminals are another bank's ATMs",
  );
  const completions = r.postings.filter((p) => p.type === 'purchase' && p.amount === 43725);
  const reversals = r.postings.filter((p) => p.type === 'reversal');
  const sales = new Map(r.postings.filter((p) => p.type === 'purchase' && p.amount === 31500).map((p) => [p.txn, p]));
  t.equal(completions.length, completion.answered, 'a posting of the final amount per completion');
  t.equal(reversals.length, reversal.answered, 'a reversal posting per reversal advice');
  t.ok(
    reversals.every(
      (p) =>
        p.amount === 31500 &&
        p.direction === 'C' &&
        sales.get(p.txn)?.card === p.card &&
        (p.reason ?? '') === (iso87 ? '' : '4021'),
    ),
    'each reverses its sale, in full',
  );
  t.ok(
    [...completions, ...reversals].every((p) => p.localTime === r.localTime && /^B\d{7}$/.test(p.terminal)),
    "the original's terminal and local time",
  );
  t.notOk(
    r.postings.some((p) => p.type === 'purchase' && p.amount === 100000),
    'no authorization posted its maximum',
  );
}

for (const [name, traffic] of [
  ['iso93ascii', ['--rate', 'max']],
  ['iso87ascii', ['--rate', 'max']],
  ['iso87ascii', ['--rate', '300']],
  ['iso93binary', ['--rate', 'max']],
] as const) {
  t.test(
    `${name}, ${traffic[1] === 'max' ? 'closed loop' : `open loop at ${traffic[1]}/s`}: every completion approved, every reversal accepted and matched`,
    async (t) => {
      const r = await run(t, name, [...traffic]);
      t.equal(r.phase.mode, traffic[1] === 'max' ? 'closed' : 'open');
      if (r.phase.mode === 'open')
        t.equal(r.phase.requests.sent, 600, 'follow-ups take planned sends: the rate is the rate');
      check(t, r, name === 'iso87ascii');
    },
  );
}
