/**
 * Offline advice (1220 / 0220 without field 56, repeat 1221 / 0221; docs/PROTOCOL.md, "Offline
 * advices"): a purchase or refund the terminal approved offline, below its floor limit, checking
 * its offline block list. The switch posts it with the card's status at the purchase time and
 * never refuses it for the card's status, PIN or balance: the money has been handed over
 * (src/card/scripts/offline-advice.lua). What it does refuse is a message it cannot post: a card
 * not in the register (no card record: 111 / 14), another processing code, a currency not
 * accepted, a format error. Any answer ends the terminal's repeats.
 */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';
import { panOf } from '../../messages/card-data.js';
import { luhnValid } from '../../card/luhn.js';
import type { OfflineAdvices } from '../../card/offline-advices.js';
import type { NoticeRelay } from '../../notices/notice-relay.js';
import type { PostingRelay } from '../../journal/posting-relay.js';
import type { TerminalKeys } from '../../crypto/terminal-keys.js';
import type { CurrencyConfig } from '../../currency/conversion.js';
import { signatureOf } from '../../messages/transaction-data.js';
import { postingTemplate } from '../posting-template.js';
import { saleFacts } from '../sale-facts.js';
import type { UncertainCalls } from '../uncertain-calls.js';
import { noValue, withTimeout as atMost } from '../../time/timeout.js';

/** The sales a terminal may make offline, by processing code (field 3): no cash, no other service. */
const OFFLINE_KINDS: Record<string, 'purchase' | 'refund'> = { '00': 'purchase', '20': 'refund' };

/** 1993 dialects: field 24 of an offline advice (ISO 8583:1993 "original financial request/advice"). */
export const OFFLINE_FUNCTION_CODE = '200';

export interface PostOfflineAdviceDeps {
  advices: OfflineAdvices;
  relay: NoticeRelay;
  postings: PostingRelay;
  keys: TerminalKeys;
  timeoutMs: number;
  /** Moves what a call answered 911 did after all (its posting); the terminal repeats the advice. */
  calls: UncertainCalls;
  currencies: CurrencyConfig;
  timeZone: string;
}

export function postOfflineAdvice(deps: PostOfflineAdviceDeps): Step {
  return {
    name: 'postOfflineAdvice',
    async run(ctx) {
      // A completion that lost its field 56 is not taken for a sale of its own: in 1993 dialects
      // an offline advice says what it is in field 24.
      if (ctx.codes === 'iso93' && ctx.request[24] !== OFFLINE_FUNCTION_CODE)
        return refuse(
          ctx,
          'formatError',
          `missing field 56 (a completion names its original) or function code ${OFFLINE_FUNCTION_CODE} in field 24 (an offline advice)`,
        );
      const kind = OFFLINE_KINDS[String(ctx.request[3]).slice(0, 2)];
      if (kind === undefined)
        return refuse(
          ctx,
          'invalidTransaction',
          `offline advice: processing code ${String(ctx.request[3]).slice(0, 2)} is not a purchase or refund`,
        );
      const pan = panOf(ctx.request);
      if (pan === undefined || !luhnValid(pan)) return refuse(ctx, 'notRegistered', 'PAN missing or failing Luhn');
      const facts = saleFacts(ctx, deps);
      if (facts === undefined) return;
      const model = deps.keys.keyFor(ctx.terminalId).model;
      const posting = { ...postingTemplate(ctx, false, { ...facts, kind, model }), authorization: 'offline' as const };
      const approvalCode = String(ctx.request[38] ?? '').trim();
      const r = await deps.calls.run(
        () =>
          deps.advices.post({
            pan,
            kind,
            amount: facts.money.amount,
            approvalCode,
            signature: signatureOf(ctx),
            posting,
          }),
        deps.timeoutMs,
        { pan },
      );
      if (r.notices > 0) await atMost(deps.relay.flushQuietly(r.card), deps.timeoutMs, noValue);
      if (r.posting !== '') deps.postings.enqueue(r.card, r.posting);
      const why = `offline advice: ${r.outcome}${r.cardStatus ? ` (card ${r.cardStatus} at the purchase time)` : ''}${r.repeat ? ', repeat answered as the first time' : ''}`;
      if (r.outcome === 'notRegistered') return refuse(ctx, 'notRegistered', `${why}: no card record, nothing posted`);
      if (r.outcome === 'duplicateTransmission')
        return refuse(
          ctx,
          'duplicateTransmission',
          'offline advice: same terminal, STAN and time as an earlier message with other content',
        );
      ctx.outcome = 'approved';
      ctx.reason = why;
    },
  };
}
