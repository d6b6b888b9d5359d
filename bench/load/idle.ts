/**
 * `--idle N`: what N idle terminal connections cost the switch in memory. Reads the switch
 * child's VmRSS, opens N connections in batches (each batch waits for all its connects, so the
 * listen backlog is never overrun), lets the switch settle, checks it still holds them all
 * (its switch_open_connections gauge), reads VmRSS again, then closes everything.
 */
import { type Socket, connect } from 'node:net';
import { HOST } from './switch-config.js';
import { rssKb } from './procstat.js';

export interface IdleResult {
  connections: number;
  opened: number;
  /** What the switch's /metrics says it holds once all are open; null if it could not be read. */
  switchOpenConnections: number | null;
  closedBySwitch: number;
  rssBeforeMiB: number | null;
  rssAfterMiB: number | null;
  /** (after - before) / connections */
  kibPerConnection: number | null;
  openSeconds: number;
}

/** Time given to the switch before each RSS reading (GC, lazily allocated buffers). */
const SETTLE_MS = 3000;
const mib = (kb: number | null): number | null => (kb === null ? null : Number((kb / 1024).toFixed(1)));

async function openOne(port: number, onClose: () => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port });
    s.setTimeout(30_000, () => s.destroy(new Error('connect timeout')));
    s.once('connect', () => {
      s.setTimeout(0);
      s.off('error', reject);
      s.on('error', () => undefined);
      s.once('close', onClose);
      // Flowing, so that an end from the switch is seen (and anything it sends discarded).
      s.resume();
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** The value of switch_open_connections in the switch's Prometheus text (summed over listeners). */
export function openConnectionsFromMetrics(text: string): number | null {
  let total: number | null = null;
  for (const m of text.matchAll(/^switch_open_connections(?:\{[^}]*\})?\s+([\d.e+]+)$/gm))
    total = (total ?? 0) + Number(m[1]);
  return total;
}

export interface IdleOptions {
  pid: number;
  port: number;
  adminPort: number | undefined;
  /** The operator token /metrics takes (Child.adminToken). */
  adminToken: string | undefined;
  connections: number;
  batch: number;
  log: (line: string) => void;
  settleMs?: number;
}

export async function runIdle(opts: IdleOptions): Promise<IdleResult> {
  const settle = opts.settleMs ?? SETTLE_MS;
  const sockets: Socket[] = [];
  let closedBySwitch = 0;
  let closing = false;
  await new Promise((r) => setTimeout(r, settle));
  const before = rssKb(opts.pid);
  const started = Date.now();
  try {
    for (let i = 0; i < opts.connections; i += opts.batch) {
      const size = Math.min(opts.batch, opts.connections - i);
      const batch = await Promise.all(
        Array.from({ length: size }, () => openOne(opts.port, () => void (closing || closedBySwitch++))),
      );
      sockets.push(...batch);
      opts.log(`[idle] ${sockets.length} connections open, switch RSS ${mib(rssKb(opts.pid)) ?? 'n/a'} MiB`);
    }
    const openSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, settle));
    let switchOpen: number | null = null;
    if (opts.adminPort !== undefined) {
      try {
        const headers: Record<string, string> =
          opts.adminToken === undefined ? {} : { authorization: `Bearer ${opts.adminToken}` };
        const res = await fetch(`http://${HOST}:${opts.adminPort}/metrics`, {
          headers,
          signal: AbortSignal.timeout(5000),
        });
        switchOpen = openConnectionsFromMetrics(await res.text());
      } catch {
        switchOpen = null;
      }
    }
    const after = rssKb(opts.pid);
    return {
      connections: opts.connections,
      opened: sockets.length,
      switchOpenConnections: switchOpen,
      closedBySwitch,
      rssBeforeMiB: mib(before),
      rssAfterMiB: mib(after),
      kibPerConnection:
        before === null || after === null ? null : Number(((after - before) / opts.connections).toFixed(2)),
      openSeconds: Number(openSeconds.toFixed(1)),
    };
  } finally {
    closing = true;
    for (const s of sockets) s.destroy();
  }
}
