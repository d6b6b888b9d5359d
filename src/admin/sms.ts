/**
 * The SMS receipt of a block made at the block service: the card's issuer chooses the text, per
 * card product (config issuers.<issuer>.smsTemplates, 'default' for its other products). The
 * switch composes the text; sending it is the SMS gateway's job, outside the switch.
 */
import type { IssuerConfig } from '../config/types.js';
import { localDateTime } from '../time/local-time.js';

/** Used when the issuer has chosen no text. */
export const DEFAULT_SMS_TEMPLATE = 'Dit kort {maskedPan} er spærret {time}. Referencenummer: {reference}.';

export interface SmsValues {
  reference: string;
  maskedPan: string;
  /** Formatted already (smsTime). */
  time: string;
}

/** Own keys only: a product named "constructor" must not find Object.prototype.constructor. */
const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

export function smsTemplate(issuers: Record<string, IssuerConfig>, issuer: string, product: string): string {
  const templates = own(issuers, issuer)?.smsTemplates;
  return own(templates, product) ?? own(templates, 'default') ?? DEFAULT_SMS_TEMPLATE;
}

export function renderSms(template: string, values: SmsValues): string {
  return template.replace(/\{(reference|maskedPan|time)\}/g, (_, key: keyof SmsValues) => values[key]);
}

/** "14.03.2025 kl. 10:05" in the register's time zone: how a Danish receipt gives a time. */
export function smsTime(at: Date, timeZone: string): string {
  const t = localDateTime(at, timeZone);
  return `${t.day}.${t.month}.${t.year} kl. ${t.hour}:${t.minute}`;
}
