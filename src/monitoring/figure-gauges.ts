/**
 * The figures per rule and issuer as Prometheus gauges (docs/MONITORING.md, "Feedback and
 * tuning"): read from Redis at each scrape, so every switch process reports the shared figures,
 * not its own share of them. Labels: the rule's id and the issuer's id (few and known, neither
 * card data).
 */
import { Gauge, type Registry } from 'prom-client';
import type { FigureCounts } from './monitoring-stats.js';
import { type Figures, figuresOf } from './rule-figures.js';

/** Where the counts come from (MonitoringStats). */
export interface FigureSource {
  all(): Promise<FigureCounts>;
}

const GAUGES: [name: string, help: string, value: (f: Figures) => number | null][] = [
  [
    'switch_monitoring_rule_blocks',
    'Cards the fraud monitoring blocked, by rule and issuer (all switch processes)',
    (f) => f.blocks,
  ],
  [
    'switch_monitoring_rule_justified',
    'Monitoring blocks their issuer judged justified, by rule and issuer',
    (f) => f.justified,
  ],
  [
    'switch_monitoring_rule_unjustified',
    'Monitoring blocks their issuer judged unjustified, by rule and issuer',
    (f) => f.unjustified,
  ],
  [
    'switch_monitoring_rule_precision',
    'Justified / judged monitoring blocks, by rule and issuer (absent while none is judged)',
    (f) => f.precision,
  ],
];

export function registerFigureGauges(registry: Registry, source: FigureSource): void {
  for (const [name, help, value] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['rule', 'issuer'],
      registers: [registry],
      async collect() {
        this.reset();
        let counts: FigureCounts;
        try {
          counts = await source.all();
        } catch {
          // Redis unreachable: the scrape still gets the process's own metrics, these left empty.
          return;
        }
        for (const [rule, byIssuer] of counts) {
          for (const [issuer, c] of byIssuer) {
            const v = value(figuresOf(c));
            if (v !== null) this.set({ rule, issuer }, v);
          }
        }
      },
    });
  }
}
