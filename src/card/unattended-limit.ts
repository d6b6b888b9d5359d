/**
 * The most an unattended machine may take without cardholder verification (004 §5.2): per card
 * product (config register.products.<product>.unattendedLimit), else register.unattendedLimit.
 * authorize.lua picks the card's product's limit (unattended.lua); it gets them as arguments,
 * made once per configuration (the authorization's hot path builds no JSON).
 */
import type { RegisterConfig } from '../config/types.js';

export interface UnattendedLimits {
  /** øre, for a product without a limit of its own. */
  unattendedLimit: number;
  /** JSON {product: øre} of the products with their own; '' when none. */
  unattendedLimits: string;
}

const made = new WeakMap<RegisterConfig, UnattendedLimits>();

export function unattendedLimits(config: RegisterConfig): UnattendedLimits {
  let limits = made.get(config);
  if (limits === undefined) {
    const own = Object.entries(config.products).flatMap(([product, p]) =>
      p.unattendedLimit === undefined ? [] : [[product, p.unattendedLimit] as const],
    );
    limits = {
      unattendedLimit: config.unattendedLimit,
      unattendedLimits: own.length === 0 ? '' : JSON.stringify(Object.fromEntries(own)),
    };
    made.set(config, limits);
  }
  return limits;
}
