/**
 * The switch process killed (SIGKILL) under load: after a restart, every approval a terminal
 * received has exactly one posting, nothing is doubled, and the day's deliveries reconcile clean.
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
import { reconcileDay } from '../../src/clearing/day-reconciliation.js';

t.test('SIGKILL under load: each approval received has exactly one posting; the day reconciles', async (t) => {
  const here = await startSwitch(t);
  const cards = await Promise.all(Array.from({ length: 4 }, () => addCard(here.sw, { balance: 1_000_000_000 })));
  const dir = mkdtempSync(join(tmpdir(), 'switch-kill-'));
  const file = join(dir, 'switch.json');
  writeFileSync(
    file,
    JSON.stringify({
      listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0 }],
      admin: { host: '127.0.0.1', port: 0 },
      redis: { ...(await testRedisConfig()), keyPrefix: here.config.redis.keyPrefix },
      log: { level: 'warn' },
      clearing: { enabled: false, directory: join(dir, 'clearing') },
      // Four cards hammered: the fraud monitoring's rules would block them (test/support/switch.ts).
      monitoring: { enabled: false },
    }),
  );
  const first = startSwitchProcess({ SWITCH_CONFIG: file, LOG_LEVEL: 'info' });
  t.teardown(() => first.child.kill('SIGKILL'));
  const port = (await first.waitForLog((l) => l.msg === 'listening')).port as number;

  // Ten terminals send purchases back to back until the switch dies under them.
  const received: string[] = [];
  const terminals = await Promise.all(Array.from({ length: 10 }, () => TestTerminal.open(port)));
  t.teardown(() => terminals.forEach((x) => x.close()));
  const loops = terminals.map(async (term, i) => {
    const card = cards[i % cards.length]!;
    while (!term.socket.destroyed) {
      const answer = await Promise.race([
        term.send(purchase93({ 2: card.pan, 4: '000000001000', 52: pinBlock('1234', card.pan) })),
        term.closed.then(() => undefined),
      ]);
      if (answer?.[39] === '000') received.push(`TERM0001-${String(answer[12])}-${String(answer[11])}`);
    }
  });
  // Under load means answers flowing: killed once more than 50 were received (a loaded CI machine
  // running a Redis Cluster may take longer than an idle one to get there), at most after 15 s.
  const deadline = Date.now() + 15_000;
  while (received.length <= 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  first.child.kill('SIGKILL');
  await first.exited;
  await Promise.all(loops);
  t.ok(received.length > 50, `approvals were answered before the kill (${received.length})`);

  // The restarted switch moves what the dead one left in card outboxes before it listens.
  const second = startSwitchProcess({ SWITCH_CONFIG: file, LOG_LEVEL: 'info' });
  t.teardown(() => second.child.kill('SIGKILL'));
  await second.waitForLog((l) => l.msg === 'listening');
  const outboxes = await Promise.all(
    cards.map((c) => here.redis.llen(here.sw.modules.card.postingOutboxes.keyOf(c.id))),
  );
  t.same(outboxes, [0, 0, 0, 0], 'no posting left in an outbox');
  const journal = (await here.sw.journal.range('0', '+')).map((e) => e.posting);
  const byTxn = new Map<string, number>();
  for (const p of journal) byTxn.set(p.txn, (byTxn.get(p.txn) ?? 0) + 1);
  t.ok(
    received.every((txn) => byTxn.get(txn) === 1),
    'every approval a terminal received: exactly one posting',
  );
  t.ok(
    [...byTxn.values()].every((n) => n === 1),
    'no transaction posted twice',
  );
  t.equal(new Set(journal.map((p) => p.id)).size, journal.length, 'no posting journaled twice');
  t.ok(
    journal.length >= received.length,
    `postings (${journal.length}) cover the answers received (${received.length}); the rest were approved but never answered`,
  );

  // The day's deliveries, made by the test's switch on the same Redis, reconcile clean.
  const date = '2026-11-21';
  await here.sw.delivery.deliver(date, 10);
  const { report } = await reconcileDay(
    {
      journal: here.sw.journal,
      ledger: here.sw.ledger,
      unmatched: here.sw.unmatched,
      directory: here.config.clearing.directory,
      cutoffs: 10,
      timeZone: 'Europe/Copenhagen',
    },
    date,
  );
  t.same(report.differences, [], 'the deliveries reconcile with the journal');
  t.equal(report.journal.overall.count, journal.length);
});
