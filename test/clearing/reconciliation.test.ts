/**
 * End-of-day reconciliation: a clean day, then each kind of difference on its own, each named in
 * a plain sentence that shows a masked PAN at most.
 */
import t, { type Test } from 'tap';
import {
  LAYOUTS,
  RECORD_LENGTH,
  deliveryFileName,
  formatDelivery,
  type DeliveryHeader,
  type RecordCode,
} from '../../src/clearing/delivery-file.js';
import {
  formatReport,
  reconcile,
  type ReconciliationInput,
  type ReconciliationReport,
} from '../../src/clearing/reconciliation.js';
import { maskPan } from '../../src/codec/mask.js';
import { transactionId, type JournalPosting as Posting } from '../../src/journal/posting.js';

// Test PANs only (docs/TEST-CARDS.md: made-up numbers).
const PANS = ['5019000000000016', '5019000000000024', '5019000000000032', '5019000000000040', '5019000000000057'];
const DATE = '2026-11-21';

const pans = new Map<string, string>();
const panOf = (p: Posting): string => pans.get(p.id) ?? '';
let seq = 0;

/** A posting with plausible values; the full PAN is kept beside it, as the cipher would. */
function posting(fields: Partial<Posting> = {}, pan = PANS[seq % PANS.length] ?? ''): Posting {
  seq += 1;
  const terminal = fields.terminal ?? 'TERM0001';
  const localTime = fields.localTime ?? '261121091530';
  const stan = fields.stan ?? String(100000 + seq);
  const p: Posting = {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    txn: transactionId(terminal, localTime, stan),
    type: 'purchase',
    direction: 'D',
    amount: 10_000 + seq,
    currency: '208',
    card: `card-${seq}`,
    maskedPan: maskPan(pan),
    panEnc: '(encrypted)',
    issuer: 'bank-a',
    terminal,
    merchant: 'MERCHANT0000001',
    stan,
    localTime,
    receivedAt: Date.UTC(2026, 10, 21, 8, 0, 0, 0) + seq * 1000,
    approvalCode: '123456',
    cardStatus: 'active',
    ...fields,
  };
  pans.set(p.id, pan);
  return p;
}

const header = (number: number, date = DATE): DeliveryHeader => ({
  date,
  number,
  cutoff: `${String(Math.min(4 + 2 * number, 23)).padStart(2, '0')}:00`,
});

function file(number: number, postings: Posting[], date = DATE): { name: string; text: string } {
  const h = header(number, date);
  return { name: deliveryFileName(h), text: formatDelivery(h, postings, panOf) };
}

interface Day {
  journal: Posting[];
  /** The journal split by delivery: batches[n - 1] went in delivery n. */
  batches: Posting[][];
  input: ReconciliationInput;
}

/** Three deliveries, two and three issuers, every posting type; the third delivery is empty. */
function cleanDay(): Day {
  const purchase = posting({ issuer: 'bank-b', amount: 25_000 });
  const batches: Posting[][] = [
    [
      posting({ issuer: 'bank-a', amount: 12_500 }),
      purchase,
      posting({ issuer: 'bank-a', type: 'refund', direction: 'C', amount: 5_000 }),
    ],
    [
      posting({ issuer: 'bank-c', amount: 700 }),
      posting({
        issuer: 'bank-b',
        type: 'reversal',
        direction: 'C',
        amount: 25_000,
        txn: purchase.txn,
        reverses: purchase.txn,
        reason: 'switch',
      }),
      posting({
        issuer: 'bank-a',
        type: 'cancellation',
        direction: 'C',
        amount: 300,
        reverses: 'TERM0001-261121091530-100099',
        txn: 'TERM0001-261121091530-100099',
      }),
    ],
    [],
  ];
  const journal = batches.flat();
  const deliveries = batches.map((b, i) => file(i + 1, b));
  return { journal, batches, input: { date: DATE, journal, deliveries, expectedNumbers: [1, 2, 3] } };
}

