/**
 * The switch assembled: one Listener per configured listener (each with its dialect, framing and
 * request processor over the shared pipeline), the admin HTTP listener, metrics and the trace.
 */
import { type RegisterRedis, bullConnection } from './redis/client.js';
import { type Dialect, dialect as shippedDialect } from './codec/index.js';
import type { SwitchConfig } from './config/types.js';
import { type Clock, systemClock } from './time/clock.js';
import type { Logger } from './log/logger.js';
import { SwitchMetrics } from './metrics/metrics.js';
import { Pipeline, type Step } from './authorization/pipeline.js';
import { ROUTES, type Route, UNKNOWN_MTI } from './authorization/routes.js';
import { STANDARD_STEPS } from './authorization/steps/index.js';
import { RequestProcessor } from './authorization/processor.js';
import { TerminalTrace } from './trace/terminal-trace.js';
import { Listener } from './transport/listener.js';
import { AdminServer } from './admin/server.js';
import { adminRoutes } from './admin/routes.js';
import { blockReferenceKey } from './admin/block-service.js';
import { CardRegister } from './card/card-register.js';
import { NoticeRelay } from './notices/notice-relay.js';
import { TerminalKeys } from './crypto/terminal-keys.js';
import { authorizeCard } from './authorization/steps/authorize-card.js';
import { PendingBlocks } from './blocking/pending-blocks.js';
import { PostingJournal } from './journal/journal.js';
import { PostingRelay } from './journal/posting-relay.js';
import { LastApprovedTransactions } from './terminal-state/last-approved.js';
import { CardTransactions } from './card/card-transactions.js';
import { UnmatchedReversals } from './journal/unmatched-reversals.js';
import { reverseLostAnswer } from './authorization/steps/reverse-lost-answer.js';
import { completeAuthorization } from './authorization/steps/complete-authorization.js';
import { reverseTransaction } from './authorization/steps/reverse-transaction.js';
import { OfflineBlockList } from './blocking/offline-block-list.js';
import { ClearingDelivery, type CrashPoint } from './clearing/clearing-delivery.js';
import { DeliveryLedger } from './clearing/delivery-ledger.js';
import { ClearingScheduler } from './clearing/clearing-scheduler.js';
import { FaultInjector } from './faults/injector.js';
import { UncertainCalls } from './authorization/uncertain-calls.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How often outboxes left behind by a failure are swept into the issuers' feeds. */
const NOTICE_SWEEP_MS = 5000;
/** How often postings left in card outboxes by a failure are moved to the journal. */
const POSTING_SWEEP_MS = 5000;
/** How often blocks kept while Redis was down are tried again. */
const PENDING_BLOCK_RETRY_MS = 1000;

export interface SwitchOptions {
  config: SwitchConfig;
  redis: RegisterRedis;
  log: Logger;
  clock?: Clock;
  /** Extra or replacing steps and routes: how later rules (and tests) plug into the pipeline. */
  steps?: Step[];
  routes?: Record<string, Route>;
  metrics?: SwitchMetrics;
  /** Crash points of the clearing delivery (the crash tests make one kill the process). */
  clearingCrashAt?: (point: CrashPoint) => void;
}

export class Switch {
  readonly metrics: SwitchMetrics;
  readonly trace: TerminalTrace;
  readonly listeners: Listener[];
  readonly admin: AdminServer;
  readonly register: CardRegister;
  readonly relay: NoticeRelay;
  readonly pendingBlocks: PendingBlocks;
  readonly journal: PostingJournal;
  readonly postings: PostingRelay;
  readonly transactions: CardTransactions;
  readonly unmatched: UnmatchedReversals;
  readonly blockList: OfflineBlockList;
  readonly ledger: DeliveryLedger;
  readonly delivery: ClearingDelivery;
  /** BullMQ timetable and worker; built when clearing.enabled. */
  readonly clearing: ClearingScheduler | undefined;
  /** Terminal vendors' fault rules (admin API /faults), shared through Redis. */
  readonly faults: FaultInjector;
  /** Terminals' PIN keys and models (old terminals: dkt1, dkt1plus, oem). */
  readonly terminalKeys: TerminalKeys;
  /** Register calls answered 911 whose outcome was unknown, settled once Redis answers. */
  readonly uncertain: UncertainCalls;
  private readonly dialects = new Map<string, Dialect>();

