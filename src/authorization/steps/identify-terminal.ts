/**
 * Names the terminal (field 41, card acceptor terminal id) for the trace, the log and later rules.
 * On a connection whose TLS client certificate names a terminal, field 41 must name the same one
 * (trailing spaces aside): a certified terminal cannot speak for another (security violation).
 */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';

export const identifyTerminal: Step = {
  name: 'identifyTerminal',
  run(ctx) {
    const id = ctx.request[41];
    if (typeof id === 'string') ctx.terminalId = id.trimEnd();
    const certified = ctx.certifiedTerminal;
    if (certified === undefined) return;
    // A message without field 41 (network management may omit it) is the certificate's terminal's.
    if (ctx.terminalId === undefined) ctx.terminalId = certified;
    else if (ctx.terminalId !== certified) {
      refuse(ctx, 'terminalNotCertified', 'field 41 is not the terminal of the client certificate');
      // The trace and the log show the request under the terminal that sent it, not the one it named.
      ctx.terminalId = certified;
    }
  },
};
