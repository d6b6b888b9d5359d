/** The posting relay and the journal on their own: idempotent appends, batching, sweeps after failures. */
import { CardOutboxes } from '../../src/card/outboxes.js';
import t from 'tap';
import { ManualClock } from '../../src/time/clock.js';
import { PostingJournal } from '../../src/journal/journal.js';
import { type LastApproved, LastApprovedTransactions } from '../../src/terminal-state/last-approved.js';
import { LINGER_MS, PostingRelay } from '../../src/journal/posting-relay.js';
import type { Posting } from '../../src/journal/posting.js';
import { testClient, testRedis } from '../support/redis.js';

const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));

function posting(n: number, extra: Partial<Posting> = {}): Posting {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    txn: `T1-261121100000-${String(n).padStart(6, '0')}`,
    type: 'purchase',
    direction: 'D',
    amount: 100 * n,
    currency: '208',
    card: 'c'.repeat(32),
    maskedPan: '501900******0016',
    panEnc: 'x',
    issuer: 'bank-a',
    terminal: 'T1',
    merchant: 'M',
    stan: String(n).padStart(6, '0'),
    localTime: '261121100000',
    receivedAt: clock.now().getTime(),
    approvalCode: '123456',
    cardStatus: 'active',
    originalAmount: 100 * n,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    purchasedAt: clock.now().getTime(),
    authorizedAt: clock.now().getTime(),
    merchantName: 'Bageriet',
    merchantCity: 'Aarhus',
    mcc: '5462',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'psam',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    ...extra,
  };
}

t.test('the journal appends a posting id once, in order, and reads ranges', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const journal = new PostingJournal(redis, prefix);
  t.equal(await journal.lastId(), '0-0', 'empty');
  t.equal(await journal.append([], 0), 0);
  const a = [posting(1), posting(2)].map((p) => JSON.stringify(p));
  t.equal(await journal.append(a, clock.now().getTime()), 2);
  t.equal(
    await journal.append([a[1]!, JSON.stringify(posting(3))], clock.now().getTime()),
    1,
    'the one seen before is skipped',
  );
  const all = await journal.range('0', '+');
  t.same(
    all.map((e) => e.posting.stan),
    ['000001', '000002', '000003'],
  );
  t.same(
    (await journal.range(all[0]!.at, all[1]!.at)).map((e) => e.posting.stan),
    ['000002'],
    'after (exclusive) .. to (inclusive)',
  );
  t.equal(await journal.lastId(), all[2]!.at);
  // Past 5,000 entries the range reads in pages.
  await journal.append(
    Array.from({ length: 5200 }, (_, i) => JSON.stringify(posting(10 + i))),
    clock.now().getTime(),
  );
  t.equal((await journal.range('0', '+')).length, 5203);
});

