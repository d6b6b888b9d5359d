/**
 * The replay of a day (src/monitoring/replay.ts), pure: a made-up day of transactions run through
 * rule files, the difference from the rules in force (blocks added and removed), a card counted
 * blocked from its first firing, the cards' recent transactions and holder profiles rebuilt from
 * the days before (a profile spares the holder's ordinary spending; yesterday evening's
 * purchases count in this morning's window), and the history's limits as watch.lua's.
 */
import t from 'tap';
import { RuleBook } from '../../src/monitoring/rule-book.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';
import type { LoggedTransaction } from '../../src/monitoring/day-log.js';
import { compareReplays, replayDay } from '../../src/monitoring/replay.js';
import { CardHistory, MAX_RECENT } from '../../src/monitoring/card-history.js';
import { watched } from './fixtures.js';

const DAY = Date.parse('2026-11-21T00:00:00Z');
const MINUTE = 60_000;
const LIMIT = 35_000;

/** An approved chip-and-PIN purchase of 100.00 kr at a Danish merchant, `minutes` into the day, on a card of bank-a. */
function purchase(card: string, minutes: number, more: Partial<LoggedTransaction> = {}): LoggedTransaction {
  const { issuer = 'bank-a', ...rest } = more;
  return { ...watched({ card, at: DAY + minutes * MINUTE, city: 'Aarhus', ...rest }), issuer };
}

const velocity = (windowMinutes: number, maxCount: number, spareTypical = false): RuleBook =>
  RuleBook.of({
    rules: [
      {
        id: `v-${maxCount}-in-${windowMinutes}`,
        kind: 'velocity',
        description: `More than ${maxCount} approved purchases within ${windowMinutes} minutes`,
        channels: ['attended'],
        windowMinutes,
        maxCount,
        spareTypical,
      },
    ],
  } satisfies RuleFile);

/** A: three purchases in 20 minutes; B: two in 10; C: three, 90 minutes apart. */
const day = [
  purchase('card-a', 600),
  purchase('card-b', 605),
  purchase('card-c', 600),
  purchase('card-a', 610),
  purchase('card-b', 615),
  purchase('card-a', 620),
  purchase('card-c', 690),
  purchase('card-c', 780),
];

t.test('a rule change is seen as the blocks it adds and removes', async (t) => {
  const inForce = replayDay(day, [], velocity(60, 2), LIMIT);
  t.same(inForce.transactions, 8);
  t.same(inForce.cards, 3);
  t.same(
    inForce.blocks.map((b) => [b.card, b.rule, b.at - DAY, b.txn, b.transactions.length]),
    [['card-a', 'v-2-in-60', 620 * MINUTE, day[5]!.txn, 3]],
  );
  t.same(inForce.rules, [
    { id: 'v-2-in-60', description: 'More than 2 approved purchases within 60 minutes', blocks: 1, spared: 0 },
  ]);

  const longer = compareReplays(replayDay(day, [], velocity(240, 2), LIMIT), inForce);
  t.same(
    longer.added.map((b) => [b.card, b.txn]),
    [['card-c', day[7]!.txn]],
    'a four-hour window adds C',
  );
  t.same(longer.removed, []);

  const looser = compareReplays(replayDay(day, [], velocity(60, 3), LIMIT), inForce);
  t.same(looser.added, []);
  t.same(
    looser.removed.map((b) => b.card),
    ['card-a'],
    'allowing three removes A',
  );

  const stricter = compareReplays(replayDay(day, [], velocity(60, 1), LIMIT), inForce);
  t.same(
    stricter.added.map((b) => b.card),
    ['card-b'],
    'one an hour adds B; C, 90 minutes apart, stays',
  );
  t.same(
    stricter.proposed.blocks.find((b) => b.card === 'card-a')?.txn,
    day[3]!.txn,
    'A is blocked at its second purchase',
  );
});

