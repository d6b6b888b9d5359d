/**
 * The documented test cards (docs/TEST-CARDS.md) as data; src/seed/seed.ts puts each of them into
 * its state in a card register.
 *
 * Seeding uses only the register's public methods, and every PIN try and contactless counter is
 * made by a real authorization (register.authorize), so a seeded card's PIN tries and counters are
 * what the same traffic would have left behind; its contactless payments record no transaction,
 * so they post nothing and are reserved (lapsing) instead of held until booked. Seeding starts by
 * deleting each card's keys (record, reservations, holds, booked postings, notice outbox), so
 * running it again puts every card back into its documented state, whatever was done with the
 * cards meanwhile.
 *
 * The answers are those of the default register rules (src/config/defaults.ts: contactless limit
 * 350.00 DKK, 5 PIN-less payments or 1,125.00 DKK in a row). Amounts are in øre, currency 208 (DKK).
 */
import type { Outcome } from '../messages/action-codes.js';
import { type Probe, type TestCard, answer } from './test-card.js';

/** 100.00 DKK, the amount of every documented probe unless stated otherwise. */
export const PROBE_AMOUNT = 10_000;
const ACTIVE = '3012';
const EXPIRED = '2401';
const RICH = 1_000_000; // 10,000.00 DKK

/**
 * The cards' chips (docs/TEST-CARDS.md, "Chip data"): each card's keys are derived from its
 * product's issuer master key (config register.issuerMasterKeys) with its PAN sequence number.
 * Dankort chips make CCD cryptograms (version 5), Visa/Dankort chips Visa's CVN 18, and bank-b's
 * active card CVN 10.
 */
const CCD: TestCard['icc'] = { panSequence: '01', cryptogramVersion: 'ccd5' };
const VISA_CVN18: TestCard['icc'] = { panSequence: '00', cryptogramVersion: 'visaCvn18' };
const VISA_CVN10: TestCard['icc'] = { panSequence: '00', cryptogramVersion: 'visaCvn10' };

const probe = (
  what: string,
  pin: Probe['pin'],
  contactless: boolean,
  outcome: Outcome,
  amount = PROBE_AMOUNT,
): Probe => ({
  what,
  amount,
  pin,
  contactless,
  answer: answer(outcome),
});

/** A purchase read from the chip (the card inserted). */
const chipProbe = (what: string, pin: Probe['pin'], outcome: Outcome, amount = PROBE_AMOUNT): Probe => ({
  ...probe(what, pin, false, outcome, amount),
  chip: true,
});

const WRONG_PIN_IS_IGNORED_WHEN_BLOCKED = (outcome: Outcome) =>
  probe('100.00 DKK, wrong PIN (counts no try)', 'wrong', false, outcome);

