/**
 * GET /terminals/:id/activity: who may read it (vendors), what it shows (the terminal's postings
 * and the notices its requests caused, since a time; masked PANs only), and its query's checks.
 */
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { call } from '../admin/fixtures/client.js';
import { addCard, pinBlock } from '../support/cards.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import type { TestSwitch } from '../support/switch.js';
import type { Posting } from '../../src/journal/posting.js';
import { journalSince } from '../../src/admin/activity-routes.js';
import { JOURNAL_SLACK_MS, JournalReader } from '../../src/journal/journal-reader.js';
import { BLOCK_SERVICE, ISSUER, VENDOR, startScenarioSwitch } from './fixtures/switch.js';

async function send(t: Test, s: TestSwitch, fields: Record<number, string | Buffer>) {
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  // A random time of day (field 12 must be a real date and time: it is the purchase time).
  const at = new Date(Date.UTC(2026, 10, 21) + Math.floor(Math.random() * 86_400) * 1000);
  const local = `261121${at.toISOString().slice(11, 19).replaceAll(':', '')}`;
  return term.send(purchase93({ 12: local, ...fields }));
}

t.test('auth: a vendor token reads it; no token 401, an unknown token 401, any other role 403', async (t) => {
  const s = await startScenarioSwitch(t);
  const path = '/terminals/TERM0001/activity?since=0';
  const none = await call(s, 'GET', path);
  t.equal(none.status, 401);
  t.match(none.headers.get('www-authenticate'), /^Bearer realm="switch-admin"/);
  t.equal((await call(s, 'GET', path, { token: 'not-a-configured-token' })).status, 401);
  for (const token of [ISSUER, BLOCK_SERVICE]) {
    const res = await call(s, 'GET', path, { token });
    t.equal(res.status, 403, token);
    t.match(res.body, { error: /this route is for terminal vendors; .* token cannot use it/ });
  }
  const ok = await call(s, 'GET', path, { token: VENDOR });
  t.equal(ok.status, 200);
  t.same(ok.body, { terminal: 'TERM0001', since: 0, postings: [], notices: [] });
});

t.test(
  "the terminal's postings and notices since the time given: masked PAN only, never the full PAN or panEnc",
  async (t) => {
    const s = await startScenarioSwitch(t);
    const card = await addCard(s.sw, { balance: 100_000 });
    const other = await addCard(s.sw);
    const before = Date.now();
    t.equal((await send(t, s, { 2: card.pan, 4: '000000001234', 41: 'ACT00001' }))[39], '000');
    t.equal((await send(t, s, { 2: card.pan, 3: '200000', 4: '000000000500', 41: 'ACT00001' }))[39], '000', 'a refund');
    t.equal(
      (await send(t, s, { 2: card.pan, 4: '000000000100', 41: 'ACT00001', 52: pinBlock('9999', card.pan) }))[39],
      '117',
      'a wrong PIN: a notice',
    );
    t.equal(
      (await send(t, s, { 2: other.pan, 4: '000000000700', 41: 'ACT00002', 52: pinBlock('9999', other.pan) }))[39],
      '117',
      'another terminal',
    );
    t.equal((await send(t, s, { 2: other.pan, 4: '000000000700', 41: 'ACT00002' }))[39], '000', 'another terminal');

    const res = await call(s, 'GET', `/terminals/ACT00001/activity?since=${before}`, { token: VENDOR });
    t.equal(res.status, 200);
    t.equal(res.body.terminal, 'ACT00001');
    t.equal(res.body.since, before);
    t.same(
      res.body.postings.map((p: Posting) => [p.type, p.amount, p.terminal, p.card]),
      [
        ['purchase', 1234, 'ACT00001', card.id],
        ['refund', 500, 'ACT00001', card.id],
      ],
      'its own postings, in journal order',
    );
    t.match(res.body.postings[0], {
      maskedPan: `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`,
      direction: 'D',
      txn: /^ACT00001-261121\d{6}-\d{6}$/,
      journalId: /^\d+-\d+$/,
      receivedAt: Number,
    });
    t.notOk('panEnc' in res.body.postings[0], 'no encrypted PAN');
    t.notOk(res.text.includes(card.pan), 'no full PAN anywhere in the answer');
    t.notOk(res.text.includes(other.pan));
    t.same(
      res.body.notices.map((n: { type: string; card: string; terminal: string; tries: number }) => [
        n.type,
        n.card,
        n.terminal,
        n.tries,
      ]),
      [['wrongPin', card.id, 'ACT00001', 1]],
    );

    const other2 = await call(s, 'GET', `/terminals/ACT00002/activity?since=${before}`, { token: VENDOR });
    t.same(
      other2.body.postings.map((p: Posting) => p.amount),
      [700],
    );
    t.same(
      other2.body.notices.map((n: { type: string }) => n.type),
      ['wrongPin'],
    );
    t.notOk(other2.text.includes(other.pan));

    const later = await call(s, 'GET', `/terminals/ACT00001/activity?since=${Date.now() + 60_000}`, { token: VENDOR });
    t.same([later.body.postings, later.body.notices], [[], []], 'nothing since a time after them');
    const none = await call(s, 'GET', '/terminals/NOBODY/activity?since=0', { token: VENDOR });
    t.same([none.body.postings, none.body.notices], [[], []], 'a terminal with no activity');
  },
);

