/**
 * The composition root: the domain modules (src/modules.ts), the request pipeline, one Listener
 * per configured listener, the admin API, metrics and the trace, wired together and started and
 * stopped in order. Nothing receives the switch itself: each part gets the few interfaces it
 * uses. Its fields are what it composed, for main.ts and the tests to reach.
 */
import { type RegisterRedis, bullConnection } from './redis/client.js';
import { type Dialect, dialect as shippedDialect } from './codec/index.js';
import { withVariablePinBlock } from './codec/pin-block-field.js';
import { MessageMacs } from './authorization/message-mac.js';
import type { SwitchConfig } from './config/types.js';
import { type Clock, systemClock } from './time/clock.js';
import type { Logger } from './log/logger.js';
import { SwitchMetrics } from './metrics/metrics.js';
import { Pipeline, type Step } from './authorization/pipeline.js';
import { ROUTES, type Route, UNKNOWN_MTI } from './authorization/routes.js';
import { STANDARD_STEPS } from './authorization/steps/index.js';
import { RequestProcessor } from './authorization/processor.js';
import { authorizeCard } from './authorization/steps/authorize-card.js';
import { verifyCryptogram } from './authorization/steps/verify-cryptogram.js';
import { reverseLostAnswer } from './authorization/steps/reverse-lost-answer.js';
import { completeAuthorization } from './authorization/steps/complete-authorization.js';
import { reverseTransaction } from './authorization/steps/reverse-transaction.js';
import { postOfflineAdvice } from './authorization/steps/post-offline-advice.js';
import { recordScriptResults, sendIssuerScripts } from './authorization/steps/issuer-scripts.js';
import { scriptMacKeys } from './authorization/script-keys.js';
import { UncertainCalls } from './authorization/uncertain-calls.js';
import { TerminalTrace } from './trace/terminal-trace.js';
import { Listener } from './transport/listener.js';
import { AdminServer } from './admin/server.js';
import { type AdminDeps, adminRoutes } from './admin/routes.js';
import { TerminalKeys } from './crypto/terminal-keys.js';
import { FaultInjector } from './faults/injector.js';
import { JournalReader } from './journal/journal-reader.js';
import type { CrashPoint } from './clearing/clearing-delivery.js';
import type { ClearingScheduler } from './clearing/clearing-scheduler.js';
import { type Modules, createModules } from './modules.js';
import { type MonitoringModule, createMonitoring } from './monitoring/index.js';
import { watchTransaction } from './authorization/steps/watch-transaction.js';

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
  /** Where the built console is (default dist/console/; tests serve one built elsewhere). */
  consoleDir?: string;
}

export class Switch {
  readonly modules: Modules;
  readonly metrics: SwitchMetrics;
  readonly trace: TerminalTrace;
  readonly listeners: Listener[];
  readonly admin: AdminServer;
  /** Terminal vendors' fault rules (admin API /faults), shared through Redis. */
  readonly faults: FaultInjector;
  /** Terminals' PIN keys and models (old terminals: dkt1, dkt1plus, oem). */
  readonly terminalKeys: TerminalKeys;
  /** Register calls answered 911 whose outcome was unknown, settled once Redis answers. */
  readonly uncertain: UncertainCalls;
  /** BullMQ timetable and worker; built when clearing.enabled. */
  readonly clearing: ClearingScheduler | undefined;
  /** The fraud monitoring: its rules, the live monitor (when enabled), its figures. */
  readonly monitoring: MonitoringModule;
  private readonly dialects = new Map<string, Dialect>();