export const TEST_CARDS: readonly TestCard[] = [
  {
    state: 'active',
    pan: '5019000000000008',
    pin: '1234',
    cvc: '234',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
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
    cvc: '580',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN10,
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
    cvc: '357',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
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
    cvc: '468',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000003',
    activationCode: '0003',
    setup: {
      registered: true,
      status: 'active',
      block: {
        reason: 'lost',
        by: 'blockService',
        reportedMinutesEarlier: 15,
        report: { said: 'Lost the card in town (test card)' },
        reference: 'TEST-LOST-0001',
      },
    },
    withPin: answer('blockedLost'),
    probes: [WRONG_PIN_IS_IGNORED_WHEN_BLOCKED('blockedLost')],
    notes: 'Reported lost to the block service 15 minutes before the block. Only bank-a can lift the block.',
  },
  {
    state: 'blockedStolen',
    pan: '5019200000000020',
    pin: '3690',
    cvc: '690',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN18,
    expiry: ACTIVE,
    balance: RICH,
    account: '2000000002',
    activationCode: '0004',
    setup: {
      registered: true,
      status: 'active',
      block: {
        reason: 'stolen',
        by: 'blockService',
        reportedMinutesEarlier: 15,
        report: { said: 'Wallet stolen (test card)' },
        reference: 'TEST-STOLEN-0001',
      },
    },
    withPin: answer('blockedStolen'),
    probes: [],
    notes: 'Reported stolen to the block service 15 minutes before the block. Only bank-b can lift the block.',
  },
  {
    state: 'blockedByMonitoring',
    pan: '5019100000000030',
    pin: '4826',
    cvc: '826',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000004',
    activationCode: '0005',
    setup: {
      registered: true,
      status: 'active',
      block: { reason: 'fraud', by: 'monitoring', rule: 'velocity-card-present', reportedMinutesEarlier: 0 },
    },
    withPin: answer('blockedByMonitoring'),
    probes: [],
    notes: "Blocked by the switch's fraud monitoring. Only bank-a can lift the block.",
  },
  {
    state: 'blockedByIssuer',
    pan: '5019200000000038',
    pin: '5173',
    cvc: '173',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN18,
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
    cvc: '284',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
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
    cvc: '395',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN18,
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
    cvc: '406',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
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
    cvc: '517',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN18,
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
    cvc: '628',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
    expiry: ACTIVE,
    balance: RICH,
    account: '1000000007',
    activationCode: '0011',
    setup: { registered: true, status: 'active', wrongPins: 2 },
    withPin: answer('approved'),
    probes: [
      probe('100.00 DKK, wrong PIN (the 3rd in a row: PIN-blocks the card)', 'wrong', false, 'pinTriesExceeded'),
    ],
    notes:
      '2 wrong PINs already. The correct PIN resets the count to 0; a 3rd wrong PIN PIN-blocks the card (106 / 75).',
  },
  {
    state: 'contactlessNearLimits',
    pan: '5019200000000061',
    pin: '1470',
    cvc: '470',
    issuer: 'bank-b',
    product: 'visa-dankort',
    icc: VISA_CVN18,
    expiry: ACTIVE,
    balance: 500_000,
    account: '2000000006',
    activationCode: '0012',
    setup: { registered: true, status: 'active', contactlessPayments: [26_000, 26_000, 26_000, 26_000] },
    withPin: answer('approved'),
    probes: [
      probe('100.00 DKK contactless, no PIN (the sum would pass 1,125.00)', 'none', true, 'chipAndPinRequired'),
      probe('85.00 DKK contactless, no PIN (5th in a row, sum exactly 1,125.00)', 'none', true, 'approved', 8_500),
      probe('100.00 DKK contactless, correct PIN at the reader (not enough)', 'correct', true, 'chipAndPinRequired'),
      probe('400.00 DKK contactless, correct PIN at the reader (over the limit)', 'correct', true, 'approved', 40_000),
      chipProbe('100.00 DKK chip, correct PIN (resets the counters)', 'correct', 'approved'),
    ],
    notes:
      'Balance 5,000.00 DKK; 4 PIN-less contactless payments of 260.00 DKK already (1,040.00 DKK, reserved). ' +
      'A contactless purchase up to 350.00 DKK over 85.00 DKK asks for the chip and the PIN, also with the PIN at the reader; ' +
      'only a chip purchase with the correct PIN resets the counters.',
  },
  {
    state: 'lowBalance',
    pan: '5019100000000071',
    pin: '2581',
    cvc: '581',
    issuer: 'bank-a',
    product: 'dankort',
    icc: CCD,
    expiry: ACTIVE,
    balance: 5_000,
    account: '1000000008',
    activationCode: '0013',
    setup: { registered: true, status: 'active' },
    withPin: answer('insufficientFunds'),
    probes: [probe('50.00 DKK, correct PIN (the whole balance)', 'correct', false, 'approved', 5_000)],
    notes: 'Balance 50.00 DKK. Each approved purchase holds its amount (until a clearing delivery books it).',
  },
  {
    state: 'notRegistered',
    pan: '5019990000000018',
    pin: '1234',
    cvc: '234',
    issuer: null,
    product: 'dankort',
    icc: CCD,
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
    cvc: '234',
    issuer: null,
    product: 'dankort',
    icc: CCD,
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
