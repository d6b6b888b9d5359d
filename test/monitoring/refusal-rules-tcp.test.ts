/**
 * The rules about refusals over TCP against a real Redis: wrong CVCs in remote purchases block
 * the card (the next purchase, with the right CVC, is refused 105); wrong PINs for three
 * different cards at one terminal block all three, for two cards nothing, and a holder who
 * mistypes the PIN twice on one card is left alone. A fourth card tested at the terminal is
 * blocked too; the three blocked before keep their one block.
 */
import t from 'tap';
import { type MonitoredSwitch, monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';
import { pinBlock } from '../support/cards.js';
import { Terminal } from '../../terminals/index.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';

const CVC = '234';
const EXPIRY = '3012';

const RULES: RuleFile = {
  rules: [
    {
      id: 'card-testing',
      kind: 'cardTesting',
      description: 'Wrong PINs for 3 or more different cards at one terminal within 10 minutes',
      channels: ['attended', 'unattended', 'atm'],
      windowMinutes: 10,
      minCards: 3,
    },
    {
      id: 'remote-check-digits',
      kind: 'remoteFailures',
      description: 'More than 3 wrong or missing check digits (CVC) or expiry dates on one card within an hour',
      channels: ['internet', 'mailOrder', 'phoneOrder'],
      windowMinutes: 60,
      maxFailures: 3,
    },
  ],
};

/** A purchase with a wrong PIN at terminal `terminal`; answers field 39. */
const wrongPin = (s: MonitoredSwitch, pan: string, terminal = 'TERM0001'): Promise<string> =>
  pinPurchase(s, pan, 10_000, { 41: terminal, 52: pinBlock('9999', pan) });

/** The card's block reason ('' none) and how many blocks its history has. */
async function blockOf(s: MonitoredSwitch, id: string): Promise<{ block: string; blocks: number }> {
  const state = await s.sw.register.state(id);
  return { block: state?.block ?? '', blocks: state?.blocks.length ?? 0 };
}

t.test('remote purchases with wrong check digits block the card; the next purchase is refused 105', async (t) => {
  const s = await startMonitoredSwitch(t, RULES);
  const card = await monitoredCard(s, { cvc: CVC, expiry: EXPIRY });
  const gateway = await Terminal.open({ kind: 'gateway', terminalId: 'WEB00001', port: s.port('iso93') });
  t.teardown(() => gateway.close());
  const buy = (p: { cvc?: string; expiry?: string; channel?: 'internet' | 'mailOrder' }) =>
    gateway.remotePurchase({ pan: card.pan, amount: 7_500, authentication: 'threeDs', ...p });

  t.equal((await buy({ cvc: CVC, expiry: EXPIRY })).actionCode, '000', 'the right check digits: approved');
  t.equal((await buy({ cvc: '999', expiry: EXPIRY })).actionCode, '180', 'wrong CVC');
  t.equal((await buy({ expiry: EXPIRY, channel: 'mailOrder' })).actionCode, '181', 'CVC missing');
  t.equal((await buy({ cvc: CVC, expiry: '2901' })).actionCode, '182', 'wrong expiry');
  await s.evaluated();
  t.same(await blockOf(s, card.id), { block: '', blocks: 0 }, 'three failures: not more than 3');
  t.equal((await buy({ cvc: '111', expiry: EXPIRY })).actionCode, '180', 'the fourth: answered by the normal rules');
  await s.evaluated();
  const state = await s.sw.register.state(card.id);
  t.equal(state?.block, 'fraud', 'blocked by the monitoring');
  const last = state?.blocks.at(-1) as unknown as { rule: string; transactions: string[] };
  t.equal(last.rule, 'remote-check-digits');
  t.equal(last.transactions.length, 4, 'the block names the four failures');
  t.equal((await buy({ cvc: CVC, expiry: EXPIRY })).actionCode, '105', 'the next purchase is refused 105');
});

t.test('wrong PINs for 3 different cards at one terminal block all 3; a 4th is blocked too', async (t) => {
  const s = await startMonitoredSwitch(t, RULES);
  const cards = [await monitoredCard(s), await monitoredCard(s), await monitoredCard(s)];
  t.equal(await wrongPin(s, cards[0]!.pan), '117');
  t.equal(await wrongPin(s, cards[0]!.pan), '117', 'the first card tried twice');
  t.equal(await wrongPin(s, cards[1]!.pan), '117');
  await s.evaluated();
  for (const c of cards) t.same(await blockOf(s, c.id), { block: '', blocks: 0 }, 'two cards: nothing yet');
  t.equal(await wrongPin(s, cards[2]!.pan), '117', 'the third card: answered by the normal rules');
  await s.evaluated();
  for (const [i, c] of cards.entries()) {
    const state = await s.sw.register.state(c.id);
    t.equal(state?.block, 'fraud', `card ${i + 1} blocked`);
    const last = state?.blocks.at(-1) as unknown as { rule: string; transactions: string[] };
    t.equal(last.rule, 'card-testing');
    t.equal(last.transactions.length, i === 0 ? 2 : 1, `card ${i + 1}'s block names its own wrong PINs`);
    t.equal(await pinPurchase(s, c.pan, 10_000), '105', `card ${i + 1}: the right PIN is refused 105`);
  }
  const fourth = await monitoredCard(s);
  t.equal(await wrongPin(s, fourth.pan), '117');
  await s.evaluated();
  t.same(await blockOf(s, fourth.id), { block: 'fraud', blocks: 1 }, 'a fourth card tested there is blocked');
  for (const c of cards) t.equal((await blockOf(s, c.id)).blocks, 1, 'the three keep their one block');
  const figures = await s.sw.monitoring.stats.all();
  t.equal(figures.get('card-testing')?.get('bank-a')?.blocks, 4, 'four blocks counted');
});

t.test('wrong PINs for 2 cards at one terminal, or 3 cards at different terminals, block nothing', async (t) => {
  const s = await startMonitoredSwitch(t, RULES);
  const cards = [await monitoredCard(s), await monitoredCard(s), await monitoredCard(s)];
  t.equal(await wrongPin(s, cards[0]!.pan, 'TERM0001'), '117');
  t.equal(await wrongPin(s, cards[1]!.pan, 'TERM0001'), '117');
  t.equal(await wrongPin(s, cards[2]!.pan, 'TERM0002'), '117', 'the third card at another terminal');
  await s.evaluated();
  for (const c of cards) t.same(await blockOf(s, c.id), { block: '', blocks: 0 });
  for (const c of cards) t.equal(await pinPurchase(s, c.pan, 10_000), '000', 'the right PIN: approved');
});

t.test('a holder who mistypes the PIN twice on one card is left alone', async (t) => {
  const s = await startMonitoredSwitch(t, RULES);
  const card = await monitoredCard(s);
  t.equal(await wrongPin(s, card.pan), '117');
  t.equal(await wrongPin(s, card.pan), '117');
  t.equal(await pinPurchase(s, card.pan, 10_000), '000', 'the third try, right: approved');
  await s.evaluated();
  t.same(await blockOf(s, card.id), { block: '', blocks: 0 });
});

t.test('three holders who each mistype once at one terminal, then get it right, are left alone', async (t) => {
  const s = await startMonitoredSwitch(t, RULES);
  const cards = [await monitoredCard(s), await monitoredCard(s), await monitoredCard(s)];
  for (const c of cards) {
    t.equal(await wrongPin(s, c.pan), '117');
    await s.evaluated();
    t.equal(await pinPurchase(s, c.pan, 10_000), '000', 'then the right PIN');
    await s.evaluated();
  }
  for (const c of cards) t.same(await blockOf(s, c.id), { block: '', blocks: 0 });
});
