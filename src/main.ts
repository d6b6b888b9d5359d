/**
 * `npm start`: configuration, Redis (given, a Redis Cluster, found on 127.0.0.1:6379, or a
 * private redis-server), the switch, and a graceful shutdown on SIGTERM/SIGINT that exits 0 once
 * every request already read has been answered (1 if the shutdown bound ran out first).
 *
 * With `processes` > 1 (config, SWITCH_PROCESSES, or `--processes N`) this process supervises
 * that many switch workers sharing the listeners (src/supervisor.ts); each worker runs main()
 * again and takes the single-process path below.
 */
import cluster from 'node:cluster';
import { Gauge } from 'prom-client';
import { ConfigError, loadConfig } from './config/load.js';
import type { SwitchConfig } from './config/types.js';
import { connectOrStartRedis } from './startup/redis.js';
import { createLogger, type Logger } from './log/logger.js';
import { SwitchMetrics } from './metrics/metrics.js';
import { Switch } from './switch.js';
import { pendingBlocksFile } from './blocking/index.js';
import { WORKER_ENV, aggregateMetricsInWorker, supervise } from './supervisor.js';

/** `--processes N` on the command line: the same as SWITCH_PROCESSES=N. */
function environment(argv: string[]): NodeJS.ProcessEnv {
  const at = argv.indexOf('--processes');
  return at === -1 ? process.env : { ...process.env, SWITCH_PROCESSES: argv[at + 1] ?? '' };
}

function configOrExit(): SwitchConfig {
  try {
    return loadConfig({ env: environment(process.argv.slice(2)) });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.log.level);
  if (config.processes > 1 && cluster.isPrimary) return supervise(config, log);
  if (cluster.isWorker)
    return runSwitch(
      asWorker(config),
      log.child({ worker: Number(process.env[WORKER_ENV]), pid: process.pid }),
      workerMetrics(),
    );
  return runSwitch(config, log, new SwitchMetrics());
}

/**
 * A worker's own file of blocks kept while Redis is down (register.pendingBlocksFile): several
 * processes rewriting one file would drop each other's entries. Worker 0 keeps the configured
 * name (what a single process used); worker i adds `.i`. The index survives a restart, so a
 * restarted worker applies what its predecessor kept.
 */
function asWorker(config: SwitchConfig): SwitchConfig {
  const index = Number(process.env[WORKER_ENV] ?? 0);
  // The default of src/blocking/index.ts, made explicit so that it can carry the worker's index.
  const file = pendingBlocksFile(config);
  return { ...config, register: { ...config.register, pendingBlocksFile: index === 0 ? file : `${file}.${index}` } };
}

/** A worker's metrics: /metrics sums all workers; switch_worker_requests tells them apart. */
function workerMetrics(): SwitchMetrics {
  const metrics = new SwitchMetrics();
  const worker = String(process.env[WORKER_ENV] ?? '0');
  new Gauge({
    name: 'switch_worker_requests',
    help: 'Requests answered by each switch worker process (processes > 1): how evenly the connections are spread',
    labelNames: ['worker'],
    registers: [metrics.registry],
    async collect() {
      const answered = await metrics.requests.get();
      this.set(
        { worker },
        answered.values.reduce((sum, v) => sum + v.value, 0),
      );
    },
  });
  aggregateMetricsInWorker(metrics.registry);
  return metrics;
}

async function runSwitch(config: SwitchConfig, log: Logger, metrics: SwitchMetrics): Promise<void> {
  let connection;
  try {
    connection = await connectOrStartRedis({ url: config.redis.url, cluster: config.redis.cluster, log });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  const sw = new Switch({ config, redis: connection.redis, log, metrics });
  await sw.start();
  process.send?.({ type: 'switch:ready' });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: answering requests already read');
    const bound = setTimeout(() => {
      log.error({ boundMs: config.shutdownTimeoutMs }, 'shutdown bound reached; exiting with requests unanswered');
      log.flush();
      process.exit(1);
    }, config.shutdownTimeoutMs + 2000);
    await sw.stop();
    await connection.stop();
    clearTimeout(bound);
    log.info({}, 'stopped');
    log.flush(() => process.exit(0));
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`switch failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
