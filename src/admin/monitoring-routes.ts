/**
 * The fraud monitoring's routes (docs/MONITORING.md, "Feedback and tuning"): an issuer's verdict
 * on a monitoring block of its card, the figures per rule and issuer (an issuer sees its own
 * only), and the rules in force (operators).
 */
import type { CardId } from '../crypto/card-id.js';
import type { FeedbackResult, MonitoringFeedback } from '../card/card-watch.js';
import type { Rule, Sparing } from '../monitoring/rule-schema.js';
import type { FigureCounts, Verdict } from '../monitoring/monitoring-stats.js';
import { ruleFigures } from '../monitoring/rule-figures.js';
import { type ApiContext, cardIdParam, refused } from './api.js';
import { readJsonBody } from './body.js';
import { validate } from './schemas.js';
import type { AdminRoute } from './server.js';

/** What the monitoring's routes read and change: the card's side of a block, the figures, the rules. */
export interface MonitoringView {
  /** Keeps the issuer's verdict on the card's monitoring block (CardWatch.feedback). */
  feedback(issuer: string, card: CardId, f: MonitoringFeedback): Promise<FeedbackResult>;
  stats: {
    judged(rule: string, issuer: string, verdict: Verdict, previous: Verdict | undefined): Promise<void>;
    all(): Promise<FigureCounts>;
  };
  rules: { source: string; rules: readonly Rule[]; sparing: Sparing; horizonMs: number };
}

export function monitoringRoutes(api: ApiContext, monitoring: MonitoringView): AdminRoute[] {
  const { auth } = api;
  return [
    {
      method: 'POST',
      path: '/cards/:id/monitoring-feedback',
      access: ['issuer'],
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const body = validate('monitoringFeedback', await readJsonBody(req));
        const verdict: Verdict = body.justified ? 'justified' : 'unjustified';
        const result = await monitoring.feedback(issuer, card, {
          verdict,
          ...(body.text === undefined ? {} : { text: body.text }),
          ...(body.blockedAt === undefined ? {} : { blockedAt: new Date(body.blockedAt).getTime() }),
        });
        if (!result.ok) return refused(result);
        // After the verdict is kept: a failure here loses a count, never a verdict (GET /cards/:id shows it).
        await monitoring.stats.judged(result.rule, issuer, verdict, result.previous);
        api.log.info({ issuer, card, rule: result.rule, verdict }, 'issuer judged a monitoring block');
        return {
          status: 200,
          body: {
            card,
            rule: result.rule,
            blockedAt: new Date(result.blockedAt).toISOString(),
            verdict,
            previous: result.previous ?? null,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/monitoring/figures',
      access: ['operator', 'issuer'],
      handle: async (_, req) => {
        const p = auth.principal(req);
        const counts = await monitoring.stats.all();
        return { status: 200, body: ruleFigures(counts, p.role === 'issuer' ? p.issuer : undefined) };
      },
    },
    {
      method: 'GET',
      path: '/monitoring/rules',
      access: ['operator'],
      handle: () => {
        const { source, rules, sparing, horizonMs } = monitoring.rules;
        return { status: 200, body: { source, rules, sparing, horizonMinutes: horizonMs / 60_000 } };
      },
    },
  ];
}
