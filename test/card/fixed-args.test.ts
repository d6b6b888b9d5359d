/**
 * The authorize script's arguments that every request shares (src/card/fixed-args.ts): the same
 * values the per-setting helpers give, each a string as Redis gets it, made once per configuration.
 */
import t from 'tap';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { RegisterConfig } from '../../src/config/types.js';
import { fixedAuthorizeArgs } from '../../src/card/fixed-args.js';
import { reservationLifetimes } from '../../src/card/reservation-lifetime.js';
import { unattendedLimits } from '../../src/card/unattended-limit.js';
import { remoteArgs } from '../../src/card/remote-args.js';
import { chipProductsOf } from '../../src/card/chip-card.js';

const config = (over: Partial<RegisterConfig>): RegisterConfig => ({
  ...structuredClone(DEFAULT_CONFIG.register),
  ...over,
});

t.test('the settings as strings, the products with their own as JSON', async (t) => {
  const c = config({
    contactless: { limit: 40_000, maxCount: 3, maxSum: 90_000 },
    transactionRetentionDays: 2,
    internetAuthentication: 'required',
    products: {
      gold: { reservationLapseDays: 31, unattendedLimit: 80_000, internetAuthentication: 'optional' },
    },
  });
  const fixed = fixedAuthorizeArgs(c);
  t.same(fixed, {
    contactlessLimit: '40000',
    contactlessMaxCount: '3',
    contactlessMaxSum: '90000',
    lapse: String(14 * 86_400_000),
    lapses: JSON.stringify({ gold: 31 * 86_400_000 }),
    unattendedLimit: String(c.unattendedLimit),
    unattendedLimits: JSON.stringify({ gold: 80_000 }),
    keepFor: String(2 * 86_400_000),
    authDefault: '1',
    authProducts: JSON.stringify({ gold: false }),
    chipProducts: chipProductsOf(c.issuerMasterKeys),
  });
  for (const [name, value] of Object.entries(fixed)) t.type(value, 'string', name);
  // What the helpers it replaces on the hot path give, as Redis gets them.
  const remote = remoteArgs(undefined, c);
  t.same(
    [fixed.lapse, fixed.lapses, fixed.unattendedLimit, fixed.unattendedLimits, fixed.authDefault, fixed.authProducts],
    [
      String(reservationLifetimes(c).lapse),
      reservationLifetimes(c).lapses,
      String(unattendedLimits(c).unattendedLimit),
      unattendedLimits(c).unattendedLimits,
      remote.authDefault,
      remote.authProducts,
    ],
  );
});

t.test('made once per configuration, and not shared with another', async (t) => {
  const c = config({});
  const fixed = fixedAuthorizeArgs(c);
  t.equal(fixedAuthorizeArgs(c), fixed, 'the same object for the same configuration');
  t.ok(Object.isFrozen(fixed));
  const other = fixedAuthorizeArgs(config({ contactless: { limit: 1, maxCount: 1, maxSum: 1 } }));
  t.equal(other.contactlessLimit, '1');
  t.equal(fixed.contactlessLimit, String(DEFAULT_CONFIG.register.contactless.limit));
  t.equal(fixed.lapses, '', 'no product with a lifetime of its own');
});
