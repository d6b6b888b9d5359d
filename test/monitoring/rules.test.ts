/**
 * The checks of the card-level rule kinds (src/monitoring/rules/), pure, with the shipped rules
 * (default-rules.json) run through evaluate.ts as the monitor runs them: each fires on its pattern
 * and names its transactions, stays quiet just below its thresholds, on the holder's ordinary
 * spending, outside its channels and when disabled.
 */
import t from 'tap';
import { type Firing, firings } from '../../src/monitoring/evaluate.js';
import type { Rule, RuleFile, RuleKind, RuleOf } from '../../src/monitoring/rule-schema.js';
import type { RuleInput } from '../../src/monitoring/rule-input.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import shipped from '../../src/monitoring/default-rules.json' with { type: 'json' };
import { watched } from './fixtures.js';

const RULES = (shipped as RuleFile).rules;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 7 December 2026, 10:00 UTC. */
const T0 = Date.UTC(2026, 11, 7, 10, 0);

function shippedRule<K extends RuleKind>(id: string, kind: K): RuleOf<K> {
  const r = RULES.find((x) => x.id === id);
  if (r?.kind !== kind) throw new Error(`no shipped ${kind} rule ${id}`);
  return r as RuleOf<K>;
}

/** A transaction of card-1 (issued by bank-a): an approved chip-and-PIN purchase in Aarhus unless told otherwise. */
function tx(at: number, p: Partial<WatchedTransaction> = {}): WatchedTransaction {
  return watched({ at, amount: 25_000, merchant: 'SUPERMARKET01', city: 'Aarhus', ...p });
}

/** A cash withdrawal at an ATM of `owner` in `city`. */
const atm = (at: number, owner: string, p: Partial<WatchedTransaction> = {}): WatchedTransaction =>
  tx(at, { kind: 'withdrawal', channel: 'atm', terminal: `ATM-${owner}`, merchant: '', atmOwner: owner, ...p });

/** A contactless purchase without PIN. */
const tap = (at: number, amount: number, p: Partial<WatchedTransaction> = {}): WatchedTransaction =>
  tx(at, { entryMode: 'contactless', verification: 'contactlessNoPin', amount, ...p });

/** The rules that fire on the last of `txs`, the others being the card's recent ones. */
function fire(rules: Rule[], txs: WatchedTransaction[], extra: Partial<RuleInput> = {}): Firing[] {
  const input: RuleInput = {
    tx: txs.at(-1)!,
    recent: txs.slice(0, -1),
    issuer: 'bank-a',
    contactlessLimit: 35_000,
    ...extra,
  };
  return firings(rules, input);
}

/** The ids of the transactions of the one firing of `rules` on `txs`, or undefined when none fired. */
function pattern(rule: Rule, txs: WatchedTransaction[], extra: Partial<RuleInput> = {}): string[] | undefined {
  const fired = fire([rule], txs, extra);
  return fired[0]?.transactions.map((x) => x.txn);
}

/**
 * The holder's ordinary week: groceries most days, fuel on Friday, a withdrawal at the own
 * bank's ATM on Saturday, contactless coffee every weekday; all in Denmark.
 */
function ordinaryWeek(): WatchedTransaction[] {
  const week: WatchedTransaction[] = [];
  for (let d = 0; d < 7; d++) {
    const day = T0 + d * DAY;
    if (d < 5) week.push(tap(day - 2 * HOUR, 3_800, { merchant: 'CAFE0001' }));
    week.push(tx(day + 7 * HOUR, { amount: 42_000 + d * 1_000 }));
    if (d === 4) week.push(tx(day + 8 * HOUR, { merchant: 'FUEL0001', channel: 'unattended', amount: 60_000 }));
    if (d === 5) week.push(atm(day + 1 * HOUR, 'bank-a', { amount: 50_000 }));
  }
  return week;
}

t.test('the holder ordinary week fires none of the card-level rules', async (t) => {
  const week = ordinaryWeek();
  for (let i = 1; i <= week.length; i++) t.same(fire(RULES, week.slice(0, i)), [], `transaction ${i}`);
});

