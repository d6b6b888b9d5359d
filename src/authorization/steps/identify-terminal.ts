/** Names the terminal (field 41, card acceptor terminal id) for the trace, the log and later rules. */
import type { Step } from '../pipeline.js';

export const identifyTerminal: Step = {
  name: 'identifyTerminal',
  run(ctx) {
    const id = ctx.request[41];
    if (typeof id === 'string') ctx.terminalId = id.trimEnd();
  },
};
