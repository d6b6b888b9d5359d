/** What one request carries through the pipeline: the message in, the answer being built, the decision. */
import type { Dialect, IsoMessage } from '../codec/index.js';
import type { TlvInput } from '../codec/tlv.js';
import type { Logger } from '../log/logger.js';
import type { CodeSet, Outcome } from '../messages/action-codes.js';
import type { Route } from './routes.js';
import type { WatchedTransaction } from '../monitoring/watched-transaction.js';

export interface RequestContext {
  readonly request: IsoMessage;
  readonly mti: string;
  /** What runs for this MTI, what it must carry, what the answer echoes. */
  readonly route: Route;
  readonly dialect: Dialect;
  readonly codes: CodeSet;
  readonly listener: string;
  readonly receivedAt: Date;
  readonly log: Logger;
  /** Fields the answer carries besides the MTI and action code; steps add to it. */
  readonly response: IsoMessage;
  /**
   * The chip's part of the answer (the ARPC in tag 91, issuer scripts in 71 / 72): steps add to
   * it, and respond packs it into field 55 (docs/SECURITY.md).
   */
  readonly iccAnswer: TlvInput[];
  /**
   * A chip purchase's cryptogram as verifyCryptogram found it: the ATC (9F36), whether the ARQC
   * verified, and for one that did, tag 91's value for the decision (the ARPC and its ARC or CSU);
   * 'missing' for a chip read without field 55 (the card's decision refuses it if the card has
   * chip keys).
   */
  cryptogram?:
    | {
        atc: number;
        verified: boolean;
        issuerAuthentication?: (approved: boolean, arc: string) => Buffer;
      }
    | 'missing';
  /**
   * What the fraud monitoring is handed once the request is answered (steps/watch-transaction.ts):
   * set by authorizeCard, when the monitoring is on, once the card register decided on a card it
   * knows (a retransmission aside), the answer aside.
   */
  watched?: Omit<WatchedTransaction, 'outcome'>;
  /** Set by the step that decides; once set to anything but 'approved', only final steps run. */
  outcome?: Outcome;
  /** Why the request was refused, for the log: field numbers and rule names, never card data. */
  reason?: string;
  terminalId?: string;
  /**
   * The terminal id the connection's TLS client certificate proves (its subject CN); absent on a
   * connection without one. identifyTerminal refuses a field 41 naming another terminal.
   */
  readonly certifiedTerminal?: string;
}

/** Refuses the request: later (non-final) steps are skipped. */
export function refuse(ctx: RequestContext, outcome: Outcome, reason: string): void {
  ctx.outcome = outcome;
  ctx.reason = reason;
}

export const isRefused = (ctx: RequestContext): boolean => ctx.outcome !== undefined && ctx.outcome !== 'approved';