t.test('query and terminal id problems: 400 with every problem, nothing quoted back', async (t) => {
  const s = await startScenarioSwitch(t);
  const problems = async (path: string) => {
    const res = await call(s, 'GET', path, { token: VENDOR });
    t.equal(res.status, 400, path);
    t.equal(res.body.error, 'invalid request query');
    return res.body.problems as { path: string; message: string }[];
  };
  t.same(await problems('/terminals/TERM0001/activity'), [{ path: '/since', message: 'is required' }]);
  t.same(await problems('/terminals/TERM0001/activity?since=1&since=2'), [
    { path: '/since', message: 'must be given once' },
  ]);
  t.same(await problems('/terminals/TERM0001/activity?since=yesterday'), [
    { path: '/since', message: 'must be a time in milliseconds since the epoch (0 or more)' },
  ]);
  t.same(await problems('/terminals/TERM0001/activity?since=-5'), [
    { path: '/since', message: 'must be a time in milliseconds since the epoch (0 or more)' },
  ]);
  t.same(await problems('/terminals/TERM0001/activity?since=0&5019000000000016=1&limit=3'), [
    { path: '/(an unknown property)', message: 'is not allowed' },
    { path: '/limit', message: 'is not allowed' },
  ]);
  t.same(await problems('/terminals/TOOLONGID/activity?since=0'), [
    { path: '/id', message: 'must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space' },
  ]);
  t.same(await problems('/terminals/TERM%20/activity?since=0'), [
    { path: '/id', message: 'must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space' },
  ]);
});

t.test('the journal is read backwards only as far as needed; at most maxScan entries', async (t) => {
  const s = await startScenarioSwitch(t);
  const now = Date.now();
  const posting = (terminal: string, receivedAt: number, amount: number): string =>
    JSON.stringify({
      id: randomUUID(),
      txn: `${terminal}-261121101530-000001`,
      type: 'purchase',
      direction: 'D',
      amount,
      currency: '208',
      card: 'c',
      maskedPan: '501900******0016',
      panEnc: 'secret',
      issuer: 'bank-a',
      terminal,
      merchant: 'M',
      stan: '000001',
      localTime: '261121101530',
      receivedAt,
      approvalCode: '123456',
      cardStatus: 'active',
    });
  await s.sw.journal.append(
    [
      posting('JRN00001', now - 3 * JOURNAL_SLACK_MS, 1),
      posting('JRN00001', now - 1000, 2),
      posting('JRN00002', now - 900, 3),
      posting('JRN00001', now - 800, 4),
      posting('JRN00001', now - 700, 5),
    ],
    now,
  );
  const reader = new JournalReader(s.redis, s.sw.journal.stream);
  const amounts = (r: { postings: { amount: number }[] }) => r.postings.map((p) => p.amount);
  const all = await journalSince(reader, 'JRN00001', 0);
  t.same([amounts(all), all.truncated], [[1, 2, 4, 5], false], 'everything since 0');
  t.notOk('panEnc' in all.postings[0]!);
  const recent = await journalSince(reader, 'JRN00001', now - 2000, { batch: 1, maxScan: 100 });
  t.same(
    [amounts(recent), recent.truncated],
    [[2, 4, 5], false],
    'stops at the first posting older than since less the slack',
  );
  const capped = await journalSince(reader, 'JRN00001', 0, { batch: 2, maxScan: 3 });
  t.same(
    [amounts(capped), capped.truncated],
    [[2, 4, 5], true],
    'at most maxScan entries (in whole batches), then truncated',
  );
  const future = await journalSince(reader, 'JRN00001', now + 3 * JOURNAL_SLACK_MS);
  t.same([amounts(future), future.truncated], [[], false]);
});
