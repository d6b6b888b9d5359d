/**
 * Card checks, PIN, contactless rules and balance: one call to the card register, which decides
 * all of it atomically in Redis (src/card/scripts/authorize.lua), records the transaction
 * (so a retransmission gets the first answer) and, for a single-message approval, makes its
 * posting before the answer leaves. Here: read the card and the PIN block, call, and turn the
 * register's outcome into the answer.
 */
import type { Step } from '../pipeline.js';
import { registerCall } from '../../redis/errors.js';
import { type RequestContext, refuse } from '../context.js';
import type { Outcome } from '../../messages/action-codes.js';
import { isChipRead, isContactless, panOf } from '../../messages/card-data.js';
import { unverifiedUnattended } from '../../messages/unattended.js';
import { luhnValid } from '../../card/luhn.js';
import type {
  AuthorizeResult,
  BlockReason,
  CardRegister,
  PostingTemplate,
  RegisterOutcome,
} from '../../card/card-register.js';
import type { CardId } from '../../crypto/card-id.js';
import type { NoticeRelay } from '../../notices/notice-relay.js';
import type { TerminalKeys } from '../../crypto/terminal-keys.js';
import { verifyPinBlock } from '../../crypto/pin-verification.js';
import type { PinKey } from '../../crypto/pin-block.js';
import type { KsnCounters } from '../../terminal-state/ksn-counters.js';
import { pinKeyOf } from '../pin-key.js';
import type { PostingRelay } from '../../journal/posting-relay.js';
import type { LastApprovedTransactions } from '../../terminal-state/last-approved.js';
import { isOldTerminal } from './reverse-lost-answer.js';
import { atmOf, kindOf } from '../cash-withdrawal.js';
import { signatureOf } from '../../messages/transaction-data.js';
import { type CurrencyConfig, HOME_COUNTRY } from '../../currency/conversion.js';
import type { CashWithdrawal } from '../../card/cash-terms.js';
import type { WatchedTransaction } from '../../monitoring/watched-transaction.js';
import { saleFacts } from '../sale-facts.js';
import { postingTemplate } from '../posting-template.js';
import { randomInt } from 'node:crypto';
import type { UncertainCalls } from '../uncertain-calls.js';
import { noValue, withTimeout as atMost } from '../../time/timeout.js';
import { answerSeries, remotePurchase } from '../remote-purchase.js';

export interface AuthorizeCardDeps {
  register: CardRegister;
  relay: NoticeRelay;
  postings: PostingRelay;
  lastApproved: LastApprovedTransactions;
  keys: TerminalKeys;
  /** DUKPT terminals' counters used (a KSN is good for one transaction). */
  ksnCounters: KsnCounters;
  /** The register's secret, keying PIN verification values. */
  secret: Buffer;
  /** A register call slower than this is answered "register unavailable". */
  timeoutMs: number;
  /** Settles a call answered 911 that may have run (an approval nobody saw is reversed). */
  calls: UncertainCalls;
  /** The currencies accepted besides DKK, and their rates (config `currencies`). */
  currencies: CurrencyConfig;
  /** The register's time zone: field 12 is read in it (the purchase time). */
  timeZone: string;
  /** The fraud monitoring is on: what it is handed is gathered (ctx.watched); off, nothing is. */
  watching: boolean;
}

/**
 * The answer to a blocked card, by block reason (docs/PROTOCOL.md, "Block reasons"): lost and
 * stolen have their own codes (pick-up); the holder's reasons that say someone else may be using
 * the card (misuse, a copy, suspected misuse) as suspected fraud; the fraud monitoring's block
 * (`fraud`) has a code of its own; PIN known to others, where the holder still has the card, as
 * the issuer's.
 */
const BLOCKS: Record<BlockReason, Outcome> = {
  lost: 'blockedLost',
  stolen: 'blockedStolen',
  pinKnown: 'blockedByIssuer',
  misused: 'blockedFraud',
  copied: 'blockedFraud',
  suspected: 'blockedFraud',
  fraud: 'blockedByMonitoring',
  issuer: 'blockedByIssuer',
};

function outcomeOf(outcome: RegisterOutcome, detail: string): Outcome {
  return outcome === 'blocked' ? BLOCKS[detail as BlockReason] : outcome;
}