t.test('otherBankAtm', async (t) => {
  const rule = shippedRule('other-bank-atms', 'otherBankAtm');
  t.test('fires on the 4th withdrawal at other banks in 2 hours, naming the four', async (t) => {
    const w = [0, 20, 40, 60].map((m) => atm(T0 + m * MIN, 'bank-b', { city: 'Aarhus' }));
    t.same(pattern(rule, w.slice(0, 3)), undefined, 'three: the maximum, not over it');
    t.same(
      pattern(rule, w),
      w.map((x) => x.txn),
    );
  });
  t.test('refused attempts count (a thief stopped by the cash limit tries the next ATM)', async (t) => {
    const w = [0, 20, 40].map((m) => atm(T0 + m * MIN, 'bank-b', { city: 'Aarhus' }));
    w.push(atm(T0 + 60 * MIN, 'bank-c', { city: 'Aarhus', outcome: 'refused' }));
    t.same(
      pattern(rule, w),
      w.map((x) => x.txn),
    );
  });
  t.test('fires on a third place; the place is the city, else the terminal, in its country', async (t) => {
    const a = atm(T0, 'bank-b', { city: 'Aarhus' });
    const b = atm(T0 + 10 * MIN, 'bank-b', { city: 'Odense' });
    const sameCity = atm(T0 + 20 * MIN, 'bank-b', { city: 'Aarhus', terminal: 'ATM-OTHER' });
    t.same(pattern(rule, [a, b, sameCity]), undefined, 'two places: another ATM in Aarhus is no third');
    const c = atm(T0 + 20 * MIN, 'bank-b', { city: 'Aarhus', country: '752' });
    t.same(pattern(rule, [a, b, c]), [a.txn, b.txn, c.txn], 'an Aarhus in another country is another place');
    const d = atm(T0 + 20 * MIN, 'bank-b', { city: '', terminal: 'ATM00009' });
    t.same(pattern(rule, [a, b, d]), [a.txn, b.txn, d.txn], 'no city: the terminal is the place');
  });
  t.test('does not count outside the window, the own bank, purchases, or another channel', async (t) => {
    const old = atm(T0 - 121 * MIN, 'bank-b', { city: 'Odense' });
    const own = atm(T0 + 5 * MIN, 'bank-a', { city: 'Vejle' });
    const shop = tx(T0 + 6 * MIN, { city: 'Kolding' });
    const w = [0, 20, 40].map((m) => atm(T0 + m * MIN, 'bank-b', { city: 'Aarhus' }));
    t.same(pattern(rule, [old, own, shop, ...w]), undefined);
    t.same(
      pattern(rule, [...w, atm(T0 + 60 * MIN, 'bank-a', { city: 'Aarhus' })]),
      undefined,
      'own bank fires nothing',
    );
  });
  t.test('either limit alone; the rule disabled or without the channel fires nothing', async (t) => {
    const w = [0, 20, 40, 60].map((m) => atm(T0 + m * MIN, 'bank-b', { city: 'Aarhus' }));
    const { maxPlaces: _p, ...countOnly } = rule;
    t.ok(pattern(countOnly, w), 'count only');
    const { maxCount: _c, ...placesOnly } = rule;
    t.same(pattern(placesOnly, w), undefined, 'places only: one place');
    t.same(pattern({ ...rule, enabled: false }, w), undefined, 'disabled');
    t.same(pattern({ ...rule, channels: ['attended'] }, w), undefined, 'not watching atm');
  });
});

t.test('ownAtmAmount', async (t) => {
  const rule = shippedRule('own-atm-over-1000', 'ownAtmAmount');
  t.test('fires on the second withdrawal above 1,000.00 kr at the own bank within a day', async (t) => {
    const a = atm(T0, 'bank-a', { amount: 150_000 });
    const b = atm(T0 + 23 * HOUR, 'bank-a', { amount: 100_001 });
    t.same(pattern(rule, [a]), undefined, 'one');
    t.same(pattern(rule, [a, b]), [a.txn, b.txn]);
  });
  t.test('not at exactly 1,000.00 kr, not a day apart, not refused, not at another bank', async (t) => {
    const a = atm(T0, 'bank-a', { amount: 150_000 });
    t.same(pattern(rule, [a, atm(T0 + HOUR, 'bank-a', { amount: 100_000 })]), undefined, 'not above');
    t.same(pattern(rule, [a, atm(T0 + DAY + MIN, 'bank-a', { amount: 150_000 })]), undefined, 'outside the day');
    t.same(
      pattern(rule, [a, atm(T0 + HOUR, 'bank-a', { amount: 600_000, outcome: 'refused' })]),
      undefined,
      'refused: nothing paid out',
    );
    t.same(pattern(rule, [a, atm(T0 + HOUR, 'bank-b', { amount: 150_000 })]), undefined, 'another bank');
    t.same(pattern(rule, [a, atm(T0 + HOUR, 'bank-a', { amount: 150_000 })], { issuer: 'bank-b' }), undefined);
  });
  t.test('disabled, or not watching atm: nothing', async (t) => {
    const w = [atm(T0, 'bank-a', { amount: 150_000 }), atm(T0 + HOUR, 'bank-a', { amount: 150_000 })];
    t.same(pattern({ ...rule, enabled: false }, w), undefined);
    t.same(pattern({ ...rule, channels: ['attended'] }, w), undefined);
  });
});

