/**
 * The Redis `npm start` uses: the configured Redis Cluster or URL; without either, 127.0.0.1:6379
 * when it answers; else a private redis-server started here (src/startup/private-redis.ts), so
 * that `npm start` works on a fresh machine. Its data is lost when the switch stops.
 */
import {
  DEFAULT_PROBE_URL,
  type RedisConnection,
  type RedisLog,
  closeClient,
  connectRedis,
  redactUrl,
  redisAnswers,
  silent,
} from '../redis/connect.js';
import { startPrivateRedis } from './private-redis.js';

const PROBE_TIMEOUT_MS = 500;

export interface StartRedisOptions {
  url?: string | undefined;
  cluster?: string[] | undefined;
  log?: RedisLog;
  /** The binary started when no Redis answers; tests name a missing one. */
  redisServerBinary?: string;
  /** Where to look for a Redis when no url is given. */
  probeUrl?: string;
}

export async function connectOrStartRedis(options: StartRedisOptions = {}): Promise<RedisConnection> {
  const log = options.log ?? silent;
  if (options.cluster !== undefined) return connectRedis({ cluster: options.cluster, log });
  if (options.url !== undefined) return connectRedis({ url: options.url, log });
  const probeUrl = options.probeUrl ?? DEFAULT_PROBE_URL;
  if (await redisAnswers(probeUrl, PROBE_TIMEOUT_MS)) return connectRedis({ url: probeUrl, log });
  log.info(
    { probeUrl: redactUrl(probeUrl) },
    'no Redis answers and none is configured: starting a private redis-server',
  );
  const server = await startPrivateRedis(options.redisServerBinary);
  log.info(
    { url: server.url, dir: server.dir, pid: server.pid },
    'private redis-server started; its data is lost when the switch stops',
  );
  try {
    const { redis } = await connectRedis({ url: server.url, log });
    return {
      redis,
      url: server.url,
      stop: async () => {
        await closeClient(redis);
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
