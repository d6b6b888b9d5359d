/**
 * Exactly-once clearing deliveries when a worker dies: a worker process (fixtures/crash-worker.ts)
 * kills itself with SIGKILL at each crash point of a delivery (after the seal, halfway through the
 * file, before and after the rename, between the recorded file and the booking of its postings on
 * their cards); another worker process takes the stalled job over (BullMQ's stalled-job check,
 * lock 1 s) and finishes it. After each, the card's balance is down by what was delivered, once. Throughout, a watcher reads every file under a
 * delivery's real name: never a partial one. In the end each journaled posting is in exactly one
 * delivery file and the day reconciles clean. Then two workers at once, given the same cut-off
 * twice and a "next cut-off": still exactly once.
 */
import t, { type Test } from 'tap';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Job, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { main } from '../../src/cli/clearing.js';
import type { CrashPoint, DeliveryResult } from '../../src/clearing/clearing-delivery.js';
import type { ClearingJob, ClearingScheduler } from '../../src/clearing/clearing-scheduler.js';
import { QUEUE_NAME } from '../../src/clearing/clearing-scheduler.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import { bullConnection } from '../../src/redis/client.js';
import { addCard } from '../support/cards.js';
import { deleteKeys, testRedisUrl } from '../support/redis.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { lineCapture } from '../support/log-capture.js';
import { cleanEnv } from '../support/process.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
const DATE = '2026-11-21';
const POINTS: CrashPoint[] = ['after-seal', 'mid-write', 'before-rename', 'after-rename', 'before-booking'];
const BALANCE = 100_000_000;
const fileOf = (n: number): string => `delivery-${DATE}-${String(n).padStart(2, '0')}.txt`;

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  lines(): Record<string, unknown>[];
  waitFor(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

interface Harness {
  s: TestSwitch;
  dir: string;
  /** Adds jobs (production options: retries, backoff); never runs them (no worker here). */
  scheduler: ClearingScheduler;
  events: QueueEvents;
  worker(crashAt?: CrashPoint): WorkerProcess;
  /** Makes `count` approved purchases over TCP and waits until they are in the journal. */
  buy(count: number): Promise<void>;
  journalIds(): Promise<string[]>;
  /** The card the purchases are made with. */
  card: { id: string };
}

async function harness(t: Test): Promise<Harness> {
  const s = await startSwitch(t);
  const url = await testRedisUrl();
  const dir = s.config.clearing.directory;
  const queuePrefix = s.config.clearing.queuePrefix;
  const scheduler = s.sw.clearingScheduler(bullConnection(s.redis));
  const eventsConnection = bullConnection(s.redis);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, prefix: queuePrefix });
  await events.waitUntilReady();
  const children: WorkerProcess[] = [];
  const card = await addCard(s.sw, { balance: BALANCE });
  const term = await TestTerminal.open(s.port('iso93'));
  // Teardowns run last-registered first: these before the switch's own (its Redis keys, its directory).
  t.teardown(async () => {
    term.close();
    for (const w of children) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await events.close();
    eventsConnection.disconnect();
    await scheduler.close();
    const redis = new Redis(url);
    await deleteKeys(redis, `${queuePrefix}:`);
    await redis.quit();
  });
  return {
    s,
    dir,
    scheduler,
    events,
    card,
    worker(crashAt) {
      const env: NodeJS.ProcessEnv = {
        ...cleanEnv(),
        REDIS_URL: url,
        KEY_PREFIX: s.config.redis.keyPrefix,
        CLEARING_DIR: dir,
        QUEUE_PREFIX: queuePrefix,
        CRASH_AT: crashAt ?? '',
      };
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const copyOut = lineCapture();
      const copyErr = lineCapture();
      child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), copyOut(c)));
      child.stderr!.on('data', (c: Buffer) => ((err += c.toString()), copyErr(c)));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const lines = (): Record<string, unknown>[] =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const w: WorkerProcess = {
        child,
        exited,
        lines,
        async waitFor(msg, ms = 20_000) {
          const until = Date.now() + ms;
          for (;;) {
            const line = lines().find((l) => l.msg === msg);
            if (line !== undefined) return line;
            if (Date.now() > until || child.exitCode !== null || child.signalCode !== null)
              throw new Error(`no "${msg}" from the worker; stderr: ${err.slice(0, 800)}`);
            await sleep(20);
          }
        },
      };
      children.push(w);
      return w;
    },
    async buy(count) {
      for (let i = 0; i < count; i++) {
        const a = await term.send(purchase93({ 2: card.pan, 4: String(1000 + i).padStart(12, '0') }));
        if (a[39] !== '000') throw new Error(`purchase declined: ${String(a[39])}`);
      }
      await s.sw.postings.drain();
    },
    async journalIds() {
      return (await s.sw.journal.range('0', '+')).map((e) => e.posting.id);
    },
  };
}

