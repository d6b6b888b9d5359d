/**
 * `npm run clearing` (src/cli/clearing.ts) in-process, against a real switch's Redis keys and
 * clearing directory: --now with a BullMQ worker of its own, --reconcile, --block-list, the
 * worker mode until SIGTERM, and the exit codes of bad arguments, configuration and Redis.
 */
import t, { type Test } from 'tap';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/time/clock.js';
import { type ClearingCliOptions, USAGE, main, parseArgs } from '../../src/cli/clearing.js';
import { QUEUE_NAME } from '../../src/clearing/clearing-scheduler.js';
import { localDate, localDateTime } from '../../src/time/local-time.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import type { DeepPartial } from '../../src/config/load.js';
import type { ClearingConfig, SwitchConfig } from '../../src/config/types.js';
import { redisAnswers } from '../../src/redis/connect.js';
import { bullConnection } from '../../src/redis/client.js';
import { addCard } from '../support/cards.js';
import { deleteKeys, testRedisUrl } from '../support/redis.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';

const DATE = '2026-11-21';
const clock = (): ManualClock => new ManualClock(new Date(`${DATE}T10:00:00Z`));

interface Io {
  out(text: string): void;
  err(text: string): void;
  stdout: string;
  stderr: string;
}

function io(): Io {
  const o: Io = { stdout: '', stderr: '', out: (s) => void (o.stdout += s), err: (s) => void (o.stderr += s) };
  return o;
}

/** The CLI on the test switch's keys, directories and queue; silent logs. BullMQ's keys removed after the test. */
async function on(
  t: Test,
  s: TestSwitch,
  clearing: DeepPartial<ClearingConfig> = {},
): Promise<DeepPartial<SwitchConfig>> {
  const url = await testRedisUrl();
  const queuePrefix = s.config.clearing.queuePrefix;
  t.teardown(async () => {
    const redis = new Redis(url);
    await deleteKeys(redis, `${queuePrefix}:`);
    await redis.quit();
  });
  return {
    redis: { url, keyPrefix: s.config.redis.keyPrefix },
    log: { level: 'silent' },
    clearing: { ...s.config.clearing, ...clearing },
  };
}

/** A Queue and QueueEvents of the test switch's clearing queue, on connections closed after the test. */
async function bull(t: Test, s: TestSwitch): Promise<{ queue: Queue; events: QueueEvents }> {
  const connections = [bullConnection(s.redis), bullConnection(s.redis)];
  const prefix = s.config.clearing.queuePrefix;
  const queue = new Queue(QUEUE_NAME, { connection: connections[0]!, prefix });
  const events = new QueueEvents(QUEUE_NAME, { connection: connections[1]!, prefix });
  t.teardown(async () => {
    await events.close();
    await queue.close();
    for (const c of connections) await c.quit();
  });
  await events.waitUntilReady();
  return { queue, events };
}

async function buy(t: Test, s: TestSwitch, count: number): Promise<void> {
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  for (let i = 0; i < count; i++) t.equal((await term.send(purchase93({ 2: card.pan })))[39], '000');
  await s.sw.postings.drain();
}

async function journalIds(s: TestSwitch): Promise<string[]> {
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting.id);
}

async function deliveredIds(dir: string, name: string): Promise<string[]> {
  const d = parseDelivery(await readFile(join(dir, name), 'latin1'));
  return d.sections.flatMap((sec) => sec.postings.map((p) => p.id));
}

/** Runs main with process.stdout/stderr captured (the defaults of out and err). */
async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { stdout, stderr } = process;
  const writes = { stdout: '', stderr: '' };
  const outWrite = stdout.write;
  const errWrite = stderr.write;
  stdout.write = ((chunk: string) => ((writes.stdout += chunk), true)) as typeof stdout.write;
  stderr.write = ((chunk: string) => ((writes.stderr += chunk), true)) as typeof stderr.write;
  try {
    return { code: await run(), ...writes };
  } finally {
    stdout.write = outWrite;
    stderr.write = errWrite;
  }
}

