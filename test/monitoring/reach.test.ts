/**
 * How far back the rules read a card's earlier transactions (src/monitoring/evaluate.ts
 * recentReachMs) and what the card sends back for it (src/card/card-watch.ts, watch.lua): a rule
 * watching the channel with a short window does not see an older entry, a long-window rule of
 * another channel does not widen it; every check answers the same on the narrowed transactions as
 * on all of them; entries of the earlier format (no seq) still read; a list read before another
 * process's record is read again; the day log's entry is the same text made from the record's JSON.
 */
import t from 'tap';
import { testRedis } from '../support/redis.js';
import { ManualClock } from '../../src/time/clock.js';
import { CardWatch, PROFILE_KEPT_MS, earlierOf } from '../../src/card/card-watch.js';
import { cardKeys } from '../../src/card/keys.js';
import type { CardId } from '../../src/crypto/card-id.js';
import { firings, horizonMs, recentReachMs } from '../../src/monitoring/evaluate.js';
import { ALL_RECENT, type RuleInput } from '../../src/monitoring/rule-input.js';
import type { Rule } from '../../src/monitoring/rule-schema.js';
import { trialKept } from '../../src/monitoring/rules/card-testing.js';
import { loggedJson } from '../../src/monitoring/day-log.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import shipped from '../../src/monitoring/default-rules.json' with { type: 'json' };
import { watched } from './fixtures.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 6, 12);

const SHORT_AND_LONG: Rule[] = [
  {
    id: 'attended-hour',
    kind: 'velocity',
    description: 'More than 1 approved purchase at terminals within an hour',
    channels: ['attended'],
    windowMinutes: 60,
    maxCount: 1,
  },
  {
    id: 'internet-day',
    kind: 'velocity',
    description: 'More than 1 approved internet purchase within a day',
    channels: ['internet'],
    windowMinutes: 1440,
    maxCount: 1,
  },
];

