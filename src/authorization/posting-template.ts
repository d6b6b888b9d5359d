/** The posting an approval makes, built from the request (the register fills in the card's part). */
import { randomUUID } from 'node:crypto';
import { type Direction, type PostingType, transactionId } from '../journal/posting.js';
import type { PostingTemplate } from '../card/card-register.js';
import { localTimeOf } from '../messages/transaction-data.js';
import type { RequestContext } from './context.js';

/** The posting an approval of this request makes (the register fills in the card's part and the approval code). */
export function postingTemplate(ctx: RequestContext, track: boolean): PostingTemplate {
  const type: PostingType = String(ctx.request[3]).startsWith('20') ? 'refund' : 'purchase';
  const direction: Direction = type === 'refund' ? 'C' : 'D';
  const localTime = localTimeOf(ctx.request, ctx.receivedAt);
  return {
    id: randomUUID(),
    txn: transactionId(ctx.terminalId ?? '', localTime, String(ctx.request[11])),
    type,
    direction,
    amount: Number(ctx.request[4]),
    currency: String(ctx.request[49]),
    terminal: ctx.terminalId ?? '',
    merchant: String(ctx.request[42] ?? '').trimEnd(),
    stan: String(ctx.request[11]),
    localTime,
    receivedAt: ctx.receivedAt.getTime(),
    ...(track ? { track: 1 as const } : {}),
  };
}
