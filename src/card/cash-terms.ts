/**
 * Cash at ATMs (docs/SCHEME.md, Channels; 004 §1.2, §1.4): what the authorize script gets for a
 * withdrawal, and cash.lua applies. The card's product decides the withdrawal limits and the fee
 * (config register.products.<product>.cash, each key given replacing register.cash's); only the
 * register knows the card's product, so the terms of every product go in as one JSON, made once
 * per configuration (no JSON is built per request).
 */
import { randomUUID } from 'node:crypto';
import type { RegisterConfig } from '../config/types.js';
import { localDate } from '../time/local-time.js';

/** Where the cash is drawn, as the switch tells it from the request and the terminal key file. */
export interface CashWithdrawal {
  /** The issuer id of the bank owning the ATM (the key file's `owner`). */
  owner: string;
  /** Abroad: a currency other than DKK, or an acquiring country other than Denmark. */
  abroad: boolean;
}

type CashConfig = RegisterConfig['cash'];
type Fee = CashConfig['fees']['own'];
type ProductCash = NonNullable<RegisterConfig['products'][string]['cash']>;

/** The authorize script's arguments of a withdrawal (authorize.lua's header; all empty for anything else). */
export interface CashArgs {
  /** JSON {default: terms, products: {product: terms}}: each terms {perWithdrawal, perDay, fees: {own, other, abroad}}. */
  cash: string;
  atmOwner: string;
  abroad: '1' | '0';
  /** The local date of the request in register.timeZone ('YYYY-MM-DD'): the day the daily limit counts. */
  day: string;
  /** The id of the fee's posting, if the withdrawal has a fee. */
  feePostingId: string;
}

const NONE: CashArgs = { cash: '', atmOwner: '', abroad: '0', day: '', feePostingId: '' };

const made = new WeakMap<RegisterConfig, string>();

/** The arguments for a withdrawal at `now`; for any other request, empty ones. */
export function cashArgs(cash: CashWithdrawal | undefined, config: RegisterConfig, now: Date): CashArgs {
  if (cash === undefined) return NONE;
  return {
    cash: cashTermsJson(config),
    atmOwner: cash.owner,
    abroad: cash.abroad ? '1' : '0',
    day: localDate(now, config.timeZone),
    feePostingId: randomUUID(),
  };
}

/** Every product's terms, resolved against register.cash, as cash.lua reads them. */
export function cashTermsJson(config: RegisterConfig): string {
  let json = made.get(config);
  if (json === undefined) {
    const products = Object.entries(config.products).flatMap(([product, p]) =>
      p.cash === undefined ? [] : [[product, termsOf(config.cash, p.cash)]],
    );
    json = JSON.stringify({ default: config.cash, products: Object.fromEntries(products) });
    made.set(config, json);
  }
  return json;
}

/** A product's cash settings over the defaults, key by key. */
export function termsOf(base: CashConfig, own: ProductCash): CashConfig {
  const fee = (where: keyof CashConfig['fees']): Fee => ({ ...base.fees[where], ...own.fees?.[where] });
  return {
    perWithdrawal: own.perWithdrawal ?? base.perWithdrawal,
    perDay: own.perDay ?? base.perDay,
    fees: { own: fee('own'), other: fee('other'), abroad: fee('abroad') },
  };
}