/** Replaces one field of one record (same width) in a delivery file's text. */
function setField(text: string, lineIndex: number, code: RecordCode, name: string, value: string): string {
  const f = LAYOUTS[code].fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(name);
  const lines = text.split('\n');
  const line = lines[lineIndex] ?? '';
  if (line.slice(0, 2) !== code) throw new Error(`line ${lineIndex + 1} is not ${code}`);
  lines[lineIndex] =
    line.slice(0, f.start - 1) + value.padStart(f.width, '0').slice(-f.width) + line.slice(f.start - 1 + f.width);
  return lines.join('\n');
}

/** Not clean, one sentence matching each pattern, and no full PAN anywhere in the report. */
function expectDifferences(t: Test, report: ReconciliationReport, ...patterns: RegExp[]): void {
  t.equal(report.clean, false, 'not clean');
  for (const pattern of patterns) {
    t.ok(
      report.differences.some((d) => pattern.test(d)),
      `a difference matching ${String(pattern)}`,
    );
  }
  const text = formatReport(report);
  for (const pan of PANS) t.notMatch(text, pan, 'no full PAN in the report');
}

t.test('a clean day: several deliveries and issuers, every type', async (t) => {
  const day = cleanDay();
  const report = reconcile(day.input);
  t.same(report.differences, []);
  t.equal(report.clean, true);
  t.same(report.journal, report.deliveries, 'the same totals on both sides');
  t.same(report.journal.byType, {
    purchase: { count: 3, amount: 12_500 + 25_000 + 700 },
    cancellation: { count: 1, amount: 300 },
    reversal: { count: 1, amount: 25_000 },
    refund: { count: 1, amount: 5_000 },
    withdrawal: { count: 0, amount: 0 },
    fee: { count: 0, amount: 0 },
    chargeback: { count: 0, amount: 0 },
    redebit: { count: 0, amount: 0 },
  });
  t.same(report.journal.byIssuer, {
    'bank-a': { count: 3, debit: 12_500, credit: 5_300 },
    'bank-b': { count: 2, debit: 25_000, credit: 25_000 },
    'bank-c': { count: 1, debit: 700, credit: 0 },
  });
  t.same(Object.keys(report.journal.byIssuer), ['bank-a', 'bank-b', 'bank-c'], 'issuers in id order');
  t.same(report.journal.overall, { count: 6, debit: 38_200, credit: 30_300 });
  t.notOk('unmatchedReversalAdvices' in report, 'no count when none was given');
  // The order of the files given does not matter.
  t.same(reconcile({ ...day.input, deliveries: [...day.input.deliveries].reverse() }), report);
});

t.test('the report as text', async (t) => {
  const day = cleanDay();
  const text = formatReport(reconcile({ ...day.input, unmatchedReversalAdvices: 2 }));
  t.equal(
    text,
    [
      `Reconciliation of ${DATE}: clean`,
      'Amounts in øre.',
      '',
      'By issuer',
      '        journal count  debit  credit  delivered count  debit  credit',
      'bank-a              3  12500    5300                3  12500    5300',
      'bank-b              2  25000   25000                2  25000   25000',
      'bank-c              1    700       0                1    700       0',
      'all                 6  38200   30300                6  38200   30300',
      '',
      'By type',
      '              journal count  amount  delivered count  amount',
      'purchase                  3   38200                3   38200',
      'cancellation              1     300                1     300',
      'reversal                  1   25000                1   25000',
      'refund                    1    5000                1    5000',
      'withdrawal                0       0                0       0',
      'fee                       0       0                0       0',
      'chargeback                0       0                0       0',
      'redebit                   0       0                0       0',
      '',
      'Differences: none',
      '',
      'Reversal advices without an original: 2',
      '',
    ].join('\n'),
  );
  const dirty = formatReport(reconcile({ ...day.input, journal: day.journal.slice(1) }));
  t.match(dirty, /^Reconciliation of 2026-11-21: 3 differences\n/);
  t.match(dirty, /^bank-a +2 +0 +5300 +3 +12500 +5300 +differs$/m, 'a row that differs is marked');
  t.match(dirty, /^purchase +2 +25700 +3 +38200 +differs$/m);
  t.match(
    dirty,
    /\nDifferences\n {2}1\. Posting \S+ in \S+ \(purchase D 12500 øre, issuer bank-a, card 501900\*{6}\d{4}\) is not in the journal\.\n {2}2\. /,
  );
  const one = formatReport(reconcile({ ...day.input, expectedNumbers: [1, 2, 3, 4] }));
  t.match(one, /: 1 difference\n/);
});

