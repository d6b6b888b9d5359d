/**
 * The cash terms the authorize script gets (src/card/cash-terms.ts): every product with cash
 * settings of its own resolved key by key against register.cash, made once per configuration;
 * nothing for a request that is no withdrawal. And the reservation lifetimes beside them, now that
 * a product may list cash settings only.
 */
import t from 'tap';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { RegisterConfig } from '../../src/config/types.js';
import { cashArgs, cashTermsJson, termsOf } from '../../src/card/cash-terms.js';
import { reservationLifetimes } from '../../src/card/reservation-lifetime.js';

const config = (products: RegisterConfig['products']): RegisterConfig => ({
  ...structuredClone(DEFAULT_CONFIG.register),
  products,
});

t.test('a product over the defaults, key by key', async (t) => {
  const base = DEFAULT_CONFIG.register.cash;
  t.same(termsOf(base, {}), base, 'nothing of its own: the defaults');
  t.same(termsOf(base, { perDay: 1 }), { ...base, perDay: 1 });
  t.same(termsOf(base, { fees: { abroad: { minimum: 0 } } }), {
    ...base,
    fees: { ...base.fees, abroad: { fixed: 0, perMille: 20, minimum: 0 } },
  });
});

t.test('the JSON: the defaults, and only the products with cash settings of their own', async (t) => {
  const c = config({
    'visa-dankort': { reservationLapseDays: 31 },
    'cash-low': { cash: { perWithdrawal: 100_000 } },
  });
  const json = cashTermsJson(c);
  t.same(JSON.parse(json), {
    default: DEFAULT_CONFIG.register.cash,
    products: { 'cash-low': { ...DEFAULT_CONFIG.register.cash, perWithdrawal: 100_000 } },
  });
  t.equal(cashTermsJson(c), json, 'made once per configuration');
  t.same(JSON.parse(cashTermsJson(config({}))).products, {});
  // The reservation lifetimes leave out a product with none of its own.
  t.same(reservationLifetimes(c), {
    lapse: 14 * 86_400_000,
    lapses: JSON.stringify({ 'visa-dankort': 31 * 86_400_000 }),
  });
  t.same(reservationLifetimes(config({ 'cash-low': { cash: {} } })).lapses, '', 'no product with a lifetime');
});

t.test('the arguments: a withdrawal has them, anything else none', async (t) => {
  const c = config({});
  t.same(cashArgs(undefined, c, new Date()), { cash: '', atmOwner: '', abroad: '0', day: '', feePostingId: '' });
  // 23:30 UTC on 21 November is 00:30 on the 22nd in Copenhagen: the day the limit counts.
  const a = cashArgs({ owner: 'bank-b', abroad: true }, c, new Date('2026-11-21T23:30:00Z'));
  t.match(a, { atmOwner: 'bank-b', abroad: '1', day: '2026-11-22', cash: cashTermsJson(c) });
  t.match(a.feePostingId, /^[0-9a-f-]{36}$/);
  t.not(cashArgs({ owner: 'bank-b', abroad: false }, c, new Date()).feePostingId, a.feePostingId);
  t.equal(cashArgs({ owner: 'bank-b', abroad: false }, c, new Date()).abroad, '0');
});
