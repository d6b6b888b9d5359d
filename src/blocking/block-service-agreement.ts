/**
 * Whose cardholders the block service may block for (001 §14: a holder can block the card at the
 * service only where the issuer has an agreement with it). An issuer listed in config `issuers`
 * has one unless its entry says `blockService: false`; an issuer not listed has none. A holder of
 * another issuer's card is told whom to call: the issuer's name and phone number, where configured.
 */
import type { IssuerConfig } from '../config/types.js';

/** The issuer a holder must call instead (name and phone only where configured). */
export interface IssuerToCall {
  issuer: string;
  name?: string;
  phone?: string;
}

/** Own keys only: an issuer id such as "constructor" must not find Object.prototype's. */
const entryOf = (issuers: Record<string, IssuerConfig>, issuer: string): IssuerConfig | undefined =>
  Object.hasOwn(issuers, issuer) ? issuers[issuer] : undefined;

export function hasBlockServiceAgreement(issuers: Record<string, IssuerConfig>, issuer: string): boolean {
  const entry = entryOf(issuers, issuer);
  return entry !== undefined && entry.blockService !== false;
}

export function issuerToCall(issuers: Record<string, IssuerConfig>, issuer: string): IssuerToCall {
  const entry = entryOf(issuers, issuer);
  return {
    issuer,
    ...(entry?.name === undefined ? {} : { name: entry.name }),
    ...(entry?.phone === undefined ? {} : { phone: entry.phone }),
  };
}

/** The refusal's text, naming the issuer (its id where no name is configured) and its phone number where configured. */
export function noAgreementMessage(call: IssuerToCall): string {
  const whom = call.name ?? call.issuer;
  return (
    `${whom} has no block service agreement: its cardholders block their cards with ${whom}; ` +
    `call ${whom}${call.phone === undefined ? '' : ` on ${call.phone}`}`
  );
}
