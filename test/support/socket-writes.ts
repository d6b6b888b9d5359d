/** For the tests of write coalescing: how many writes a client's socket makes to the kernel. */
import type { Redis } from 'ioredis';

/** Counts the socket's writes from now on (one per _write or _writev call); the count so far. */
export function countWrites(redis: Redis): () => number {
  const socket = redis.stream as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  let writes = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = socket[name].bind(socket);
    socket[name] = (...a: unknown[]) => {
      writes++;
      original(...a);
    };
  }
  return () => writes;
}
