/**
 * The reverseLostAnswer step for old terminals (DKT1, DKT1+, OEM), which never send reversals: each
 * of their requests says (field 48, sub-element 01) the STAN of the last approved transaction the
 * terminal completed. When the switch's last approval for that terminal is another one, its
 * answer never arrived: the switch reverses it (same transaction id and amount) before handling
 * the new request (docs/SCHEME.md, 001 §10). A terminal that never comes back leaves its last
 * transaction standing, as in the real scheme.
 */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';
import type { TerminalKeys } from '../../crypto/terminal-keys.js';
import type { LastApprovedTransactions } from '../../terminal-state/last-approved.js';
import type { CardTransactions } from '../../card/card-transactions.js';
import type { PostingRelay } from '../../journal/posting-relay.js';
import { lastCompletedStanOf, transactionOf } from '../../messages/transaction-data.js';
import { registerCall } from '../../redis/errors.js';
import { SWITCH_REVERSAL_REASON, reversalPostingType } from '../../journal/reversal-reasons.js';

const OLD_MODELS = new Set(['dkt1', 'dkt1plus', 'oem']);

/** The terminal's model (from the key file) is one that sends no reversals. */
export function isOldTerminal(keys: TerminalKeys, terminalId: string | undefined): boolean {
  return terminalId !== undefined && OLD_MODELS.has(keys.keyFor(terminalId).model ?? '');
}

export interface ReverseLostAnswerDeps {
  keys: TerminalKeys;
  lastApproved: LastApprovedTransactions;
  transactions: CardTransactions;
  postings: PostingRelay;
  timeoutMs: number;
}

export function reverseLostAnswer(deps: ReverseLostAnswerDeps): Step {
  return {
    name: 'reverseLostAnswer',
    async run(ctx) {
      if (!isOldTerminal(deps.keys, ctx.terminalId)) return;
      const terminal = ctx.terminalId!;
      const completed = lastCompletedStanOf(ctx.request);
      if (completed === undefined)
        return refuse(
          ctx,
          'formatError',
          'field 48 sub-element 01 (STAN of the last completed approval) missing or unreadable',
        );
      const last = await registerCall(deps.lastApproved.get(terminal), deps.timeoutMs);
      // The very transaction again (a retransmission) is answered as the first time, not reversed.
      if (last === undefined || last.stan === completed || last.txn === transactionOf(ctx)) return;
      const r = await registerCall(
        deps.transactions.reverseCard(
          last.card,
          { original: last.txn, own: '', signature: '' },
          0,
          reversalPostingType(SWITCH_REVERSAL_REASON),
          SWITCH_REVERSAL_REASON,
        ),
        deps.timeoutMs,
      );
      if (r.posting !== '') deps.postings.enqueue(r.card, r.posting);
      await registerCall(deps.lastApproved.clear(terminal, last.txn), deps.timeoutMs);
      ctx.log.info(
        { terminal, txn: last.txn, effect: r.detail, reportedStan: completed },
        "lost answer: the switch reversed the terminal's last approval",
      );
    },
  };
}