/** A chargeback or redebit of an earlier purchase (the disputes' postings, src/disputes/dispute-postings.ts). */
function disputePosting(type: 'chargeback' | 'redebit', issuer: string, amount: number, caseNumber: string): Posting {
  return posting({
    issuer,
    type,
    direction: type === 'chargeback' ? 'C' : 'D',
    amount,
    txn: 'TERM0001-261118120000-000777',
    stan: '000777',
    localTime: '261118120000',
    caseNumber,
    disputeReason: type === 'chargeback' ? 'thirdPartyPin' : 'insufficientFunds',
    creditAccount: type === 'chargeback' ? 'standard' : '40401234567890',
  });
}

t.test('chargebacks and redebits: counted per type and by direction, and reconciled like any posting', async (t) => {
  const day = cleanDay();
  const chargeback = disputePosting('chargeback', 'bank-a', 100_000, 'D00000042');
  const redebit = disputePosting('redebit', 'bank-b', 40_000, 'D00000017');
  const batches = [
    [chargeback, redebit, ...(day.batches[0] ?? [])],
    day.batches[1] ?? [],
    [chargeback, redebit].slice(2),
  ];
  const journal = batches.flat();
  const deliveries = batches.map((b, i) => file(i + 1, b));
  const input: ReconciliationInput = { ...day.input, journal, deliveries };
  const report = reconcile(input);
  t.same(report.differences, [], 'clean');
  t.match(report.journal.byType, {
    chargeback: { count: 1, amount: 100_000 },
    redebit: { count: 1, amount: 40_000 },
    purchase: { count: 3, amount: 38_200 },
  });
  t.same(report.deliveries, report.journal, 'the same totals on both sides');
  t.same(report.journal.byIssuer, {
    'bank-a': { count: 4, debit: 12_500, credit: 5_300 + 100_000 },
    'bank-b': { count: 3, debit: 25_000 + 40_000, credit: 25_000 },
    'bank-c': { count: 1, debit: 700, credit: 0 },
  });
  t.same(report.journal.overall, { count: 8, debit: 38_200 + 40_000, credit: 30_300 + 100_000 });
  const text = formatReport(report);
  t.match(text, /^chargeback +1 +100000 +1 +100000$/m, 'the report lists them');
  t.match(text, /^redebit +1 +40000 +1 +40000$/m);

  // In the file: the chargeback in its section's credit, the redebit in its debit, both in the delivery's totals.
  const lines = deliveries[0]!.text.split('\n');
  const field = (code: RecordCode, name: string, line: string): string => {
    const f = LAYOUTS[code].fields.find((x) => x.name === name)!;
    return line.slice(f.start - 1, f.start - 1 + f.width);
  };
  const st = lines
    .filter((l) => l.startsWith('ST'))
    .map((l) => [field('ST', 'debit', l), field('ST', 'credit', l)].map(Number));
  t.same(st, [
    [12_500, 5_000 + 100_000],
    [25_000 + 40_000, 0],
  ]);
  const dt = lines.find((l) => l.startsWith('DT'))!;
  t.same([field('DT', 'debit', dt), field('DT', 'credit', dt)].map(Number), [12_500 + 25_000 + 40_000, 105_000]);

  // Missing from the deliveries: named, and its type's and issuer's totals differ.
  const missing = reconcile({ ...input, deliveries: [file(1, batches[0]!.slice(1)), ...deliveries.slice(1)] });
  expectDifferences(
    t,
    missing,
    /^Posting \S+ \(chargeback C 100000 øre, issuer bank-a, card 501900\*{6}\d{4}\) is in the journal but in no delivery\.$/,
    /^Totals of type chargeback differ: journal 1 posting, 100000 øre; deliveries 0 postings, 0 øre\.$/,
    /^Totals of issuer bank-a differ: journal 4 postings, debit 12500, credit 105300 øre; /,
  );
  // Delivered with another case, reason and account than the journal's: each field named.
  const other = { ...redebit, caseNumber: 'D00000018', disputeReason: 'duplicate', creditAccount: 'standard' };
  const changed = reconcile({
    ...input,
    deliveries: [file(1, [chargeback, other, ...batches[0]!.slice(2)]), ...deliveries.slice(1)],
  });
  expectDifferences(
    t,
    changed,
    /differs from the journal: caseNumber D00000017 in the journal, D00000018 in the delivery; disputeReason insufficientFunds in the journal, duplicate in the delivery; creditAccount 404012\*{4}7890 in the journal, standard in the delivery\.$/,
  );
  // The account number is shown masked: the report masks any run of 13 digits or more, as it might be a PAN.
  t.equal(changed.differences.length, 1, 'the totals agree: only the fields differ');
});

