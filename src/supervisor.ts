/**
 * Several switch processes on one host behind the same ports (config `processes` > 1): this
 * process becomes a supervisor that forks the workers with node:cluster. Every worker runs the
 * whole switch (listeners, admin API, relays, clearing worker); the listening sockets are shared
 * (the primary accepts and hands connections round-robin to the workers, Linux's default), so
 * terminals see one address. They share one Redis, where every decision is one atomic Lua call:
 * the semantics are those of a single process (docs/OPERATIONS.md).
 *
 * The supervisor: resolves the Redis once (a private redis-server, when it has to start one, is
 * its own, shared by the workers), starts a worker again when one dies, answers /metrics for any
 * worker with the sum over all of them, and on SIGTERM / SIGINT stops every worker gracefully
 * (each answers what it has read) and exits 0 when they all did.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { SwitchConfig } from './config/types.js';
import type { Logger } from './log/logger.js';
import { connectOrStartRedis } from './startup/redis.js';

/** A worker that died is started again after this pause (a crash loop then costs little). */
const RESTART_DELAY_MS = 1000;

/** Messages between a worker and the supervisor. */
export type WorkerMessage = { type: 'switch:ready' } | { type: 'switch:metrics'; id: number };
export type SupervisorMessage = { type: 'switch:metrics'; id: number; text?: string; error?: string };

/** Environment of a worker: its index (stable across restarts) and the Redis the supervisor resolved. */
export const WORKER_ENV = 'SWITCH_WORKER';

interface Slot {
  index: number;
  worker: Worker | undefined;
  ready: boolean;
  restart: NodeJS.Timeout | undefined;
}

export async function supervise(config: SwitchConfig, log: Logger): Promise<void> {
  let redis;
  try {
    redis = await connectOrStartRedis({ url: config.redis.url, log });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  const aggregator = new AggregatorRegistry();
  const slots: Slot[] = Array.from({ length: config.processes }, (_, index) => ({
    index,
    worker: undefined,
    ready: false,
    restart: undefined,
  }));
  let stopping = false;

  const fork = (slot: Slot): void => {
    slot.ready = false;
    const worker = cluster.fork({ [WORKER_ENV]: String(slot.index), REDIS_URL: redis.url });
    slot.worker = worker;
    worker.on('message', (m: WorkerMessage) => onMessage(slot, worker, m));
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
  };

  const onMessage = (slot: Slot, worker: Worker, m: WorkerMessage): void => {
    if (m.type === 'switch:ready') slot.ready = true;
    if (m.type === 'switch:metrics') {
      aggregator.clusterMetrics().then(
        (text) =>
          worker.isConnected() && worker.send({ type: 'switch:metrics', id: m.id, text } satisfies SupervisorMessage),
        (e: Error) =>
          worker.isConnected() &&
          worker.send({ type: 'switch:metrics', id: m.id, error: e.message } satisfies SupervisorMessage),
      );
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null): void => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    if (stopping) return;
    // A worker that never got as far as serving will not do better the next time (a port in use,
    // a Redis that refuses it): stop instead of looping.
    if (!slot.ready) {
      log.fatal(
        { worker: slot.index, pid: worker.process.pid, code, signal },
        'a switch worker failed to start; stopping',
      );
      void shutdown('worker failed to start', 1);
      return;
    }
    log.error(
      { worker: slot.index, pid: worker.process.pid, code, signal, restartInMs: RESTART_DELAY_MS },
      'switch worker exited; starting another',
    );
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (!stopping) fork(slot);
    }, RESTART_DELAY_MS);
  };

  const shutdown = async (reason: string, failed = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ reason, workers: slots.filter((s) => s.worker).length }, 'stopping the switch workers');
    const bound = setTimeout(() => {
      log.error({ boundMs: config.shutdownTimeoutMs }, 'workers did not stop within the shutdown bound');
      for (const s of slots) s.worker?.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 5000);
    const codes = await Promise.all(slots.map((s) => stopWorker(s)));
    clearTimeout(bound);
    await redis.stop();
    const code = failed || (codes.every((c) => c === 0) ? 0 : 1);
    log.info({ exitCodes: codes }, 'stopped');
    log.flush(() => process.exit(code));
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  log.info({ processes: config.processes, pid: process.pid }, 'starting switch workers');
  for (const slot of slots) fork(slot);
}

/** SIGTERM to a worker (its own graceful shutdown); resolves with its exit code. */
async function stopWorker(slot: Slot): Promise<number | null> {
  clearTimeout(slot.restart);
  const worker = slot.worker;
  if (worker === undefined) return 0;
  if (worker.process.exitCode !== null) return worker.process.exitCode;
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.process.kill('SIGTERM');
  return exited;
}

/**
 * In a worker: /metrics answers the sum over every worker (asked of the supervisor, which asks
 * them all), and each worker reports its own registry when asked.
 */
export function aggregateMetricsInWorker(registry: Registry): void {
  // Constructing it installs prom-client's listener that answers the supervisor's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
  process.on('message', (m: SupervisorMessage) => {
    if (m.type !== 'switch:metrics') return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.text ?? '');
  });
  registry.metrics = () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      process.send!({ type: 'switch:metrics', id } satisfies WorkerMessage);
    });
}
