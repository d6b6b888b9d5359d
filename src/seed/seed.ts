/**
 * seedTestCards(): puts every card of the catalogue (src/seed/catalogue.ts, docs/TEST-CARDS.md)
 * into its documented state in a card register, by the register's own calls and real
 * authorizations; `npm run seed` (scripts/seed.ts) and the bench's seeding use it.
 */
import type { CardOutboxes } from '../card/outboxes.js';
import type { CardWatch } from '../card/card-watch.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { CardId } from '../crypto/card-id.js';
import type { BlockReason, CardRegister, CardStatus, RegisterOutcome } from '../card/card-register.js';
import { PROBE_AMOUNT, TEST_CARDS } from './catalogue.js';
import {
  type RegisteredSetup,
  type TestCard,
  type TestCardState,
  type TestIssuer,
  type Answer,
  wrongPinOf,
} from './test-card.js';

export interface SeedOptions {
  /** Times of the block reports; default the system clock. Use the register's clock. */
  clock?: Clock;
  /** Terminal id of the seeding authorizations (it appears in their notices); default SEED0001. */
  terminalId?: string;
  /**
   * Keep the issuer notices the seeding writes (blocks, wrong PINs) in the cards' outboxes, from
   * where a running switch relays them to the issuers' feeds. Default false: they are discarded,
   * so that seeding again does not repeat them in the feeds.
   */
  keepNotices?: boolean;
}

/** What seeding uses of the card module (createCardRegister's answer has them). */
export interface SeedCards {
  register: CardRegister;
  /** The cards' notice outboxes, counted (and emptied unless kept). */
  noticeOutboxes: Pick<CardOutboxes, 'count' | 'clear'>;
  /** The fraud monitoring's block, for the card blocked as the monitoring blocks. */
  watch: Pick<CardWatch, 'block'>;
}

export interface SeededCard {
  state: TestCardState;
  pan: string;
  issuer: TestIssuer | null;
  card: CardId;
  /** null when nothing is registered under the PAN. */
  status: CardStatus | null;
  block: BlockReason | null;
  pinBlocked: boolean;
  pinTries: number;
  /** øre */
  available: number;
  contactless: { count: number; sum: number };
  withPin: Answer;
}

export interface SeedSummary {
  cards: SeededCard[];
  /** Notices written by the seeding and left in the outboxes (keepNotices) or discarded. */
  notices: { written: number; kept: boolean };
}

export class SeedError extends Error {
  override name = 'SeedError';
}

/** Puts every test card into its documented state. Idempotent: each card is erased first. */
export async function seedTestCards(cards: SeedCards, options: SeedOptions = {}): Promise<SeedSummary> {
  const { register, noticeOutboxes: notices } = cards;
  const clock = options.clock ?? systemClock;
  const terminalId = options.terminalId ?? 'SEED0001';
  const keepNotices = options.keepNotices ?? false;
  const seeded: SeededCard[] = [];
  let written = 0;
  for (const tc of TEST_CARDS) {
    const id = register.idOf(tc.pan);
    await register.erase(id);
    if (tc.setup.registered) {
      // The catalogue test checks that every registered card has an issuer.
      await seedOne(cards, tc, tc.setup, tc.issuer!, id, clock, terminalId);
      written += await notices.count(id);
      if (!keepNotices) await notices.clear(id);
    }
    const s = await register.state(id);
    const common = { state: tc.state, pan: tc.pan, issuer: tc.issuer, card: id, withPin: tc.withPin };
    seeded.push(
      s === undefined
        ? {
            ...common,
            status: null,
            block: null,
            pinBlocked: false,
            pinTries: 0,
            available: 0,
            contactless: { count: 0, sum: 0 },
          }
        : {
            ...common,
            status: s.status,
            block: s.block,
            pinBlocked: s.pinBlocked,
            pinTries: s.pinTries,
            available: s.available,
            contactless: s.contactless,
          },
    );
  }
  return { cards: seeded, notices: { written, kept: keepNotices } };
}

async function seedOne(
  { register, watch }: SeedCards,
  tc: TestCard,
  setup: RegisteredSetup,
  issuer: string,
  id: CardId,
  clock: Clock,
  terminalId: string,
): Promise<void> {
  const fail = (step: string, why: string): never => {
    throw new SeedError(`seeding test card ${tc.state} (${tc.pan}): ${step}: ${why}`);
  };
  const registered = await register.register({
    pan: tc.pan,
    issuer,
    product: tc.product,
    expiry: tc.expiry,
    pin: tc.pin,
    cvc: tc.cvc,
    panSequence: tc.icc.panSequence,
    activationCode: tc.activationCode,
    account: tc.account,
    balance: tc.balance,
    currency: '208',
    status: setup.status,
  });
  if (!registered.ok) fail('register', registered.reason);

  const authorize = async (
    step: string,
    amount: number,
    pvv: string | undefined,
    contactless: boolean,
    expected: RegisterOutcome,
  ) => {
    const r = await register.authorize({
      pan: tc.pan,
      kind: 'purchase',
      amount,
      pvv,
      contactless,
      reserve: true,
      terminalId,
    });
    if (r.outcome !== expected) fail(step, `answered ${r.outcome}${r.detail ? ` (${r.detail})` : ''}, not ${expected}`);
  };
  for (const [i, amount] of (setup.contactlessPayments ?? []).entries()) {
    await authorize(`PIN-less contactless payment ${i + 1}`, amount, undefined, true, 'approved');
  }
  const wrongPvv = register.pvvOf(tc.pan, wrongPinOf(tc.pin));
  for (let i = 1; i <= (setup.wrongPins ?? 0); i++) {
    await authorize(`wrong PIN ${i}`, PROBE_AMOUNT, wrongPvv, false, i < 3 ? 'wrongPin' : 'pinTriesExceeded');
  }
  if (setup.block?.by === 'monitoring') {
    const b = setup.block;
    const blocked = await watch.block(id, {
      rule: b.rule ?? '',
      description: `test card ${tc.state}: blocked as the fraud monitoring blocks`,
      transactions: [],
    });
    if (blocked.status !== 'ok') fail(`block (${b.reason}, by the monitoring)`, blocked.status);
  } else if (setup.block) {
    const b = setup.block;
    const reportedAt = new Date(clock.now().getTime() - b.reportedMinutesEarlier * 60_000);
    const blocked = await register.block(
      b.by === 'issuer' ? issuer : '',
      id,
      b.reason,
      reportedAt,
      b.report,
      b.reference,
    );
    if (!blocked.ok) fail(`block (${b.reason})`, blocked.reason);
  }
  if (setup.deleted) {
    const deleted = await register.delete(issuer, id);
    if (!deleted.ok) fail('delete', deleted.reason);
  }
}