/** Every delivery file of the directory (any date): its posting ids. */
async function deliveredIds(dir: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  for (const name of (await readdir(dir)).filter((n) => n.startsWith('delivery-') && n.endsWith('.txt')).sort()) {
    const d = parseDelivery(await readFile(join(dir, name), 'latin1'));
    files.set(
      name,
      d.sections.flatMap((sec) => sec.postings.map((p) => p.id)),
    );
  }
  return files;
}

/** Each journaled posting in exactly one delivery file, and nothing else in them. */
async function exactlyOnce(t: Test, h: Harness, what: string): Promise<void> {
  const counts = new Map<string, number>();
  for (const ids of (await deliveredIds(h.dir)).values())
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const journal = await h.journalIds();
  t.same([...counts.keys()].sort(), [...journal].sort(), `${what}: the delivered postings are the journal's`);
  t.same(
    [...counts].filter(([, n]) => n !== 1),
    [],
    `${what}: none delivered twice`,
  );
  // Every posting here is a purchase (a debit), delivered: booked once, nothing left held.
  const postings = (await h.s.sw.journal.range('0', '+')).map((e) => e.posting);
  const delivered = postings.filter((p) => counts.has(p.id)).reduce((sum, p) => sum + p.amount, 0);
  t.match(
    await h.s.sw.register.state(h.card.id),
    { balance: BALANCE - delivered, unbooked: 0 },
    `${what}: the card's balance down by what was delivered, once`,
  );
}

/**
 * Reads every file under a delivery's real name, over and over, while the test runs: a half-written
 * file (or one that does not parse) seen there even once is a failure.
 */
function watchDeliveries(dir: string): { stop(): Promise<{ reads: number; problems: string[] }> } {
  let running = true;
  let reads = 0;
  const problems: string[] = [];
  const loop = (async () => {
    while (running) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.startsWith('delivery-') && n.endsWith('.txt'))) {
        try {
          parseDelivery(await readFile(join(dir, name), 'latin1'));
          reads++;
        } catch (e) {
          problems.push(`${name}: ${(e as Error).message}`);
        }
      }
      await sleep(2);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { reads, problems };
    },
  };
}

async function tmpFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('.') && n.endsWith('.tmp'));
}