/** The line --now prints for a delivery made. */
const made = (dir: string, date: string, n: number, cutoff: string, postings: number): string =>
  `Delivery ${n} of ${date} (cut-off ${cutoff}): ${join(dir, `delivery-${date}-${String(n).padStart(2, '0')}.txt`)}, ${postings} posting${postings === 1 ? '' : 's'}\n`;

const CUTOFFS = ['06:00', '08:00', '10:00', '12:00', '14:00', '16:00', '18:00', '20:00', '22:00', '23:59'];

t.test(
  "--now by the clock (11:00): the passed cut-offs empty, the postings in the slot's delivery (12:00); then the next one",
  async (t) => {
    const s = await startSwitch(t);
    const overrides = await on(t, s);
    await buy(t, s, 3);
    const dir = s.config.clearing.directory;

    const first = io();
    t.equal(await main(['--now'], {}, { overrides, clock: clock(), ...first }), 0, first.stderr);
    t.equal(
      first.stdout,
      made(dir, DATE, 1, '06:00', 0) +
        made(dir, DATE, 2, '08:00', 0) +
        made(dir, DATE, 3, '10:00', 0) +
        made(dir, DATE, 4, '12:00', 3),
      'at 11:00 (Copenhagen): deliveries 1 to 3 empty, 4 with the postings',
    );
    t.same(
      (await deliveredIds(dir, `delivery-${DATE}-04.txt`)).sort(),
      (await journalIds(s)).sort(),
      "the journal's three postings",
    );
    t.match(await s.sw.ledger.get(DATE, 4), { file: `delivery-${DATE}-04.txt`, postings: 3 }, 'recorded in the ledger');

    await buy(t, s, 1);
    const second = io();
    t.equal(await main(['--now'], {}, { overrides, clock: clock(), ...second }), 0, second.stderr);
    t.equal(
      second.stdout,
      made(dir, DATE, 5, '14:00', 1),
      "the slot's delivery is made already: the next one, with the new posting only",
    );
    const all = [
      ...(await deliveredIds(dir, `delivery-${DATE}-04.txt`)),
      ...(await deliveredIds(dir, `delivery-${DATE}-05.txt`)),
    ];
    t.same(all.sort(), (await journalIds(s)).sort(), 'each posting in exactly one delivery');

    const { queue } = await bull(t, s);
    t.same(
      await queue.getJobCounts('wait', 'active', 'delayed', 'failed'),
      { wait: 0, active: 0, delayed: 0, failed: 0 },
      'nothing left queued',
    );
    t.equal(await queue.getJobCounts('completed').then((c) => c.completed), 2);

    const report = io();
    t.equal(
      await main(['--reconcile', DATE], {}, { overrides, ...report }),
      3,
      'deliveries 6 to 10 are missing: differences',
    );
    t.match(report.stdout, `Reconciliation of ${DATE}: 5 differences\n`);
    t.match(report.stdout, 'Delivery 6 is missing');
    t.notMatch(report.stdout, 'Delivery 5 is missing');
    t.match(report.stdout, `Written to ${join(dir, `reconciliation-${DATE}.json`)} (and .txt).`);
  },
);

t.test("--now for the day's last cut-off: the day is reconciled; --reconcile reads clean (exit 0)", async (t) => {
  const s = await startSwitch(t, { clearing: { cutoffs: ['23:59'] } });
  const overrides = await on(t, s);
  await buy(t, s, 2);
  const dir = s.config.clearing.directory;
  const now = io();
  t.equal(await main(['--now'], {}, { overrides, clock: clock(), ...now }), 0, now.stderr);
  t.equal(
    now.stdout,
    `Delivery 1 of ${DATE} (cut-off 23:59): ${join(dir, `delivery-${DATE}-01.txt`)}, 2 postings\n` +
      `The day's last delivery: the day is reconciled, ${join(dir, `reconciliation-${DATE}.txt`)}\n`,
  );
  t.match(await readFile(join(dir, `reconciliation-${DATE}.txt`), 'utf8'), `Reconciliation of ${DATE}: clean`);

  const report = io();
  t.equal(await main(['--reconcile', DATE], {}, { overrides, ...report }), 0, report.stdout);
  t.match(report.stdout, `Reconciliation of ${DATE}: clean\n`);
  t.match(report.stdout, 'Differences: none');
  t.match(report.stdout, /all\s+2\s+25000\s+0\s+2\s+25000\s+0/, 'journal and deliveries side by side');
  t.match(
    JSON.parse(await readFile(join(dir, `reconciliation-${DATE}.json`), 'utf8')),
    { date: DATE, clean: true, differences: [] },
    'the JSON report',
  );
});

