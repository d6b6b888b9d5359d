/** The route of an MTI the switch does not handle: invalid transaction. */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';

export const rejectUnknownMti: Step = {
  name: 'rejectUnknownMti',
  run(ctx) {
    refuse(ctx, 'invalidTransaction', `MTI ${ctx.mti} not handled`);
  },
};
