/**
 * `npm start`: configuration, Redis (given, found on 127.0.0.1:6379, or a private redis-server),
 * the switch, and a graceful shutdown on SIGTERM/SIGINT that exits 0 once every request already
 * read has been answered (1 if the shutdown bound ran out first).
 */
import { ConfigError, loadConfig } from './config/load.js';
import { connectRedis } from './register/redis.js';
import { createLogger } from './log/logger.js';
import { Switch } from './switch.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.log.level);
  let connection;
  try {
    connection = await connectRedis({ url: config.redis.url, log });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  const sw = new Switch({ config, redis: connection.redis, log });
  await sw.start();

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
