/**
 * Which posting a reversal makes, by its reason: the one table of it (docs/PROTOCOL.md §3.4.4
 * writes it out; test/docs/reversal-reasons.test.ts compares the two).
 *
 * 001 §9 names four posting types: purchase ("køb"), cancellation ("annullering"), reversal
 * ("modpostering") and refund ("returnering"). 001 §10-11 say what a reversal is: the entry the
 * switch makes for an old terminal whose answer was lost, and the one a PSAM makes when a
 * transaction it sent is not carried through: no answer came, or the completed flow failed,
 * including "the clerk rejects the holder's signature". So every technical reason, and the
 * rejected signature, is a reversal. A cancellation is the sale called off by the people at the
 * till, which only ISO 8583:1993 reason 4000 ("customer cancellation") says.
 */
import type { PostingType } from './posting.js';

export type ReversalPostingType = Extract<PostingType, 'cancellation' | 'reversal'>;

/** The reason the switch gives its own reversals (an old terminal's lost answer, a 911 that had been approved). */
export const SWITCH_REVERSAL_REASON = 'switch';

/**
 * Field 25 of a 1993 reversal advice (ISO 8583:1993 message reason codes 4000-4021; 4351, 4353
 * and 4363 are the national-use codes PSAM terminals send), and the switch's own reason.
 */
export const REVERSAL_REASONS: ReadonlyArray<{ reason: string; meaning: string; type: ReversalPostingType }> = [
  { reason: '4000', meaning: 'customer cancellation', type: 'cancellation' },
  { reason: '4001', meaning: 'unspecified, no action taken', type: 'reversal' },
  { reason: '4002', meaning: 'suspected malfunction', type: 'reversal' },
  { reason: '4003', meaning: 'format error, no action taken', type: 'reversal' },
  { reason: '4004', meaning: 'completed partially', type: 'reversal' },
  { reason: '4005', meaning: 'original amount incorrect', type: 'reversal' },
  { reason: '4006', meaning: 'response received too late', type: 'reversal' },
  { reason: '4007', meaning: 'card acceptor device unable to complete transaction', type: 'reversal' },
  { reason: '4013', meaning: 'unable to deliver message to point of service', type: 'reversal' },
  { reason: '4020', meaning: 'invalid response, no action taken', type: 'reversal' },
  { reason: '4021', meaning: 'timeout waiting for response', type: 'reversal' },
  { reason: '4351', meaning: "the clerk rejected the holder's signature", type: 'reversal' },
  { reason: '4353', meaning: 'error in the chip (EMV) processing', type: 'reversal' },
  { reason: '4363', meaning: 'system malfunction', type: 'reversal' },
  { reason: SWITCH_REVERSAL_REASON, meaning: "the switch's own reversal", type: 'reversal' },
];

/** No reason (1987 advices, which have no field for it; a 1993 advice without field 25) or one not listed. */
export const UNLISTED_REVERSAL_TYPE: ReversalPostingType = 'reversal';

const BY_REASON = new Map(REVERSAL_REASONS.map((r) => [r.reason, r.type]));

/** The posting type a reversal with this reason makes. */
export function reversalPostingType(reason: string): ReversalPostingType {
  return BY_REASON.get(reason) ?? UNLISTED_REVERSAL_TYPE;
}
