/**
 * The floor baseline's server (`--baseline floor`): reads frames like the switch's listener and
 * answers each one through the floor (bench/load/floor.ts: unpack, one Redis call, pack). Run as
 * its own process, like the switch and the echo server, so it has the core the switch had.
 * One ioredis client whose commands of one turn of the event loop leave in one write, as the
 * switch's do (src/redis/write-coalescing.ts; ioredis's auto-pipelining, which the floor used
 * first, keeps one batch in flight and copies every defined script into each batch: it made the
 * floor slower than the switch). An answer is written as soon as it is ready, and the answers
 * ready in the same turn leave in one write.
 *
 *   node dist/bench/load/floor-server.js --header binary2 --dialect iso93ascii \
 *     --redis redis://127.0.0.1:6379 --prefix bench:… [--host 127.0.0.1] [--port 0]
 *
 * Prints one JSON line with its port, then runs until SIGTERM/SIGINT, when it removes what it
 * wrote in Redis (its lists and card fields) and exits.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { FrameReader, type LengthHeader, encodeFrame } from '../../src/transport/framing.js';
import { coalesceWrites } from '../../src/redis/write-coalescing.js';
import { Floor } from './floor.js';

const { values } = parseArgs({
  options: {
    header: { type: 'string', default: 'binary2' },
    dialect: { type: 'string', default: 'iso93ascii' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    prefix: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});
const fail = (why: string): never => {
  process.stderr.write(`floor server: ${why}\n`);
  process.exit(2);
};
const framing = { header: values.header as LengthHeader, tpdu: false, maxFrameSize: 65535 };
if (!['binary2', 'ascii4', 'bcd2'].includes(framing.header))
  fail(`--header ${framing.header}: binary2, ascii4 or bcd2`);
if (framing.header !== 'binary2') framing.maxFrameSize = 9999;
if (!(SHIPPED_DIALECTS as readonly string[]).includes(values.dialect))
  fail(`--dialect ${values.dialect}: one of ${SHIPPED_DIALECTS.join(', ')}`);
const prefix = values.prefix ?? fail('--prefix: the key prefix of the run whose cards are seeded');

// The register the bench seeds with (bench/load/seed.ts): the same secret names the same cards.
const redis = new Redis(values.redis, { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
coalesceWrites(redis);
const floor = new Floor(redis, prefix, dialect(values.dialect), DEFAULT_CONFIG.register);

const server = createServer({ noDelay: true }, (socket) => {
  const reader = new FrameReader(framing);
  const send = (body: Buffer): void => {
    if (socket.destroyed) return;
    // Corked until the answers that became ready with this one have been written too.
    socket.cork();
    socket.write(encodeFrame(framing, body));
    process.nextTick(() => socket.uncork());
  };
  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const f of frames)
      floor.answer(f.body).then(send, () => {
        // A message the codec cannot read: the bench never sends one; hang up, as on bad framing.
        socket.destroy();
      });
  });
  socket.on('error', () => undefined);
});
server.maxConnections = 100_000;
redis.once('ready', () => {
  server.listen(Number(values.port), values.host, () => {
    process.stdout.write(
      `${JSON.stringify({ msg: 'listening', port: (server.address() as { port: number }).port })}\n`,
    );
  });
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close();
  floor
    .clean()
    .then((n) => process.stdout.write(`${JSON.stringify({ msg: 'cleaned', lists: n })}\n`))
    .catch((e: Error) => process.stderr.write(`floor server: cleaning up: ${e.message}\n`))
    .finally(() => {
      redis.disconnect();
      process.exit(0);
    });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
