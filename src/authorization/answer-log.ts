/**
 * One compact log line per answered card request, at info: what a tester watches scroll by
 * (terminal, MTI, masked card, amount, action code, outcome). Network management (echo, sign-on)
 * is left out: terminals send it every few seconds. The bench runs the switch at `warn`, so the
 * line costs nothing there; a production-like config that wants silence sets `log.level: warn`.
 */
import { type IsoMessage, maskPan } from '../codec/index.js';
import type { Logger } from '../log/logger.js';
import { panOf } from '../messages/card-data.js';

export interface AnsweredRequest {
  mti: string;
  terminalId?: string | undefined;
  request?: IsoMessage | undefined;
  outcome?: string | undefined;
  /** Why a request was refused as malformed (field numbers and rule names, never card data). */
  reason?: string | undefined;
}

/** 18xx and 08xx: sign-on, echo, key exchange. */
const isNetworkManagement = (mti: string) => mti[1] === '8';

export function logAnswer(log: Logger, listener: string, r: AnsweredRequest, actionCode: string): void {
  // Checked first: under the bench's `warn` nothing of the line is built.
  if (!log.isLevelEnabled('info') || isNetworkManagement(r.mti)) return;
  const pan = r.request === undefined ? undefined : panOf(r.request);
  const amount = r.request?.[4];
  log.info(
    {
      listener,
      mti: r.mti,
      terminal: r.terminalId,
      card: pan === undefined ? undefined : maskPan(pan),
      amount: typeof amount === 'string' ? Number(amount) : undefined,
      actionCode,
      outcome: r.outcome,
      reason: r.reason,
    },
    r.outcome === 'approved' ? 'approved' : 'answered',
  );
}