t.test('--now at 21:25, a posting received at 21:24: deliveries 1 to 9, the posting in 9 (22:00)', async (t) => {
  // The switch and the CLI on one fake clock: the posting's receipt time and the cut-off's.
  const at = new ManualClock(new Date(`${DATE}T20:24:00Z`)); // 21:24 in Copenhagen
  const s = await startSwitch(t, {}, { clock: at });
  const overrides = await on(t, s);
  await buy(t, s, 1);
  at.set(new Date(`${DATE}T20:25:00Z`));
  const dir = s.config.clearing.directory;
  const now = io();
  t.equal(await main(['--now'], {}, { overrides, clock: at, ...now }), 0, now.stderr);
  t.equal(
    now.stdout,
    CUTOFFS.slice(0, 9)
      .map((c, i) => made(dir, DATE, i + 1, c, i === 8 ? 1 : 0))
      .join(''),
    'the eight passed cut-offs empty, the posting in the delivery whose slot holds 21:24',
  );
  const nine = parseDelivery(await readFile(join(dir, `delivery-${DATE}-09.txt`), 'latin1'));
  const [posting] = nine.sections.flatMap((sec) => sec.postings);
  t.same(posting?.id, (await journalIds(s))[0]);
  const received = localDateTime(new Date(posting!.receivedAt), 'Europe/Copenhagen');
  t.equal(`${received.hour}:${received.minute}`, '21:24', 'received at 21:24');
  t.ok(
    `${nine.header.date} ${nine.header.cutoff}:00` >=
      `${received.year}-${received.month}-${received.day} ${received.hour}:${received.minute}:${received.second}`,
    `the header's cut-off (${nine.header.cutoff}) is not before the posting it holds`,
  );
  for (let n = 1; n <= 8; n++)
    t.equal((await s.sw.ledger.get(DATE, n))?.postings, 0, `delivery ${n} (${CUTOFFS[n - 1]}) empty`);
  t.equal(await s.sw.ledger.get(DATE, 10), undefined, 'delivery 10 (23:59) not yet');
});

t.test(
  "--now after the day's last cut-off (23:59:30): today's made and reconciled, the posting in tomorrow's first",
  async (t) => {
    const at = new ManualClock(new Date(`${DATE}T22:59:20Z`)); // 23:59:20 in Copenhagen
    const s = await startSwitch(t, {}, { clock: at });
    const overrides = await on(t, s);
    await buy(t, s, 1);
    at.set(new Date(`${DATE}T22:59:30Z`));
    const dir = s.config.clearing.directory;
    const now = io();
    t.equal(await main(['--now'], {}, { overrides, clock: at, ...now }), 0, now.stderr);
    const next = '2026-11-22';
    t.equal(
      now.stdout,
      CUTOFFS.map((c, i) => made(dir, DATE, i + 1, c, 0)).join('') +
        made(dir, next, 1, '06:00', 1) +
        `The day's last delivery: the day is reconciled, ${join(dir, `reconciliation-${DATE}.txt`)}\n`,
      "all ten of today's empty (the posting came after 23:59), the posting in tomorrow's delivery 1",
    );
    t.same(await deliveredIds(dir, `delivery-${next}-01.txt`), await journalIds(s));
    t.match(
      await readFile(join(dir, `reconciliation-${DATE}.txt`), 'utf8'),
      `Reconciliation of ${DATE}: clean`,
      'today is whole and reconciled',
    );
  },
);