t.test('impossibleTravel', async (t) => {
  const rule = shippedRule('two-countries', 'impossibleTravel');
  t.test('fires on the card present in Sweden 1 h 59 min after Denmark, naming the two', async (t) => {
    const home = tx(T0);
    const between = tx(T0 + 10 * MIN, { merchant: 'BAKERY01' });
    const abroad = tx(T0 + 119 * MIN, { country: '752', city: 'Malmo' });
    t.same(pattern(rule, [home, between, abroad]), [between.txn, abroad.txn], 'the latest in the other country');
  });
  t.test('refused abroad counts: a copied card tried and refused', async (t) => {
    const home = tx(T0);
    const abroad = atm(T0 + 30 * MIN, 'bank-x', { country: '840', outcome: 'wrongPin' });
    t.same(pattern(rule, [home, abroad]), [home.txn, abroad.txn]);
  });
  t.test('not 2 hours apart, not in one country, not remote', async (t) => {
    const home = tx(T0);
    t.same(pattern(rule, [home, tx(T0 + 120 * MIN, { country: '752' })]), undefined, 'exactly 2 hours: possible');
    t.same(pattern(rule, [home, tx(T0 + 5 * MIN, { city: 'Skagen' })]), undefined, 'far, but one country');
    const web = tx(T0 - 10 * MIN, { channel: 'internet', entryMode: 'remote', country: '840' });
    t.same(pattern(rule, [web, home]), undefined, "a web shop abroad: the merchant's country, not the card's");
    t.same(pattern({ ...rule, channels: ['internet', 'attended'] }, [web, home]), undefined, 'even when named');
  });
  t.test('disabled, or the channel not watched: nothing', async (t) => {
    const w = [tx(T0), tx(T0 + 30 * MIN, { country: '752' })];
    t.same(pattern({ ...rule, enabled: false }, w), undefined);
    t.same(pattern({ ...rule, channels: ['atm'] }, w), undefined);
  });
});

t.test('firstAbroadAfterPin', async (t) => {
  const rule = shippedRule('first-abroad-after-pin', 'firstAbroadAfterPin');
  t.test('fires on a first use abroad 3 h 59 min after a domestic PIN purchase, naming the two', async (t) => {
    const pin = tx(T0);
    const coffee = tap(T0 + HOUR, 3_000);
    const abroad = atm(T0 + 239 * MIN, 'bank-x', { country: '840', city: 'New York' });
    t.same(pattern(rule, [pin, coffee, abroad]), [pin.txn, abroad.txn]);
    const offline = tx(T0, { verification: 'pinOffline' });
    t.same(pattern(rule, [offline, abroad]), [offline.txn, abroad.txn], "the chip's offline PIN too");
    const refused = tx(T0 + 239 * MIN, { country: '840', outcome: 'refused' });
    t.same(pattern(rule, [pin, refused]), [pin.txn, refused.txn], 'refused abroad counts');
  });
  t.test('not after 4 hours, not without the PIN, not after a wrong PIN, not at home', async (t) => {
    const abroad = (at: number): WatchedTransaction => tx(at, { country: '840' });
    t.same(pattern(rule, [tx(T0), abroad(T0 + 240 * MIN + 1)]), undefined, 'outside the window');
    t.same(pattern(rule, [tap(T0, 3_000), abroad(T0 + HOUR)]), undefined, 'contactless without PIN');
    t.same(pattern(rule, [tx(T0, { verification: 'signature' }), abroad(T0 + HOUR)]), undefined, 'signature');
    t.same(pattern(rule, [tx(T0, { outcome: 'wrongPin' }), abroad(T0 + HOUR)]), undefined, 'the PIN was wrong');
    t.same(pattern(rule, [tx(T0), tx(T0 + HOUR, { merchant: 'OTHER' })]), undefined, 'at home');
  });
  t.test('not in a country the card has been used in: recently, or in its history', async (t) => {
    const sweden = (at: number): WatchedTransaction => tx(at, { country: '752' });
    t.same(pattern(rule, [sweden(T0 - DAY), tx(T0), sweden(T0 + HOUR)]), undefined, 'used there recently');
    t.same(pattern(rule, [tx(T0), sweden(T0 + HOUR)], { countriesUsed: ['752'] }), undefined, 'in the history');
    t.ok(pattern(rule, [tx(T0), sweden(T0 + HOUR)], { countriesUsed: [] }), 'the history looked up: never there');
    t.ok(
      pattern(
        rule,
        [sweden(T0 - DAY), tx(T0), sweden(T0 + HOUR)].map((x, i) =>
          i === 0 ? { ...x, outcome: 'refused' as const } : x,
        ),
      ),
      'a refused attempt there is no use',
    );
  });
  t.test('the holder who travels to Sweden every month is not blocked', async (t) => {
    t.same(pattern(rule, [tx(T0), tx(T0 + 2 * HOUR, { country: '752' })], { countriesUsed: ['752'] }), undefined);
  });
  t.test('disabled, or the channel not watched: nothing', async (t) => {
    const w = [tx(T0), tx(T0 + HOUR, { country: '840' })];
    t.same(pattern({ ...rule, enabled: false }, w), undefined);
    t.same(pattern({ ...rule, channels: ['atm'] }, w), undefined, 'the abroad one not watched');
    t.same(
      pattern({ ...rule, channels: ['atm'] }, [tx(T0), atm(T0 + HOUR, 'bank-x', { country: '840' })]),
      undefined,
      'the PIN one not watched',
    );
  });
});

