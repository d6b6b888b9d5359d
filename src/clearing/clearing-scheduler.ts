/**
 * The clearing timetable on BullMQ: one job scheduler per cut-off (cron at the local time, in
 * the register's time zone) and one for the offline block list's daily file, and a worker that
 * runs them. Several switch processes may each run a worker: a cut-off made twice is the same
 * delivery (delivery-ledger.ts). A job is retried when it fails, and picked up again by another
 * worker when the one running it dies (BullMQ's stalled-job check).
 */
import { type Job, Queue, Worker } from 'bullmq';
import { type RegisterRedis, bullPrefix } from '../redis/client.js';
import type { ClearingConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { ClearingDelivery, DeliveryResult } from './clearing-delivery.js';
import type { OfflineBlockList } from '../blocking/offline-block-list.js';
import { cronOf } from './cutoffs.js';
import { localDate } from '../time/local-time.js';
import { reconcileDay, type DayReconciliationDeps } from './day-reconciliation.js';

export const QUEUE_NAME = 'clearing';

export type ClearingJob =
  /** A cut-off: scheduled (number only: the date is the one it was planned for) or by hand (both; or neither: by the clock, ClearingDelivery.byClock). */
  | { kind: 'cutoff'; number?: number; date?: string }
  | { kind: 'blockList'; date?: string }
  | { kind: 'reconcile'; date: string };

export interface ClearingSchedulerDeps {
  /** A connection for BullMQ alone (maxRetriesPerRequest null, no keyPrefix); closed with the scheduler. */
  connection: RegisterRedis;
  config: ClearingConfig;
  timeZone: string;
  delivery: ClearingDelivery;
  blockList: OfflineBlockList;
  reconciliation: Omit<DayReconciliationDeps, 'directory' | 'cutoffs' | 'timeZone'>;
  log: Logger;
  /** Worker tuning (tests shorten the lock so that a killed worker's job is taken over quickly). */
  worker?: { lockDuration?: number; stalledInterval?: number };
}

export class ClearingScheduler {
  readonly queue: Queue<ClearingJob>;
  /** BullMQ's prefix: config clearing.queuePrefix, hash-tagged on a cluster ('{sw-bull}'). */
  readonly prefix: string;
  private worker: Worker<ClearingJob> | undefined;

  constructor(private readonly deps: ClearingSchedulerDeps) {
    this.prefix = bullPrefix(deps.config.queuePrefix, deps.connection);
    this.queue = new Queue<ClearingJob>(QUEUE_NAME, { connection: deps.connection, prefix: this.prefix });
    // Without a listener BullMQ prints each connection error to stderr (every reconnect attempt of an outage).
    this.queue.on('error', (e) => deps.log.warn({ err: e.message }, 'clearing queue: Redis error'));
  }

  /** Puts the timetable in place (replacing one left by an earlier configuration). */
  async schedule(): Promise<void> {
    const wanted = new Map<string, { pattern: string; data: ClearingJob }>();
    this.deps.config.cutoffs.forEach((time, i) =>
      wanted.set(`cutoff-${String(i + 1).padStart(2, '0')}`, {
        pattern: cronOf(time),
        data: { kind: 'cutoff', number: i + 1 },
      }),
    );
    wanted.set('block-list', { pattern: cronOf(this.deps.config.blockList.time), data: { kind: 'blockList' } });
    for (const s of await this.queue.getJobSchedulers()) {
      const id = s.key;
      if (!wanted.has(id)) await this.queue.removeJobScheduler(id);
    }
    for (const [id, w] of wanted) {
      await this.queue.upsertJobScheduler(
        id,
        { pattern: w.pattern, tz: this.deps.timeZone },
        { name: w.data.kind, data: w.data, opts: RETRIES },
      );
    }
  }

  /** Starts a worker in this process. */
  startWorker(): Worker<ClearingJob> {
    this.worker = new Worker<ClearingJob>(QUEUE_NAME, (job) => this.run(job), {
      connection: this.deps.connection,
      prefix: this.prefix,
      concurrency: 1,
      // A job whose worker died is taken over; BullMQ's default gives up after the first such death.
      maxStalledCount: 5,
      ...this.deps.worker,
    });
    this.worker.on('failed', (job, e) =>
      this.deps.log.warn(
        { job: job?.name, attempt: job?.attemptsMade, err: e.message },
        'clearing job failed; it is retried',
      ),
    );
    this.worker.on('error', (e) => this.deps.log.warn({ err: e.message }, 'clearing worker error'));
    return this.worker;
  }

  /** Adds a job by hand (npm run clearing -- --now, tests). */
  add(data: ClearingJob): Promise<Job<ClearingJob>> {
    return this.queue.add(data.kind, data, RETRIES);
  }

  async run(job: Job<ClearingJob>): Promise<unknown> {
    const data = job.data;
    if (data.kind === 'reconcile') return this.reconcile(data.date);
    if (data.kind === 'blockList') return this.deps.blockList.makeDaily(data.date ?? this.plannedDate(job));
    const made =
      data.number === undefined
        ? await this.deps.delivery.byClock()
        : await this.deps.delivery.deliver(data.date ?? this.plannedDate(job), data.number);
    // A day whose last delivery was made now is reconciled (by hand after the last cut-off: today's, then tomorrow's first).
    for (const d of made) if (d.number === this.deps.config.cutoffs.length) await this.reconcile(d.date);
    return made satisfies DeliveryResult[];
  }

  private reconcile(date: string): ReturnType<typeof reconcileDay> {
    const { config, timeZone } = this.deps;
    return reconcileDay(
      { ...this.deps.reconciliation, directory: config.directory, cutoffs: config.cutoffs.length, timeZone },
      date,
    );
  }

  /** The local date a scheduled job was planned for (not when it ran: a late 23:59 run is still that day's). */
  private plannedDate(job: Job<ClearingJob>): string {
    return localDate(new Date(job.timestamp + (job.delay ?? 0)), this.deps.timeZone);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.deps.connection.quit().catch(() => {});
  }
}

const RETRIES = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
};
