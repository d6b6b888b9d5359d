/**
 * The switch's configuration, as validated at start (src/config/load.ts). Defaults are in
 * src/config/defaults.ts; config/switch.example.json shows every key.
 */
import type { ConnectionLimits, ListenerOptions } from '../transport/options.js';

export type { ConnectionLimits };
export type ListenerConfig = ListenerOptions;



export interface SwitchConfig {
  listeners: ListenerConfig[];
  admin: {
    host: string;
    port: number;
    /**
     * Bearer tokens of the issuer and block-service API (docs/ADMIN-API.md), each naming who it
     * speaks for. Empty (the default): that API answers 401 to everyone.
     */
    tokens: Record<string, AdminPrincipal>;
  };
  redis: {
    /** redis://host:port/db; when absent the switch probes 127.0.0.1:6379, then starts a private redis-server. */
    url?: string;
    /**
     * Redis Cluster seed nodes, 'host:port' (a few masters are enough: the client learns the rest).
     * Instead of url: the switch then runs on the cluster (docs/OPERATIONS.md, "Redis Cluster").
     */
    cluster?: string[];
    /** Prefix of every key the switch writes, so that several switches or test files can share one Redis. */
    keyPrefix: string;
    /** A register call slower than this is answered as register unavailable. */
    commandTimeoutMs: number;
  };
  /** Graceful shutdown: the most time given to answering requests already read. */
  shutdownTimeoutMs: number;
  /**
   * Switch processes on this host sharing the listeners (node:cluster): 1 runs the switch in the
   * process itself; N > 1 runs a supervisor that forks N workers (docs/OPERATIONS.md).
   */
  processes: number;
  /** Messages kept per terminal for the trace API. */
  trace: { perTerminal: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  register: RegisterConfig;
  /** Per issuer (the issuer id of its cards and tokens): what the switch does on its behalf. */
  issuers: Record<string, IssuerConfig>;
  clearing: ClearingConfig;
  terminals: {
    /** JSON file of terminal PIN keys (see config/terminal-keys.example.json); absent: the documented test key for every terminal. */
    keyFile?: string;
  };
}

export interface RegisterConfig {
  /**
   * Secret (hex, at least 16 bytes) keying the PAN hashes that name cards in Redis and the PIN
   * verification values. The default is a documented test secret: set your own outside tests.
   */
  secret: string;
  /** Days an authorised amount stays reserved unless completed or reversed (004: 14 to 31). */
  reservationLapseDays: number;
  /**
   * Journal of blocks made while Redis was down, applied when it is back (also after a restart).
   * Default: switch-pending-blocks-<key prefix>.jsonl in the system's temporary directory.
   */
  pendingBlocksFile?: string;
  /** Local time zone of expiry dates, clearing cut-offs and the offline block list's day. */
  timeZone: string;
  /**
   * AES-256 data key (hex, 32 bytes) under which the full PAN is kept, for the deliveries that
   * need it (clearing files, offline block list). The default is a documented test key.
   */
  dataKey: string;
  /** Days a transaction's record (its answer, for retransmissions; its state, for completions and reversals) is kept. */
  transactionRetentionDays: number;
  contactless: {
    /** Largest PIN-less contactless payment, in øre (350.00 DKK). */
    limit: number;
    /** PIN-less contactless payments in a row before chip and PIN is asked for. */
    maxCount: number;
    /** Their largest sum, in øre (1,125.00 DKK), before chip and PIN is asked for. */
    maxSum: number;
  };
}

/**
 * Who an admin API token speaks for: one issuer (its own cards only), the block service (any
 * card, but only through the cardholder's block report), the offline terminals' fetch service
 * (the offline block list's files only, every issuer's cards), or a terminal vendor's testers
 * (fault rules and the terminals' conformance view only).
 */
export type AdminPrincipal =
  | { role: 'issuer'; issuer: string }
  | { role: 'blockService' }
  | { role: 'offlineTerminals' }
  | { role: 'vendor' }
  /** Operations: readiness, metrics, terminal traces (a Prometheus scraper, the operators' tools). */
  | { role: 'operator' };

export interface IssuerConfig {
  /**
   * SMS receipt of a block made at the block service, per card product, with 'default' for the
   * other products (the issuer chooses the text, which may differ per product). Placeholders:
   * {reference}, {maskedPan}, {time}.
   */
  smsTemplates: Record<string, string>;
}

export interface ClearingConfig {
  /** Run the BullMQ cut-off scheduler and a delivery worker in the switch process. */
  enabled: boolean;
  /** The day's cut-offs, local 'HH:MM' in register.timeZone, in order; delivery n is cut at cutoffs[n-1]. */
  cutoffs: string[];
  /** Where delivery files and reconciliation reports are written (created if absent). */
  directory: string;
  /** BullMQ's key prefix (its own, not redis.keyPrefix: BullMQ must not run under an ioredis keyPrefix). */
  queuePrefix: string;
  /** Offline block list: the local time its daily change file is made, and where files go. */
  blockList: { time: string; directory: string };
}