t.test('a delivery number expected but missing', async (t) => {
  const day = cleanDay();
  const report = reconcile({ ...day.input, expectedNumbers: [1, 2, 3, 4] });
  t.same(report.differences, ['Delivery 4 is missing: no readable delivery file has that number.']);
  expectDifferences(t, report);
});

t.test('a delivery number not expected, or twice', async (t) => {
  const day = cleanDay();
  const extra = file(11, []);
  expectDifferences(
    t,
    reconcile({ ...day.input, deliveries: [...day.input.deliveries, extra] }),
    /^delivery-2026-11-21-11\.txt: delivery number 11 was not expected \(expected 1, 2, 3\)\.$/,
  );
  const again = { name: 'copy-of-3.txt', text: file(3, []).text };
  expectDifferences(
    t,
    reconcile({ ...day.input, deliveries: [...day.input.deliveries, again] }),
    /^Delivery 3 is in 2 files: copy-of-3\.txt, delivery-2026-11-21-03\.txt\.$/,
  );
  // The same file given twice (two directories read into one list) is the same difference.
  const same = day.input.deliveries[2] ?? again;
  expectDifferences(
    t,
    reconcile({ ...day.input, deliveries: [same, ...day.input.deliveries] }),
    /^Delivery 3 is in 2 files: delivery-2026-11-21-03\.txt, delivery-2026-11-21-03\.txt\.$/,
  );
});

t.test('a delivery file that does not parse', async (t) => {
  const day = cleanDay();
  const broken = day.input.deliveries.map((d, i) =>
    i === 0 ? { ...d, text: d.text.slice(0, (RECORD_LENGTH + 1) * 2 + 274) } : d,
  );
  const report = reconcile({ ...day.input, deliveries: broken });
  expectDifferences(
    t,
    report,
    /^delivery-2026-11-21-01\.txt does not parse: line 3: the last record has no line end: the file is truncated\.$/,
    /^Delivery 1 is missing/,
    /is in the journal but in no delivery/,
  );
  // A failure that is not about the file is a bug, not a difference: it is not swallowed.
  t.throws(() => reconcile({ ...day.input, deliveries: [{ name: 'x', text: 42 as unknown as string }] }), TypeError);
});

t.test('a delivery whose header date is another day', async (t) => {
  const day = cleanDay();
  const deliveries = [...day.input.deliveries];
  deliveries[2] = file(3, [], '2026-11-20');
  const report = reconcile({ ...day.input, deliveries });
  t.same(report.differences, [
    'delivery-2026-11-20-03.txt: header date 2026-11-20, but the day reconciled is 2026-11-21.',
  ]);
  expectDifferences(t, report);
});

