/**
 * Redis restarts between cut-offs (issue #8): a day of traffic over ten cut-offs on a persistent
 * Redis (append-only, fsync always) that is killed (SIGKILL), stopped (SIGTERM) and started again
 * between cut-offs, and once killed right after a cut-off job was queued (the job then fails and
 * is retried by BullMQ until Redis is back). The clearing runs on a real BullMQ worker with a
 * manual clock, as test/clearing/clearing-day.test.ts does. At the end: every journaled posting
 * in exactly one delivery, each approval once, and the day's reconciliation clean.
 */
import t from 'tap';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/time/clock.js';
import type { ClearingJob, ClearingScheduler } from '../../src/clearing/clearing-scheduler.js';
import type { DeliveryResult } from '../../src/clearing/clearing-delivery.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import { addCard, pinBlock } from '../support/cards.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { startPersistentRedis } from './support/persistent-redis.js';
import { type SwitchOn, startSwitchOn } from './support/switch-on.js';

const DATE = '2026-11-21';
/** Between which cut-offs Redis restarts, and how. */
const RESTARTS: Record<number, 'SIGKILL' | 'SIGTERM'> = { 2: 'SIGKILL', 4: 'SIGTERM', 7: 'SIGKILL' };
/** The cut-off whose job is queued just before Redis is killed. */
const KILLED_WITH_JOB_QUEUED = 9;

/** Waits for a cut-off job to end by polling its state (events streams are not what is tested here). */
async function finished(scheduler: ClearingScheduler, id: string): Promise<DeliveryResult[]> {
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    const job = await scheduler.queue.getJob(id).catch(() => undefined);
    if (job?.finishedOn !== undefined) {
      if (job.returnvalue === null) throw new Error(`cut-off failed: ${job.failedReason}`);
      return job.returnvalue as DeliveryResult[];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('cut-off job did not finish');
}

async function runJob(scheduler: ClearingScheduler, data: ClearingJob): Promise<DeliveryResult[]> {
  return finished(scheduler, (await scheduler.add(data)).id!);
}

/** Sends until the switch approves again after Redis came back (it may answer 911 for a moment). */
async function approvedAgain(term: TestTerminal, pan: string): Promise<number> {
  for (let tries = 1; tries <= 100; tries++) {
    if ((await term.send(purchase93({ 2: pan, 4: '000000000100', 52: pinBlock('1234', pan) })))[39] === '000')
      return tries;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the switch did not approve again');
}

t.test(
  'Redis restarted between cut-offs (and with a cut-off queued): every posting in exactly one delivery; the day reconciles',
  async (t) => {
    const redis = await startPersistentRedis();
    t.teardown(() => redis.destroy());
    const direct = new Redis(redis.url, { maxRetriesPerRequest: null });
    direct.on('error', () => {}); // it reconnects by itself after each restart
    t.teardown(() => direct.disconnect());
    const clock = new ManualClock(new Date(`${DATE}T04:30:00Z`));
    const s: SwitchOn = await startSwitchOn(t, redis.url, direct, 1000, clock);
    const scheduler = s.sw.clearingScheduler(
      s.redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false }),
      { lockDuration: 5000, stalledInterval: 2000 },
    );
    scheduler.startWorker();
    t.teardown(() => scheduler.close());
    const cards = [
      await addCard(s.sw, { balance: 100_000_000 }),
      await addCard(s.sw, { balance: 100_000_000, issuer: 'bank-b' }),
    ];
    const term = await TestTerminal.open(s.port);
    t.teardown(() => term.close());
    const approved: string[] = [];
    let stan = 0;

    for (let slot = 1; slot <= 10; slot++) {
      // An hour before each cut-off (Copenhagen is UTC+1 in November).
      clock.set(new Date(Date.UTC(2026, 10, 21, 2 + slot * 2, 0, 0)));
      for (let i = 0; i < 6; i++) {
        const card = cards[i % cards.length]!;
        const sale = await term.send(
          purchase93({
            2: card.pan,
            4: String(100 + slot * 10 + i).padStart(12, '0'),
            11: String(++stan).padStart(6, '0'),
            12: '261121080000',
            52: pinBlock('1234', card.pan),
          }),
        );
        if (sale[39] === '000') approved.push(`TERM0001-261121080000-${String(sale[11])}`);
      }
      clock.set(
        slot === 10
          ? new Date(Date.UTC(2026, 10, 21, 22, 59, 30))
          : new Date(Date.UTC(2026, 10, 21, 3 + slot * 2, 0, 30)),
      );
      if (slot === KILLED_WITH_JOB_QUEUED) {
        const job = await scheduler.add({ kind: 'cutoff', date: DATE, number: slot });
        const made = finished(scheduler, job.id!);
        await redis.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 1000));
        await redis.start();
        t.equal((await made).at(-1)!.number, slot, `delivery ${slot} made although Redis died with its job queued`);
        const after = await scheduler.queue.getJob(job.id!);
        t.comment(
          `the job killed with Redis: ${after?.attemptsMade} attempt(s), stalled ${after?.stalledCounter} time(s)`,
        );
      } else {
        t.equal(
          (await runJob(scheduler, { kind: 'cutoff', date: DATE, number: slot })).at(-1)!.number,
          slot,
          `delivery ${slot} made`,
        );
      }
      const restart = RESTARTS[slot];
      if (restart !== undefined) {
        await redis.kill(restart);
        await redis.start();
        const tries = await approvedAgain(term, cards[0]!.pan);
        t.pass(`Redis restarted (${restart}) after delivery ${slot}; approving again after ${tries} tries`);
      }
    }

    await s.sw.postings.drain();
    const journal = (await s.sw.journal.range('0', '+')).map((e) => e.posting);
    const names = (await readdir(s.config.clearing.directory)).filter((n) => n.startsWith('delivery-')).sort();
    t.same(
      names,
      Array.from({ length: 10 }, (_, i) => `delivery-${DATE}-${String(i + 1).padStart(2, '0')}.txt`),
      'ten deliveries',
    );
    const delivered = new Map<string, number>();
    for (const name of names) {
      const d = parseDelivery(await readFile(join(s.config.clearing.directory, name), 'latin1'));
      for (const sec of d.sections) for (const p of sec.postings) delivered.set(p.id, (delivered.get(p.id) ?? 0) + 1);
    }
    t.same([...delivered.keys()].sort(), journal.map((p) => p.id).sort(), 'the deliveries hold exactly the journal');
    t.same(
      [...delivered.values()].filter((n) => n !== 1),
      [],
      'each posting in exactly one delivery',
    );
    const tested = journal.filter((p) => p.localTime === '261121080000');
    t.same(tested.map((p) => p.txn).sort(), [...approved].sort(), "one posting per approval of the day's traffic");
    t.equal(approved.length, 60, 'all of it approved');
    const report = JSON.parse(
      await readFile(join(s.config.clearing.directory, `reconciliation-${DATE}.json`), 'utf8'),
    ) as { clean: boolean; differences: string[] };
    t.same(report.differences, [], 'the reconciliation after the 10th cut-off is clean');
    t.equal(report.clean, true);
  },
);
