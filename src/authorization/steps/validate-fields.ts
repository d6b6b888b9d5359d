/** First step: a request missing a field its route requires is a format error naming the field. */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';

export const validateFields: Step = {
  name: 'validateFields',
  run(ctx) {
    const missing = ctx.route.mandatory.find((n) => ctx.request[n] === undefined);
    if (missing !== undefined) return refuse(ctx, 'formatError', `missing field ${missing}`);
    if (ctx.route.card && ctx.request[2] === undefined && ctx.request[35] === undefined)
      refuse(ctx, 'formatError', 'missing field 2 (or 35)');
  },
};