t.test('a section trailer that does not match its records', async (t) => {
  const day = cleanDay();
  const deliveries = [...day.input.deliveries];
  const first = deliveries[0];
  if (first === undefined) throw new Error('no delivery');
  // Delivery 1: DH, SH bank-a, PO, PO, CT bank-a, ST bank-a, SH bank-b, PO, CT bank-b, ST bank-b, CT, DT.
  let text = setField(first.text, 5, 'ST', 'count', '3');
  text = setField(text, 5, 'ST', 'debit', '1');
  deliveries[0] = { ...first, text };
  const report = reconcile({ ...day.input, deliveries });
  t.same(report.differences, [
    'delivery-2026-11-21-01.txt: the section trailer of issuer bank-a does not match its records: count 3 in the trailer, 2 in the records; debit (øre) 1 in the trailer, 12500 in the records.',
  ]);
  expectDifferences(t, report);
});

t.test('a delivery trailer that does not match its records', async (t) => {
  const day = cleanDay();
  const deliveries = [...day.input.deliveries];
  const second = deliveries[1];
  if (second === undefined) throw new Error('no delivery');
  // Delivery 2: DH, then 3 sections of one posting each (SH, PO, CT, ST: lines 1-12), CT, DT at index 14.
  let text = setField(second.text, 14, 'DT', 'sections', '2');
  text = setField(text, 14, 'DT', 'credit', '25000');
  deliveries[1] = { ...second, text };
  const report = reconcile({ ...day.input, deliveries });
  t.same(report.differences, [
    'delivery-2026-11-21-02.txt: the delivery trailer does not match its records: sections 2 in the trailer, 3 in the records; credit (øre) 25000 in the trailer, 25300 in the records.',
  ]);
  expectDifferences(t, report);
});

t.test('currency totals that do not match their records', async (t) => {
  const day = cleanDay();
  const deliveries = [...day.input.deliveries];
  const first = deliveries[0];
  if (first === undefined) throw new Error('no delivery');
  // Delivery 1: the CT of bank-a at index 4, the delivery's CT at index 10.
  let text = setField(first.text, 4, 'CT', 'count', '1');
  text = setField(text, 10, 'CT', 'currency', '978');
  deliveries[0] = { ...first, text };
  const report = reconcile({ ...day.input, deliveries });
  t.same(report.differences, [
    'delivery-2026-11-21-01.txt: the currency totals of issuer bank-a do not match the records: 208: 1, debit 12500 credit 5000 (DKK 12500 / 5000 øre) written, 208: 2, debit 12500 credit 5000 (DKK 12500 / 5000 øre) in the records.',
    "delivery-2026-11-21-01.txt: the delivery's currency totals do not match the records: 978: 3, debit 37500 credit 5000 (DKK 37500 / 5000 øre) written, 208: 3, debit 37500 credit 5000 (DKK 37500 / 5000 øre) in the records.",
  ]);
  expectDifferences(t, report);
});

t.test('a posting in the journal but in no delivery', async (t) => {
  const day = cleanDay();
  const late = posting({ issuer: 'bank-c', amount: 999 }, '5019000000000057');
  const report = reconcile({ ...day.input, journal: [...day.journal, late] });
  t.same(report.differences, [
    `Posting ${late.id} (purchase D 999 øre, issuer bank-c, card 501900******0057) is in the journal but in no delivery.`,
    'Totals of type purchase differ: journal 4 postings, 39199 øre; deliveries 3 postings, 38200 øre.',
    'Totals of issuer bank-c differ: journal 2 postings, debit 1699, credit 0 øre; deliveries 1 posting, debit 700, credit 0 øre.',
  ]);
  expectDifferences(t, report);
});

t.test('a posting in a delivery but not in the journal', async (t) => {
  const day = cleanDay();
  const stray = day.journal[2];
  if (stray === undefined) throw new Error('no posting');
  const report = reconcile({ ...day.input, journal: day.journal.filter((p) => p !== stray) });
  expectDifferences(
    t,
    report,
    new RegExp(
      `^Posting ${stray.id} in delivery-2026-11-21-01\\.txt \\(refund C 5000 øre, issuer bank-a, card ${maskPan(panOf(stray)).replaceAll('*', '\\*')}\\) is not in the journal\\.$`,
    ),
    /^Totals of type refund differ: journal 0 postings, 0 øre; deliveries 1 posting, 5000 øre\.$/,
    /^Totals of issuer bank-a differ: journal 2 postings, debit 12500, credit 300 øre; deliveries 3 postings, debit 12500, credit 5300 øre\.$/,
  );
  t.equal(report.differences.length, 3);
});

