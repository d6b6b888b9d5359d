/**
 * How long a reservation lasts: per card product (config register.products.<product>
 * .reservationLapseDays, 004: 14 to 31 days), else register.reservationLapseDays (default 14).
 * authorize.lua picks the card's product's lifetime when it reserves; it gets them as arguments,
 * made once per configuration (the authorization's hot path builds no JSON).
 */
import type { RegisterConfig } from '../config/types.js';

const DAY_MS = 86_400_000;

export interface ReservationLifetimes {
  /** ms, for a product without a lifetime of its own. */
  lapse: number;
  /** JSON {product: ms} of the products with their own; '' when none. */
  lapses: string;
}

const made = new WeakMap<RegisterConfig, ReservationLifetimes>();

export function reservationLifetimes(config: RegisterConfig): ReservationLifetimes {
  let lifetimes = made.get(config);
  if (lifetimes === undefined) {
    const own = Object.entries(config.products).flatMap(([product, p]) =>
      p.reservationLapseDays === undefined ? [] : [[product, p.reservationLapseDays * DAY_MS] as const],
    );
    lifetimes = {
      lapse: config.reservationLapseDays * DAY_MS,
      lapses: own.length === 0 ? '' : JSON.stringify(Object.fromEntries(own)),
    };
    made.set(config, lifetimes);
  }
  return lifetimes;
}
