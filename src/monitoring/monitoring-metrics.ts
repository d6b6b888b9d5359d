/**
 * The fraud monitoring's Prometheus metrics, in the switch's registry. Labels: the rule's id and
 * the issuer's id (both few and known, neither card data).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** 1 ms to 10 s: a block lands within milliseconds of the firing transaction's answer when healthy. */
const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export class MonitoringMetrics {
  readonly observed: Counter<'outcome'>;
  readonly blocks: Counter<'rule' | 'issuer'>;
  readonly spared: Counter<'rule'>;
  readonly dropped: Counter;
  readonly failures: Counter;
  readonly logLost: Counter;
  readonly blockDelay: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.observed = new Counter({
      name: 'switch_monitoring_transactions_total',
      help: 'Online transactions the fraud monitoring evaluated, by how they were answered',
      labelNames: ['outcome'],
      registers,
    });
    this.blocks = new Counter({
      name: 'switch_monitoring_blocks_total',
      help: 'Cards blocked by the fraud monitoring (suspected third-party misuse), by rule and issuer',
      labelNames: ['rule', 'issuer'],
      registers,
    });
    this.spared = new Counter({
      name: 'switch_monitoring_spared_total',
      help: "Rules that fired on a pattern typical of the card's own history, so blocked nothing",
      labelNames: ['rule'],
      registers,
    });
    this.dropped = new Counter({
      name: 'switch_monitoring_dropped_total',
      help: 'Transactions not evaluated because the monitoring queue was full (the answers were not delayed)',
      registers,
    });
    this.failures = new Counter({
      name: 'switch_monitoring_failures_total',
      help: 'Transactions whose evaluation failed (Redis unavailable or slow): not evaluated',
      registers,
    });
    this.logLost = new Counter({
      name: 'switch_monitoring_log_lost_total',
      help: 'Transactions left out of the day\'s log (docs/MONITORING.md, "Replaying a day") because Redis failed the write',
      registers,
    });
    this.blockDelay = new Histogram({
      name: 'switch_monitoring_block_delay_seconds',
      help: "Time from the firing transaction's answer to its card's block",
      buckets: DELAY_BUCKETS,
      registers,
    });
  }
}
