/**
 * One socket write per turn of the event loop for every command the switch sends Redis in it.
 *
 * Why not ioredis's auto-pipelining, which the switch used before: it keeps ONE pipeline in
 * flight per connection, and commands issued meanwhile wait for all of its replies before they
 * are even sent. Under load every authorization waited a whole extra Redis round trip (with the
 * other requests' Lua calls in it), and each batch built a Pipeline object that copies every
 * defined script onto itself; those objects outlived young-generation GCs and were a third of
 * what old-space collections (every 2 s, the p99 spikes) reclaimed. Measured with the load
 * benchmark (README, "Performance").
 *
 * Here commands are written at once, in order, into a corked socket; the socket is uncorked in
 * the check phase (setImmediate), after the poll phase has handled every socket that was ready:
 * all the requests read in one turn go to Redis in one writev, and none waits for another's
 * replies. Writes keep their order (one buffer), so replies still match commands.
 */
import type { Redis } from 'ioredis';

export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked = false;
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    // Only plain commands on a ready connection: a pipeline writes its batch itself, and before
    // 'ready' ioredis queues commands offline (there is no socket to cork).
    if (!corked && args[1] === undefined && redis.status === 'ready') {
      const socket = redis.stream;
      socket.cork();
      corked = true;
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(...args);
  }) as Redis['sendCommand'];
}
