/**
 * The pure half of the harness: the framing per dialect, the switch's generated config file, and
 * the check that the bench only ever touches a Redis on this machine.
 */
import { join } from 'node:path';
import type { ShippedDialect } from '../../src/codec/index.js';
import type { FramingSpec } from '../../src/transport/framing.js';

export const HOST = '127.0.0.1';

/** The framing each dialect's listener usually has (docs/PROTOCOL.md §1.1). */
export const FRAMING_OF: Record<ShippedDialect, FramingSpec> = {
  iso93ascii: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
  iso87ascii: { header: 'ascii4', tpdu: false, maxFrameSize: 8192 },
  iso93binary: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
};

/** Only a Redis on this machine: the bench writes and then deletes thousands of keys. */
export function checkLoopbackRedis(url: string): void {
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (u?.protocol !== 'redis:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    throw new Error(`--redis must be a redis:// URL on this machine (127.0.0.1), got ${url}`);
  }
}

export interface SwitchSettings {
  dialect: ShippedDialect;
  framing: FramingSpec;
  redisUrl: string;
  keyPrefix: string;
  maxInFlight: number;
  maxConnections: number;
  /** Switch processes sharing the listener (default 1). */
  processes?: number;
  /** For the register's journal of pending blocks, which would otherwise go to the system's tmp. */
  dir: string;
  logLevel?: string;
}

/** The switch's config file for a run (src/config/types.ts; defaults fill the rest). */
export function switchConfig(s: SwitchSettings, ports: { listener: number; admin: number }): object {
  return {
    listeners: [
      {
        name: 'bench',
        host: HOST,
        port: ports.listener,
        dialect: s.dialect,
        framing: s.framing,
        // Idle and first-frame timeouts beyond any run: the idle-connection test's connections never send a frame.
        connections: {
          maxConnections: s.maxConnections,
          maxInFlight: s.maxInFlight,
          idleTimeoutMs: 3_600_000,
          firstFrameTimeoutMs: 3_600_000,
        },
      },
    ],
    admin: { host: HOST, port: ports.admin },
    processes: s.processes ?? 1,
    redis: { url: s.redisUrl, keyPrefix: s.keyPrefix },
    log: { level: s.logLevel ?? 'warn' },
    register: { pendingBlocksFile: join(s.dir, 'pending-blocks.jsonl') },
    // The bench measures authorizations; no cut-off falls in a run, and its files would outlive it.
    clearing: {
      enabled: false,
      directory: join(s.dir, 'clearing'),
      blockList: { directory: join(s.dir, 'block-list') },
    },
  };
}