t.test('a posting in two deliveries', async (t) => {
  const day = cleanDay();
  const twice = day.batches[0]?.[0];
  if (twice === undefined) throw new Error('no posting');
  const deliveries = [...day.input.deliveries];
  deliveries[2] = file(3, [twice]);
  const report = reconcile({ ...day.input, deliveries });
  expectDifferences(
    t,
    report,
    new RegExp(
      `^Posting ${twice.id} is delivered 2 times: delivery-2026-11-21-01\\.txt, delivery-2026-11-21-03\\.txt\\.$`,
    ),
  );
  t.match(report.differences.join('\n'), /Totals of type purchase differ/);
});

t.test('a posting twice in one delivery', async (t) => {
  const day = cleanDay();
  const batch = day.batches[1] ?? [];
  const twice = batch[0];
  if (twice === undefined) throw new Error('no posting');
  const deliveries = [...day.input.deliveries];
  deliveries[1] = file(2, [...batch, twice]);
  expectDifferences(
    t,
    reconcile({ ...day.input, deliveries }),
    new RegExp(
      `^Posting ${twice.id} is delivered 2 times: delivery-2026-11-21-02\\.txt, delivery-2026-11-21-02\\.txt\\.$`,
    ),
  );
});

t.test('a posting twice in the journal', async (t) => {
  const day = cleanDay();
  const twice = day.journal[0];
  if (twice === undefined) throw new Error('no posting');
  expectDifferences(
    t,
    reconcile({ ...day.input, journal: [...day.journal, twice] }),
    new RegExp(`^Posting ${twice.id} is more than once in the journal\\.$`),
  );
});

/** The day with one journal posting changed after its delivery was written. */
function changedInJournal(change: Partial<Posting>): { report: ReconciliationReport; id: string; delivered: Posting } {
  const day = cleanDay();
  const target = day.journal[0];
  if (target === undefined) throw new Error('no posting');
  const journal = day.journal.map((p) => (p === target ? { ...p, ...change } : p));
  return { report: reconcile({ ...day.input, journal }), id: target.id, delivered: target };
}

t.test('a posting whose amount differs between journal and delivery', async (t) => {
  const { report, id } = changedInJournal({ amount: 12_000 });
  t.same(report.differences, [
    // A journal posting from before layout 2: its original amount is its amount (the default).
    `Posting ${id} in delivery-2026-11-21-01.txt differs from the journal: amount 12000 in the journal, 12500 in the delivery; originalAmount 12000 in the journal, 12500 in the delivery.`,
    'Totals of type purchase differ: journal 3 postings, 37700 øre; deliveries 3 postings, 38200 øre.',
    'Totals of issuer bank-a differ: journal 3 postings, debit 12000, credit 5300 øre; deliveries 3 postings, debit 12500, credit 5300 øre.',
  ]);
  expectDifferences(t, report);
});

t.test('a posting whose type differs between journal and delivery', async (t) => {
  const { report, id } = changedInJournal({ type: 'refund', direction: 'C' });
  expectDifferences(
    t,
    report,
    new RegExp(
      `^Posting ${id} in delivery-2026-11-21-01\\.txt differs from the journal: type refund in the journal, purchase in the delivery; direction C in the journal, D in the delivery\\.$`,
    ),
    /^Totals of type purchase differ/,
    /^Totals of type refund differ/,
    /^Totals of issuer bank-a differ/,
  );
});

t.test('a posting whose issuer differs between journal and delivery', async (t) => {
  const { report, id } = changedInJournal({ issuer: 'bank-c' });
  expectDifferences(
    t,
    report,
    new RegExp(
      `^Posting ${id} in delivery-2026-11-21-01\\.txt differs from the journal: issuer bank-c in the journal, bank-a in the delivery\\.$`,
    ),
    /^Totals of issuer bank-a differ: journal 2 postings, debit 0, credit 5300 øre; deliveries 3 postings, debit 12500, credit 5300 øre\.$/,
    /^Totals of issuer bank-c differ: journal 2 postings, debit 13200, credit 0 øre; deliveries 1 posting, debit 700, credit 0 øre\.$/,
  );
  t.equal(report.differences.length, 3, 'per-type totals agree: only the issuer moved');
});

