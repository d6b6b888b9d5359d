/**
 * What a sale's request says before the register is asked, the same for an online request and an
 * offline advice: the purchase time (field 12, or 13 and 12, in the register's time zone) and the
 * amount in DKK (field 4 in the currency of field 49, converted), the chip's offline results (field
 * 55: TVR, CVM results, CVR; unreadable ICC data is a format error naming field 55 and the tag).
 */
import { type RequestContext, refuse } from './context.js';
import { localTimeOf } from '../messages/transaction-data.js';
import { type Conversion, type CurrencyConfig, convert } from '../currency/conversion.js';
import { localTimeMs } from '../time/local-time.js';
import { IccDataError, iccDataOf } from '../messages/icc-data.js';
import { type ChipFacts, chipFactsOf } from '../messages/chip-data.js';

export interface SaleFacts {
  /** ms since the epoch */
  purchasedAt: number;
  money: Conversion;
  /** The chip's offline results from field 55 (all '' without it). */
  chip: ChipFacts;
}

/** The sale's facts; undefined when the request is refused for them (the refusal is set on ctx). */
export function saleFacts(
  ctx: RequestContext,
  deps: { currencies: CurrencyConfig; timeZone: string },
): SaleFacts | undefined {
  const purchasedAt = localTimeMs(localTimeOf(ctx.request, ctx.receivedAt), deps.timeZone);
  if (purchasedAt === undefined) {
    refuse(ctx, 'formatError', 'field 12 (13): not a local date and time');
    return undefined;
  }
  const money = convert(Number(ctx.request[4]), String(ctx.request[49]), deps.currencies);
  if (money === 'currencyNotAccepted') {
    refuse(ctx, 'currencyNotAccepted', `field 49: currency ${String(ctx.request[49])} not accepted`);
    return undefined;
  }
  if (money === 'amountTooLarge') {
    refuse(ctx, 'formatError', 'field 4: the DKK amount exceeds 12 digits');
    return undefined;
  }
  let chip: ChipFacts;
  try {
    chip = chipFactsOf(iccDataOf(ctx.request));
  } catch (e) {
    if (!(e instanceof IccDataError)) throw e;
    refuse(ctx, 'formatError', e.message);
    return undefined;
  }
  return { purchasedAt, money, chip };
}
