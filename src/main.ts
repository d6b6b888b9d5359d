/**
 * `npm start`: configuration (the sandbox when none is given: src/config/sandbox.ts), Redis (given, a Redis Cluster, found on 127.0.0.1:6379, or a
 * private redis-server), the switch, and a graceful shutdown on SIGTERM/SIGINT that exits 0 once
 * every request already read has been answered (1 if the shutdown bound ran out first).
 *
 * With `processes` > 1 (config, SWITCH_PROCESSES, or `--processes N`) this process supervises
 * that many switch workers sharing the listeners (src/supervisor.ts); each worker runs main()
 * again and takes the single-process path below.
 */
import cluster from 'node:cluster';
import { dirname } from 'node:path';
import { Gauge } from 'prom-client';
import { ConfigError, loadStartupConfig } from './config/load.js';
import type { SwitchConfig } from './config/types.js';
import { connectOrStartRedis } from './startup/redis.js';
import { createLogger, type Logger } from './log/logger.js';
import { SwitchMetrics } from './metrics/metrics.js';
import { Switch } from './switch.js';
import { pendingBlocksFile } from './blocking/index.js';
import { WORKER_ENV, aggregateMetricsInWorker, supervise } from './supervisor.js';
import { ListenError } from './transport/listen.js';
import { sandboxBanner, seedSandbox } from './startup/sandbox.js';
import { ensureSandboxTls, sandboxTlsFiles } from './startup/sandbox-tls.js';
import { redactUrl } from './redis/connect.js';
import { systemClock } from './time/clock.js';

export const USAGE = `Usage: npm start [-- --processes N]

Runs the switch: the ISO 8583 listeners, the admin API, the clearing timetable.

With no configuration (no SWITCH_CONFIG) it starts the sandbox: listeners on 127.0.0.1 only
(iso93ascii on 8583, iso87ascii on 8587, iso93ascii over TLS on 8543 with a test CA made in
data/sandbox/tls/ on the first start), the admin API on 8080, the test cards seeded under the
key prefix "sandbox:", and the documented test tokens for every role; a banner lists them.
SWITCH_CONFIG=file.json (config/README.md) runs a configured switch, with no test tokens.

Options:
  --processes N   N switch processes sharing the ports (also SWITCH_PROCESSES)
  --help          this text

Environment: SWITCH_CONFIG, REDIS_URL, REDIS_CLUSTER, SWITCH_PORT, ADMIN_PORT, SWITCH_PROCESSES,
LOG_LEVEL (config/README.md). Stop with Ctrl-C or SIGTERM: requests already read are answered.
`;

/** `--processes N` on the command line: the same as SWITCH_PROCESSES=N. */
function environment(argv: string[]): NodeJS.ProcessEnv {
  const at = argv.indexOf('--processes');
  return at === -1 ? process.env : { ...process.env, SWITCH_PROCESSES: argv[at + 1] ?? '' };
}

function configOrExit(): { config: SwitchConfig; sandbox: boolean } {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  try {
    return loadStartupConfig({ env: environment(args) });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { config, sandbox } = configOrExit();
  const log = createLogger(config.log.level);
  // The sandbox's certificates are there before any process's TLS listener reads them.
  if (sandbox && cluster.isPrimary) await makeSandboxTls(log);
  if (config.processes > 1 && cluster.isPrimary) return supervise(config, log);
  if (cluster.isWorker) {
    const worker = Number(process.env[WORKER_ENV]);
    // One worker seeds the sandbox and prints its banner: the others share its Redis and ports.
    return runSwitch(
      asWorker(config),
      log.child({ worker, pid: process.pid }),
      workerMetrics(),
      sandbox && worker === 0,
    );
  }
  return runSwitch(config, log, new SwitchMetrics(), sandbox);
}

/** The sandbox's test CA and certificates, made on the first start (src/startup/sandbox-tls.ts). */
async function makeSandboxTls(log: Logger): Promise<void> {
  try {
    const { files, created } = await ensureSandboxTls(systemClock);
    log.info(
      { directory: dirname(files.ca), created },
      created ? 'sandbox TLS certificates made' : 'sandbox TLS certificates reused',
    );
  } catch (e) {
    process.stderr.write(`switch not started: cannot make the sandbox's TLS certificates: ${(e as Error).message}\n`);
    process.exit(1);
  }
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

async function runSwitch(config: SwitchConfig, log: Logger, metrics: SwitchMetrics, sandbox: boolean): Promise<void> {
  let connection;
  try {
    connection = await connectOrStartRedis({ url: config.redis.url, cluster: config.redis.cluster, log });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  const sw = new Switch({ config, redis: connection.redis, log, metrics });
  try {
    await sw.start();
  } catch (e) {
    if (!(e instanceof ListenError)) throw e;
    process.stderr.write(`switch not started: ${e.message}\n`);
    process.exit(1);
  }
  if (sandbox) {
    const cards = await seedSandbox(connection.redis, config, systemClock);
    const listenerPorts = sw.listeners.map((l) => l.port);
    const banner = {
      config,
      listenerPorts,
      adminPort: sw.admin.port,
      redis: redactUrl(connection.url),
      cards,
      tls: sandboxTlsFiles(),
    };
    process.stderr.write(sandboxBanner(banner));
  }
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
