/** Sign-on, sign-off and echo: 1804 by function code (field 24), 0800 by field 70. */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';
import { NETWORK_CODES } from '../routes.js';

export const networkManagement: Step = {
  name: 'networkManagement',
  run(ctx) {
    const field = ctx.mti === '0800' ? 70 : 24;
    const code = String(ctx.request[field]);
    const action = NETWORK_CODES[ctx.mti]?.[code];
    if (action === undefined)
      return refuse(ctx, 'invalidTransaction', `network management code ${code} in field ${field} not handled`);
    ctx.outcome = 'networkAccepted';
    if (action !== 'echo')
      ctx.log.info({ terminal: ctx.terminalId, listener: ctx.listener, action }, 'network management');
  },
};