t.test('a card is blocked from its first firing on; the log order does not matter', async (t) => {
  const five = [0, 5, 10, 15, 20].map((m) => purchase('card-a', m));
  const r = replayDay([...five].reverse(), [], velocity(60, 2), LIMIT);
  t.equal(r.blocks.length, 1, 'the fourth and fifth purchases fire nothing more');
  t.same(
    r.blocks[0]!.transactions,
    five.slice(0, 3).map((x) => x.txn),
  );
  t.same(r.rules[0]!.blocks, 1);
  const refused = [0, 5, 10].map((m) => purchase('card-d', m, { outcome: 'wrongPin' }));
  t.same(replayDay(refused, [], velocity(60, 2), LIMIT).blocks, [], 'refusals are not counted by velocity');
});

t.test("the holder profile from the days before spares the card's ordinary spending", async (t) => {
  // Twelve purchases at the card's own shop over the week before: its history.
  const history = Array.from({ length: 12 }, (_, i) => purchase('card-h', -7 * 1440 + i * 700));
  const burst = [600, 610, 620].map((m) => purchase('card-h', m));
  const spared = replayDay(burst, history, velocity(60, 2, true), LIMIT);
  t.same(spared.blocks, [], 'typical of the card: spared');
  t.same(spared.rules[0]!.spared, 1);

  t.equal(replayDay(burst, [], velocity(60, 2, true), LIMIT).blocks.length, 1, 'no history: blocked');
  t.equal(replayDay(burst, history, velocity(60, 2), LIMIT).blocks.length, 1, 'a rule that spares nothing blocks');
  const abroad = [600, 610].map((m) => purchase('card-h', m)).concat(purchase('card-h', 620, { country: '276' }));
  t.equal(replayDay(abroad, history, velocity(60, 2, true), LIMIT).blocks.length, 1, 'abroad is not typical');

  // The burst itself never becomes usual: today's purchases are within the horizon, not in the profile.
  const noHistoryButBusy = Array.from({ length: 14 }, (_, i) => purchase('card-n', 600 + i));
  t.equal(replayDay(noHistoryButBusy, [], velocity(60, 2, true), LIMIT).blocks.length, 1);
});

t.test("yesterday evening's purchases are in this morning's window", async (t) => {
  const evening = [purchase('card-e', -20)];
  const morning = [purchase('card-e', 10), purchase('card-e', 20)];
  t.equal(replayDay(morning, evening, velocity(60, 2), LIMIT).blocks.length, 1);
  t.equal(replayDay(morning, [], velocity(60, 2), LIMIT).blocks.length, 0);
  t.equal(replayDay(morning, evening, velocity(30, 2), LIMIT).blocks.length, 0, 'out of a 30-minute window');
});

t.test("the rules' input as live: the card's issuer, the countries of its profile", async (t) => {
  const own = RuleBook.of({
    rules: [
      {
        id: 'own-atm',
        kind: 'ownAtmAmount',
        description: "Two withdrawals above 1,000.00 kr at the issuer's own ATMs within a day",
        channels: ['atm'],
        above: 100_000,
        windowMinutes: 1440,
        minCount: 2,
      },
    ],
  });
  const atm = (card: string, minutes: number, atmOwner: string, issuer = 'bank-a'): LoggedTransaction =>
    purchase(card, minutes, { kind: 'withdrawal', channel: 'atm', amount: 200_000, atmOwner, issuer });
  const day2 = [
    atm('card-o', 600, 'bank-a'),
    atm('card-o', 700, 'bank-a'),
    atm('card-x', 600, 'bank-a', 'bank-b'),
    atm('card-x', 700, 'bank-a', 'bank-b'),
  ];
  t.same(
    replayDay(day2, [], own, LIMIT).blocks.map((b) => b.card),
    ['card-o'],
    "bank-a's own ATMs are not bank-b's card's",
  );

  const abroad = RuleBook.of({
    rules: [
      {
        id: 'first-abroad',
        kind: 'firstAbroadAfterPin',
        description: 'A first use in a country within 4 hours of a domestic PIN transaction',
        channels: ['attended'],
        windowMinutes: 240,
      },
    ],
  });
  const trip = [purchase('card-t', 600), purchase('card-t', 700, { country: '276' })];
  t.equal(replayDay(trip, [], abroad, LIMIT).blocks.length, 1, 'never used in Germany: blocked');
  const lastYear = [purchase('card-t', -6 * 1440, { country: '276' })];
  t.same(replayDay(trip, lastYear, abroad, LIMIT).blocks, [], 'Germany in the profile: no pattern');
});