  constructor(private readonly options: SwitchOptions) {
    const { config, log } = options;
    const clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? new SwitchMetrics();
    this.trace = new TerminalTrace(config.trace.perTerminal, clock);
    this.register = new CardRegister(options.redis, config.redis.keyPrefix, config.register, clock);
    this.relay = new NoticeRelay(options.redis, config.redis.keyPrefix, log);
    const journal = config.register.pendingBlocksFile ?? join(tmpdir(), `switch-pending-blocks-${config.redis.keyPrefix.replace(/[^\w-]/g, '_')}.jsonl`);
    this.pendingBlocks = new PendingBlocks(journal, this.register, this.relay, options.redis, (ref) => blockReferenceKey(config.redis.keyPrefix, ref), log);
    const keys = config.terminals.keyFile === undefined ? TerminalKeys.testKeys() : TerminalKeys.fromFile(config.terminals.keyFile);
    this.terminalKeys = keys;
    const prefix = config.redis.keyPrefix;
    this.journal = new PostingJournal(options.redis, prefix);
    const lastApproved = new LastApprovedTransactions(options.redis, prefix);
    this.postings = new PostingRelay(options.redis, prefix, this.journal, lastApproved, clock, log);
    this.transactions = new CardTransactions(options.redis, prefix, this.register, clock, config.register.transactionRetentionDays);
    this.unmatched = new UnmatchedReversals(options.redis, prefix);
    const timeoutMs = config.redis.commandTimeoutMs;
    this.uncertain = new UncertainCalls({ redis: options.redis, register: this.register, transactions: this.transactions, postings: this.postings, notices: this.relay, log });
    const calls = this.uncertain;
    const advices = { transactions: this.transactions, postings: this.postings, timeoutMs, calls };
    const registerSteps = [
      authorizeCard({ register: this.register, relay: this.relay, postings: this.postings, lastApproved, keys, secret: Buffer.from(config.register.secret, 'hex'), timeoutMs, calls }),
      reverseLostAnswer({ keys, lastApproved, ...advices }),
      completeAuthorization(advices),
      reverseTransaction({ ...advices, unmatched: this.unmatched }),
    ];
    this.faults = new FaultInjector({ redis: options.redis, prefix, idOf: (pan) => this.register.idOf(pan), metrics: this.metrics, clock, log, timeoutMs });
    const pipeline = new Pipeline([...STANDARD_STEPS, ...registerSteps, ...(options.steps ?? [])], { ...ROUTES, ...options.routes }, UNKNOWN_MTI);
    this.listeners = config.listeners.map((l) => {
      const d = shippedDialect(l.dialect);
      this.dialects.set(l.name, d);
      const processor = new RequestProcessor({ listener: l.name, dialect: d, pipeline, clock, log, metrics: this.metrics, trace: this.trace, faults: this.faults });
      return new Listener(l, (body) => processor.process(body), this.metrics, log);
    });
    this.blockList = new OfflineBlockList({ redis: options.redis, prefix, register: this.register, clock, timeZone: config.register.timeZone, directory: config.clearing.blockList.directory, log });
    this.ledger = new DeliveryLedger(options.redis, prefix, this.journal.stream);
    const timeZone = config.register.timeZone;
    this.delivery = new ClearingDelivery({
      journal: this.journal, ledger: this.ledger, relay: this.postings, cipher: this.register.cipher, config: config.clearing, timeZone, clock, log,
      ...(options.clearingCrashAt ? { crashAt: options.clearingCrashAt } : {}),
    });
    this.clearing = config.clearing.enabled ? this.clearingScheduler(bullConnection(options.redis)) : undefined;
    this.admin = new AdminServer(adminRoutes(this, options.redis, { config, clock, log, blockList: this.blockList }), log);
    // Connection-level failures (refused, reset, timed out); failed register calls count in the processor.
    options.redis.on('error', () => this.metrics.redisErrors.inc());
  }

  /** The clearing timetable on BullMQ over a connection of its own (BullMQ needs maxRetriesPerRequest null). */
  clearingScheduler(connection: RegisterRedis, worker?: { lockDuration?: number; stalledInterval?: number }): ClearingScheduler {
    const { config, log } = this.options;
    return new ClearingScheduler({
      connection, config: config.clearing, timeZone: config.register.timeZone, delivery: this.delivery, blockList: this.blockList,
      reconciliation: { journal: this.journal, ledger: this.ledger, unmatched: this.unmatched }, log,
      ...(worker ? { worker } : {}),
    });
  }

  dialectOf(listener: string): Dialect {
    return this.dialects.get(listener)!;
  }

  async start(): Promise<void> {
    // Postings a crash left in card outboxes reach the journal (and old terminals' last approvals
    // their records) before the first request is read.
    await this.postings.sweep().catch((e: Error) => this.options.log.warn({ err: e.message }, 'posting sweep at start failed; retried at the next cut-off'));
    await this.relay.sweep().catch((e: Error) => this.options.log.warn({ err: e.message }, 'notice sweep at start failed'));
    // Fault rules set before this switch started apply from its first request.
    await this.faults.start();
    for (const l of this.listeners) await l.start();
    await this.admin.start(this.options.config.admin.host, this.options.config.admin.port);
    this.relay.startSweeping(NOTICE_SWEEP_MS);
    this.pendingBlocks.start(PENDING_BLOCK_RETRY_MS);
    this.postings.startSweeping(POSTING_SWEEP_MS);
    if (this.clearing) {
      await this.clearing.schedule();
      this.clearing.startWorker();
    }
  }

  /** Graceful: stop accepting, answer what was read, close connections, then the admin listener. */
  async stop(): Promise<void> {
    const deadline = this.options.config.shutdownTimeoutMs;
    await Promise.all(this.listeners.map((l) => l.stop(deadline)));
    this.relay.stopSweeping();
    this.postings.stopSweeping();
    this.faults.stop();
    // What a call answered 911 did after all is settled before the process goes (if Redis answers).
    await this.uncertain.settleAll();
    this.uncertain.stop();
    await this.postings.drain();
    await this.clearing?.close();
    this.pendingBlocks.stop();
    await this.admin.stop();
  }
}