t.test(
  'a worker killed at each crash point: another takes the job over; every delivery exactly once; the day reconciles clean',
  async (t) => {
    const h = await harness(t);
    const watcher = watchDeliveries(h.dir);

    for (const [i, point] of POINTS.entries()) {
      const n = i + 1;
      await t.test(`killed ${point}`, async (t) => {
        await h.buy(3);
        const job = await h.scheduler.add({ kind: 'cutoff', date: DATE, number: n });
        const crashing = h.worker(point);
        const [code, signal] = await crashing.exited;
        t.same([code, signal], [null, 'SIGKILL'], 'the first worker died by SIGKILL');
        t.match(
          crashing.lines().filter((l) => l.msg === 'crashing'),
          [{ point }],
          `at ${point}`,
        );
        t.equal(crashing.lines().filter((l) => l.msg === 'job active').length, 1, 'it had taken the job');

        // What the dead worker left: the range sealed, no file recorded (or, killed before the
        // booking, the file recorded and nothing booked); the file only as far as it got.
        const sealed = await h.s.sw.ledger.get(DATE, n);
        const written = point === 'after-rename' || point === 'before-booking';
        t.ok(sealed, 'the delivery is sealed');
        if (point === 'before-booking') {
          t.match(sealed, { file: fileOf(n), postings: 3 }, 'the file recorded in the ledger');
          t.equal(sealed?.booked, undefined, 'its postings not booked');
          t.match(await h.s.sw.register.state(h.card.id), { unbooked: 3 * 1000 + 3 }, 'still held on the card');
        } else t.equal(sealed?.file, undefined, 'no file recorded in the ledger');
        const names = await readdir(h.dir).catch(() => [] as string[]);
        t.equal(names.includes(fileOf(n)), written, written ? 'the file is in place' : 'nothing under the real name');
        const tmps = await tmpFiles(h.dir);
        const leftover = tmps.find((x) => x.startsWith(`.${fileOf(n)}.`));
        t.equal(
          leftover !== undefined,
          point === 'mid-write' || point === 'before-rename',
          'a temporary file only when killed while it existed',
        );
        const leftoverText = leftover === undefined ? undefined : await readFile(join(h.dir, leftover), 'latin1');
        const renamedText = written ? await readFile(join(h.dir, fileOf(n)), 'latin1') : undefined;
        t.equal(await job.getState(), 'active', 'the job is still active, its lock held by a dead worker');

        const taker = h.worker();
        const made = (await job.waitUntilFinished(h.events, 20_000)) as DeliveryResult[];
        t.same(made, [{ date: DATE, number: n, file: fileOf(n), postings: 3 }], 'the second worker made the delivery');
        t.match(await taker.waitFor('job completed'), { job: job.id }, 'by the second worker, a process of its own');
        const after = (await h.scheduler.queue.getJob(job.id!)) as Job<ClearingJob>;
        t.same(
          [after.stalledCounter, after.attemptsMade, after.failedReason],
          [1, 1, undefined],
          'taken over as a stalled job: one attempt (the one that finished), no failure',
        );
        taker.child.kill('SIGTERM');
        t.same(await taker.exited, [0, null], 'the second worker closes cleanly');

        const text = await readFile(join(h.dir, fileOf(n)), 'latin1');
        const parsed = parseDelivery(text);
        t.match(parsed.header, { date: DATE, number: n });
        t.equal(parsed.trailer.count, 3);
        t.equal((await stat(join(h.dir, fileOf(n)))).mode & 0o777, 0o600, 'readable by the owner only (full PANs)');
        t.equal((await readdir(h.dir)).filter((x) => x === fileOf(n)).length, 1, 'one file under the real name');
        t.match(await h.s.sw.ledger.get(DATE, n), { file: fileOf(n), postings: 3 }, 'recorded in the ledger');
        if (point === 'mid-write') {
          const half = leftoverText ?? '';
          t.ok(
            half.length > 0 && half.length < text.length && text.startsWith(half),
            'the killed write had written the first half only, under a temporary name',
          );
        }
        if (point === 'before-rename')
          t.equal(leftoverText, text, 'the complete temporary file was never renamed; the retry wrote the same bytes');
        if (written) t.equal(renamedText, text, 'the file in place was rewritten byte for byte');
        if (point === 'before-booking')
          t.match(await h.s.sw.ledger.get(DATE, n), { booked: true }, 'booked by the retry');
        await exactlyOnce(t, h, `after delivery ${n}`);
      });
    }

    await t.test("more postings, the next cut-off, the day's last; --reconcile is clean", async (t) => {
      await h.buy(2);
      const worker = h.worker();
      await worker.waitFor('worker ready');
      const sixth = (await (
        await h.scheduler.add({ kind: 'cutoff', date: DATE, number: 6 })
      ).waitUntilFinished(h.events, 20_000)) as DeliveryResult[];
      t.same(sixth, [{ date: DATE, number: 6, file: fileOf(6), postings: 2 }]);
      await exactlyOnce(t, h, 'after delivery 6');
      await h.buy(1);
      const last = (await (
        await h.scheduler.add({ kind: 'cutoff', date: DATE, number: 10 })
      ).waitUntilFinished(h.events, 20_000)) as DeliveryResult[];
      t.same(
        last.map((d) => [d.number, d.postings]),
        [
          [7, 0],
          [8, 0],
          [9, 0],
          [10, 1],
        ],
        'the missed cut-offs 7 to 9 first, empty, then the last with the posting',
      );
      worker.child.kill('SIGTERM');
      t.same(await worker.exited, [0, null]);
      await exactlyOnce(t, h, 'the whole day');
      t.same(
        [...(await deliveredIds(h.dir)).keys()],
        Array.from({ length: 10 }, (_, i) => fileOf(i + 1)),
        'ten delivery files, one per number',
      );
      const scheduled = JSON.parse(await readFile(join(h.dir, `reconciliation-${DATE}.json`), 'utf8')) as {
        clean: boolean;
        differences: string[];
      };
      t.same(scheduled.differences, [], 'the reconciliation after the last cut-off: clean');

      let out = '';
      const code = await main(
        ['--reconcile', DATE],
        {},
        {
          overrides: {
            redis: { url: await testRedisUrl(), keyPrefix: h.s.config.redis.keyPrefix },
            clearing: h.s.config.clearing,
            log: { level: 'silent' },
          },
          out: (s) => void (out += s),
          err: (s) => void (out += s),
        },
      );
      t.equal(code, 0, 'npm run clearing -- --reconcile: exit 0');
      t.match(out, `Reconciliation of ${DATE}: clean\n`);
      t.match(out, /all\s+18\s+/, 'eighteen postings on both sides');
    });

    const seen = await watcher.stop();
    t.ok(seen.reads > 0, `the watcher read delivery files under their real names (${seen.reads} reads)`);
    t.same(seen.problems, [], 'never a partial or unreadable file under a real name');
  },
);