export function authorizeCard(deps: AuthorizeCardDeps): Step {
  return {
    name: 'authorizeCard',
    async run(ctx) {
      const kind = kindOf(ctx.request);
      // Cash: only at an ATM, single message (cash-withdrawal.ts); refused like the processing code.
      const atm = kind === 'withdrawal' ? atmOf(ctx.request, ctx.mti, ctx.terminalId, deps.keys) : undefined;
      if (typeof atm === 'string') return refuse(ctx, 'invalidTransaction', atm);
      const pan = panOf(ctx.request);
      if (pan === undefined || !luhnValid(pan)) return refuse(ctx, 'notRegistered', 'PAN missing or failing Luhn');
      // Dual message is for amounts known only later (chip purchases, fuel); refunds are single message (docs/SCHEME.md, Reversals).
      const message = ctx.mti[1] === '1' ? 'dual' : 'single';
      if (message === 'dual' && kind === 'refund')
        return refuse(ctx, 'invalidTransaction', 'a refund is a single-message (1200 / 0200) request');
      const facts = saleFacts(ctx, deps);
      if (facts === undefined) return;
      const { purchasedAt, money, chip } = facts;
      const track = message === 'single' && isOldTerminal(deps.keys, ctx.terminalId);
      const model = deps.keys.keyFor(ctx.terminalId).model;
      const posting = postingTemplate(ctx, track, { kind, money, purchasedAt, model, chip });
      const remote = remotePurchase(ctx, posting, (cvc) => deps.register.cvcValueOf(pan, cvc));
      if (typeof remote === 'string') return refuse(ctx, 'formatError', remote);
      // The PIN block's key: fixed, or DUKPT (the KSN's counter is used up here, before the register).
      const pinKey = await pinKeyOf(ctx, posting.txn, deps);
      if (pinKey !== undefined && 'refuse' in pinKey) return refuse(ctx, pinKey.refuse, pinKey.reason);
      const result = await deps.calls.run(
        () =>
          deps.register.authorize({
            pan,
            kind,
            amount: money.amount,
            pvv: pvvOf(ctx, pan, pinKey?.key, deps.secret),
            contactless: isContactless(ctx.request, ctx.codes),
            chip: isChipRead(ctx.request, ctx.codes),
            unattended: unverifiedUnattended(kind, posting, ctx.request, ctx.codes),
            reserve: true,
            terminalId: ctx.terminalId ?? '',
            ...(atm === undefined ? {} : { cash: atm }),
            transaction: {
              txn: posting.txn,
              signature: signatureOf(ctx),
              message,
              approvalCode: String(randomInt(0, 1_000_000)).padStart(6, '0'),
              posting,
            },
            ...(remote === undefined ? {} : { remote }),
            ...(ctx.cryptogram === undefined ? {} : { cryptogram: ctx.cryptogram }),
          }),
        deps.timeoutMs,
        { pan, reverse: posting.txn },
      );
      // Not longer than a register call may take: with Redis frozen right after the decision the
      // answer would wait for it; what the flush could not move, the notice sweep moves.
      if (result.notices > 0) await atMost(deps.relay.flushQuietly(result.card), deps.timeoutMs, noValue);
      if (result.posting !== '') deps.postings.enqueue(result.card, result.posting);
      if (result.fee !== '') deps.postings.enqueue(result.card, result.fee);
      // A retransmission is the same transaction again; a card not in the register has nothing to watch.
      if (deps.watching && !result.repeat && result.outcome !== 'notRegistered')
        ctx.watched = watchedOf(ctx, posting, result.card, atm);
      if (track && result.outcome === 'approved' && !result.repeat)
        await recordLastApproved(ctx, posting, result.card, deps);
      answer(ctx, result);
      answerSeries(ctx, posting);
    },
  };
}

/** What the fraud monitoring sees of the request (src/monitoring/watched-transaction.ts). */
function watchedOf(
  ctx: RequestContext,
  p: PostingTemplate,
  card: CardId,
  atm: CashWithdrawal | undefined,
): Omit<WatchedTransaction, 'outcome'> {
  const country = ctx.request[19];
  return {
    card,
    txn: p.txn,
    at: p.receivedAt,
    kind: p.type as WatchedTransaction['kind'],
    channel: p.channel,
    entryMode: p.entryMode,
    verification: p.verification,
    amount: p.amount,
    terminal: p.terminal,
    merchant: p.merchant,
    city: p.merchantCity,
    country: country === undefined ? HOME_COUNTRY : String(country),
    atmOwner: atm?.owner ?? '',
  };
}

function pvvOf(ctx: RequestContext, pan: string, key: PinKey | undefined, secret: Buffer): string | undefined {
  const block = ctx.request[52];
  if (!Buffer.isBuffer(block) || key === undefined) return undefined;
  const verified = verifyPinBlock(block, pan, key, secret);
  return verified.ok ? verified.pvv : 'invalid';
}

/** Before the answer leaves: the terminal's next request is compared with it (reverse-lost-answer.ts). */
async function recordLastApproved(
  ctx: RequestContext,
  p: PostingTemplate,
  card: CardId,
  deps: AuthorizeCardDeps,
): Promise<void> {
  // From the request's own posting fields, as sent to the Lua call: no parse of the posting it returned.
  await registerCall(
    deps.lastApproved.record(ctx.terminalId ?? '', {
      txn: p.txn,
      card,
      stan: p.stan,
      localTime: p.localTime,
      at: p.receivedAt,
    }),
    deps.timeoutMs,
  );
}

function answer(ctx: RequestContext, result: AuthorizeResult): void {
  const why = `register: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}${result.repeat ? ', retransmission answered as the first time' : ''}`;
  if (result.outcome === 'approved') {
    ctx.outcome = 'approved';
    ctx.response[38] = result.approvalCode;
    if (result.repeat) ctx.reason = why;
    return;
  }
  refuse(ctx, outcomeOf(result.outcome, result.detail), why);
}
