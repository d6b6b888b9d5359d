/**
 * A simulated day under a fake clock (real Redis, real BullMQ worker, real TCP): mixed traffic
 * across ten cut-offs; every posting lands in exactly one delivery, the deliveries add up to the
 * journal, the reconciliation is clean, and each DKT1 lost answer made exactly one reversal.
 */
import t from 'tap';
import { join } from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import { ManualClock } from '../../src/time/clock.js';
import { clearingWorker } from '../support/clearing-worker.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import { reconcileDay } from '../../src/clearing/day-reconciliation.js';
import type { Posting } from '../../src/journal/posting.js';
import { prng } from '../../bench/support/prng.js';

const KEY = '0123456789ABCDEFFEDCBA9876543210';
const DATE = '2026-11-21';

t.test('a day of mixed traffic over ten cut-offs reconciles to the øre', async (t) => {
  const clock = new ManualClock(new Date(`${DATE}T04:30:00Z`)); // 05:30 in Copenhagen
  const dir = t.testdir({
    'keys.json': JSON.stringify({ terminals: { DKT00001: { format: 0, key: KEY, model: 'dkt1' } } }),
  });
  const s = await startSwitch(t, { terminals: { keyFile: join(dir, 'keys.json') }, issuers: {} }, { clock });
  const { run } = await clearingWorker(t, s);
  const cards = [
    await addCard(s.sw, { balance: 10_000_000 }),
    await addCard(s.sw, { balance: 10_000_000, issuer: 'bank-b' }),
    await addCard(s.sw, { balance: 10_000_000 }),
  ];
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const rnd = prng(20261121);
  let dktStan = 0;
  let dktCompleted = '000000';
  const lostAnswers: string[] = [];
  let time = 0;
  const local = (): string =>
    `261121${String(6 + Math.floor(time / 3600)).padStart(2, '0')}${String(Math.floor(time / 60) % 60).padStart(2, '0')}${String(time % 60).padStart(2, '0')}`;
  const send = (m: IsoMessage): Promise<IsoMessage> => {
    time += 7;
    return term.send({ ...m, 12: local() });
  };

  for (let slot = 1; slot <= 10; slot++) {
    // Copenhagen is UTC+1 in November: traffic an hour before each cut-off (06:00, 08:00 ... 22:00, 23:59 local).
    clock.set(new Date(Date.UTC(2026, 10, 21, 2 + slot * 2, 0, 0)));
    for (let i = 0; i < 8; i++) {
      const card = cards[Math.floor(rnd() * cards.length)]!;
      const amount = String(100 + Math.floor(rnd() * 90_000)).padStart(12, '0');
      const sale = await send(purchase93({ 2: card.pan, 4: amount, 52: pinBlock('1234', card.pan) }));
      t.equal(sale[39], '000');
      if (i % 3 === 0) await send(purchase93({ 2: card.pan, 3: '200000', 4: '000000002000' }));
      if (i % 4 === 1) {
        // Fuel: authorise a maximum, complete with what was pumped.
        const auth = await send(purchase93({ 0: '1100', 2: card.pan, 4: '000000100000' }));
        const pumped = String(20_000 + Math.floor(rnd() * 80_000)).padStart(12, '0');
        const c = await send({
          0: '1220',
          2: card.pan,
          3: '000000',
          4: pumped,
          24: '202',
          41: 'TERM0001',
          49: '208',
          56: `1100${String(auth[11])}${String(auth[12])}`,
        });
        t.equal(c[39], '000');
      }
      if (i % 4 === 2) {
        // PSAM reversal of the sale, repeated once (1421), and an advice nobody can match.
        const advice = {
          0: '1420',
          2: card.pan,
          3: '000000',
          4: amount,
          11: `9${String(slot).padStart(2, '0')}${String(i).padStart(3, '0')}`,
          24: '400',
          25: '4021',
          41: 'TERM0001',
          49: '208',
          56: `1200${String(sale[11])}${String(sale[12])}`,
        };
        t.equal((await send(advice))[39], '400');
        t.equal((await term.send({ ...advice, 0: '1421', 12: local() }))[39], '400');
        t.equal(
          (
            await send({
              ...advice,
              11: `8${String(slot).padStart(2, '0')}${String(i).padStart(3, '0')}`,
              56: '1200999999261121000000',
            })
          )[39],
          '400',
        );
      }
      // A DKT1 sale; every third one's answer is "lost": the terminal keeps reporting the previous STAN.
      const stan = String(++dktStan).padStart(6, '0');
      const dkt = await send(
        purchase93({ 2: card.pan, 4: '000000005000', 11: stan, 41: 'DKT00001', 48: `01006${dktCompleted}` }),
      );
      t.equal(dkt[39], '000');
      if (dktStan % 3 === 0 || (slot === 10 && i === 7)) lostAnswers.push(`DKT00001-${String(dkt[12])}-${stan}`);
      else dktCompleted = stan;
    }
    clock.set(
      slot === 10
        ? new Date(Date.UTC(2026, 10, 21, 22, 59, 30))
        : new Date(Date.UTC(2026, 10, 21, 3 + slot * 2, 0, 30)),
    );
    const made = (await run({ kind: 'cutoff', date: DATE, number: slot })) as { number: number }[];
    t.equal(made[made.length - 1]!.number, slot, `delivery ${slot} made`);
  }

  await s.sw.postings.drain();
  const journal = (await s.sw.journal.range('0', '+')).map((e) => e.posting);
  const files = (await readdir(s.config.clearing.directory)).filter((n) => n.startsWith('delivery-')).sort();
  t.same(
    files,
    Array.from({ length: 10 }, (_, i) => `delivery-${DATE}-${String(i + 1).padStart(2, '0')}.txt`),
    'ten deliveries, nothing else visible',
  );
  const delivered = new Map<string, number>();
  let debit = 0;
  let credit = 0;
  for (const f of files) {
    const d = parseDelivery(await readFile(join(s.config.clearing.directory, f), 'latin1'));
    for (const sec of d.sections) for (const p of sec.postings) delivered.set(p.id, (delivered.get(p.id) ?? 0) + 1);
    debit += d.trailer.debit;
    credit += d.trailer.credit;
  }
  t.equal(delivered.size, journal.length, 'every journaled posting delivered');
  t.ok(
    [...delivered.values()].every((n) => n === 1),
    'each exactly once',
  );
  const sum = (dir: 'D' | 'C'): number => journal.filter((p) => p.direction === dir).reduce((a, p) => a + p.amount, 0);
  t.same([debit, credit], [sum('D'), sum('C')], "the deliveries' totals are the journal's, to the øre");
  for (const card of cards) {
    const own = journal.filter((p) => p.card === card.id);
    const net = own.reduce((a, p) => a + (p.direction === 'C' ? p.amount : -p.amount), 0);
    t.match(
      await s.sw.register.state(card.id),
      { balance: 10_000_000 + net, reserved: 0, unbooked: 0 },
      "each card's delivered postings booked on it once: nothing left held",
    );
  }
  const types = new Set(journal.map((p) => p.type));
  t.same([...types].sort(), ['purchase', 'refund', 'reversal'], 'purchases, refunds and reversals in the day');

  const report = JSON.parse(
    await readFile(join(s.config.clearing.directory, `reconciliation-${DATE}.json`), 'utf8'),
  ) as { clean: boolean; differences: string[]; unmatchedReversalAdvices: number };
  t.same(report.differences, [], 'the reconciliation after the 10th cut-off is clean');
  t.equal(report.clean, true);
  t.equal((await s.sw.unmatched.list()).length, 20, 'twenty unmatched advices kept');
  t.equal(report.unmatchedReversalAdvices, 20, 'the unmatched advices are counted (once each, repeats not)');

  // The last lost answer is never followed by another request from that terminal: it stands.
  const standing = lostAnswers.pop()!;
  const reversals = journal.filter((p: Posting) => p.type === 'reversal' && p.reason === 'switch');
  t.same(
    reversals.map((p) => p.txn).sort(),
    [...lostAnswers].sort(),
    "each DKT1 lost answer reversed, with the original's id",
  );
  for (const txn of lostAnswers) {
    const original = journal.filter((p) => p.txn === txn && p.type === 'purchase');
    t.equal(original.length, 1);
    t.equal(reversals.filter((p) => p.txn === txn)[0]!.amount, original[0]!.amount, 'same amount');
  }
  t.notOk(
    reversals.some((p) => p.txn === standing),
    'a terminal that never came back leaves its last transaction standing',
  );
});