t.test(
  'two workers at once: the same cut-off twice and the next one, with postings arriving meanwhile: exactly once',
  async (t) => {
    const h = await harness(t);
    await h.buy(4);
    const workers = [h.worker(), h.worker()];
    await Promise.all(workers.map((w) => w.waitFor('worker ready')));
    const watcher = watchDeliveries(h.dir);

    const jobs = await Promise.all([
      h.scheduler.add({ kind: 'cutoff', date: DATE, number: 1 }),
      h.scheduler.add({ kind: 'cutoff', date: DATE, number: 1 }),
      h.scheduler.add({ kind: 'cutoff' }),
    ]);
    const [results] = await Promise.all([
      Promise.all(jobs.map((j) => j.waitUntilFinished(h.events, 20_000) as Promise<DeliveryResult[]>)),
      h.buy(3),
    ]);
    const [a, b, next] = results;
    t.same(a, b, 'the same cut-off twice: the same delivery, the same postings');
    t.equal(a![0]!.file, fileOf(1));
    t.not(next![next!.length - 1]!.file, fileOf(1), 'the next cut-off is another delivery');
    // Their log lines may trail the queue's completion events a little.
    const completed = (): number[] => workers.map((w) => w.lines().filter((l) => l.msg === 'job completed').length);
    for (const until = Date.now() + 5000; completed()[0]! + completed()[1]! < 3 && Date.now() < until;) await sleep(20);
    t.equal(completed()[0]! + completed()[1]!, 3, 'the two worker processes ran the three jobs');
    t.comment(`jobs run per worker: ${completed().join(' + ')}`);

    // The postings that arrived after the last seal go into one more cut-off.
    const rest = (await (
      await h.scheduler.add({ kind: 'cutoff' })
    ).waitUntilFinished(h.events, 20_000)) as DeliveryResult[];
    const files = await deliveredIds(h.dir);
    t.same(
      [...files.keys()].sort(),
      [...new Set([...a!, ...b!, ...next!, ...rest].map((d) => d.file))].sort(),
      'the files on disk are the deliveries the jobs made',
    );
    t.equal(
      [...files.values()].reduce((sum, ids) => sum + ids.length, 0),
      7,
      'seven postings delivered',
    );
    await exactlyOnce(t, h, 'two workers');
    const seen = await watcher.stop();
    t.same(seen.problems, [], 'never a partial file under a real name');

    for (const w of workers) w.child.kill('SIGTERM');
    t.same(
      await Promise.all(workers.map((w) => w.exited)),
      [
        [0, null],
        [0, null],
      ],
      'both workers close cleanly',
    );
  },
);
