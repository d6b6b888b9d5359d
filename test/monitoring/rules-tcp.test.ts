/**
 * The card-level rules over TCP against the real switch and Redis: each fires on its pattern,
 * blocks the card and the card's next transaction is refused 105 (blocked by the monitoring);
 * each leaves the holder's ordinary spending alone. The history a rule looks back on, and the
 * holder profile that spares it, are built with a fake clock moved on between transactions.
 */
import t, { type Test } from 'tap';
import {
  atmKeyFile,
  contactlessPurchase,
  type MonitoredSwitch,
  monitoredCard,
  pinPurchase,
  startMonitoredSwitch,
  withdrawal,
} from './support.js';
import type { Rule } from '../../src/monitoring/rule-schema.js';
import { ManualClock } from '../../src/time/clock.js';
import { OPERATOR_HEADERS } from '../support/switch.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Bank-a's cards; ATMs of bank-a (the issuer's own) and of bank-b. */
const ATMS = { OWNATM01: 'bank-a', OTHATM01: 'bank-b', OTHATM02: 'bank-b', OTHATM03: 'bank-b', OTHATM04: 'bank-b' };

async function start(t: Test, rule: Rule, clock?: ManualClock): Promise<MonitoredSwitch> {
  const keyFile = await atmKeyFile(t, ATMS);
  return startMonitoredSwitch(t, { rules: [rule] }, { terminals: { keyFile } }, clock ? { clock } : {});
}

/** The card is blocked by `rule`, naming `count` transactions, and its next purchase is refused 105. */
async function blockedBy(t: Test, s: MonitoredSwitch, card: { id: string; pan: string }, rule: string, count: number) {
  await s.evaluated();
  const state = await s.sw.register.state(card.id);
  t.equal(state?.block, 'fraud', 'blocked by the monitoring');
  const last = state?.blocks.at(-1) as unknown as Record<string, unknown>;
  t.match(last, { reason: 'fraud', by: 'monitoring', rule });
  t.equal((last.transactions as string[]).length, count, `the block names the ${count} transactions of the pattern`);
  t.equal(await pinPurchase(s, card.pan, 10_000), '105', 'the next purchase is refused: blocked by the monitoring');
}

/** Not blocked: the next purchase is approved. */
async function notBlocked(t: Test, s: MonitoredSwitch, card: { id: string; pan: string }) {
  await s.evaluated();
  t.equal((await s.sw.register.state(card.id))?.block ?? '', '', 'not blocked');
  t.equal(await pinPurchase(s, card.pan, 10_000), '000', 'the next purchase is approved');
}

async function spared(s: MonitoredSwitch, rule: string): Promise<number> {
  const text = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  const line = text.split('\n').find((l) => l.startsWith(`switch_monitoring_spared_total{rule="${rule}"}`));
  return Number(line?.split(' ').at(-1) ?? 0);
}

const OTHER_BANK_ATMS: Rule = {
  id: 'other-bank-atms',
  kind: 'otherBankAtm',
  description: 'More than 3 withdrawals at other banks’ ATMs within 2 hours, or in more than 2 places',
  channels: ['atm'],
  windowMinutes: 120,
  maxCount: 3,
  maxPlaces: 2,
};

t.test('otherBankAtm: other banks’ ATMs in three places block the card', async (t) => {
  const s = await start(t, OTHER_BANK_ATMS);
  const card = await monitoredCard(s);
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OTHATM01', city: 'Aarhus' }), '000');
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OTHATM02', city: 'Odense' }), '000');
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OTHATM03', city: 'Malmo', country: '752' }), '000');
  await blockedBy(t, s, card, 'other-bank-atms', 3);
});

t.test('otherBankAtm: the holder’s own bank and another bank in one town do not', async (t) => {
  const s = await start(t, OTHER_BANK_ATMS);
  const card = await monitoredCard(s);
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OWNATM01', city: 'Aarhus' }), '000');
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OTHATM01', city: 'Aarhus' }), '000');
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OTHATM02', city: 'Aarhus' }), '000');
  t.equal(await withdrawal(s, card.pan, 20_000, { terminal: 'OWNATM01', city: 'Aarhus' }), '000');
  await notBlocked(t, s, card);
});

const OWN_ATM: Rule = {
  id: 'own-atm-over-1000',
  kind: 'ownAtmAmount',
  description: 'A second withdrawal above 1,000.00 kr at the issuer’s own ATMs within a day',
  channels: ['atm'],
  above: 100_000,
  windowMinutes: 1440,
  minCount: 2,
  spareTypical: true,
};

t.test('ownAtmAmount: a second withdrawal above 1,000.00 kr at the own bank in a day blocks a new card', async (t) => {
  const s = await start(t, OWN_ATM);
  const card = await monitoredCard(s, { balance: 10_000_000 });
  t.equal(await withdrawal(s, card.pan, 150_000, { terminal: 'OWNATM01', noField42: true }), '000');
  t.equal(
    await withdrawal(s, card.pan, 100_000, { terminal: 'OWNATM01', noField42: true }),
    '000',
    'exactly 1,000.00 kr: not above',
  );
  await s.evaluated();
  t.equal((await s.sw.register.state(card.id))?.block ?? '', '', 'one above: no block');
  t.equal(await withdrawal(s, card.pan, 150_000, { terminal: 'OWNATM01', noField42: true }), '000');
  await blockedBy(t, s, card, 'own-atm-over-1000', 2);
});

t.test(
  'ownAtmAmount: spared for a holder who draws 1,500.00 kr there every other day (an ATM without field 42)',
  async (t) => {
    const clock = new ManualClock(new Date('2026-10-01T09:00:00Z'));
    const s = await start(t, OWN_ATM, clock);
    const card = await monitoredCard(s, { balance: 10_000_000 });
    for (let i = 0; i < 12; i++) {
      t.equal(
        await withdrawal(s, card.pan, 150_000, { terminal: 'OWNATM01', noField42: true }),
        '000',
        `history ${i + 1}`,
      );
      clock.advance(2 * DAY);
    }
    await s.evaluated();
    t.equal(await spared(s, 'own-atm-over-1000'), 0, 'one a day fires nothing');
    t.equal(await withdrawal(s, card.pan, 150_000, { terminal: 'OWNATM01', noField42: true }), '000');
    clock.advance(HOUR);
    t.equal(await withdrawal(s, card.pan, 150_000, { terminal: 'OWNATM01', noField42: true }), '000');
    await s.evaluated();
    t.equal(await spared(s, 'own-atm-over-1000'), 1, 'the rule fired and the profile spared it');
    await notBlocked(t, s, card);
  },
);

const TWO_COUNTRIES: Rule = {
  id: 'two-countries',
  kind: 'impossibleTravel',
  description: 'The card present in two countries less than 2 hours apart',
  channels: ['attended', 'unattended', 'atm'],
  minMinutes: 120,
};

t.test('impossibleTravel: a purchase in Denmark and a withdrawal in Sweden minutes apart block the card', async (t) => {
  const s = await start(t, TWO_COUNTRIES);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 25_000), '000');
  t.equal(await withdrawal(s, card.pan, 50_000, { terminal: 'OTHATM01', city: 'Malmo', country: '752' }), '000');
  await blockedBy(t, s, card, 'two-countries', 2);
});

