/**
 * The decision: a request no earlier step refused is approved, with an approval code (field 38).
 * The card register's rules (issue: register) refuse before this step; until then every
 * well-formed financial request from a known route is approved.
 */
import { randomInt } from 'node:crypto';
import type { Step } from '../pipeline.js';

export const decide: Step = {
  name: 'decide',
  run(ctx) {
    ctx.outcome ??= 'approved';
    if (ctx.outcome === 'approved') ctx.response[38] = String(randomInt(0, 1_000_000)).padStart(6, '0');
  },
};