t.test(
  '--now when the delivery fails: exit 1 with the cause, the job removed; the next --now writes it (sealed, not yet written)',
  async (t) => {
    const s = await startSwitch(t);
    const blocker = join(t.testdir({ 'not-a-directory': 'a file' }), 'not-a-directory');
    const broken = await on(t, s, { directory: join(blocker, 'clearing') });
    await buy(t, s, 1);
    const failed = io();
    t.equal(await main(['--now'], {}, { overrides: broken, clock: clock(), ...failed }), 1);
    t.equal(failed.stdout, '');
    t.match(failed.stderr, /^clearing: the cut-off failed: ENOTDIR: not a directory, mkdir .*not-a-directory/);
    t.match(failed.stderr, /The job \(\d+\) is removed, not retried: run --now again once the cause is fixed\.\n$/);
    const { queue } = await bull(t, s);
    t.same(
      await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed'),
      { wait: 0, active: 0, delayed: 0, failed: 0, completed: 0 },
      'no retry left to run later',
    );
    t.match(await s.sw.ledger.get(DATE, 1), { number: 1 }, 'delivery 1 was sealed before the write failed');
    t.equal((await s.sw.ledger.get(DATE, 1))!.file, undefined, 'and has no file');

    // Fixed: delivery 1 is sealed (empty, its cut-off passed) but has no file; --now writes it, then the rest.
    const fixed = io();
    t.equal(await main(['--now'], {}, { overrides: await on(t, s), clock: clock(), ...fixed }), 0, fixed.stderr);
    const dir = s.config.clearing.directory;
    t.equal(
      fixed.stdout,
      made(dir, DATE, 1, '06:00', 0) +
        made(dir, DATE, 2, '08:00', 0) +
        made(dir, DATE, 3, '10:00', 0) +
        made(dir, DATE, 4, '12:00', 1),
    );
    t.same(await deliveredIds(dir, `delivery-${DATE}-04.txt`), await journalIds(s));
  },
);

t.test('--block-list DATE: the daily file; again: made already', async (t) => {
  const s = await startSwitch(t);
  const overrides = await on(t, s);
  const card = await addCard(s.sw);
  t.match(await s.sw.register.block(card.issuer, card.id, 'lost', new Date(`${DATE}T09:00:00Z`)), { ok: true });
  const file = join(s.config.clearing.blockList.directory, `block-list-${DATE}.txt`);
  const first = io();
  t.equal(await main(['--block-list', DATE], {}, { overrides, ...first }), 0, first.stderr);
  t.equal(first.stdout, `Offline block list of ${DATE}: ${file} (1 added, 0 removed)\n`);
  const lines = (await readFile(file, 'latin1')).split(/\r?\n/).filter((l) => l !== '');
  t.same(
    lines.map((l) => l[0]),
    ['H', 'A', 'T'],
    'header, the blocked card, trailer',
  );
  t.match(lines[1], card.pan);
  const again = io();
  t.equal(await main(['--block-list', DATE], {}, { overrides, ...again }), 0, again.stderr);
  t.equal(again.stdout, `Offline block list of ${DATE}: made already, ${file} (1 added, 0 removed)\n`);
});

t.test(
  "--block-list without a date: today in the register's time zone; an earlier date after it fails (exit 1)",
  async (t) => {
    const s = await startSwitch(t);
    const overrides = await on(t, s);
    const today = localDate(new Date(), s.config.register.timeZone);
    // No clock, no out/err: the system clock and the process's own streams.
    const made = await captured(() => main(['--block-list'], {}, { overrides } satisfies ClearingCliOptions));
    t.same(made, {
      code: 0,
      stdout: `Offline block list of ${today}: ${join(s.config.clearing.blockList.directory, `block-list-${today}.txt`)} (0 added, 0 removed)\n`,
      stderr: '',
    });
    t.same(await readdir(s.config.clearing.blockList.directory), [`block-list-${today}.txt`]);
    const earlier = io();
    t.equal(await main(['--block-list', '2020-01-01'], {}, { overrides, ...earlier }), 1);
    t.equal(
      earlier.stderr,
      `clearing: offline block list: cannot make the file of 2020-01-01: the file of ${today} is made already\n`,
    );
  },
);

