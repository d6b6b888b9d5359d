/**
 * Reversal advice from a PSAM (1420 / 0420, repeat 1421 / 0421): field 56 names the original,
 * field 25 the reason (1993: 4021 timeout, 4000 customer cancellation, 4351 signature rejected,
 * ...). Always acknowledged with "reversal accepted" (400 / 00) so that the terminal stops
 * repeating; what it did is in the posting journal: for a posted original a reversal posting, or
 * a cancellation for reason 4000 (src/journal/reversal-reasons.ts), a released reservation for
 * an authorization not completed, nothing for an original already reversed, and an entry in the
 * unmatched list for one the switch does not know.
 */
import type { Step } from '../pipeline.js';
import { type RequestContext, refuse } from '../context.js';
import { panOf } from '../../messages/card-data.js';
import { maskPan } from '../../codec/mask.js';
import { transactionId } from '../../journal/posting.js';
import { reversalPostingType } from '../../journal/reversal-reasons.js';
import type { UnmatchedReversals } from '../../journal/unmatched-reversals.js';
import { originalOf, signatureOf, transactionOf } from '../../messages/transaction-data.js';
import type { TransactionStepDeps } from './complete-authorization.js';
import { registerCall } from '../../redis/errors.js';

export function reverseTransaction(deps: TransactionStepDeps & { unmatched: UnmatchedReversals }): Step {
  return {
    name: 'reverseTransaction',
    async run(ctx) {
      const pan = panOf(ctx.request);
      if (pan === undefined) return refuse(ctx, 'formatError', 'field 2 (or 35) unreadable');
      const original = originalOf(ctx.request);
      if (original === undefined)
        return refuse(ctx, 'formatError', 'field 56 (original MTI, STAN, local date and time) unreadable');
      const reason = ctx.codes === 'iso93' ? String(ctx.request[25] ?? '') : '';
      const ref = {
        pan,
        original: transactionId(ctx.terminalId ?? '', original.localTime, original.stan),
        own: transactionOf(ctx),
        signature: signatureOf(ctx),
        receivedAt: ctx.receivedAt.getTime(),
      };
      const type = reversalPostingType(reason);
      const r = await deps.calls.run(
        () => deps.transactions.reverse(ref, amountToReverse(ctx), type, reason),
        deps.timeoutMs,
        { pan },
      );
      if (r.posting !== '') deps.postings.enqueue(r.card, r.posting);
      if (r.fee !== '') deps.postings.enqueue(r.card, r.fee);
      if (r.outcome === 'duplicateTransmission')
        return refuse(
          ctx,
          'duplicateTransmission',
          'reversal advice: same terminal, STAN and time as an earlier advice with other content',
        );
      if (r.detail === 'unmatched' && !r.repeat) {
        await registerCall(
          deps.unmatched.add({
            advice: ref.own,
            original: ref.original,
            maskedPan: maskPan(pan),
            terminal: ctx.terminalId ?? '',
            amount: Number(ctx.request[4]),
            reason,
            at: ctx.receivedAt.getTime(),
          }),
          deps.timeoutMs,
        );
      }
      ctx.outcome = 'reversalAccepted';
      ctx.reason = `reversal advice: ${r.detail}${r.repeat ? ' (repeat answered as the first time)' : ''}`;
    },
  };
}

/**
 * 0 reverses the whole posted amount. 1993: function code 401 (field 24) is a partial reversal
 * of the amount in field 4. 1987 (no function code): field 4 is the amount reversed; the
 * register reverses at most what was posted.
 */
function amountToReverse(ctx: RequestContext): number {
  if (ctx.codes === 'iso93') return ctx.request[24] === '401' ? Number(ctx.request[4]) : 0;
  return Number(ctx.request[4]);
}