t.test('the relay: batches while an append runs, follows old terminals, sweeps only after a failure', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const conn = await testClient({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
  t.teardown(() => conn.disconnect());
  const journal = new PostingJournal(conn, prefix);
  const last = new LastApprovedTransactions(conn, prefix);
  const warned: string[] = [];
  const outboxes = new CardOutboxes(conn, prefix, 'postings');
  const relay = new PostingRelay({
    outboxes,
    journal,
    lastApproved: last,
    clock,
    log: { warn: (_o: object, m: string) => warned.push(m) } as never,
  });
  const card = 'c'.repeat(32);
  const put = async (p: Posting & { track?: 1 }): Promise<string> => {
    const json = JSON.stringify(p);
    await redis.rpush(outboxes.keyOf(card), json);
    return json;
  };
  const appends: number[] = [];
  const append = journal.append.bind(journal);
  journal.append = (jsons, now) => (appends.push(jsons.length), append(jsons, now));
  // In the outboxes first, then enqueued at once: a slow Redis round trip between two enqueues
  // (a loaded machine, a cluster) must not split what the test means as one burst.
  const burst: string[] = [];
  for (let i = 1; i <= 5; i++) burst.push(await put(posting(i)));
  for (const json of burst) relay.enqueue(card, json);
  await relay.drain();
  t.equal((await journal.range('0', '+')).length, 5);
  t.same(appends, [5], `one append for postings made within ${LINGER_MS} ms of each other`);
  t.equal(await redis.llen(outboxes.keyOf(card)), 0, 'taken out of the outbox');

  relay.enqueue(card, await put({ ...posting(6, { terminal: 'DKT1' }), track: 1 }));
  for (let i = 0; i < 100 && (await journal.range('0', '+')).length < 6; i++)
    await new Promise((r) => setTimeout(r, 10));
  t.equal((await journal.range('0', '+')).length, 6, 'appended after the wait without a drain');
  await relay.drain();
  t.match(
    await last.get('DKT1'),
    { txn: posting(6).txn, stan: '000006' },
    "an old terminal's approval becomes its last",
  );
  t.notOk('track' in (await journal.range('0', '+'))[5]!.posting, 'the journal does not keep the marker');
  await last.record('DKT1', { txn: 'older', card, stan: '000001', localTime: '261121090000', at: 1 });
  t.equal((await last.get('DKT1'))!.txn, posting(6).txn, 'an older record never replaces a newer one');
  await last.clear('DKT1', 'another');
  t.ok(await last.get('DKT1'), 'cleared only if it still names that transaction');
  await last.clear('DKT1', posting(6).txn);
  t.equal(await last.get('DKT1'), undefined);

  // The relay's copy comes late (its batch waits): it must not undo what happened meanwhile.
  const at = 5_000;
  const rec = (txn: string, stan: string, ms = at): LastApproved => ({
    txn,
    card,
    stan,
    localTime: '261121090000',
    at: ms,
  });
  await last.record('DKT2', rec('a', '000001'));
  await last.record('DKT2', rec('b', '000002'));
  t.equal((await last.get('DKT2'))!.txn, 'b', 'a live record of the same millisecond replaces');
  await last.recordLate('DKT2', rec('a', '000001'));
  t.equal((await last.get('DKT2'))!.txn, 'b', 'a late copy of the same millisecond does not');
  await last.clear('DKT2', 'b');
  await last.recordLate('DKT2', rec('b', '000002'));
  t.equal(await last.get('DKT2'), undefined, 'a late copy does not bring back an approval the switch reversed');
  await last.recordLate('DKT2', rec('c', '000003', at + 1));
  t.equal((await last.get('DKT2'))!.txn, 'c', 'a late copy of a newer approval is recorded (its live record was lost)');

  relay.startSweeping(10);
  t.teardown(() => relay.stopSweeping());
  const stranded = await put(posting(7));
  await new Promise((r) => setTimeout(r, 80));
  t.equal(await redis.llen(outboxes.keyOf(card)), 1, 'nothing failed: no periodic sweep');
  conn.disconnect(true);
  relay.enqueue(card, stranded);
  await relay.drain();
  t.same(warned, ['postings left in outboxes for the next sweep'], 'the move failed and said so');
  for (let i = 0; i < 200 && (await redis.llen(outboxes.keyOf(card))) > 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  t.equal(await redis.llen(outboxes.keyOf(card)), 0, 'the periodic sweep moved it after the failure');
  t.equal((await journal.range('0', '+')).length, 7, 'once');
});

t.test('a sweep that fails keeps the flag for the next one', async (t) => {
  const { prefix } = await testRedis(t);
  const conn = await testClient({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
  conn.disconnect();
  const warned: string[] = [];
  const relay = new PostingRelay({
    outboxes: new CardOutboxes(conn, prefix, 'postings'),
    journal: new PostingJournal(conn, prefix),
    lastApproved: new LastApprovedTransactions(conn, prefix),
    clock,
    log: { warn: (_o: object, m: string) => warned.push(m) } as never,
  });
  relay.enqueue('c'.repeat(32), JSON.stringify(posting(1)));
  await relay.drain();
  relay.startSweeping(5);
  await new Promise((r) => setTimeout(r, 60));
  relay.stopSweeping();
  t.ok(warned.filter((m) => m === 'posting sweep failed').length >= 2, 'it keeps trying');
});