t.test('other fields that differ are named with both values, blanks and times readable', async (t) => {
  const { report, id, delivered } = changedInJournal({
    reason: 'switch',
    receivedAt: Date.UTC(2026, 10, 21, 9, 0, 0, 5),
    merchant: 'OTHER SHOP',
  });
  t.same(report.differences, [
    `Posting ${id} in delivery-2026-11-21-01.txt differs from the journal: merchant OTHER SHOP in the journal, MERCHANT0000001 in the delivery; ` +
      `receivedAt 2026-11-21T09:00:00.005Z in the journal, ${new Date(delivered.receivedAt).toISOString()} in the delivery; reason switch in the journal, (blank) in the delivery.`,
  ]);
  const bad = changedInJournal({ receivedAt: Number.NaN, merchant: '' });
  t.match(
    bad.report.differences[0],
    /merchant \(blank\) in the journal, MERCHANT0000001 in the delivery; receivedAt NaN in the journal/,
  );
});

t.test('a delivered PAN that does not match its masked PAN is named by masked values only', async (t) => {
  const day = cleanDay();
  const first = day.input.deliveries[0];
  if (first === undefined) throw new Error('no delivery');
  // Line 3 is the first posting: its PAN becomes another test PAN, its masked PAN a full PAN.
  let text = setField(first.text, 2, 'PO', 'pan', `${PANS[4]}   `);
  const p = day.batches[0]?.[0];
  if (p === undefined) throw new Error('no posting');
  text = setField(text, 2, 'PO', 'maskedPan', `${PANS[3]}   `);
  const report = reconcile({ ...day.input, deliveries: [{ ...first, text }, ...day.input.deliveries.slice(1)] });
  expectDifferences(
    t,
    report,
    new RegExp(
      `^Posting ${p.id} in delivery-2026-11-21-01\\.txt: the PAN does not match the masked PAN beside it \\(the PAN masks to 501900\\*{6}0057\\)\\.$`,
    ),
    new RegExp(
      `^Posting ${p.id} in delivery-2026-11-21-01\\.txt differs from the journal: maskedPan ${p.maskedPan.replaceAll('*', '\\*')} in the journal, 501900\\*{6}0040 in the delivery\\.$`,
    ),
  );
});

t.test('a damaged file that carries a PAN in another field does not bring it into the report', async (t) => {
  const day = cleanDay();
  const second = day.input.deliveries[1];
  if (second === undefined) throw new Error('no delivery');
  // Delivery 2: DH, SH bank-a, PO, CT bank-a, ST bank-a, … The issuer id and the txn become PANs.
  let text = setField(second.text, 1, 'SH', 'issuer', (PANS[1] ?? '').padEnd(64));
  text = setField(text, 3, 'CT', 'issuer', (PANS[1] ?? '').padEnd(64));
  text = setField(text, 4, 'ST', 'issuer', (PANS[1] ?? '').padEnd(64));
  text = setField(text, 2, 'PO', 'txn', (PANS[2] ?? '').padEnd(28));
  const report = reconcile({
    ...day.input,
    deliveries: [day.input.deliveries[0] ?? second, { ...second, text }, ...day.input.deliveries.slice(2)],
  });
  expectDifferences(
    t,
    report,
    /differs from the journal: txn TERM0001-261121091530-\d{6} in the journal, 501900\*{6}0032 in the delivery; issuer bank-a in the journal, 501900\*{6}0024 in the delivery\.$/,
    /^Totals of issuer 501900\*{6}0024 differ: journal 0 postings/,
  );
  t.match(formatReport(report), /^501900\*{6}0024 +0 +0 +0 +1 +0 +300 +differs$/m, 'the table row too');
});
