/**
 * What the switch must do with a frame, from docs/PROTOCOL.md §1 and §3.6, worked out on the
 * fuzzer's side from the same bytes:
 *
 * - a header that is not a number or announces more than the maximum: the connection is closed;
 * - a header announcing more than is sent: the switch waits, and the frame timeout closes it;
 * - a keep-alive (length 0), or a TPDU with no message: nothing is answered;
 *   a TPDU listener's frame of 1-4 bytes: closed;
 * - a message that unpacks: a request (even third MTI digit) is answered with MTI + 10,
 *   a response is ignored;
 * - one that does not: with its MTI and STAN read and a request MTI, a format-error answer;
 *   otherwise the connection is closed.
 *
 * The message is judged with the shipped codec (unpackPartial), i.e. the one the switch uses: the
 * fuzzer checks what the transport and the request handling do with the codec's verdict, while
 * the codec's own strictness has its tests (test/codec).
 */
import { ACTION_CODES, codeSetOf } from '../../src/messages/action-codes.js';
import { responseMti } from '../../src/authorization/steps/respond.js';
import { type Dialect, dialect } from '../../src/codec/index.js';
import { TPDU_SIZE } from '../../src/transport/framing.js';
import type { FuzzTarget } from './targets.js';

export type Expectation =
  /** An answer with this MTI, echoing the request's STAN if it had one; the format error when `formatError`. */
  | { kind: 'answer'; mti: string; stan: string | undefined; formatError: boolean }
  | { kind: 'close' }
  /** No answer: checked by a probe sent right after, whose answer must come next. */
  | { kind: 'ignored' }
  /** An unfinished frame: the connection must be closed by the switch's frame timeout. */
  | { kind: 'stalled' };

const isResponse = (mti: string): boolean => Number(mti[2]) % 2 === 1;

/** The format-error action code of a dialect (904 in 1993 dialects, 30 in 1987 ones). */
export function formatErrorCode(d: Dialect): string {
  return ACTION_CODES.formatError[codeSetOf(d)];
}

/** What must happen to a whole frame: `frame` is what follows the length header (TPDU included). */
export function expectWholeFrame(target: FuzzTarget, frame: Buffer): Expectation {
  if (frame.length === 0) return { kind: 'ignored' };
  let body = frame;
  if (target.framing.tpdu) {
    if (frame.length < TPDU_SIZE) return { kind: 'close' };
    if (frame.length === TPDU_SIZE) return { kind: 'ignored' };
    body = frame.subarray(TPDU_SIZE);
  }
  return expectMessage(dialect(target.dialect), body);
}

export function expectMessage(d: Dialect, body: Buffer): Expectation {
  const { message, error } = d.unpackPartial(body);
  const mti = message[0];
  const stan = message[11];
  if (error === undefined) {
    if (isResponse(mti as string)) return { kind: 'ignored' };
    return {
      kind: 'answer',
      mti: responseMti(mti as string),
      stan: typeof stan === 'string' ? stan : undefined,
      formatError: false,
    };
  }
  if (typeof mti !== 'string' || typeof stan !== 'string' || isResponse(mti)) return { kind: 'close' };
  return { kind: 'answer', mti: responseMti(mti), stan, formatError: true };
}

export function describeExpectation(e: Expectation): string {
  if (e.kind !== 'answer') return e.kind;
  return e.formatError ? `format error ${e.mti}` : `answer ${e.mti}`;
}
