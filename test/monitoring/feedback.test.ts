/**
 * The issuers' feedback on the monitoring's blocks (docs/MONITORING.md, "Feedback and tuning"),
 * over HTTP and TCP against a real Redis: velocity blocks made by purchases at a terminal, the
 * issuers' verdicts on them, the figures per rule and issuer (an issuer sees its own only), the
 * Prometheus gauges, and the block standing until its issuer lifts it.
 */
import t, { type Test } from 'tap';
import { velocityRules } from './fixtures.js';
import { type MonitoredSwitch, monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';
import { A, B, ISSUERS, TOKENS, call } from '../admin/fixtures/client.js';
import { OPERATOR_TOKEN } from '../support/switch.js';
import type { NewCard } from '../../src/card/card-register.js';

const THREE_IN_AN_HOUR = velocityRules(2);
const RULE = THREE_IN_AN_HOUR.rules[0]!.id;
const OP = OPERATOR_TOKEN;

function start(t: Test): Promise<MonitoredSwitch> {
  return startMonitoredSwitch(t, THREE_IN_AN_HOUR, {
    admin: { host: '127.0.0.1', port: 0, tokens: TOKENS },
    issuers: ISSUERS,
  });
}

/** A card the monitoring blocked: three purchases within the hour, the third answered before the block. */
async function blockedCard(t: Test, s: MonitoredSwitch, card: Partial<NewCard> = {}) {
  const c = await monitoredCard(s, card);
  for (let i = 0; i < 3; i++) t.equal(await pinPurchase(s, c.pan, 10_000), '000', `purchase ${i + 1} approved`);
  await s.evaluated();
  t.equal((await s.sw.register.state(c.id))?.block, 'fraud', 'blocked by the monitoring');
  return c;
}

const feedback = (s: MonitoredSwitch, id: string, body: unknown, token = A) =>
  call(s, 'POST', `/cards/${id}/monitoring-feedback`, { token, body });

const row = (issuer: string, blocks: number, justified: number, unjustified: number, precision: number | null) => ({
  rule: RULE,
  issuer,
  blocks,
  justified,
  unjustified,
  unanswered: blocks - justified - unjustified,
  precision,
});

t.test('verdicts move the figures per rule and issuer; an issuer sees its own only', async (t) => {
  const s = await start(t);
  const [a1, a2, a3] = [await blockedCard(t, s), await blockedCard(t, s), await blockedCard(t, s)];
  const b1 = await blockedCard(t, s, { issuer: 'bank-b' });

  const first = await feedback(s, a1.id, { justified: true });
  t.equal(first.status, 200);
  t.match(first.body, { card: a1.id, rule: RULE, verdict: 'justified', previous: null, blockedAt: String });
  t.equal((await feedback(s, a2.id, { justified: false, text: 'The holder made them' })).status, 200);
  t.equal((await feedback(s, b1.id, { justified: true }, B)).status, 200);
  // a3: not answered.

  const all = await call(s, 'GET', '/monitoring/figures', { token: OP });
  t.equal(all.status, 200);
  t.same(all.body, {
    rules: [row('bank-a', 3, 1, 1, 0.5), row('bank-b', 1, 1, 0, 1)],
    byRule: [{ rule: RULE, blocks: 4, justified: 2, unjustified: 1, unanswered: 1, precision: 2 / 3 }],
    byIssuer: [row('bank-a', 3, 1, 1, 0.5), row('bank-b', 1, 1, 0, 1)].map(({ rule: _, ...r }) => r),
  });
  const own = await call(s, 'GET', '/monitoring/figures', { token: A });
  t.same(own.body.rules, [row('bank-a', 3, 1, 1, 0.5)], "bank-a sees bank-a's figures");
  t.same(
    own.body.byIssuer.map((r: { issuer: string }) => r.issuer),
    ['bank-a'],
  );
  const other = await call(s, 'GET', '/monitoring/figures', { token: B });
  t.same(other.body.rules, [row('bank-b', 1, 1, 0, 1)], "bank-b sees bank-b's, not bank-a's");
  t.same(other.body.byRule, [{ rule: RULE, blocks: 1, justified: 1, unjustified: 0, unanswered: 0, precision: 1 }]);

  // The issuer changes its mind: the block moves from unjustified to justified.
  const changed = await feedback(s, a2.id, { justified: true });
  t.match(changed.body, { verdict: 'justified', previous: 'unjustified' });
  const again = await feedback(s, a2.id, { justified: true });
  t.match(again.body, { verdict: 'justified', previous: 'justified' }, 'the same verdict again');
  t.same((await call(s, 'GET', '/monitoring/figures', { token: A })).body.rules, [row('bank-a', 3, 2, 0, 1)]);

  // The verdict is kept on the block's interval in the card's history.
  const card = await call(s, 'GET', `/cards/${a2.id}`, { token: A });
  const block = card.body.blocks.at(-1);
  t.match(block, { reason: 'fraud', by: 'monitoring', rule: RULE, feedback: { verdict: 'justified' } });
  t.equal(block.transactions.length, 3, 'with the three purchases');
  t.notOk('text' in block.feedback, 'the later verdict replaced the earlier one, its text too');
  t.ok(Number.isFinite(Date.parse(block.feedback.at)), 'the time of the verdict, ISO');
  t.equal(card.body.block, 'fraud', 'a verdict lifts nothing');

  const metrics = await call(s, 'GET', '/metrics', { token: OP });
  t.equal(metrics.status, 200);
  for (const line of [
    `switch_monitoring_rule_blocks{rule="${RULE}",issuer="bank-a"} 3`,
    `switch_monitoring_rule_justified{rule="${RULE}",issuer="bank-a"} 2`,
    `switch_monitoring_rule_unjustified{rule="${RULE}",issuer="bank-a"} 0`,
    `switch_monitoring_rule_precision{rule="${RULE}",issuer="bank-a"} 1`,
    `switch_monitoring_rule_blocks{rule="${RULE}",issuer="bank-b"} 1`,
    `switch_monitoring_rule_precision{rule="${RULE}",issuer="bank-b"} 1`,
  ])
    t.ok(metrics.text.split('\n').includes(line), line);
  for (const c of [a1, a2, a3, b1]) {
    t.notOk(metrics.text.includes(c.pan), 'no PAN in the metrics');
    t.notOk(metrics.text.includes(c.pan.slice(-4)) && metrics.text.includes(c.pan.slice(0, 6)), 'no masked PAN');
    t.notOk(metrics.text.includes(c.id), 'no card id in the metrics');
  }
});

t.test('only the card issuer judges, with a body that says it; 409 without a monitoring block', async (t) => {
  const s = await start(t);
  const c = await blockedCard(t, s);
  const before = await s.sw.register.state(c.id);

  const others = await feedback(s, c.id, { justified: false }, B);
  t.equal(others.status, 403);
  t.same(others.body, { error: 'the card belongs to another issuer' });
  t.same(await s.sw.register.state(c.id), before, "bank-b's verdict is not kept");
  t.same((await call(s, 'GET', '/monitoring/figures', { token: OP })).body.rules, [row('bank-a', 1, 0, 0, null)]);
  t.equal((await feedback(s, '0'.repeat(32), { justified: true })).status, 404, 'no such card');

  const bad: [unknown, string][] = [
    [{}, '/justified'],
    [{ justified: 'yes' }, '/justified'],
    [{ justified: true, text: 'x'.repeat(501) }, '/text'],
    [{ justified: true, text: '   ' }, '/text'],
    [{ justified: true, blockedAt: 'yesterday' }, '/blockedAt'],
    [{ justified: true, colour: 'red' }, '/colour'],
  ];
  for (const [body, path] of bad) {
    const res = await feedback(s, c.id, body);
    t.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    t.match(res.body, { error: 'invalid request body', problems: [{ path, message: String }] });
  }
  const notJson = await call(s, 'POST', `/cards/${c.id}/monitoring-feedback`, { token: A, raw: '{justified' });
  t.same([notJson.status, notJson.body], [400, { error: 'the body is not valid JSON' }]);
  t.same(await s.sw.register.state(c.id), before, 'nothing kept from a refused body');

  const blockedAt = before!.blocks.at(-1)!.blockedAt;
  const elsewhen = new Date(Date.parse(String(blockedAt)) - 1).toISOString();
  const missed = await feedback(s, c.id, { justified: true, blockedAt: elsewhen });
  t.same([missed.status, missed.body], [409, { error: 'the card has no monitoring block made at that time' }]);
  const named = await feedback(s, c.id, { justified: true, text: 'Stolen wallet', blockedAt });
  t.equal(named.status, 200, 'the block named by its time');
  t.match(named.body, { blockedAt, verdict: 'justified' });

  const fresh = await monitoredCard(s);
  const none = await feedback(s, fresh.id, { justified: true });
  t.same([none.status, none.body], [409, { error: 'the card has no monitoring block' }]);
  t.equal((await call(s, 'POST', `/cards/${fresh.id}/block`, { token: A, body: { reason: 'lost' } })).status, 200);
  const lost = await feedback(s, fresh.id, { justified: true });
  t.equal(lost.status, 409, "an issuer's own block is not the monitoring's");
  t.same((await call(s, 'GET', '/monitoring/figures', { token: OP })).body.rules, [row('bank-a', 1, 1, 0, 1)]);
});

t.test('the block stands until its issuer lifts it; the block service cannot lift it', async (t) => {
  const s = await start(t);
  const c = await blockedCard(t, s);
  t.equal(await pinPurchase(s, c.pan, 10_000), '105', 'refused: blocked by the monitoring');
  t.same(await s.sw.register.liftBlock('', c.id), {
    ok: false,
    status: 'conflict',
    reason: "the block is the fraud monitoring's: only the card's issuer lifts it",
  });
  t.equal((await call(s, 'DELETE', `/cards/${c.id}/block`, { token: B })).status, 403, 'nor another issuer');
  t.equal((await feedback(s, c.id, { justified: false })).status, 200);
  t.equal(await pinPurchase(s, c.pan, 10_000), '105', 'a verdict lifts nothing');
  const lifted = await call(s, 'DELETE', `/cards/${c.id}/block`, { token: A });
  t.equal(lifted.status, 200);
  t.match(lifted.body.blocks.at(-1), { by: 'monitoring', liftedBy: 'bank-a', feedback: { verdict: 'unjustified' } });
  t.equal(await pinPurchase(s, c.pan, 10_000), '000', 'approved once its issuer lifted it');
  await s.evaluated();
});

t.test('the rules in force, for operators', async (t) => {
  const s = await start(t);
  const res = await call(s, 'GET', '/monitoring/rules', { token: OP });
  t.equal(res.status, 200);
  t.same(res.body, {
    source: s.rulesFile,
    rules: THREE_IN_AN_HOUR.rules,
    sparing: { minHistory: 10, minMerchantUses: 2, amountFactor: 2 },
    horizonMinutes: 60,
  });
  t.equal((await call(s, 'GET', '/monitoring/rules', { token: A })).status, 403, 'not for issuers');
});

t.test(
  'a monitoring block the figures never counted (as the seeded test card has): judged, nothing negative',
  async (t) => {
    const s = await start(t);
    const c = await monitoredCard(s);
    const made = await s.sw.modules.card.watch.block(c.id, { rule: RULE, description: 'seeded', transactions: [] });
    t.equal(made.status, 'ok');
    t.equal((await feedback(s, c.id, { justified: true })).status, 200);
    const block = (await call(s, 'GET', `/cards/${c.id}`, { token: A })).body.blocks.at(-1);
    // Lua's cjson would write an empty list as an object: a block naming none leaves the field out.
    t.equal(block.transactions, undefined, 'no transactions: none named');
    t.same((await call(s, 'GET', '/monitoring/figures', { token: A })).body.rules, [
      { rule: RULE, issuer: 'bank-a', blocks: 0, justified: 1, unjustified: 0, unanswered: 0, precision: 1 },
    ]);
  },
);
