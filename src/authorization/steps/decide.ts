/**
 * The decision: a request no earlier step refused is approved. The approval code (field 38) is
 * the register's (authorize-card.ts: a retransmission gets the first one back); a route without
 * a card step gets a fresh one here.
 */
import { randomInt } from 'node:crypto';
import type { Step } from '../pipeline.js';

export const decide: Step = {
  name: 'decide',
  run(ctx) {
    ctx.outcome ??= 'approved';
    if (ctx.outcome === 'approved' && ctx.response[38] === undefined)
      ctx.response[38] = String(randomInt(0, 1_000_000)).padStart(6, '0');
  },
};