t.test('the reach: the rules watching the channel, only for what they can fire on', async (t) => {
  const approved = watched({ channel: 'attended' });
  t.equal(recentReachMs(SHORT_AND_LONG, approved), 60 * MINUTE, 'the day-long internet rule does not widen it');
  t.equal(recentReachMs(SHORT_AND_LONG, watched({ channel: 'internet', entryMode: 'remote' })), 1440 * MINUTE);
  t.equal(recentReachMs(SHORT_AND_LONG, watched({ outcome: 'refused' })), 0, 'a refusal velocity does not count');
  t.equal(horizonMs(SHORT_AND_LONG), 1440 * MINUTE, 'the card still keeps the longest window');
  const rules = shipped.rules as Rule[];
  t.equal(recentReachMs(rules, watched({ country: '752' })), ALL_RECENT, 'abroad: a first use there reads them all');
  t.equal(recentReachMs(rules, watched({ channel: 'internet', entryMode: 'remote', outcome: 'refused' })), 0);
  t.equal(recentReachMs(rules, watched({ outcome: 'wrongPin' })), 120 * MINUTE, 'two countries: card present');
  const disabled = rules.map((r) => ({
    ...r,
    enabled: !['impossibleTravel', 'velocity', 'cardTesting'].includes(r.kind),
  }));
  t.equal(recentReachMs(disabled, watched()), 0, 'a disabled rule reaches nothing');
  const trialsOnly = rules.filter((r) => r.kind === 'cardTesting');
  t.equal(recentReachMs(trialsOnly, watched()), 10 * MINUTE, "an approval: whether it clears the card's wrong PIN");
  t.equal(recentReachMs(trialsOnly, watched({ outcome: 'wrongPin' })), 0, "a wrong PIN: the terminal's trials");
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('every check answers the same on the transactions within the reach as on all of them', async (t) => {
  const next = random(19);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  // The shipped rules with small counts, so that they fire often on short histories.
  const rules = (shipped.rules as Rule[]).map((r) => ({
    ...r,
    ...('maxCount' in r ? { maxCount: 2 } : {}),
    ...('minCount' in r ? { minCount: 2 } : {}),
    ...('maxPlaces' in r ? { maxPlaces: 1 } : {}),
    ...('maxFailures' in r ? { maxFailures: 1 } : {}),
  })) as Rule[];
  const horizon = horizonMs(rules);
  let compared = 0;
  let narrowed = 0;
  let fired = 0;
  for (let n = 0; n < 3000; n++) {
    const made = (at: number): WatchedTransaction => {
      const channel = pick(['attended', 'unattended', 'atm', 'internet', 'mailOrder'] as const);
      return watched({
        at,
        channel,
        kind: channel === 'atm' ? 'withdrawal' : pick(['purchase', 'purchase', 'refund'] as const),
        entryMode:
          channel === 'internet' || channel === 'mailOrder' ? 'remote' : pick(['chip', 'contactless'] as const),
        verification: pick(['pinOnline', 'pinOffline', 'none'] as const),
        amount: pick([5_000, 30_000, 34_000, 150_000]),
        terminal: pick(['T1', 'T2']),
        country: pick(['208', '208', '208', '752']),
        atmOwner: channel === 'atm' ? pick(['bank-a', 'bank-b']) : '',
        outcome: pick(['approved', 'approved', 'wrongPin', 'wrongCvc', 'refused'] as const),
      });
    };
    const tx = made(T0);
    const recent = Array.from({ length: Math.floor(next() * 12) }, () => made(T0 - Math.floor(next() ** 3 * horizon)));
    recent.sort((a, b) => a.at - b.at);
    const reach = recentReachMs(rules, tx);
    const within = recent.filter((r) => r.at >= tx.at - reach);
    if (within.length < recent.length) narrowed++;
    const input = (r: WatchedTransaction[]): RuleInput => ({
      tx,
      recent: r,
      issuer: 'bank-a',
      countriesUsed: next() < 0.5 ? [] : undefined,
      contactlessLimit: 35_000,
    });
    const base = input(recent);
    const all = firings(rules, base).map((f) => [f.rule.id, f.transactions.map((x) => x.txn)]);
    const some = firings(rules, { ...base, recent: within }).map((f) => [f.rule.id, f.transactions.map((x) => x.txn)]);
    if (JSON.stringify(all) !== JSON.stringify(some))
      t.fail('a check read beyond its reach', { tx, recent, all, some });
    if (trialKept(rules, tx, recent) !== trialKept(rules, tx, within))
      t.fail('trialKept read beyond the reach', { tx });
    fired += all.length;
    compared++;
  }
  t.equal(compared, 3000);
  t.ok(narrowed > 1000, `${narrowed} of the histories narrowed`);
  t.ok(fired > 300, `${fired} firings compared`);
});

t.test("the card's record: only the reach's entries back; entries without seq still read", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(new Date(T0));
  const watch = new CardWatch(redis, prefix, clock, PROFILE_KEPT_MS);
  const card = 'card-reach' as CardId;
  const k = cardKeys(prefix, card);
  await redis.hset(k.card, 'status', 'active', 'issuer', 'bank-a');
  const at = (minutesAgo: number): number => T0 - minutesAgo * MINUTE;
  // Written by the earlier version: the transaction's JSON, no seq.
  const old = watched({ card, txn: 'old', at: at(120) });
  await redis.rpush(k.recent, JSON.stringify(old));
  const day = 1440 * MINUTE;
  const first = await watch.record(watched({ card, txn: 'a', at: at(30) }), day, 60 * MINUTE);
  t.same(
    first.recent.map((x) => x.txn),
    ['old'],
    'an entry without seq is sent back by the script, all of them (as before)',
  );
  await watch.record(watched({ card, txn: 'b', at: at(20) }), day, 60 * MINUTE);
  t.same(
    (await redis.lrange(k.recent, 0, -1)).map((e) => e.slice(0, 12)),
    [JSON.stringify(old).slice(0, 12), '{"seq":1,"ca', '{"seq":2,"ca'],
    'each new entry numbered',
  );
  await redis.lpop(k.recent);
  const hour = await watch.record(watched({ card, txn: 'c', at: at(10) }), day, 60 * MINUTE);
  t.same(
    hour.recent.map((x) => x.txn),
    ['a', 'b'],
  );
  // 200 minutes back, beyond the hour's reach.
  await redis.del(k.recent);
  for (const [txn, ago] of [
    ['far', 200],
    ['near', 40],
  ] as const)
    await watch.record(watched({ card, txn, at: at(ago) }), day, ALL_RECENT);
  const short = await watch.record(watched({ card, txn: 'd', at: at(0) }), day, 60 * MINUTE);
  t.same(
    short.recent.map((x) => x.txn),
    ['near'],
    'the entry older than the reach is not sent back',
  );
  const all = await watch.record(watched({ card, txn: 'e', at: at(0) }), day, ALL_RECENT);
  t.same(
    all.recent.map((x) => x.txn),
    ['far', 'near', 'd'],
    'every one kept for ALL_RECENT',
  );
  const none = await watch.record(watched({ card, txn: 'f', at: at(0) }), day, 0);
  t.same(none, {
    issuer: 'bank-a',
    block: '',
    recent: [],
    json: JSON.stringify(watched({ card, txn: 'f', at: at(0) })),
  });
  t.equal(await redis.llen(k.recent), 5, 'all recorded, whatever the reach');
  t.match(JSON.parse((await redis.lindex(k.recent, -1))!), { seq: 5, txn: 'f' });
});

t.test('a list read before another process recorded the card is not taken as the earlier ones', async (t) => {
  const entry = (seq: number, minutesAgo: number): string =>
    `{"seq":${seq},${JSON.stringify(watched({ txn: `s${seq}`, at: T0 - minutesAgo * MINUTE })).slice(1)}`;
  const list = [entry(4, 50), entry(5, 40), entry(6, 30)];
  t.same(
    earlierOf(list, 5, 6, -Infinity)?.map((x) => x.txn),
    ['s5', 's6'],
    'seq 4 was folded by the script',
  );
  t.equal(earlierOf(list, 5, 7, -Infinity), undefined, 'seq 7 was recorded after the read: read again');
  t.equal(earlierOf([entry(6, 30)], 5, 6, -Infinity), undefined, 'seq 5 missing');
  t.same(earlierOf([], 7, 6, -Infinity), [], 'none kept');
  const after = [...list, entry(7, 20), entry(8, 10)];
  t.same(
    earlierOf(after, 5, 7, -Infinity, true)?.map((x) => x.txn),
    ['s5', 's6', 's7'],
    'read again: newer ones skipped',
  );
  t.same(
    earlierOf(after.slice(2), 5, 7, -Infinity, true)?.map((x) => x.txn),
    ['s6', 's7'],
    'one folded since: left out',
  );
  t.same(
    earlierOf(list, 4, 6, T0 - 35 * MINUTE)?.map((x) => x.txn),
    ['s6'],
    'within the reach only',
  );
  // Another process recorded s5 late (its queue behind): it sits after s4, older than both.
  const late = [entry(4, 5), entry(5, 60), entry(6, 3)];
  t.same(
    earlierOf(late, 4, 6, T0 - 10 * MINUTE)?.map((x) => x.txn),
    ['s4', 's6'],
    'an entry recorded late does not hide the ones before it',
  );
  const broken = `{"seq":7,"at":${T0 - MINUTE},"txn":`;
  t.same(
    earlierOf([...late, broken], 4, 7, T0 - 10 * MINUTE)?.map((x) => x.txn),
    ['s4', 's6'],
    'an entry that does not parse is skipped, not thrown on every evaluation',
  );
});

t.test('versions mixed: an entry without seq after numbered ones sends the list back as before', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const watch = new CardWatch(redis, prefix, new ManualClock(new Date(T0)), PROFILE_KEPT_MS);
  const card = 'card-mixed' as CardId;
  const k = cardKeys(prefix, card);
  await redis.hset(k.card, 'status', 'active', 'issuer', 'bank-a');
  const numbered = (seq: number, minutesAgo: number): string =>
    `{"seq":${seq},${JSON.stringify(watched({ card, txn: `s${seq}`, at: T0 - minutesAgo * MINUTE })).slice(1)}`;
  // s5 and s6 by this version, then one by an earlier version's process (no seq).
  await redis.rpush(
    k.recent,
    numbered(5, 30),
    numbered(6, 20),
    JSON.stringify(watched({ card, txn: 'old', at: T0 - 10 * MINUTE })),
  );
  const seen = await watch.record(watched({ card, txn: 'now', at: T0 }), 1440 * MINUTE, ALL_RECENT);
  t.same(
    seen.recent.map((x) => x.txn),
    ['s5', 's6', 'old'],
  );
  const next = await watch.record(watched({ card, txn: 'next', at: T0 }), 1440 * MINUTE, ALL_RECENT);
  t.same(
    next.recent.map((x) => x.txn),
    ['s5', 's6', 'old', 'now'],
    'and while the run of seqs stays broken',
  );
});

t.test("the day log's entry from the record's JSON is the entry it made itself", async (t) => {
  const tx = watched({ merchant: 'Café "Ø"\n', city: 'KØBENHAVN' });
  t.equal(loggedJson(tx, 'bank-a', JSON.stringify(tx)), JSON.stringify({ ...tx, issuer: 'bank-a' }));
  t.equal(loggedJson(tx, 'bank-"b"', JSON.stringify(tx)), JSON.stringify({ ...tx, issuer: 'bank-"b"' }));
  t.equal(loggedJson(tx, 'bank-a'), JSON.stringify({ ...tx, issuer: 'bank-a' }), 'without the JSON');
  const odd = { ...tx, issuer: 'x' } as WatchedTransaction;
  t.equal(loggedJson(odd, 'bank-a', JSON.stringify(odd)), JSON.stringify({ ...odd, issuer: 'bank-a' }));
});
