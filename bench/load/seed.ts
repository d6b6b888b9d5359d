/**
 * Puts a run's planned cards (bench/load/cards.ts) into the register under the run's own key
 * prefix, with the register's own operations (register, block), so the switch finds them exactly
 * as an issuer would have left them. Calls go out in parallel batches: thousands of cards take
 * about a second.
 */
import type { Redis } from 'ioredis';
import { systemClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { CardRegister } from '../../src/card/card-register.js';
import { HUGE_BALANCE, type PlannedCard, expiryOf } from './cards.js';

const ISSUER = 'bench-bank';
const BATCH = 256;

async function seedOne(register: CardRegister, card: PlannedCard, n: number, panSequence?: string): Promise<void> {
  if (card.state === 'unregistered') return;
  const r = await register.register({
    pan: card.pan,
    issuer: ISSUER,
    product: 'dankort',
    expiry: expiryOf(card),
    pin: card.pin,
    cvc: card.cvc,
    activationCode: '0000',
    account: `BENCH${String(n).padStart(10, '0')}`,
    balance: HUGE_BALANCE,
    currency: '208',
    status: 'active',
    ...(panSequence === undefined ? {} : { panSequence }),
  });
  if (!r.ok) throw new Error(`seeding card ${n}: ${r.reason}`);
  if (card.blockReason !== undefined) {
    const b = await register.block(ISSUER, r.card, card.blockReason, systemClock.now());
    if (!b.ok) throw new Error(`blocking card ${n}: ${b.reason}`);
  }
}

/**
 * Seeds every card of the plan; returns how many are now in the register. With a PAN sequence
 * number (--icc) the cards have chip keys: the switch verifies their cryptograms.
 */
export async function seedCards(
  redis: Redis,
  prefix: string,
  plan: Map<string, PlannedCard[]>,
  panSequence?: string,
): Promise<number> {
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, systemClock);
  const cards = [...plan.values()].flat();
  for (let i = 0; i < cards.length; i += BATCH) {
    await Promise.all(cards.slice(i, i + BATCH).map((c, j) => seedOne(register, c, i + j, panSequence)));
  }
  return cards.filter((c) => c.state !== 'unregistered').length;
}