t.test('impossibleTravel: the holder flying to Sweden, three hours later, is not blocked', async (t) => {
  const clock = new ManualClock(new Date('2026-10-01T07:00:00Z'));
  const s = await start(t, TWO_COUNTRIES, clock);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 25_000), '000', 'at the airport in Copenhagen');
  clock.advance(3 * HOUR);
  t.equal(await pinPurchase(s, card.pan, 25_000, { 19: '752' }), '000', 'in Stockholm');
  t.equal(await pinPurchase(s, card.pan, 25_000, { 19: '752' }), '000', 'in Stockholm again');
  clock.advance(3 * HOUR); // home again, as far apart: the purchase notBlocked makes is no pattern either
  await notBlocked(t, s, card);
});

const FIRST_ABROAD: Rule = {
  id: 'first-abroad-after-pin',
  kind: 'firstAbroadAfterPin',
  description: 'A first use in a country within 4 hours of a domestic PIN transaction',
  channels: ['attended', 'unattended', 'atm'],
  windowMinutes: 240,
};

t.test('firstAbroadAfterPin: a first use in the USA right after a PIN purchase at home blocks the card', async (t) => {
  const s = await start(t, FIRST_ABROAD);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 25_000), '000', 'chip and PIN in Denmark');
  t.equal(await withdrawal(s, card.pan, 50_000, { terminal: 'OTHATM01', city: 'New York', country: '840' }), '000');
  await blockedBy(t, s, card, 'first-abroad-after-pin', 2);
});

t.test('firstAbroadAfterPin: a holder who has used the card in Sweden before is not blocked', async (t) => {
  const clock = new ManualClock(new Date('2026-09-01T10:00:00Z'));
  const s = await start(t, FIRST_ABROAD, clock);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 25_000, { 19: '752' }), '000', 'a summer holiday in Sweden');
  clock.advance(30 * DAY);
  t.equal(await pinPurchase(s, card.pan, 25_000), '000', 'chip and PIN at home (the holiday leaves the window)');
  clock.advance(HOUR);
  t.equal(await pinPurchase(s, card.pan, 25_000, { 19: '752' }), '000', 'Sweden again: in the card’s history');
  await notBlocked(t, s, card);
});

const CONTACTLESS_BURST: Rule = {
  id: 'contactless-near-limit',
  kind: 'contactlessBurst',
  description: '4 or more contactless payments within 30 minutes, each at 80 % of the no-PIN limit or more',
  channels: ['attended', 'unattended'],
  windowMinutes: 30,
  minCount: 4,
  nearLimitPercent: 80,
};

t.test('contactlessBurst: four contactless payments at 80 % of the no-PIN limit block the card', async (t) => {
  const s = await start(t, CONTACTLESS_BURST);
  const card = await monitoredCard(s);
  // 280.00 kr each: 80 % of the register's 350.00 kr; four of them stay within its 1,125.00 kr without PIN.
  for (let i = 0; i < 3; i++) t.equal(await contactlessPurchase(s, card.pan, 28_000), '000');
  await s.evaluated();
  t.equal((await s.sw.register.state(card.id))?.block ?? '', '', 'three: no block');
  t.equal(await contactlessPurchase(s, card.pan, 28_000), '000');
  await blockedBy(t, s, card, 'contactless-near-limit', 4);
});

t.test('contactlessBurst: the holder’s coffees and one larger contactless payment do not', async (t) => {
  const s = await start(t, CONTACTLESS_BURST);
  const card = await monitoredCard(s);
  for (let i = 0; i < 3; i++) t.equal(await contactlessPurchase(s, card.pan, 4_500), '000');
  t.equal(await contactlessPurchase(s, card.pan, 27_999), '000', 'just below 80 %');
  t.equal(await contactlessPurchase(s, card.pan, 30_000), '000');
  await notBlocked(t, s, card);
});
