/**
 * The monitoring across two switch processes (issue 17's done-when): the test's own switch and a
 * second switch in a process of its own (src/main.ts under tsx: test/support/process.ts),
 * on the same Redis, key prefix and rule file, each with its own monitor. A velocity pattern
 * whose purchases are answered alternately by the two is seen whole: the card is blocked once,
 * by whichever process answered the purchase that went over, and both refuse it (105).
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testRedisConfig } from '../support/redis.js';
import { startSwitchProcess } from '../support/process.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { pinBlock } from '../support/cards.js';
import { monitoredCard, startMonitoredSwitch } from './support.js';
import { velocityRules } from './fixtures.js';

t.test('a pattern answered by two switch processes in turn blocks the card once; both refuse it', async (t) => {
  const here = await startMonitoredSwitch(t, velocityRules(3));
  const card = await monitoredCard(here);
  const file = join(t.testdir(), 'switch.json');
  writeFileSync(
    file,
    JSON.stringify({
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0 }],
      admin: { host: '127.0.0.1', port: 0 },
      redis: { ...(await testRedisConfig()), keyPrefix: here.config.redis.keyPrefix },
      log: { level: 'info' },
      clearing: { enabled: false, directory: join(t.testdir(), 'clearing') },
      monitoring: { enabled: true, rulesFile: here.rulesFile },
    }),
  );
  const other = startSwitchProcess({ SWITCH_CONFIG: file });
  t.teardown(() => other.child.kill('SIGKILL'));
  const port = (await other.waitForLog((l) => l.msg === 'listening')).port as number;
  const terminals = [await TestTerminal.open(here.port('iso93')), await TestTerminal.open(port)];
  t.teardown(() => terminals.forEach((x) => x.close()));
  const buy = (i: number): Promise<string> =>
    terminals[i % 2]!.send(purchase93({ 2: card.pan, 4: '000000010000', 52: pinBlock('1234', card.pan) })).then((a) =>
      String(a[39]),
    );

  // Each answered and evaluated before the next: the card's record keeps them in order.
  const blockedAt = async (): Promise<string> => (await here.sw.register.state(card.id))?.block ?? '';
  for (let i = 0; i < 3; i++) {
    t.equal(await buy(i), '000', `purchase ${i + 1}, by process ${(i % 2) + 1}`);
    await here.evaluated();
  }
  t.equal(await blockedAt(), '', 'three purchases: no block');
  t.equal(await buy(3), '000', 'the fourth, answered by the other process, is approved by the normal rules');
  for (const until = Date.now() + 10_000; (await blockedAt()) === '' && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 20));
  const state = await here.sw.register.state(card.id);
  t.equal(state?.block, 'fraud', 'the other process blocked the card');
  const block = state?.blocks.at(-1) as unknown as { by: string; rule: string; transactions: string[] };
  t.match(block, { by: 'monitoring', rule: 'more-than-3-an-hour' });
  t.equal(block.transactions.length, 4, 'it saw the purchases both processes answered');
  t.equal(await buy(4), '105', 'refused by this process');
  t.equal(await buy(5), '105', 'and by the other');
  await here.evaluated();
  t.equal((await here.sw.register.state(card.id))?.blocks.length, 1, 'blocked once');
  t.same(
    (await here.sw.monitoring.stats.all()).get('more-than-3-an-hour')?.get('bank-a'),
    { blocks: 1, justified: 0, unjustified: 0 },
    'counted once, in the figures both processes share',
  );
});
