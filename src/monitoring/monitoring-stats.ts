/**
 * The fraud monitoring's figures per rule and issuer (docs/MONITORING.md, "Feedback and
 * tuning"), shared by every switch process: blocks made, and how many of them the issuer judged
 * justified or not (the rest not yet answered). One hash, {monitoring}:stats, field
 * `<rule>|<issuer>|<figure>`.
 */
import type { RegisterRedis } from '../redis/client.js';

export type Figure = 'blocks' | 'justified' | 'unjustified';

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

  /** Every figure kept: rule -> issuer -> figure -> count. */
  async all(): Promise<Map<string, Map<string, Record<Figure, number>>>> {
    const raw = await this.redis.hgetall(this.key);
    const out = new Map<string, Map<string, Record<Figure, number>>>();
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
