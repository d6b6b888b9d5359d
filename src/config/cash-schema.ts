/** The config schema of cash at ATMs (register.cash, register.products.<product>.cash; schema.ts). */
import { object } from './schema-object.js';

/** An amount in øre, as field 4 can carry it (12 digits). */
const ore = { type: 'integer', minimum: 0, maximum: 999_999_999_999 } as const;

/**
 * The fee for one cash withdrawal (004 §1.2, §1.4: "the fee for cash withdrawals is in the price
 * list", with a minimum fee per withdrawal): fixed + per mille of the DKK amount (rounded half
 * up), never less than the minimum. A key left out keeps the value it would have without it (for
 * a product: register.cash's).
 */
const cashFee = object({
  fixed: { ...ore, description: 'øre per withdrawal.' },
  perMille: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    description: 'Per mille of the DKK amount withdrawn (20 = 2 %), rounded half up to the øre.',
  },
  minimum: { ...ore, description: 'The least fee per withdrawal (øre).' },
});

/**
 * Cash at ATMs for a card product (docs/SCHEME.md, Channels): the withdrawal limits and the fee,
 * by where the ATM is and whose it is (the terminal key file's `owner`).
 */
export const CASH_SCHEMA = object({
  perWithdrawal: { ...ore, minimum: 1, description: 'The most one withdrawal may be (øre, in DKK once converted).' },
  perDay: {
    ...ore,
    minimum: 1,
    description:
      "The most the card's withdrawals may come to in one day (øre): the day from local midnight in " +
      'register.timeZone; a reversed withdrawal no longer counts.',
  },
  fees: object(
    {
      own: { ...cashFee, description: "At an ATM of the card's issuer, in Denmark." },
      other: { ...cashFee, description: "At another bank's ATM, in Denmark." },
      abroad: {
        ...cashFee,
        description:
          'At an ATM abroad: a currency other than DKK (field 49) or an acquiring country other than 208 (field 19).',
      },
    },
    // No fee is required; said outright, since left to its default TypeScript infers all three required here.
    [],
  ),
});
