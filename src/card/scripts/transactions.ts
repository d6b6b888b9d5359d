/**
 * The scripts for what happens to a transaction after its authorization: completion (dual
 * message, complete.lua) and reversal (a PSAM's reversal advice, or the switch's own for an old
 * terminal, reverse.lua). Each runs on one card's keys (one hash tag), so the check that a
 * transaction is completed or reversed at most once and the posting it makes are one atomic
 * step, also with two switch processes. repeat.lua (answers to retransmissions; what a
 * transaction record holds), release.lua (reservations given back), hold.lua (debit postings'
 * holds until booked) and convert.lua (partial amounts in a foreign currency to DKK) are shared Lua,
 * and reverse includes cash.lua (a withdrawal's fee and daily sum).
 */
import { asReply, defineScript } from '../../redis/scripts.js';

/**
 * { outcome, detail, 0, 0, approval code (completions: the original's), posting JSON ('' none),
 * 'repeat' for a repeated request ('' otherwise), a withdrawal's fee given back (reversals) }
 */
export type TransactionReply = [
  outcome: string,
  detail: string,
  zero1: number,
  zero2: number,
  approvalCode: string,
  posting: string,
  repeat?: string,
  fee?: string,
];

const SHARED = [
  new URL('./repeat.lua', import.meta.url),
  new URL('./release.lua', import.meta.url),
  new URL('./hold.lua', import.meta.url),
  new URL('./convert.lua', import.meta.url),
];
const KEYS = ['card', 'reservations', 'reservationAmounts', 'own', 'original', 'posts', 'holds'] as const;

/** Completes a dual-message authorization with its final amount (at most the authorised one). */
export const completeScript = defineScript({
  name: 'swComplete',
  file: new URL('./complete.lua', import.meta.url),
  include: SHARED,
  keys: KEYS,
  args: ['now', 'signature', 'amount', 'keepFor', 'postingId', 'currency'],
  reply: asReply<TransactionReply>(),
});

/**
 * Reverses a transaction at most once: a reversal (or cancellation) posting, or only its
 * reservation given back; a withdrawal reversed in full gives its fee back (cash.lua).
 */
export const reverseScript = defineScript({
  name: 'swReverse',
  file: new URL('./reverse.lua', import.meta.url),
  include: [...SHARED, new URL('./cash.lua', import.meta.url)],
  keys: KEYS,
  args: ['now', 'signature', 'amount', 'keepFor', 'postingId', 'postingType', 'reason', 'hasOwn', 'feePostingId'],
  reply: asReply<TransactionReply>(),
});
