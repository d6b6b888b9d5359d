/**
 * Amounts in other currencies, converted to DKK (004 §2.1, §21.5: the account is always debited
 * in DKK). The switch accepts DKK and the currencies configured in `currencies` (ISO 4217 numeric
 * code, minor-unit exponent, rate to DKK); a request in any other currency is refused
 * (docs/PROTOCOL.md §3.2.2). Integer arithmetic only: a rate is kept as millionths of a DKK per
 * unit of the currency, and the DKK amount is rounded half up to the øre. complete.lua and
 * reverse.lua convert partial amounts by the same rule (src/card/scripts/convert.lua), with the
 * rate kept in the posting.
 */
import type { SwitchConfig } from '../config/types.js';

/** ISO 4217 numeric code of the Danish krone: every account is kept in it. */
export const DKK = '208';
/** ISO 3166 numeric code of Denmark, the scheme's home (field 19 of a request made there). */
export const HOME_COUNTRY = '208';
/** Øre: DKK has two decimals. */
export const DKK_EXPONENT = 2;
/** A rate is millionths of a DKK per unit of the currency: DKK itself is 1.000000. */
export const RATE_SCALE = 1_000_000;
/** Field 4 holds 12 digits; a converted amount must fit the same (and the delivery's amount field). */
export const MAX_AMOUNT = 999_999_999_999;

export type CurrencyConfig = SwitchConfig['currencies'];

/** What a posting keeps of a conversion; for DKK the original is the amount, at rate 1. */
export interface Conversion {
  /** øre */
  amount: number;
  /** In minor units of originalCurrency. */
  originalAmount: number;
  /** ISO 4217 numeric. */
  originalCurrency: string;
  /** Millionths of a DKK per unit (not minor unit) of originalCurrency. */
  rate: number;
  /** Minor-unit exponent of originalCurrency (2: cents). */
  originalExponent: number;
}

/** Why an amount was not converted: the currency is not accepted, or the DKK amount would not fit 12 digits. */
export type ConversionRefusal = 'currencyNotAccepted' | 'amountTooLarge';

/** '7.4603' → 7460300. The config schema allows 1 to 4 integer digits and up to 6 decimals. */
export function rateOf(text: string): number {
  const [whole = '', fraction = ''] = text.split('.');
  return Number(whole) * RATE_SCALE + Number(fraction.padEnd(6, '0'));
}

/**
 * amount (minor units) × rate / 10^(exponent + 4), rounded half up: minor units to units is
 * 10^exponent, millionths to DKK 10^6, DKK to øre 10^2 back. BigInt: amount × rate exceeds 2^53.
 */
export function toDkk(amount: number, rate: number, exponent: number): number {
  const divisor = 10n ** BigInt(exponent + 4);
  return Number((BigInt(amount) * BigInt(rate) + divisor / 2n) / divisor);
}

/** Field 4 in the currency of field 49, converted; a refusal when the currency or the result is not accepted. */
export function convert(amount: number, currency: string, currencies: CurrencyConfig): Conversion | ConversionRefusal {
  if (currency === DKK) {
    return { amount, originalAmount: amount, originalCurrency: DKK, rate: RATE_SCALE, originalExponent: DKK_EXPONENT };
  }
  const c = Object.hasOwn(currencies, currency) ? currencies[currency] : undefined;
  if (c === undefined) return 'currencyNotAccepted';
  const rate = rateOf(c.rate);
  const dkk = toDkk(amount, rate, c.exponent);
  if (dkk > MAX_AMOUNT) return 'amountTooLarge';
  return { amount: dkk, originalAmount: amount, originalCurrency: currency, rate, originalExponent: c.exponent };
}
