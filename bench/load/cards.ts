/**
 * The cards of a run, planned from the mix's pools: made-up, Luhn-valid PANs under 50199 (one
 * 2-digit pool number, then the card's index), a PIN each, and the state to seed. Pure, so that
 * the templates (built from the plan) and the seeding (bench/load/seed.ts) agree by construction.
 */
import { luhnCheckDigit } from '../../src/card/luhn.js';
import type { BlockReason } from '../../src/card/card-register.js';
import { wrongPinOf } from '../../src/seed/test-card.js';
import type { Mix, PoolState } from './mix.js';

export interface PlannedCard {
  pan: string;
  pin: string;
  /** The card's three check digits (remote purchases): the last three of its PIN, as the test cards'. */
  cvc: string;
  state: PoolState;
  /** Only for state 'blocked': the reasons in turn, so that every blocked code is exercised. */
  blockReason?: BlockReason;
}

export const BLOCK_REASONS: readonly BlockReason[] = ['lost', 'stolen', 'fraud', 'issuer'];
/** YYMM: valid through December 2030; and long past. */
export const ACTIVE_EXPIRY = '3012';
export const EXPIRED_EXPIRY = '2401';
/** The expiry a card of this state is seeded with (field 14 of a remote purchase repeats it). */
export const expiryOf = (card: PlannedCard): string => (card.state === 'expired' ? EXPIRED_EXPIRY : ACTIVE_EXPIRY);
/** øre: 10 billion DKK, so that a run's reservations never exhaust a card. */
export const HUGE_BALANCE = 1_000_000_000_000;

/** A 16-digit PAN: 50199, the pool number (2 digits), the index (8 digits), the Luhn digit. */
export function benchPan(pool: number, index: number): string {
  if (!(pool >= 0 && pool < 100 && index >= 0 && index < 1e8))
    throw new RangeError(`pool ${pool} / card ${index} out of range`);
  const body = `50199${String(pool).padStart(2, '0')}${String(index).padStart(8, '0')}`;
  return body + String(luhnCheckDigit(body));
}

/** A PIN per card, spread over 0000-9999 (no two neighbours alike). */
export function benchPin(pool: number, index: number): string {
  return String((index * 7919 + pool * 104_729) % 10_000).padStart(4, '0');
}

export { wrongPinOf };

/** Pool name -> its cards, in the order of the mix's pools. */
export function planCards(mix: Mix): Map<string, PlannedCard[]> {
  const plan = new Map<string, PlannedCard[]>();
  Object.entries(mix.cards).forEach(([name, pool], p) => {
    const cards: PlannedCard[] = [];
    for (let i = 0; i < pool.count; i++) {
      const pin = benchPin(p, i);
      const card: PlannedCard = { pan: benchPan(p, i), pin, cvc: pin.slice(1), state: pool.state };
      if (pool.state === 'blocked') card.blockReason = BLOCK_REASONS[i % BLOCK_REASONS.length]!;
      cards.push(card);
    }
    plan.set(name, cards);
  });
  return plan;
}