  constructor(private readonly options: SwitchOptions) {
    const { config, log, redis } = options;
    const clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? new SwitchMetrics();
    this.trace = new TerminalTrace(config.trace.perTerminal, clock);
    this.modules = createModules({
      config,
      redis,
      clock,
      log,
      ...(options.clearingCrashAt ? { clearingCrashAt: options.clearingCrashAt } : {}),
    });
    this.terminalKeys =
      config.terminals.keyFile === undefined
        ? TerminalKeys.testKeys()
        : TerminalKeys.fromFile(config.terminals.keyFile);
    const { card, notices, journal } = this.modules;
    this.monitoring = createMonitoring({
      redis,
      prefix: config.redis.keyPrefix,
      config: config.monitoring,
      cards: card.watch,
      notices,
      registry: this.metrics.registry,
      contactlessLimit: config.register.contactless.limit,
      timeZone: config.register.timeZone,
      clock,
      log,
    });
    this.uncertain = new UncertainCalls({
      redis,
      register: card.register,
      transactions: card.transactions,
      postings: journal.relay,
      notices,
      log,
    });
    this.faults = new FaultInjector({
      redis,
      prefix: config.redis.keyPrefix,
      idOf: (pan) => card.register.idOf(pan),
      metrics: this.metrics,
      clock,
      log,
      timeoutMs: config.redis.commandTimeoutMs,
    });
    const pipeline = new Pipeline(
      [...STANDARD_STEPS, ...this.registerSteps(), ...(options.steps ?? [])],
      { ...ROUTES, ...options.routes },
      UNKNOWN_MTI,
    );
    this.listeners = config.listeners.map((l) => {
      const d =
        l.pinBlock === 'variable16' ? withVariablePinBlock(shippedDialect(l.dialect)) : shippedDialect(l.dialect);
      this.dialects.set(l.name, d);
      const processor = new RequestProcessor({
        listener: l.name,
        dialect: d,
        pipeline,
        clock,
        log,
        metrics: this.metrics,
        trace: this.trace,
        faults: this.faults,
        ...(l.mac === 'off' ? {} : { macs: new MessageMacs(d, l.mac, this.terminalKeys) }),
      });
      return new Listener(l, (body, peer) => processor.process(body, peer), this.metrics, log);
    });
    this.clearing = config.clearing.enabled ? this.clearingScheduler(bullConnection(redis)) : undefined;
    this.admin = new AdminServer(adminRoutes(this.adminDeps(clock)), log);
    // Connection-level failures (refused, reset, timed out); failed register calls count in the processor.
    redis.on('error', () => this.metrics.redisErrors.inc());
  }

  /** The steps that ask the register: authorization, old terminals' lost answers, completions, reversals, offline advices. */
  private registerSteps(): Step[] {
    const { config } = this.options;
    const { card, notices, journal, lastApproved } = this.modules;
    const timeoutMs = config.redis.commandTimeoutMs;
    const keys = this.terminalKeys;
    const calls = this.uncertain;
    const advices = { transactions: card.transactions, postings: journal.relay, timeoutMs, calls };
    const scripts = { scripts: card.scripts, idOf: (pan: string) => card.register.idOf(pan), timeoutMs };
    // The card's MK-SMI from its product's IMK-SMI and its PAN sequence number (chip-card.ts).
    const macKeyOf = scriptMacKeys(config.register.issuerMasterKeys, (pan) => card.register.chipCardOf(pan));
    return [
      recordScriptResults(scripts),
      sendIssuerScripts({ ...scripts, macKeyOf }),
      authorizeCard({
        register: card.register,
        relay: notices,
        postings: journal.relay,
        lastApproved,
        keys,
        ksnCounters: this.modules.ksnCounters,
        secret: Buffer.from(config.register.secret, 'hex'),
        timeoutMs,
        calls,
        currencies: config.currencies,
        timeZone: config.register.timeZone,
        watching: this.monitoring.monitor !== undefined,
      }),
      verifyCryptogram({ register: card.register, issuerMasterKeys: config.register.issuerMasterKeys, timeoutMs }),
      reverseLostAnswer({ keys, lastApproved, ...advices }),
      completeAuthorization(advices),
      reverseTransaction({ ...advices, unmatched: journal.unmatched }),
      postOfflineAdvice({
        advices: card.offlineAdvices,
        relay: notices,
        postings: journal.relay,
        keys,
        timeoutMs,
        calls,
        currencies: config.currencies,
        timeZone: config.register.timeZone,
      }),
      watchTransaction(this.monitoring.monitor),
    ];
  }

