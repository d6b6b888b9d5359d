/**
 * The ATM (kind 'atm'): a cash withdrawal is one 1200 (1987: 0200) with processing code 01 and
 * the online PIN, read from the chip (docs/PROTOCOL.md §3.2.5). After an approval the cash
 * dispenser pays out: all of it, nothing (a dispense fault: the ATM sends a reversal advice of
 * the whole withdrawal at once, reason 4007, and the switch gives the fee back), or part (a
 * partial dispense: a partial reversal of what was not paid out, function code 401 and reason
 * 4004; the fee stays). A withdrawal whose answer never came is reversed like a PSAM's (4021).
 * Terminal.withdraw() runs this flow with the parts of the terminal it needs.
 */
import type { IsoMessage } from '../src/codec/index.js';
import type { Exchange, Outcome } from './terminal.js';

/** Field 3 of a withdrawal: cash (01) from the default account. */
export const CASH = '010000';

/** ISO 8583:1993 message reason codes of an ATM's reversal advice (docs/PROTOCOL.md §3.4.4). */
export const DISPENSE_FAULT = '4007';
export const PARTIAL_DISPENSE = '4004';

export interface Withdrawal {
  pan: string;
  /** In minor units of `currency`. */
  amount: number;
  /** An ATM always asks for the PIN (online). */
  pin: string;
  /** ISO 4217 numeric (field 49); default '208' (DKK). */
  currency?: string;
  /** Field 19, the ATM's country (ISO 3166 numeric), when it sends one: other than 208 is abroad. */
  country?: string;
  /** What the cash dispenser pays out after an approval (minor units): all of it (default), 0 (a dispense fault) or part. */
  dispensed?: number;
}

/** A withdrawal's request, as the terminal builds its financial messages. */
export interface CashRequest {
  pan: string;
  amount: number;
  pin: string;
  currency?: string | undefined;
}

/** What the flow uses of its terminal: build the 1200, send, settle the answer, send a reversal advice now. */
export interface AtmParts<O> {
  request(r: CashRequest): { message: IsoMessage; original: O };
  send(message: IsoMessage): Promise<Exchange>;
  settle(e: Exchange, original: O): Outcome;
  /** Stores the reversal advice (of `amount`; `partial`: function code 401) and sends it at once. */
  reverse(original: O, amount: number, reason: string, partial: boolean): Promise<void>;
}

/** The withdrawal's checks besides the card number, PIN and currency (the terminal's own checks). */
export function withdrawalProblem(w: Withdrawal): string | undefined {
  if (w.country !== undefined && !/^\d{3}$/.test(w.country)) return 'country: an ISO 3166 numeric code, 3 digits';
  if (w.dispensed !== undefined && !(Number.isInteger(w.dispensed) && w.dispensed >= 0 && w.dispensed <= w.amount))
    return 'dispensed: whole minor units, 0 to the amount';
  return undefined;
}

/** One withdrawal: the request, its answer, and what the dispenser paid out. */
export async function withdrawCash<O>(w: Withdrawal, parts: AtmParts<O>): Promise<Outcome> {
  const { message, original } = parts.request({ pan: w.pan, amount: w.amount, pin: w.pin, currency: w.currency });
  if (w.country !== undefined) message[19] = w.country;
  const outcome = parts.settle(await parts.send(message), original);
  const paid = w.dispensed ?? w.amount;
  if (!outcome.approved) return outcome;
  if (paid === w.amount) return { ...outcome, dispensed: paid };
  // The dispenser paid out less than was approved: what it kept is reversed now, not at the next contact.
  await parts.reverse(original, w.amount - paid, paid === 0 ? DISPENSE_FAULT : PARTIAL_DISPENSE, paid > 0);
  return { ...outcome, approved: paid > 0, reversalStored: true, dispensed: paid };
}
