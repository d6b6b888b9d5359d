/**
 * How precise each rule is (docs/MONITORING.md, "Feedback and tuning"): from the counts kept per
 * rule and issuer (monitoring-stats.ts), the blocks, the issuers' verdicts, the blocks not yet
 * answered and the precision (justified / judged), per rule and issuer and totalled per rule and
 * per issuer. Pure: the admin API and the Prometheus gauges read the same figures.
 */
import type { Figure, FigureCounts } from './monitoring-stats.js';

export interface Figures {
  blocks: number;
  justified: number;
  unjustified: number;
  /** Blocks no verdict was given on. */
  unanswered: number;
  /** justified / (justified + unjustified); null while nothing is judged. */
  precision: number | null;
}

export interface RuleFigures {
  /** Per rule and issuer, by rule then issuer. */
  rules: ({ rule: string; issuer: string } & Figures)[];
  /** Each rule over every issuer shown. */
  byRule: ({ rule: string } & Figures)[];
  /** Each issuer over every rule. */
  byIssuer: ({ issuer: string } & Figures)[];
}

export function figuresOf(c: Record<Figure, number>): Figures {
  const judged = c.justified + c.unjustified;
  return {
    blocks: c.blocks,
    justified: c.justified,
    unjustified: c.unjustified,
    // A verdict on a block the figures never counted (the seeded test card's: seeding blocks without the monitoring) leaves no negative count.
    unanswered: Math.max(0, c.blocks - judged),
    precision: judged === 0 ? null : c.justified / judged,
  };
}

/** The figures of `counts`; with `issuer`, that issuer's only. */
export function ruleFigures(counts: FigureCounts, issuer?: string): RuleFigures {
  const perRule = new Map<string, Record<Figure, number>>();
  const perIssuer = new Map<string, Record<Figure, number>>();
  const rules: RuleFigures['rules'] = [];
  for (const rule of [...counts.keys()].sort()) {
    const byIssuer = counts.get(rule)!;
    for (const who of [...byIssuer.keys()].sort()) {
      if (issuer !== undefined && who !== issuer) continue;
      const c = byIssuer.get(who)!;
      rules.push({ rule, issuer: who, ...figuresOf(c) });
      add(perRule, rule, c);
      add(perIssuer, who, c);
    }
  }
  return {
    rules,
    byRule: [...perRule].map(([rule, c]) => ({ rule, ...figuresOf(c) })),
    byIssuer: [...perIssuer]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([who, c]) => ({ issuer: who, ...figuresOf(c) })),
  };
}

function add(totals: Map<string, Record<Figure, number>>, key: string, c: Record<Figure, number>): void {
  const t = totals.get(key) ?? { blocks: 0, justified: 0, unjustified: 0 };
  t.blocks += c.blocks;
  t.justified += c.justified;
  t.unjustified += c.unjustified;
  totals.set(key, t);
}
