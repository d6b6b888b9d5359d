/**
 * Clients that misbehave beside the measured terminals, during the switch phase (`--slow N`,
 * `--flood N`): what the well-behaved terminals' latency is while the switch sheds the rest
 * (docs/PROTOCOL.md §1.7–§1.8). Compare with a run without them, same rate, same machine.
 *  - slow: N connections, each trickling a frame one byte a second. The switch closes each after
 *    its frameTimeoutMs; it connects again at once and starts over (a second later when shed).
 *  - flood: N connections on top of everything (from 300 ms after the slow ones), sending nothing.
 *    Those within the switch's maxConnections stay, silent; the rest are shed at once, and each
 *    comes back a second later.
 * Only on this machine (127.0.0.1), bounded by the phase: stop() ends every one of them.
 */
import { type Socket, connect } from 'node:net';

export interface HostileOptions {
  port: number;
  slow: number;
  flood: number;
}

export interface HostileCounts {
  slow: number;
  flood: number;
  /** Slow clients the switch closed (its frame timeout; not those shed at once, which retry a second later). */
  slowClosed: number;
  /** Flood connections the switch closed within a second of accepting them (beyond its limit). */
  floodShed: number;
  /** Flood connections connected for over a second when the phase ended: taken by the switch within its limit (silent), or still waiting in the kernel's accept queue. */
  floodHeld: number;
}

/** A frame that says it is 200 bytes long and comes a byte at a time. */
const CLAIMED_LENGTH = 200;
const RETRY_MS = 1000;
const SHED_WITHIN_MS = 1000;
const FLOOD_AFTER_MS = 300;

export function startHostile(o: HostileOptions): { stop(): HostileCounts } {
  const sockets = new Set<Socket>();
  /** Flood connections open, with when they connected. */
  const floods = new Map<Socket, number>();
  const timers = new Set<NodeJS.Timeout>();
  const counts: HostileCounts = { slow: o.slow, flood: o.flood, slowClosed: 0, floodShed: 0, floodHeld: 0 };
  let stopped = false;
  const later = (fn: () => void, ms: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timers.add(timer);
  };
  const open = (onClose: (openedAt: number) => void): Socket => {
    const socket = connect(o.port, '127.0.0.1');
    const openedAt = Date.now();
    sockets.add(socket);
    socket.on('error', () => undefined);
    // Flowing, or the switch's FIN would go unseen (a paused socket never reads its end).
    socket.resume();
    socket.on('close', () => {
      sockets.delete(socket);
      floods.delete(socket);
      if (!stopped) onClose(openedAt);
    });
    return socket;
  };

  const slow = (): void => {
    const socket = open((openedAt) => {
      // Shed at once (the flood took the places): back off as the flood does, not a tight loop.
      if (Date.now() - openedAt <= SHED_WITHIN_MS) return later(slow, RETRY_MS);
      counts.slowClosed++;
      slow();
    });
    socket.once('connect', () => {
      socket.write(Buffer.from([CLAIMED_LENGTH >> 8, CLAIMED_LENGTH & 0xff]));
      const drip = (): void => {
        if (socket.destroyed) return;
        socket.write('0');
        later(drip, 1000);
      };
      later(drip, 1000);
    });
  };
  const flood = (): void => {
    const socket = open((openedAt) => {
      if (Date.now() - openedAt <= SHED_WITHIN_MS) counts.floodShed++;
      later(flood, RETRY_MS);
    });
    socket.once('connect', () => floods.set(socket, Date.now()));
  };

  for (let i = 0; i < o.slow; i++) slow();
  // The slow ones first: they should hold their places, and the flood be what is shed.
  later(() => {
    for (let i = 0; i < o.flood; i++) flood();
  }, FLOOD_AFTER_MS);
  return {
    /** Ends them all; the counts as they were then (again on a second call). */
    stop(): HostileCounts {
      if (stopped) return counts;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      // Held: connected for longer than a shed takes (not merely waiting in the accept backlog).
      const now = Date.now();
      counts.floodHeld = [...floods].filter(([socket, at]) => !socket.destroyed && now - at > SHED_WITHIN_MS).length;
      for (const socket of sockets) socket.destroy();
      return counts;
    },
  };
}