t.test('contactlessBurst', async (t) => {
  const rule = shippedRule('contactless-near-limit', 'contactlessBurst');
  t.test('fires on the 4th contactless payment within 30 minutes at 80 % of the limit or more', async (t) => {
    const w = [0, 5, 10, 29].map((m, i) => tap(T0 + m * MIN, [28_000, 35_000, 30_000, 28_000][i]!));
    t.same(pattern(rule, w.slice(0, 3)), undefined, 'three');
    t.same(
      pattern(rule, w),
      w.map((x) => x.txn),
    );
  });
  t.test('the rule limit, else the register limit', async (t) => {
    const w = [0, 5, 10, 15].map((m) => tap(T0 + m * MIN, 40_000));
    t.same(pattern(rule, w), undefined, 'above the register limit: those had a PIN or were refused');
    t.ok(pattern({ ...rule, limit: 50_000 }, w), 'within a limit of 500.00 kr');
    t.ok(pattern(rule, w, { contactlessLimit: 45_000 }), "the register's limit of 450.00 kr");
  });
  t.test('not below 80 %, not outside the window, not refused, not with the PIN', async (t) => {
    const three = [0, 5, 10].map((m) => tap(T0 + m * MIN, 30_000));
    t.same(pattern(rule, [...three, tap(T0 + 15 * MIN, 27_999)]), undefined, 'just below 80 %');
    t.same(pattern(rule, [...three, tap(T0 + 30 * MIN + 1, 30_000)]), undefined, 'the first is out of the window');
    t.same(pattern(rule, [...three, tap(T0 + 15 * MIN, 30_000, { outcome: 'refused' })]), undefined, 'refused');
    t.same(
      pattern(rule, [...three, tx(T0 + 15 * MIN, { amount: 30_000, entryMode: 'chip' })]),
      undefined,
      'chip and PIN',
    );
  });
  t.test('disabled, or the channel not watched: nothing', async (t) => {
    const w = [0, 5, 10, 15].map((m) => tap(T0 + m * MIN, 30_000));
    t.same(pattern({ ...rule, enabled: false }, w), undefined);
    t.same(pattern({ ...rule, channels: ['unattended'] }, w), undefined);
  });
});

t.test('velocity: an approved refund fires nothing, even in a window already over the limit', async (t) => {
  const rule = shippedRule('velocity-card-present', 'velocity');
  const many = Array.from({ length: 11 }, (_, i) => tx(i * 60_000));
  t.ok(pattern(rule, many), 'the 11th purchase in the hour fires');
  t.equal(pattern(rule, [...many, tx(12 * 60_000, { kind: 'refund' })]), undefined, 'a refund after them does not');
});
