/**
 * The documented test cards (docs/TEST-CARDS.md) as data; src/seed/seed.ts puts each of them into
 * its state in a card register.
 *
 * Seeding uses only the register's public methods, and every PIN try and contactless counter is
 * made by a real authorization (register.authorize), so a seeded card is exactly what the same
 * traffic would have left behind. Seeding starts by deleting each card's keys (record,
 * reservations, outbox), so running it again puts every card back into its documented state,
 * whatever was done with the cards meanwhile.
 *
 * The answers are those of the default register rules (src/config/defaults.ts: contactless limit
 * 350.00 DKK, 5 PIN-less payments or 1,125.00 DKK in a row). Amounts are in øre, currency 208 (DKK).
 */
import { ACTION_CODES, type Outcome } from '../messages/action-codes.js';
import type { BlockReason } from '../card/card-register.js';

/** Each state a test card is put into: one card per state. */
export const TEST_CARD_STATES = [
  'active',
  'notActivated',
  'blockedLost',
  'blockedStolen',
  'blockedFraud',
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
    /** The block service (cardholder reports, fraud monitoring) or the card's own issuer. */
    by: 'blockService' | 'issuer';
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
  /** null exactly for the PANs that are not registered (setup.registered false). */
  issuer: TestIssuer | null;
  product: string;
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

/** 100.00 DKK, the amount of every documented probe unless stated otherwise. */
export const PROBE_AMOUNT = 10_000;
const ACTIVE = '3012';
const EXPIRED = '2401';
const RICH = 1_000_000; // 10,000.00 DKK

const probe = (what: string, pin: Probe['pin'], contactless: boolean, outcome: Outcome, amount = PROBE_AMOUNT): Probe => ({
  what,
  amount,
  pin,
  contactless,
  answer: answer(outcome),
});

const WRONG_PIN_IS_IGNORED_WHEN_BLOCKED = (outcome: Outcome) => probe('100.00 DKK, wrong PIN (counts no try)', 'wrong', false, outcome);

export const TEST_CARDS: readonly TestCard[] = [
  {
    state: 'active',
    pan: '5019000000000008',
    pin: '1234',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000001',
    activationCode: '0001',
    setup: { registered: true, status: 'active' },
    withPin: answer('approved'),
    probes: [
      probe('100.00 DKK, no PIN (magstripe or chip, signature)', 'none', false, 'approved'),
      probe('100.00 DKK, wrong PIN', 'wrong', false, 'wrongPin'),
      probe('100.00 DKK contactless, no PIN', 'none', true, 'approved'),
      probe('350.00 DKK contactless, no PIN (at the limit)', 'none', true, 'approved', 35_000),
      probe('350.01 DKK contactless, no PIN (over the limit)', 'none', true, 'pinRequired', 35_001),
      probe('10,000.01 DKK, correct PIN (over the balance)', 'correct', false, 'insufficientFunds', RICH + 1),
    ],
    notes: 'The PAN of the worked example in docs/PROTOCOL.md §5.1. Balance 10,000.00 DKK.',
  },
  {
    state: 'active',
    pan: '5019200000000012',
    pin: '2580',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000001',
    activationCode: '0002',
    setup: { registered: true, status: 'active' },
    withPin: answer('approved'),
    probes: [probe('100.00 DKK contactless, correct PIN', 'correct', true, 'approved')],
    notes: "bank-b's active card. Balance 10,000.00 DKK.",
  },
  {
    state: 'notActivated',
    pan: '5019100000000014',
    pin: '1357',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000002',
    activationCode: '4821',
    setup: { registered: true, status: 'registered' },
    withPin: answer('notActivated'),
    probes: [],
    notes: 'Registered, never activated. Activation code 4821; once activated it answers 000 / 00.',
  },
  {
    state: 'blockedLost',
    pan: '5019100000000022',
    pin: '2468',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000003',
    activationCode: '0003',
    setup: {
      registered: true,
      status: 'active',
      block: { reason: 'lost', by: 'blockService', reportedMinutesEarlier: 15, report: { said: 'Lost the card in town (test card)' }, reference: 'TEST-LOST-0001' },
    },
    withPin: answer('blockedLost'),
    probes: [WRONG_PIN_IS_IGNORED_WHEN_BLOCKED('blockedLost')],
    notes: 'Reported lost to the block service 15 minutes before the block. Only bank-a can lift the block.',
  },
  {
    state: 'blockedStolen',
    pan: '5019200000000020',
    pin: '3690',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000002',
    activationCode: '0004',
    setup: {
      registered: true,
      status: 'active',
      block: { reason: 'stolen', by: 'blockService', reportedMinutesEarlier: 15, report: { said: 'Wallet stolen (test card)' }, reference: 'TEST-STOLEN-0001' },
    },
    withPin: answer('blockedStolen'),
    probes: [],
    notes: 'Reported stolen to the block service 15 minutes before the block. Only bank-b can lift the block.',
  },
  {
    state: 'blockedFraud',
    pan: '5019100000000030',
    pin: '4826',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000004',
    activationCode: '0005',
    setup: { registered: true, status: 'active', block: { reason: 'fraud', by: 'blockService', reportedMinutesEarlier: 0 } },
    withPin: answer('blockedFraud'),
    probes: [],
    notes: "Blocked by the switch's fraud monitoring. Only bank-a can lift the block.",
  },
  {
    state: 'blockedByIssuer',
    pan: '5019200000000038',
    pin: '5173',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000003',
    activationCode: '0006',
    setup: { registered: true, status: 'active', block: { reason: 'issuer', by: 'issuer', reportedMinutesEarlier: 0 } },
    withPin: answer('blockedByIssuer'),
    probes: [],
    notes: 'Blocked by its issuer, bank-b.',
  },
  {
    state: 'pinBlocked',
    pan: '5019100000000048',
    pin: '6284',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000005',
    activationCode: '0007',
    setup: { registered: true, status: 'active', wrongPins: 3 },
    withPin: answer('pinTriesExceeded'),
    probes: [WRONG_PIN_IS_IGNORED_WHEN_BLOCKED('pinTriesExceeded')],
    notes: 'PIN-blocked by 3 wrong PINs in a row. The correct PIN does not help; only bank-a can lift the PIN block.',
  },
  {
    state: 'deleted',
    pan: '5019200000000046',
    pin: '7395',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000004',
    activationCode: '0008',
    setup: { registered: true, status: 'active', deleted: true },
    withPin: answer('deleted'),
    probes: [],
    notes: 'Deleted from the register by bank-b.',
  },
  {
    state: 'expired',
    pan: '5019100000000055',
    pin: '8406',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: EXPIRED,
    balance: RICH,
    account: '1000000006',
    activationCode: '0009',
    setup: { registered: true, status: 'active' },
    withPin: answer('expired'),
    probes: [],
    notes: 'Expiry 2401: valid through 31 January 2024 (Danish time).',
  },
  {
    state: 'oneWrongPin',
    pan: '5019200000000053',
    pin: '9517',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000005',
    activationCode: '0010',
    setup: { registered: true, status: 'active', wrongPins: 1 },
    withPin: answer('approved'),
    probes: [probe('100.00 DKK, wrong PIN (the 2nd in a row)', 'wrong', false, 'wrongPin')],
    notes: '1 wrong PIN already. The correct PIN resets the count to 0.',
  },
  {
    state: 'twoWrongPins',
    pan: '5019100000000063',
    pin: '0628',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000007',
    activationCode: '0011',
    setup: { registered: true, status: 'active', wrongPins: 2 },
    withPin: answer('approved'),
    probes: [probe('100.00 DKK, wrong PIN (the 3rd in a row: PIN-blocks the card)', 'wrong', false, 'pinTriesExceeded')],
    notes: '2 wrong PINs already. The correct PIN resets the count to 0; a 3rd wrong PIN PIN-blocks the card (106 / 75).',
  },
  {
    state: 'contactlessNearLimits',
    pan: '5019200000000061',
    pin: '1470',
    issuer: 'bank-b',
    product: 'visa-dankort',
    expiry: ACTIVE,
    balance: 500_000,
    account: '2000000006',
    activationCode: '0012',
    setup: { registered: true, status: 'active', contactlessPayments: [26_000, 26_000, 26_000, 26_000] },
    withPin: answer('approved'),
    probes: [
      probe('100.00 DKK contactless, no PIN (the sum would pass 1,125.00)', 'none', true, 'pinRequired'),
      probe('85.00 DKK contactless, no PIN (5th in a row, sum exactly 1,125.00)', 'none', true, 'approved', 8_500),
      probe('100.00 DKK contactless, correct PIN (resets the counters)', 'correct', true, 'approved'),
    ],
    notes:
      'Balance 5,000.00 DKK; 4 PIN-less contactless payments of 260.00 DKK already (1,040.00 DKK, reserved). ' +
      'A PIN-less contactless purchase over 85.00 DKK asks for the PIN; any purchase with the correct PIN resets the counters.',
  },
  {
    state: 'lowBalance',
    pan: '5019100000000071',
    pin: '2581',
    issuer: 'bank-a',
    product: 'dankort',
    expiry: ACTIVE,
    balance: 5_000,
    account: '1000000008',
    activationCode: '0013',
    setup: { registered: true, status: 'active' },
    withPin: answer('insufficientFunds'),
    probes: [probe('50.00 DKK, correct PIN (the whole balance)', 'correct', false, 'approved', 5_000)],
    notes: 'Balance 50.00 DKK. Each approved purchase reserves its amount.',
  },
  {
    state: 'notRegistered',
    pan: '5019990000000018',
    pin: '1234',
    issuer: null,
    product: 'dankort',
    expiry: ACTIVE,
    balance: 0,
    account: '',
    activationCode: '',
    setup: { registered: false },
    withPin: answer('notRegistered'),
    probes: [],
    notes: 'Luhn-valid, never registered: the register is asked and does not know it.',
  },
  {
    state: 'luhnInvalid',
    pan: '5019000000000009',
    pin: '1234',
    issuer: null,
    product: 'dankort',
    expiry: ACTIVE,
    balance: 0,
    account: '',
    activationCode: '',
    setup: { registered: false },
    withPin: answer('notRegistered'),
    probes: [],
    notes: 'The active card 5019000000000008 with a wrong check digit: refused before the register is asked.',
  },
];