t.test('a cut-off by hand goes by the clock; the scheduled run is then the same delivery', async (t) => {
  const clock = new ManualClock(new Date(`${DATE}T06:30:00Z`)); // 07:30 in Copenhagen
  const s = await startSwitch(t, {}, { clock });
  const { scheduler, run } = await clearingWorker(t, s);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  await term.send(purchase93({ 2: card.pan }));
  const manual = (await run({ kind: 'cutoff' })) as { date: string; number: number; postings: number }[];
  t.same(
    manual.map((m) => [m.date, m.number, m.postings]),
    [
      [DATE, 1, 0],
      [DATE, 2, 1],
    ],
    'by hand at 07:30: delivery 1 (06:00, passed) empty, delivery 2 (08:00, the slot of 07:30) with the posting',
  );
  await term.send(purchase93({ 2: card.pan }));
  const scheduled = (await run({ kind: 'cutoff', date: DATE, number: 2 })) as { number: number; postings: number }[];
  t.same(
    scheduled.map((d) => [d.number, d.postings]),
    [[2, 1]],
    'the scheduled delivery 2 is the one made by hand: the same posting',
  );
  const fourth = (await run({ kind: 'cutoff', date: DATE, number: 4 })) as { number: number; postings: number }[];
  t.same(
    fourth.map((d) => [d.number, d.postings]),
    [
      [3, 0],
      [4, 1],
    ],
    'a missed cut-off (3) is made first, empty, so numbers have no gap; its posting is in 4, cut off later',
  );
  await s.sw.ledger.seal(DATE, 5, '14:00');
  t.same(
    await s.sw.delivery.next(),
    { date: DATE, number: 5 },
    'a delivery sealed but never written (its run died) is the next one',
  );
  await run({ kind: 'cutoff' });
  t.equal((await s.sw.ledger.get(DATE, 5))!.file, `delivery-${DATE}-05.txt`, 'and is then written');
  const fresh = join(t.testdirName, 'no-such-dir');
  const { report } = await reconcileDay(
    {
      journal: s.sw.journal,
      ledger: s.sw.ledger,
      unmatched: s.sw.unmatched,
      directory: fresh,
      cutoffs: 10,
      timeZone: 'Europe/Copenhagen',
    },
    '2026-11-20',
  );
  t.equal(report.clean, false, 'a day without deliveries is not clean (and the directory is made for the report)');
  await scheduler.schedule();
  const schedulers = await scheduler.queue.getJobSchedulers();
  t.equal(schedulers.length, 11, 'ten cut-offs and the block list');
  t.ok(
    schedulers.some((x) => x.pattern === '59 23 * * *' && x.tz === 'Europe/Copenhagen'),
    "cron at local time in the register's zone",
  );
});
