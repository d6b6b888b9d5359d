/** The posting an approval makes, built from the request (the register fills in the card's part). */
import { randomUUID } from 'node:crypto';
import { type Direction, type PostingType, transactionId } from '../journal/posting.js';
import type { PostingTemplate } from '../card/card-register.js';
import { localTimeOf } from '../messages/transaction-data.js';
import { entryModeOf, environmentOf, verificationOf } from '../messages/card-data.js';
import { acceptorOf } from '../messages/acceptor-data.js';
import { channelOf } from '../messages/channel.js';
import { verificationAt } from '../messages/unattended.js';
import { type Conversion, DKK } from '../currency/conversion.js';
import type { TerminalModel } from '../crypto/terminal-keys.js';
import type { RequestContext } from './context.js';

/** What the step knows besides the request: the amount converted, the purchase time, the terminal's model. */
export interface TemplateFacts {
  money: Conversion;
  /** Field 12 in the register's time zone (ms). */
  purchasedAt: number;
  /** The key file's model of the terminal, when it lists one. */
  model: TerminalModel | undefined;
}

/** The posting an approval of this request makes (the register fills in the card's part and the approval code). */
export function postingTemplate(ctx: RequestContext, track: boolean, facts: TemplateFacts): PostingTemplate {
  const type: PostingType = String(ctx.request[3]).startsWith('20') ? 'refund' : 'purchase';
  const direction: Direction = type === 'refund' ? 'C' : 'D';
  const localTime = localTimeOf(ctx.request, ctx.receivedAt);
  const { money } = facts;
  const channel = channelOf(ctx.request, ctx.codes, facts.model);
  return {
    id: randomUUID(),
    txn: transactionId(ctx.terminalId ?? '', localTime, String(ctx.request[11])),
    type,
    direction,
    amount: money.amount,
    currency: DKK,
    originalAmount: money.originalAmount,
    originalCurrency: money.originalCurrency,
    originalExponent: money.originalExponent,
    rate: money.rate,
    terminal: ctx.terminalId ?? '',
    merchant: String(ctx.request[42] ?? '').trimEnd(),
    stan: String(ctx.request[11]),
    localTime,
    purchasedAt: facts.purchasedAt,
    receivedAt: ctx.receivedAt.getTime(),
    ...acceptorOf(ctx.request, ctx.codes),
    entryMode: entryModeOf(ctx.request, ctx.codes),
    verification: verificationAt(channel, verificationOf(ctx.request, ctx.codes)),
    // The key file knows the model; else field 22 says where the terminal stands.
    terminalKind: facts.model ?? environmentOf(ctx.request, ctx.codes),
    channel,
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    ...(track ? { track: 1 as const } : {}),
  };
}
