/** What a documented test card is (src/seed/catalogue.ts has them all): its state, setup and the answers it gets. */
import { ACTION_CODES, type Outcome } from '../messages/action-codes.js';
import type { BlockReason } from '../card/card-register.js';
import type { CryptogramVersion } from '../crypto/emv/cryptogram.js';

/** Each state a test card is put into: one card per state. */
export const TEST_CARD_STATES = [
  'active',
  'notActivated',
  'blockedLost',
  'blockedStolen',
  'blockedByMonitoring',
  'blockedByIssuer',
  'pinBlocked',
  'deleted',
  'expired',
  'oneWrongPin',
  'twoWrongPins',
  'contactlessNearLimits',
  'lowBalance',
  'notRegistered',
  'luhnInvalid',
] as const;
export type TestCardState = (typeof TEST_CARD_STATES)[number];

export type TestIssuer = 'bank-a' | 'bank-b';

/** What the terminal is answered in field 39, in both code sets. */
export interface Answer {
  outcome: Outcome;
  /** ISO 8583:1993 action code (iso93ascii, iso93binary). */
  iso93: string;
  /** ISO 8583:1987 response code (iso87ascii). */
  iso87: string;
}

/** A purchase sent to a seeded card, and what it is answered. */
export interface Probe {
  /** In words, for the documentation. */
  what: string;
  /** øre */
  amount: number;
  /** The card's PIN, a wrong one (wrongPinOf), or no PIN at all. */
  pin: 'correct' | 'wrong' | 'none';
  /** Contactless (field 22: position 7 'A' or 'M' in 1993 dialects, entry mode 07 or 91 in 1987). */
  contactless: boolean;
  /** Read from the chip, the card inserted (field 22: position 7 '5' in 1993 dialects, entry mode 05 in 1987). */
  chip?: boolean;
  answer: Answer;
}

/** How a card is put into its state, in this order: register, contactless payments, wrong PINs, block, delete. */
export type CardSetup = { registered: false } | RegisteredSetup;

export interface RegisteredSetup {
  registered: true;
  status: 'registered' | 'active';
  /** PIN-less contactless purchases made (and reserved) after registering, øre each. */
  contactlessPayments?: number[];
  /** Purchases of 100.00 DKK with a wrong PIN after registering. */
  wrongPins?: number;
  block?: {
    reason: BlockReason;
    /**
     * The block service (cardholder reports), the card's own issuer, or the fraud monitoring
     * (blocked as its rules block: by 'monitoring', naming `rule`).
     */
    by: 'blockService' | 'issuer' | 'monitoring';
    /** The monitoring rule named by a block by 'monitoring'. */
    rule?: string;
    /** How long before the block the holder reported it (0 when nobody reported anything). */
    reportedMinutesEarlier: number;
    /** What the holder said, kept with the block. */
    report?: object;
    reference?: string;
  };
  deleted?: boolean;
}

export interface TestCard {
  state: TestCardState;
  pan: string;
  pin: string;
  /** The three check digits for remote purchases (field 48 sub-element 02): the last three of its PIN. */
  cvc: string;
  /** null exactly for the PANs that are not registered (setup.registered false). */
  issuer: TestIssuer | null;
  product: string;
  /** The chip: its PAN sequence number (tag 5F34, the card's keys are derived with it) and the cryptogram version it makes. */
  icc: { panSequence: string; cryptogramVersion: CryptogramVersion };
  /** YYMM */
  expiry: string;
  /** øre, before any seeded payment */
  balance: number;
  account: string;
  /** Only the not-activated card's code is documented; the others are never activated by hand. */
  activationCode: string;
  setup: CardSetup;
  /** The answer to a plain 100.00 DKK chip purchase with the correct PIN. */
  withPin: Answer;
  /** More purchases documented for the card, each answered as stated on a freshly seeded card. */
  probes: Probe[];
  notes: string;
}

export function answer(outcome: Outcome): Answer {
  return { outcome, ...ACTION_CODES[outcome] };
}

/** The wrong PIN the documentation and the seeding use: the card's PIN with its last digit moved up by one. */
export function wrongPinOf(pin: string): string {
  return pin.slice(0, -1) + String((Number(pin.slice(-1)) + 1) % 10);
}