t.test("card testing: the terminals' wrong PINs across cards, every card named blocked", async (t) => {
  const testing = (minCards: number): RuleBook =>
    RuleBook.of({
      rules: [
        {
          id: 'card-testing',
          kind: 'cardTesting',
          description: `Wrong PINs for ${minCards} or more different cards at one terminal within 10 minutes`,
          channels: ['attended'],
          windowMinutes: 10,
          minCards,
        },
      ],
    });
  const wrong = (card: string, minutes: number, terminal = 'TERM0001'): LoggedTransaction =>
    purchase(card, minutes, { outcome: 'wrongPin', terminal });
  // Yesterday's last minutes count: the terminal's state is rebuilt from the days before too.
  const day3 = [
    wrong('card-1', 1),
    wrong('card-1', 2),
    wrong('card-x', 3, 'TERM0002'),
    wrong('card-2', 4),
    wrong('card-3', 20),
  ];
  const r = replayDay(day3, [wrong('card-0', -5)], testing(3), LIMIT);
  t.same(
    r.blocks.map((b) => [b.card, b.txn, b.transactions.length]),
    [
      ['card-0', day3[3]!.txn, 1],
      ['card-1', day3[3]!.txn, 2],
      ['card-2', day3[3]!.txn, 1],
    ],
    'the third card at TERM0001 within 10 minutes blocks all three; card-3, later, is alone',
  );
  t.same(replayDay(day3, [], testing(3), LIMIT).blocks, [], 'without yesterday: two cards only');
  t.same(replayDay(day3, [wrong('card-0', -5)], testing(4), LIMIT).blocks, []);
});

t.test("a card's history keeps what watch.lua keeps", async (t) => {
  const h = new CardHistory();
  const many = Array.from({ length: MAX_RECENT + 1 }, (_, i) => purchase('card-m', i, { merchant: `M${i % 3}` }));
  for (const tx of many.slice(0, MAX_RECENT)) h.record(tx, 10_000 * MINUTE);
  t.equal(h.profile([], []).count, 0, 'all within the horizon');
  const earlier = h.record(many[MAX_RECENT]!, 10_000 * MINUTE);
  t.equal(earlier.length, MAX_RECENT - 1, 'past the most kept, the oldest is folded');
  t.same(h.profile(['M0', 'M1'], ['208']), {
    count: 1,
    max: 10_000,
    merchants: { M0: 1, M1: 0 },
    countries: { '208': 1 },
    present: { '208': 1 },
  });

  const g = new CardHistory();
  g.record(purchase('card-g', 0, { kind: 'refund', amount: 99_999 }), MINUTE);
  g.record(purchase('card-g', 1, { outcome: 'wrongPin' }), MINUTE);
  g.record(purchase('card-g', 2, { merchant: '', amount: 20_000 }), MINUTE);
  g.record(purchase('card-g', 10), MINUTE);
  t.same(
    g.profile(['SHOP-1'], ['208']),
    { count: 1, max: 20_000, merchants: { 'SHOP-1': 0 }, countries: { '208': 1 }, present: { '208': 1 } },
    'refunds and refusals are not spending; no merchant is not a merchant',
  );

  const wide = new CardHistory();
  for (let i = 0; i < 1100; i++) wide.record(purchase('card-w', i, { merchant: `M${i}` }), 0);
  const p = wide.profile(['M0', 'M995', 'M996'], []);
  t.same(
    p.merchants,
    { M0: 1, M995: 1, M996: 0 },
    'at most 1,000 fields: n, max, the country (used, present) and 996 merchants',
  );
});
