/**
 * Three strikes under concurrency: 200 wrong-PIN requests at once on one card, spread over two
 * switch processes sharing one Redis. The register decides each in one atomic Lua call, so
 * exactly the 1st and 2nd wrong tries get 117, the 3rd PIN-blocks (106) and every later one is
 * refused on the card's status (106) without counting as a try.
 */
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import { testRedisConfig } from '../support/redis.js';
import { startSwitchProcess } from '../support/process.js';

t.test('200 wrong PINs at once over two switch processes: 2 x 117, 198 x 106, 3 + 1 notices', async (t) => {
  const here = await startSwitch(t);
  const card = await addCard(here.sw);
  // The second switch: its own process, same Redis, same key prefix and register secret.
  const dir = mkdtempSync(join(tmpdir(), 'switch-two-'));
  const file = join(dir, 'switch.json');
  writeFileSync(
    file,
    JSON.stringify({
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0 }],
      admin: { host: '127.0.0.1', port: 0 },
      redis: { ...(await testRedisConfig()), keyPrefix: here.config.redis.keyPrefix },
      log: { level: 'info' },
      // As in every test switch (test/support/switch.ts): the three strikes alone.
      monitoring: { enabled: false },
    }),
  );
  const other = startSwitchProcess({ SWITCH_CONFIG: file });
  t.teardown(() => other.child.kill('SIGKILL'));
  const port = (await other.waitForLog((l) => l.msg === 'listening')).port as number;

  const connections = await Promise.all([
    ...Array.from({ length: 5 }, () => TestTerminal.open(here.port('iso93'))),
    ...Array.from({ length: 5 }, () => TestTerminal.open(port)),
  ]);
  t.teardown(() => connections.forEach((c) => c.close()));
  const wrong = purchase93({ 2: card.pan, 4: '000000001000', 52: pinBlock('0000', card.pan) });
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => connections[i % connections.length]!.send(wrong)),
  );
  const count = (code: string): number => answers.filter((a) => a[39] === code).length;
  t.equal(count('117'), 2, 'exactly two "wrong PIN"');
  t.equal(count('106'), 198, 'exactly 198 "PIN tries exceeded"');
  t.equal(answers.length, 200);
  const state = await here.sw.register.state(card.id);
  t.match(state, { pinBlocked: true, pinTries: 3 });
  await here.sw.relay.sweep();
  const notices = await here.sw.relay.notices('bank-a', { card: card.id });
  t.equal(notices.filter((n) => n.type === 'wrongPin').length, 3, 'three wrong-try notices');
  t.equal(notices.filter((n) => n.type === 'pinBlocked').length, 1, 'one PIN-block notice');
  t.ok(
    connections.slice(5).every((c) => c.received.length === 20),
    'the second process answered its share',
  );
});
