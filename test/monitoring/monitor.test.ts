/**
 * The live monitor over TCP against a real Redis: a rule that fires blocks the card after the
 * firing transaction was answered by the normal rules, the next one is refused with the
 * monitoring's own code, a card already blocked is left as it is, and the block and its notice
 * name the rule and the transactions.
 */
import t from 'tap';
import { monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';
import { startSwitch } from '../support/switch.js';
import { velocityRules, watched } from './fixtures.js';
import type { WatchedTransaction } from '../../src/monitoring/watched-transaction.js';

const THREE_IN_AN_HOUR = velocityRules(2);

t.test('the firing purchase is approved, the block lands after it, the next is refused 105', async (t) => {
  const s = await startMonitoredSwitch(t, THREE_IN_AN_HOUR);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 10_000), '000');
  t.equal(await pinPurchase(s, card.pan, 10_000), '000');
  await s.evaluated();
  t.equal((await s.sw.register.state(card.id))?.block ?? '', '', 'two purchases: no block');
  t.equal(await pinPurchase(s, card.pan, 10_000), '000', 'the third is answered by the normal rules');
  await s.evaluated();
  const state = await s.sw.register.state(card.id);
  t.equal(state?.block, 'fraud', 'blocked by the monitoring');
  const last = state?.blocks.at(-1) as unknown as Record<string, unknown>;
  t.match(last, { reason: 'fraud', by: 'monitoring', rule: 'more-than-2-an-hour' });
  t.equal((last.transactions as string[]).length, 3, 'the block names the three purchases');
  t.equal(await pinPurchase(s, card.pan, 10_000), '105', 'the next purchase is refused: blocked by the monitoring');
  await s.evaluated();
  t.equal((await s.sw.register.state(card.id))?.blocks.length, 1, 'an alert on a blocked card does nothing more');
  const feed = await s.sw.relay.notices('bank-a', { card: card.id });
  t.match(
    feed,
    [{ type: 'monitoringBlock', rule: 'more-than-2-an-hour', reason: 'fraud', by: 'monitoring' }],
    'the issuer is told at once',
  );
  const figures = await s.sw.monitoring.stats.all();
  t.same(figures.get('more-than-2-an-hour')?.get('bank-a'), { blocks: 1, justified: 0, unjustified: 0 });
});

t.test('a card blocked by its issuer keeps that block', async (t) => {
  const s = await startMonitoredSwitch(t, THREE_IN_AN_HOUR);
  const card = await monitoredCard(s);
  for (let i = 0; i < 2; i++) t.equal(await pinPurchase(s, card.pan, 10_000), '000');
  t.ok((await s.sw.register.block('bank-a', card.id, 'issuer', new Date())).ok);
  t.equal(await pinPurchase(s, card.pan, 10_000), '104');
  await s.evaluated();
  const state = await s.sw.register.state(card.id);
  t.equal(state?.block, 'issuer');
  t.equal(state?.blocks.length, 1);
});

t.test(
  "the card's record: an unreadable entry is dropped; a blocked card's transactions are kept, none sent back",
  async (t) => {
    const s = await startMonitoredSwitch(t, THREE_IN_AN_HOUR);
    const card = await monitoredCard(s);
    const recent = `${s.config.redis.keyPrefix}card:{${card.id}}:recent`;
    await s.redis.rpush(recent, 'not json', '{"at":"soon"}');
    t.equal(await pinPurchase(s, card.pan, 10_000), '000');
    await s.evaluated();
    const left = await s.redis.lrange(recent, 0, -1);
    t.equal(left.length, 1, 'the two unreadable entries are gone');
    t.match(JSON.parse(left[0]!), { card: card.id, outcome: 'approved' });
    t.ok((await s.sw.register.block('bank-a', card.id, 'issuer', new Date())).ok);
    t.equal(await pinPurchase(s, card.pan, 10_000), '104');
    await s.evaluated();
    t.equal(await s.redis.llen(recent), 2, "the blocked card's transaction is kept");
    const again = await s.sw.modules.card.watch.record(
      { ...(JSON.parse(left[0]!) as WatchedTransaction), txn: 'another' },
      3_600_000,
    );
    t.match(again, { issuer: 'bank-a', block: 'issuer', recent: [] }, 'nothing sent back to evaluate');
  },
);

t.test('the holder profile: a web shop abroad is a country used, not a country the card was in', async (t) => {
  const s = await startMonitoredSwitch(t, THREE_IN_AN_HOUR);
  const card = await monitoredCard(s);
  const base = watched({
    card: card.id,
    txn: 'web-1',
    at: Date.now() - 60_000,
    channel: 'internet',
    entryMode: 'remote',
    verification: 'none',
    terminal: 'WEB00001',
    merchant: 'SHOP-SE',
    country: '752',
  });
  const { watch } = s.sw.modules.card;
  await watch.record(base, 1);
  await watch.record({ ...base, txn: 'shop-1', channel: 'attended', entryMode: 'chip', country: '578' }, 1);
  // A horizon of 1 ms: each record folds the one before into the profile.
  await watch.record({ ...base, txn: 'home-1', channel: 'attended', country: '208', at: Date.now() }, 1);
  const profile = await watch.profile(card.id, [], ['752', '578']);
  t.same(profile.countries, { '752': 1, '578': 1 }, 'both countries used');
  t.same(profile.present, { '752': 0, '578': 1 }, 'only Norway with the card there');
});

t.test('with the monitoring off nothing is watched: no monitor, no record on the card', async (t) => {
  const s = await startSwitch(t);
  t.equal(s.sw.monitoring.monitor, undefined);
  const card = await monitoredCard(s);
  t.equal(await pinPurchase(s, card.pan, 10_000), '000');
  t.equal(await s.redis.exists(`${s.config.redis.keyPrefix}card:{${card.id}}:recent`), 0);
});
