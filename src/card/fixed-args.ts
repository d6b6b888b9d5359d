/**
 * The authorize script's arguments that are the same for every request under one configuration
 * (authorize.lua's header says what each is): the contactless limits, the reservation lifetimes,
 * the unattended limits, the transaction record's lifetime, the remote purchases' authentication
 * settings and the products with chip keys. Made once per configuration, every one a string
 * already: the hot path neither converts nor gathers them per request (the register config is
 * not reloaded while the process runs; a new configuration object gets its own).
 */
import type { RegisterConfig } from '../config/types.js';
import { chipProductsOf } from './chip-card.js';
import { authenticationSettings } from './remote-args.js';
import { reservationLifetimes } from './reservation-lifetime.js';
import { unattendedLimits } from './unattended-limit.js';

const DAY_MS = 86_400_000;

export interface FixedAuthorizeArgs {
  readonly contactlessLimit: string;
  readonly contactlessMaxCount: string;
  readonly contactlessMaxSum: string;
  readonly lapse: string;
  readonly lapses: string;
  readonly unattendedLimit: string;
  readonly unattendedLimits: string;
  readonly keepFor: string;
  readonly authDefault: string;
  readonly authProducts: string;
  readonly chipProducts: string;
}

const made = new WeakMap<RegisterConfig, FixedAuthorizeArgs>();

export function fixedAuthorizeArgs(config: RegisterConfig): FixedAuthorizeArgs {
  let fixed = made.get(config);
  if (fixed === undefined) {
    const cl = config.contactless;
    const lifetimes = reservationLifetimes(config);
    const unattended = unattendedLimits(config);
    const auth = authenticationSettings(config);
    fixed = Object.freeze({
      contactlessLimit: String(cl.limit),
      contactlessMaxCount: String(cl.maxCount),
      contactlessMaxSum: String(cl.maxSum),
      lapse: String(lifetimes.lapse),
      lapses: lifetimes.lapses,
      unattendedLimit: String(unattended.unattendedLimit),
      unattendedLimits: unattended.unattendedLimits,
      keepFor: String(config.transactionRetentionDays * DAY_MS),
      authDefault: auth.authDefault,
      authProducts: auth.authProducts,
      chipProducts: chipProductsOf(config.issuerMasterKeys),
    });
    made.set(config, fixed);
  }
  return fixed;
}
