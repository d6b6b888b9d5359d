/** The posting an approval makes, built from the request (the register fills in the card's part). */
import { randomUUID } from 'node:crypto';
import { type Direction, type PostingType, type Verification, transactionId } from '../journal/posting.js';
import type { PostingTemplate } from '../card/card-register.js';
import { localTimeOf } from '../messages/transaction-data.js';
import { entryModeOf, environmentOf, verificationOf } from '../messages/card-data.js';
import { acceptorOf } from '../messages/acceptor-data.js';
import { channelOf } from '../messages/channel.js';
import { verificationAt } from '../messages/unattended.js';
import { type Conversion, DKK } from '../currency/conversion.js';
import type { TerminalModel } from '../crypto/terminal-keys.js';
import type { RequestContext } from './context.js';
import type { TransactionKind } from './cash-withdrawal.js';
import { type ChipFacts, verificationOfCvm } from '../messages/chip-data.js';

/** What the step knows besides the request: what it asks for, the amount converted, the purchase time, the terminal's model. */
export interface TemplateFacts {
  /** A withdrawal posts a withdrawal; a refund a refund (a credit); a purchase a purchase. */
  kind: TransactionKind;
  money: Conversion;
  /** Field 12 in the register's time zone (ms). */
  purchasedAt: number;
  /** The key file's model of the terminal, when it lists one. */
  model: TerminalModel | undefined;
  /** The chip's offline results (field 55). */
  chip: ChipFacts;
}

/** The posting an approval of this request makes (the register fills in the card's part and the approval code). */
export function postingTemplate(ctx: RequestContext, track: boolean, facts: TemplateFacts): PostingTemplate {
  const type: PostingType = facts.kind;
  const direction: Direction = type === 'refund' ? 'C' : 'D';
  const localTime = localTimeOf(ctx.request, ctx.receivedAt);
  const { money } = facts;
  const channel = channelOf(ctx.request, ctx.codes, facts.model);
  const entryMode = entryModeOf(ctx.request, ctx.codes);
  const { tvr, cvmResults, cvr } = facts.chip;
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
    entryMode,
    verification: verificationAt(channel, verificationFrom(ctx, entryMode, cvmResults)),
    // The key file knows the model; else field 22 says where the terminal stands.
    terminalKind: facts.model ?? environmentOf(ctx.request, ctx.codes),
    channel,
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    ...(track ? { track: 1 as const } : {}),
    ...(tvr === '' ? {} : { tvr }),
    ...(cvmResults === '' ? {} : { cvmResults }),
    ...(cvr === '' ? {} : { cvr }),
  };
}

/**
 * A PIN block in the request is an online PIN whatever else it says; else a read from the chip
 * (card inserted) is verified as its CVM results (9F34) say, when they say it; else as field 22
 * says (src/messages/card-data.ts verificationOf).
 */
function verificationFrom(ctx: RequestContext, entryMode: string, cvmResults: string): Verification {
  const fromFields = verificationOf(ctx.request, ctx.codes);
  if (fromFields === 'pinOnline' || entryMode !== 'chip') return fromFields;
  return verificationOfCvm(cvmResults) ?? fromFields;
}
