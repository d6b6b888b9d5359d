/**
 * The fraud monitoring's figures per rule and issuer (docs/MONITORING.md, "Feedback and
 * tuning"), shared by every switch process: blocks made, and how many of them the issuer judged
 * justified or not (the rest not yet answered). One hash, {monitoring}:stats, field
 * `<rule>|<issuer>|<figure>`.
 */
import type { RegisterRedis } from '../redis/client.js';

export type Figure = 'blocks' | 'justified' | 'unjustified';

/** The issuer's verdict on a monitoring block. */
export type Verdict = 'justified' | 'unjustified';

export const VERDICTS: readonly Verdict[] = ['justified', 'unjustified'];

/** rule -> issuer -> figure -> count. */
export type FigureCounts = Map<string, Map<string, Record<Figure, number>>>;

export class MonitoringStats {
  private readonly key: string;

  constructor(
    private readonly redis: RegisterRedis,
    prefix: string,
  ) {
    this.key = `${prefix}{monitoring}:stats`;
  }

  async blocked(rule: string, issuer: string): Promise<void> {
    await this.redis.hincrby(this.key, field(rule, issuer, 'blocks'), 1);
  }

  /**
   * The issuer judged one of `rule`'s blocks: counted under `verdict`, and taken from `previous`
   * when this verdict replaces another (the same verdict again changes nothing).
   */
  async judged(rule: string, issuer: string, verdict: Verdict, previous: Verdict | undefined): Promise<void> {
    if (previous === verdict) return;
    const m = this.redis.multi().hincrby(this.key, field(rule, issuer, verdict), 1);
    if (previous !== undefined) m.hincrby(this.key, field(rule, issuer, previous), -1);
    await m.exec();
  }

  /** Every figure kept: rule -> issuer -> figure -> count. */
  async all(): Promise<FigureCounts> {
    const raw = await this.redis.hgetall(this.key);
    const out: FigureCounts = new Map();
    for (const [f, v] of Object.entries(raw)) {
      const [rule, issuer, figure] = f.split('|') as [string, string, Figure];
      const byIssuer = out.get(rule) ?? new Map<string, Record<Figure, number>>();
      const figures = byIssuer.get(issuer) ?? { blocks: 0, justified: 0, unjustified: 0 };
      figures[figure] = Number(v);
      byIssuer.set(issuer, figures);
      out.set(rule, byIssuer);
    }
    return out;
  }
}

const field = (rule: string, issuer: string, figure: Figure): string => `${rule}|${issuer}|${figure}`;
