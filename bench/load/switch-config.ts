/**
 * The pure half of the harness: the framing per dialect, the switch's generated config file, and
 * the check that the bench only ever touches a Redis on this machine.
 */
import { join } from 'node:path';
import type { ShippedDialect } from '../../src/codec/index.js';
import type { FramingSpec } from '../../src/transport/framing.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import type { BenchChip } from './icc.js';

export const HOST = '127.0.0.1';

/** The framing each dialect's listener usually has (docs/PROTOCOL.md §1.1). */
export const FRAMING_OF: Record<ShippedDialect, FramingSpec> = {
  iso93ascii: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
  iso87ascii: { header: 'ascii4', tpdu: false, maxFrameSize: 8192 },
  iso93binary: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
};

/**
 * The switch's terminal key file for a run: every terminal (the key file's default) is an ATM of
 * a bank other than the bench cards' issuer, with the documented test key, so that the mix's cash
 * withdrawals (processing code 01) are taken and each posts its fee beside it; a purchase from an
 * ATM is not refused (docs/PROTOCOL.md §3.2.5), so the rest of the mix is answered as anywhere.
 */
/** The bench terminals' MAC key (--mac): the ISO 9797-1 Annex B test key, as docs/SECURITY.md §6 ships it. */
export const BENCH_MAC_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');

/**
 * The bench cards' chip (--icc): the dankort product's published test IMK-AC (pyemv's test
 * vectors, docs/SECURITY.md §6, also the switch's default), PAN sequence number 01, EMV CCD
 * cryptogram version 5, as the dankort test cards' chips (docs/TEST-CARDS.md, "Chip data").
 */
export const BENCH_CHIP: BenchChip = {
  issuerMasterKey: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex'),
  panSequence: '01',
  version: 'ccd5',
};

export const TERMINAL_KEYS = {
  default: {
    format: 0,
    key: TEST_PIN_KEY.key.toString('hex').toUpperCase(),
    model: 'atm',
    owner: 'bench-atm-bank',
    macKey: BENCH_MAC_KEY.toString('hex').toUpperCase(),
  },
};

/** Where the run's key file goes (the harness writes TERMINAL_KEYS there). */
export const terminalKeysFile = (dir: string): string => join(dir, 'terminal-keys.json');

/** Where the run's monitoring rules go (the harness writes bench-rules.ts's there). */
export const monitoringRulesFile = (dir: string): string => join(dir, 'monitoring-rules.json');

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
  /** The listener checks MACs where a request carries one (--mac: the chip share MACs its requests). */
  mac?: boolean;
  /** The switch checks the bench cards' cryptograms (--icc): their product's IMK-AC is BENCH_CHIP's. */
  icc?: boolean;
  /** The fraud monitoring (default on, as the switch ships; --monitoring off). */
  monitoring?: boolean;
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
        ...(s.mac === true ? { mac: 'optional' } : {}),
      },
    ],
    admin: { host: HOST, port: ports.admin },
    processes: s.processes ?? 1,
    redis: { url: s.redisUrl, keyPrefix: s.keyPrefix },
    log: { level: s.logLevel ?? 'warn' },
    register: {
      pendingBlocksFile: join(s.dir, 'pending-blocks.jsonl'),
      // The switch's default already; named here so that the run's cryptograms do not depend on the defaults.
      ...(s.icc === true
        ? { issuerMasterKeys: { dankort: { ac: BENCH_CHIP.issuerMasterKey.toString('hex').toUpperCase() } } }
        : {}),
    },
    terminals: { keyFile: terminalKeysFile(s.dir) },
    // On, as shipped, with the shipped rules' counts scaled to a bench card's use (bench/load/bench-rules.ts).
    monitoring: s.monitoring === false ? { enabled: false } : { enabled: true, rulesFile: monitoringRulesFile(s.dir) },
    // The bench measures authorizations; no cut-off falls in a run, and its files would outlive it.
    clearing: {
      enabled: false,
      directory: join(s.dir, 'clearing'),
      blockList: { directory: join(s.dir, 'block-list') },
    },
  };
}