t.test('no option: a worker and the timetable until SIGTERM; it runs the jobs added meanwhile', async (t) => {
  const s = await startSwitch(t);
  const overrides = await on(t, s);
  await buy(t, s, 2);
  const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
  let running: () => void = () => {};
  const started = new Promise<void>((resolve) => (running = resolve));
  const printed = io();
  const out = (text: string): void => {
    printed.out(text);
    if (text.startsWith('Clearing worker running')) running();
  };
  const exited = main([], {}, { overrides, out, err: printed.err, clock: clock() });
  await started;
  t.equal(
    printed.stdout,
    `Clearing worker running on queue ${s.config.clearing.queuePrefix}:clearing: cut-offs 06:00 08:00 10:00 12:00 14:00 16:00 18:00 20:00 22:00 23:59 (Europe/Copenhagen). Stop with SIGTERM or SIGINT.\n`,
  );
  const { queue, events } = await bull(t, s);
  const schedulers = await queue.getJobSchedulers();
  t.same(
    schedulers.map((x) => x.key).sort(),
    ['block-list', ...Array.from({ length: 10 }, (_, i) => `cutoff-${String(i + 1).padStart(2, '0')}`)],
    'the timetable is in place',
  );
  const job = await queue.add('cutoff', { kind: 'cutoff', date: DATE, number: 1 });
  const made = (await job.waitUntilFinished(events, 30_000)) as { file: string; postings: number }[];
  t.same(
    made.map((d) => [d.file, d.postings]),
    [[`delivery-${DATE}-01.txt`, 2]],
    'the worker made the delivery',
  );
  t.same(
    [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')],
    before.map((n) => n + 1),
    'listening for both signals',
  );

  process.emit('SIGTERM', 'SIGTERM'); // as Node calls a signal listener
  t.equal(await exited, 0);
  t.match(printed.stdout, /\nSIGTERM: closing \(a job running now is finished first\)\n$/);
  t.equal(printed.stderr, '');
  t.same(
    [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')],
    before,
    'the signal handlers are gone: a second signal ends the process',
  );
});

t.test('arguments: usage on --help (exit 0), on a bad option on stderr (exit 2)', async (t) => {
  const help = await captured(() => main(['--help'], {}));
  t.same(help, { code: 0, stdout: USAGE, stderr: '' });
  const bad = await captured(() => main(['--later'], {}));
  t.same(bad, { code: 2, stdout: '', stderr: `clearing: unknown option "--later"\n\n${USAGE}` });

  t.same(parseArgs([]), { mode: 'worker' });
  t.same(parseArgs(['--now']), { mode: 'now' });
  t.same(parseArgs(['-h']), { mode: 'help' });
  t.same(parseArgs(['--now', '--help']), { mode: 'help' });
  t.same(parseArgs(['--reconcile', '2026-11-21']), { mode: 'reconcile', date: '2026-11-21' });
  t.same(parseArgs(['--block-list']), { mode: 'blockList', date: undefined });
  t.same(parseArgs(['--block-list', '2024-02-29']), { mode: 'blockList', date: '2024-02-29' });
  t.equal(parseArgs(['--reconcile']), '--reconcile needs a date (YYYY-MM-DD)');
  t.equal(parseArgs(['--reconcile', '2026-02-30']), '"2026-02-30" is not a date (YYYY-MM-DD)');
  t.equal(parseArgs(['--reconcile', '21-11-2026']), '"21-11-2026" is not a date (YYYY-MM-DD)');
  t.equal(parseArgs(['--block-list', '2026-13-01']), '"2026-13-01" is not a date (YYYY-MM-DD)');
  t.equal(parseArgs(['--block-list', 'today']), '"today" is not a date (YYYY-MM-DD)');
  t.equal(parseArgs(['--block-list', '--now']), 'unexpected "--now" after --block-list (one option at a time)');
  t.equal(parseArgs(['--now', '2026-11-21']), 'unexpected "2026-11-21" after --now (one option at a time)');
  t.equal(
    parseArgs(['--reconcile', '2026-11-21', '--now']),
    'unexpected "--now" after --reconcile (one option at a time)',
  );

  const missing = io();
  t.equal(await main(['--reconcile'], {}, missing), 2);
  t.equal(missing.stderr, `clearing: --reconcile needs a date (YYYY-MM-DD)\n\n${USAGE}`);
});

t.test('configuration and Redis: a bad setting exits 2, no Redis exits 1', async (t) => {
  const config = io();
  t.equal(await main(['--now'], { LOG_LEVEL: 'loud' }, config), 2);
  t.match(config.stderr, /^clearing: config: LOG_LEVEL="loud" is not one of/);
  const file = join(t.testdir(), 'switch.json');
  await writeFile(file, '{"clearing": {"cutoffs": "06:00"}}');
  const badFile = io();
  t.equal(await main(['--now'], { SWITCH_CONFIG: file }, badFile), 2, 'SWITCH_CONFIG is read');
  t.match(badFile.stderr, /^clearing: config: \/clearing\/cutoffs must be array/);

  const refused = io();
  t.equal(
    await main(
      ['--now'],
      { REDIS_URL: 'redis://127.0.0.1:1' },
      { ...refused, overrides: { log: { level: 'silent' } } },
    ),
    1,
  );
  t.match(refused.stderr, /^clearing: redis: cannot connect to redis:\/\/127\.0\.0\.1:1/);
});

t.test('without a configured Redis: 127.0.0.1:6379, never a private redis-server', async (t) => {
  const s = await startSwitch(t);
  const overrides = await on(t, s);
  delete overrides.redis!.url;
  const run = io();
  const code = await main(['--block-list', DATE], {}, { overrides, ...run });
  if (await redisAnswers('redis://127.0.0.1:6379')) {
    t.equal(code, 0, run.stderr);
    t.match(run.stdout, `Offline block list of ${DATE}`);
  } else {
    t.equal(code, 1);
    t.match(run.stderr, /^clearing: redis: cannot connect to redis:\/\/127\.0\.0\.1:6379/);
  }
});

t.test('--unmatched lists the reversal advices nobody could match, masked', async (t) => {
  const s = await startSwitch(t);
  const overrides = await on(t, s);
  const none = io();
  t.equal(await main(['--unmatched'], {}, { overrides, ...none }), 0, none.stderr);
  t.equal(none.stdout, '0 unmatched reversal advices\n');
  await s.sw.unmatched.add({
    advice: 'TERM0001-261121120000-000901',
    original: 'TERM0001-261121115959-123456',
    maskedPan: '501900******0016',
    terminal: 'TERM0001',
    amount: 2500,
    reason: '4021',
    at: Date.parse(`${DATE}T11:00:00Z`),
  });
  await s.sw.unmatched.add({
    advice: 'TERM0001-261121120100-000902',
    original: 'TERM0001-261121115959-123457',
    maskedPan: '501900******0016',
    terminal: 'TERM0001',
    amount: 100,
    reason: '',
    at: Date.parse(`${DATE}T11:01:00Z`),
  });
  const two = io();
  t.equal(await main(['--unmatched'], {}, { overrides, ...two }), 0, two.stderr);
  t.equal(
    two.stdout,
    `${DATE}T11:00:00.000Z  advice TERM0001-261121120000-000901  names TERM0001-261121115959-123456  501900******0016  2500 øre  reason 4021\n` +
      `${DATE}T11:01:00.000Z  advice TERM0001-261121120100-000902  names TERM0001-261121115959-123457  501900******0016  100 øre  reason -\n` +
      '2 unmatched reversal advices\n',
  );
  const one = io();
  await s.redis.hdel(s.sw.unmatched.key, 'TERM0001-261121120100-000902');
  t.equal(await main(['--unmatched'], {}, { overrides, ...one }), 0);
  t.match(one.stdout, /\n1 unmatched reversal advice\n$/);
});