  /** The admin API's view of the switch: the interfaces its routes use. */
  adminDeps(clock: Clock = this.options.clock ?? systemClock): AdminDeps {
    const { config, log, redis } = this.options;
    const { card, notices, journal, blocking, clearing, disputes } = this.modules;
    return {
      config,
      clock,
      log,
      register: card.register,
      holders: card.holders,
      scripts: card.scripts,
      notices,
      pendingBlocks: blocking.pendingBlocks(),
      references: blocking.references,
      blockList: blocking.blockList,
      faults: this.faults,
      health: { redisStatus: () => redis.status, listeners: this.listeners, metrics: this.metrics.registry },
      traffic: { trace: this.trace, dialectOf: (l) => this.dialectOf(l), terminalKeys: this.terminalKeys },
      activity: { journal: new JournalReader(redis, journal.journal.stream), notices, relay: journal.relay },
      clearing: { ledger: clearing.ledger, directory: config.clearing.directory },
      monitoring: {
        feedback: (issuer, id, f) => card.watch.feedback(issuer, id, f),
        stats: this.monitoring.stats,
        rules: this.monitoring.rules,
      },
      disputes: disputes.disputes,
      disputeCases: disputes,
      ...(this.options.consoleDir === undefined ? {} : { consoleDir: this.options.consoleDir }),
    };
  }

  /** The clearing timetable on BullMQ over a connection of its own (BullMQ needs maxRetriesPerRequest null). */
  clearingScheduler(
    connection: RegisterRedis,
    worker?: { lockDuration?: number; stalledInterval?: number },
  ): ClearingScheduler {
    return this.modules.clearing.scheduler(connection, worker);
  }

  dialectOf(listener: string): Dialect {
    return this.dialects.get(listener)!;
  }

  // What the switch composed, by the names the tests know them by.
  get register() {
    return this.modules.card.register;
  }
  get transactions() {
    return this.modules.card.transactions;
  }
  get relay() {
    return this.modules.notices;
  }
  get journal() {
    return this.modules.journal.journal;
  }
  get postings() {
    return this.modules.journal.relay;
  }
  get unmatched() {
    return this.modules.journal.unmatched;
  }
  get pendingBlocks() {
    return this.modules.blocking.pendingBlocks();
  }
  get blockList() {
    return this.modules.blocking.blockList;
  }
  get ledger() {
    return this.modules.clearing.ledger;
  }
  get delivery() {
    return this.modules.clearing.delivery;
  }

  async start(): Promise<void> {
    const { log, config } = this.options;
    const { notices, journal, blocking } = this.modules;
    // Postings a crash left in card outboxes reach the journal (and old terminals' last approvals
    // their records) before the first request is read.
    await journal.relay
      .sweep()
      .catch((e: Error) => log.warn({ err: e.message }, 'posting sweep at start failed; retried at the next cut-off'));
    await notices.sweep().catch((e: Error) => log.warn({ err: e.message }, 'notice sweep at start failed'));
    // Fault rules set before this switch started apply from its first request.
    await this.faults.start();
    for (const l of this.listeners) await l.start();
    await this.admin.start(config.admin.host, config.admin.port);
    notices.startSweeping(NOTICE_SWEEP_MS);
    blocking.pendingBlocks().start(PENDING_BLOCK_RETRY_MS);
    journal.relay.startSweeping(POSTING_SWEEP_MS);
    this.monitoring.rules.watch(log);
    if (this.clearing) {
      await this.clearing.schedule();
      this.clearing.startWorker();
    }
  }

  /** Graceful: stop accepting, answer what was read, close connections, then the admin listener. */
  async stop(): Promise<void> {
    const { notices, journal, blocking } = this.modules;
    const deadline = this.options.config.shutdownTimeoutMs;
    await Promise.all(this.listeners.map((l) => l.stop(deadline)));
    notices.stopSweeping();
    journal.relay.stopSweeping();
    this.faults.stop();
    // What a call answered 911 did after all is settled before the process goes (if Redis answers).
    await this.uncertain.settleAll();
    this.uncertain.stop();
    // What the answered requests made the monitoring do is done before the process goes.
    this.monitoring.rules.unwatch();
    await this.monitoring.monitor?.drain();
    await journal.relay.drain();
    await this.clearing?.close();
    blocking.pendingBlocks().stop();
    await this.admin.stop();
  }
}
