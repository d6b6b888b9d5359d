/**
 * The fraud monitoring module (docs/MONITORING.md): the rules as data, the live monitor, the
 * figures per rule and issuer. The card's part of its state (recent transactions, profile, the
 * block) is the card module's (src/card/card-watch.ts), under the card's hash tag; the
 * monitoring's own keys are {monitoring}:* and each terminal's recent wrong PINs,
 * monitoring:terminal:{<terminal id>}:trials (terminal-trials.ts).
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Registry } from 'prom-client';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { RuleBook } from './rule-book.js';
import { MonitoringStats } from './monitoring-stats.js';
import { MonitoringMetrics } from './monitoring-metrics.js';
import { registerFigureGauges } from './figure-gauges.js';
import { type CardWatchPort, type NoticeFlusher, TransactionMonitor } from './transaction-monitor.js';
import { DayLog } from './day-log.js';
import { TerminalTrials } from './terminal-trials.js';

export interface MonitoringConfig {
  enabled: boolean;
  /** A rule file; absent: the shipped rules (default-rules.json). */
  rulesFile?: string;
}

export interface MonitoringDeps {
  redis: RegisterRedis;
  prefix: string;
  config: MonitoringConfig;
  cards: CardWatchPort;
  notices: NoticeFlusher;
  registry: Registry;
  contactlessLimit: number;
  /** The register's time zone: the day's log is per local business day. */
  timeZone: string;
  clock: Clock;
  log: Logger;
}

export interface MonitoringModule {
  /** undefined when monitoring is off (config monitoring.enabled false). */
  monitor: TransactionMonitor | undefined;
  rules: RuleBook;
  stats: MonitoringStats;
}

export function createMonitoring(deps: MonitoringDeps): MonitoringModule {
  const rules = RuleBook.load(deps.config.rulesFile);
  const stats = new MonitoringStats(deps.redis, deps.prefix);
  // With the monitoring off too: the figures are every process's, and this one may serve /metrics.
  registerFigureGauges(deps.registry, stats);
  const metrics = deps.config.enabled ? new MonitoringMetrics(deps.registry) : undefined;
  const monitor = metrics
    ? new TransactionMonitor({
        cards: deps.cards,
        trials: new TerminalTrials(deps.redis, deps.prefix, deps.clock),
        rules,
        stats,
        notices: deps.notices,
        metrics,
        dayLog: new DayLog({
          redis: deps.redis,
          prefix: deps.prefix,
          timeZone: deps.timeZone,
          log: deps.log,
          lost: metrics.logLost,
        }),
        contactlessLimit: deps.contactlessLimit,
        clock: deps.clock,
        log: deps.log,
      })
    : undefined;
  return { monitor, rules, stats };
}
