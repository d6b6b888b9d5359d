/**
 * Completion advice (1220 / 0220, repeat 1221 / 0221) of a dual-message authorization: field 56
 * names the original, field 4 is the final amount (fuel: what was pumped), at most the
 * authorised amount. Posts the final amount (held until booked) and releases the whole reservation, once.
 */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';
import { panOf } from '../../messages/card-data.js';
import type { CardTransactions } from '../../card/card-transactions.js';
import type { PostingRelay } from '../../journal/posting-relay.js';
import { transactionId } from '../../journal/posting.js';
import { originalOf, signatureOf, transactionOf } from '../../messages/transaction-data.js';
import type { UncertainCalls } from '../uncertain-calls.js';

export interface TransactionStepDeps {
  transactions: CardTransactions;
  postings: PostingRelay;
  timeoutMs: number;
  /** Moves what a call answered 911 did after all (its posting) once Redis answers. */
  calls: UncertainCalls;
}

export function completeAuthorization(deps: TransactionStepDeps): Step {
  return {
    name: 'completeAuthorization',
    async run(ctx) {
      const pan = panOf(ctx.request);
      if (pan === undefined) return refuse(ctx, 'formatError', 'field 2 (or 35) unreadable');
      const original = originalOf(ctx.request);
      if (original === undefined)
        return refuse(ctx, 'formatError', 'field 56 (original MTI, STAN, local date and time) unreadable');
      if (original.mti[1] !== '1')
        return refuse(
          ctx,
          'invalidTransaction',
          `field 56 names a ${original.mti}: only an authorization (1100 / 0100) is completed`,
        );
      const ref = {
        pan,
        original: transactionId(ctx.terminalId ?? '', original.localTime, original.stan),
        own: transactionOf(ctx),
        signature: signatureOf(ctx),
        receivedAt: ctx.receivedAt.getTime(),
      };
      // Field 4 is in the authorization's currency; field 49, when sent, must name it.
      const currency = String(ctx.request[49] ?? '');
      const r = await deps.calls.run(
        () => deps.transactions.complete(ref, Number(ctx.request[4]), currency),
        deps.timeoutMs,
        { pan },
      );
      if (r.posting !== '') deps.postings.enqueue(r.card, r.posting);
      const why = `completion: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}${r.repeat ? ', repeat answered as the first time' : ''}`;
      if (r.outcome !== 'approved') return refuse(ctx, r.outcome, why);
      ctx.outcome = 'approved';
      ctx.response[38] = r.approvalCode;
    },
  };
}
