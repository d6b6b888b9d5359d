/**
 * The fraud mix (--fraud <share>): that share of the bench's cards behave like a stolen card
 * whose number is used online, a burst of 5,000.00 DKK internet purchases on each. The shipped
 * rule velocity-remote (more than 15,000.00 kr of remote purchases within an hour; its amount
 * limit as shipped in the bench's rules, bench/load/bench-rules.ts) fires on a card's 4th approved
 * one and blocks the card; from then on its requests are answered 105 (blocked by the fraud
 * monitoring), which the fraud entry expects and no other entry does.
 *
 * The fraud cards are a pool of their own used only by the fraud entry, so each one's approvals
 * are counted (worker tally): those beyond the firing one (FIRING_INDEX) were answered after
 * their card's firing transaction, before the block landed (they slipped through).
 */
import type { Rule } from '../../src/monitoring/rule-schema.js';
import type { Mix, MixEntry } from './mix.js';

export const FRAUD_POOL = 'fraud';
export const FRAUD_ENTRY = 'fraud-internet';
/** øre: 5,000.00 DKK; three stay within velocity-remote's 15,000.00, the fourth goes over. */
export const FRAUD_AMOUNT = 500_000;
/** The rule the fraud burst is made to trip. */
export const FRAUD_RULE = 'velocity-remote';

/**
 * The mix with the fraud pool and entry: `share` of the cards (at least one), and the same share
 * of the requests, so a fraud card is used as often as the average card before it is blocked.
 */
export function withFraud(mix: Mix, share: number): Mix {
  if (!(share > 0 && share < 1)) throw new RangeError(`fraud share ${share}: between 0 and 1`);
  if (Object.hasOwn(mix.cards, FRAUD_POOL) || mix.entries.some((e) => e.name === FRAUD_ENTRY))
    throw new RangeError(`the mix already has a pool '${FRAUD_POOL}' or an entry '${FRAUD_ENTRY}'`);
  const cards = Object.values(mix.cards).reduce((s, p) => s + p.count, 0);
  const weight = mix.entries.reduce((s, e) => s + e.weight, 0);
  const entry: MixEntry = {
    name: FRAUD_ENTRY,
    weight: (weight * share) / (1 - share),
    mti: '1200',
    processingCode: '000000',
    amount: FRAUD_AMOUNT,
    cards: FRAUD_POOL,
    pin: 'none',
    contactless: false,
    channel: 'internet',
    expect: ['approved', 'blockedByMonitoring'],
    description: `A stolen card's number used online, 5,000.00 DKK a purchase: blocked by ${FRAUD_RULE} on its 4th approved one; 105 after the block`,
  };
  return {
    ...mix,
    cards: {
      ...mix.cards,
      [FRAUD_POOL]: {
        count: Math.max(1, Math.round(cards * share)),
        state: 'active',
        description: 'Cards behaving like stolen ones (--fraud)',
      },
    },
    entries: [...mix.entries, entry],
  };
}

/**
 * Which approved purchase of a fraud card makes FRAUD_RULE fire (1-based): the first whose count
 * or sum goes over the rule's limits. Its pattern is every approved one in the window.
 */
export function firingIndex(rules: readonly Rule[]): number {
  const rule = rules.find((r) => r.id === FRAUD_RULE);
  if (rule?.kind !== 'velocity') throw new Error(`the bench's rules have no velocity rule ${FRAUD_RULE}`);
  const byCount = rule.maxCount === undefined ? Infinity : rule.maxCount + 1;
  const byAmount = rule.maxAmount === undefined ? Infinity : Math.floor(rule.maxAmount / FRAUD_AMOUNT) + 1;
  const n = Math.min(byCount, byAmount);
  if (n === Infinity) throw new Error(`${FRAUD_RULE} has neither a count nor an amount limit`);
  return n;
}

/** What the fraud cards' answers say (per card: its approvals over the whole run, warm-up included). */
export interface FraudTally {
  cards: number;
  /** Cards with at least `firing` approvals: their rule fired. */
  fired: number;
  /** Approvals after each card's firing one, summed. */
  slipped: number;
  /** The most on one card. */
  slippedMax: number;
}

export function fraudTally(approvals: readonly number[], firing: number): FraudTally {
  let fired = 0;
  let slipped = 0;
  let slippedMax = 0;
  for (const a of approvals) {
    if (a < firing) continue;
    fired++;
    slipped += a - firing;
    slippedMax = Math.max(slippedMax, a - firing);
  }
  return { cards: approvals.length, fired, slipped, slippedMax };
}
