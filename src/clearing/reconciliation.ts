/**
 * End-of-day reconciliation (docs/SCHEME.md, 001 §9): the day's journal against the day's delivery
 * files. Every posting journaled must have gone to the data centres exactly once, as journaled,
 * and every file must be whole and add up. Pure: the caller reads the files and writes the report.
 *
 * Differences are plain sentences for an operator. They show masked PANs at most: a masked PAN
 * shown from a delivery is always re-masked from the delivered PAN, so even a damaged file whose
 * masked-PAN column holds a full PAN cannot put one in the report.
 */
import { maskPan } from '../codec/mask.js';
import {
  type JournalPosting,
  LAYOUT_2_FIELDS,
  LAYOUT_3_FIELDS,
  LAYOUT_4_FIELDS,
  POSTING_TYPES,
  type PostingType,
} from '../journal/posting.js';
import {
  DeliveryFileError,
  parseDelivery,
  totalsOf,
  type ParsedDelivery,
  type ParsedPosting,
} from './delivery-file.js';
import { conversionOf } from './posting-fields-v2.js';
import { type CurrencyTotals, currencyTotalsOf } from './currency-totals.js';

export interface TypeTotals {
  count: number;
  /** øre */
  amount: number;
}

export interface IssuerTotals {
  count: number;
  /** øre */
  debit: number;
  /** øre */
  credit: number;
}

export interface Totals {
  overall: IssuerTotals;
  byType: Record<PostingType, TypeTotals>;
  /** Keys in issuer id order. */
  byIssuer: Record<string, IssuerTotals>;
}

export interface ReconciliationInput {
  /** 'YYYY-MM-DD', the local business date reconciled. */
  date: string;
  /** Every posting journaled on that date (one from before layout 2 without its newer fields). */
  journal: JournalPosting[];
  /** The day's delivery files: name (e.g. 'delivery-2026-11-21-03.txt') and text (read as Latin-1). */
  deliveries: { name: string; text: string }[];
  /** The delivery numbers the day should have, e.g. [1..10] for ten cut-offs. */
  expectedNumbers: number[];
  /**
   * Reversal advices received that day whose original the switch did not find (counted by the
   * authorization side, which sees them; they make no posting). Shown in the report, not a difference.
   */
  unmatchedReversalAdvices?: number;
}

export interface ReconciliationReport {
  date: string;
  clean: boolean;
  journal: Totals;
  deliveries: Totals;
  differences: string[];
  unmatchedReversalAdvices?: number;
}

interface ReadDelivery {
  name: string;
  delivery: ParsedDelivery;
}

interface Delivered {
  name: string;
  posting: ParsedPosting;
}

export function reconcile(input: ReconciliationInput): ReconciliationReport {
  const differences: string[] = [];
  const read = readDeliveries(input.deliveries, differences);
  checkNumbers(read, input.expectedNumbers, differences);
  for (const r of read) {
    if (r.delivery.header.date !== input.date) {
      differences.push(`${r.name}: header date ${r.delivery.header.date}, but the day reconciled is ${input.date}.`);
    }
    checkTrailers(r, differences);
  }
  const delivered: Delivered[] = read.flatMap((r) =>
    r.delivery.sections.flatMap((s) => s.postings.map((posting) => ({ name: r.name, posting }))),
  );
  checkPostings(input.journal, delivered, differences);
  const journal = totals(input.journal);
  const deliveries = totals(delivered.map((d) => d.posting));
  compareTotals(journal, deliveries, differences);
  const report: ReconciliationReport = {
    date: input.date,
    clean: differences.length === 0,
    journal,
    deliveries,
    differences,
  };
  if (input.unmatchedReversalAdvices !== undefined) report.unmatchedReversalAdvices = input.unmatchedReversalAdvices;
  return report;
}

/** Parses every file, in name order (names sort in delivery order); a file that does not parse is a difference. */
function readDeliveries(files: ReconciliationInput['deliveries'], differences: string[]): ReadDelivery[] {
  const read: ReadDelivery[] = [];
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    try {
      read.push({ name: file.name, delivery: parseDelivery(file.text) });
    } catch (error) {
      if (!(error instanceof DeliveryFileError)) throw error;
      differences.push(`${file.name} does not parse: ${error.message}.`);
    }
  }
  return read;
}

function checkNumbers(read: ReadDelivery[], expected: number[], differences: string[]): void {
  const byNumber = new Map<number, string[]>();
  for (const r of read) {
    const n = r.delivery.header.number;
    byNumber.set(n, [...(byNumber.get(n) ?? []), r.name]);
  }
  for (const n of [...expected].sort((a, b) => a - b)) {
    if (!byNumber.has(n)) differences.push(`Delivery ${n} is missing: no readable delivery file has that number.`);
  }
  for (const [n, names] of [...byNumber].sort(([a], [b]) => a - b)) {
    if (!expected.includes(n)) {
      differences.push(`${names.join(', ')}: delivery number ${n} was not expected (expected ${expected.join(', ')}).`);
    }
    if (names.length > 1) differences.push(`Delivery ${n} is in ${names.length} files: ${names.join(', ')}.`);
  }
}

/** Trailers state what their records should add up to; the parser leaves that check to us. */
function checkTrailers({ name, delivery }: ReadDelivery, differences: string[]): void {
  for (const s of delivery.sections) {
    const found = totalsOf(s.postings);
    const parts = mismatches(s.trailer, found, ['count', 'debit', 'credit']);
    if (parts.length > 0) {
      differences.push(
        `${name}: the section trailer of issuer ${safe(s.issuer)} does not match its records: ${parts.join('; ')}.`,
      );
    }
    checkCurrencies(`${name}: the currency totals of issuer ${safe(s.issuer)}`, s.currencies, s.postings, differences);
  }
  checkCurrencies(
    `${name}: the delivery's currency totals`,
    delivery.currencies,
    delivery.sections.flatMap((s) => s.postings),
    differences,
  );
  const found = { sections: delivery.sections.length, ...totalsOf(delivery.sections.flatMap((s) => s.postings)) };
  const parts = mismatches(delivery.trailer, found, ['sections', 'count', 'debit', 'credit']);
  if (parts.length > 0)
    differences.push(`${name}: the delivery trailer does not match its records: ${parts.join('; ')}.`);
}

/** CT records against their postings: the same currencies, each with its count and sums. */
function checkCurrencies(
  what: string,
  written: CurrencyTotals[],
  postings: readonly ParsedPosting[],
  differences: string[],
): void {
  const found = currencyTotalsOf(postings);
  const line = (t: CurrencyTotals): string =>
    `${t.currency}: ${t.count}, debit ${t.debit} credit ${t.credit} (DKK ${t.dkkDebit} / ${t.dkkCredit} øre)`;
  const w = written.map(line).join('; ');
  const f = found.map(line).join('; ');
  if (w !== f)
    differences.push(`${what} do not match the records: ${w || 'none'} written, ${f || 'none'} in the records.`);
}

function mismatches<K extends string>(trailer: Record<K, number>, found: Record<K, number>, keys: K[]): string[] {
  const label = (k: K): string => (k === 'debit' || k === 'credit' ? `${k} (øre)` : k);
  return keys
    .filter((k) => trailer[k] !== found[k])
    .map((k) => `${label(k)} ${trailer[k]} in the trailer, ${found[k]} in the records`);
}

function checkPostings(journal: JournalPosting[], delivered: Delivered[], differences: string[]): void {
  const journalById = new Map<string, JournalPosting>();
  for (const p of journal) {
    if (journalById.has(p.id)) differences.push(`Posting ${safe(p.id)} is more than once in the journal.`);
    else journalById.set(p.id, p);
  }
  const deliveredById = new Map<string, Delivered[]>();
  for (const d of delivered) deliveredById.set(d.posting.id, [...(deliveredById.get(d.posting.id) ?? []), d]);

  for (const p of journalById.values()) {
    if (!deliveredById.has(p.id)) {
      differences.push(`Posting ${safe(p.id)} (${describe(p, p.maskedPan)}) is in the journal but in no delivery.`);
    }
  }
  for (const [rawId, copies] of deliveredById) {
    const original = journalById.get(rawId);
    const id = safe(rawId);
    if (copies.length > 1) {
      differences.push(`Posting ${id} is delivered ${copies.length} times: ${copies.map((c) => c.name).join(', ')}.`);
    }
    for (const { name, posting } of copies) {
      if (maskPan(posting.pan) !== posting.maskedPan) {
        differences.push(
          `Posting ${id} in ${name}: the PAN does not match the masked PAN beside it (the PAN masks to ${maskPan(posting.pan)}).`,
        );
      }
      if (original === undefined) {
        differences.push(
          `Posting ${id} in ${name} (${describe(posting, maskPan(posting.pan))}) is not in the journal.`,
        );
        continue;
      }
      const fields = fieldDifferences(original, posting);
      if (fields.length > 0)
        differences.push(`Posting ${id} in ${name} differs from the journal: ${fields.join('; ')}.`);
    }
  }
}

/**
 * A value read from a delivery file, fit to show: any run of 13 or more digits masked as a PAN.
 * The parser checks each field's form, but a damaged file could still carry a PAN in a text
 * field (merchant, issuer id, posting id). Runs of 12 digits stay: local times are 12 digits,
 * and amounts up to 12 digits are shown as they are.
 */
function safe(value: string): string {
  return value.replace(/\d{13,}/g, (digits) => maskPan(digits));
}

function describe(p: Pick<JournalPosting, 'type' | 'direction' | 'amount' | 'issuer'>, masked: string): string {
  return `${p.type} ${p.direction} ${p.amount} øre, issuer ${safe(p.issuer)}, card ${masked}`;
}

/** The fields both sides carry. The PAN is not among them: the journal holds it encrypted only. */
const COMPARED = [
  'txn',
  'type',
  'direction',
  'amount',
  'currency',
  'issuer',
  'maskedPan',
  'terminal',
  'merchant',
  'stan',
  'localTime',
  'receivedAt',
  'approvalCode',
  'cardStatus',
  'reason',
  'reverses',
  ...LAYOUT_2_FIELDS,
  ...LAYOUT_3_FIELDS,
  ...LAYOUT_4_FIELDS,
] as const satisfies readonly (keyof ParsedPosting & keyof JournalPosting)[];

const TIMES = new Set(['receivedAt', 'purchasedAt', 'authorizedAt']);

function fieldDifferences(posting: JournalPosting, delivered: ParsedPosting): string[] {
  // A posting from before layout 2 is delivered with its conversion's defaults.
  const journal = { ...posting, ...conversionOf(posting) };
  const out: string[] = [];
  for (const key of COMPARED) {
    const j = shown(key, journal[key]);
    const d = shown(key, delivered[key]);
    if (j === d) continue;
    // Re-masked: a damaged file's masked-PAN column might hold a full PAN.
    out.push(`${key} ${safe(j)} in the journal, ${key === 'maskedPan' ? maskPan(d) : safe(d)} in the delivery`);
  }
  return out;
}

/** A value as the file holds it (trailing spaces are padding there), and readable. */
function shown(key: string, value: string | number | undefined): string {
  if (typeof value === 'number') {
    const time = new Date(value);
    return TIMES.has(key) && !Number.isNaN(time.getTime()) ? time.toISOString() : String(value);
  }
  const text = (value ?? '').trimEnd();
  return text === '' ? '(blank)' : text;
}

export function totals(postings: readonly Pick<JournalPosting, 'type' | 'direction' | 'amount' | 'issuer'>[]): Totals {
  const byType = Object.fromEntries(POSTING_TYPES.map((t) => [t, { count: 0, amount: 0 }])) as Record<
    PostingType,
    TypeTotals
  >;
  const issuers = new Map<string, IssuerTotals>();
  const overall: IssuerTotals = { count: 0, debit: 0, credit: 0 };
  for (const p of postings) {
    const t = byType[p.type];
    t.count += 1;
    t.amount += p.amount;
    let i = issuers.get(p.issuer);
    if (i === undefined) issuers.set(p.issuer, (i = { count: 0, debit: 0, credit: 0 }));
    for (const sums of [i, overall]) {
      sums.count += 1;
      if (p.direction === 'D') sums.debit += p.amount;
      else sums.credit += p.amount;
    }
  }
  const byIssuer = Object.fromEntries([...issuers].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { overall, byType, byIssuer };
}

function compareTotals(journal: Totals, deliveries: Totals, differences: string[]): void {
  for (const type of POSTING_TYPES) {
    const j = journal.byType[type];
    const d = deliveries.byType[type];
    if (j.count !== d.count || j.amount !== d.amount) {
      differences.push(
        `Totals of type ${type} differ: journal ${postings(j.count)}, ${j.amount} øre; deliveries ${postings(d.count)}, ${d.amount} øre.`,
      );
    }
  }
  for (const issuer of issuerIds(journal, deliveries)) {
    const j = issuerTotals(journal, issuer);
    const d = issuerTotals(deliveries, issuer);
    if (j.count !== d.count || j.debit !== d.debit || j.credit !== d.credit) {
      differences.push(
        `Totals of issuer ${safe(issuer)} differ: journal ${postings(j.count)}, debit ${j.debit}, credit ${j.credit} øre; ` +
          `deliveries ${postings(d.count)}, debit ${d.debit}, credit ${d.credit} øre.`,
      );
    }
  }
}

function postings(n: number): string {
  return `${n} posting${n === 1 ? '' : 's'}`;
}

function issuerIds(a: Totals, b: Totals): string[] {
  return [...new Set([...Object.keys(a.byIssuer), ...Object.keys(b.byIssuer)])].sort();
}

function issuerTotals(t: Totals, issuer: string): IssuerTotals {
  return t.byIssuer[issuer] ?? { count: 0, debit: 0, credit: 0 };
}

// ---------------------------------------------------------------------------------------------
// The report as text

/** The report for a person: verdict, the totals side by side (rows that differ marked), the differences. */
export function formatReport(r: ReconciliationReport): string {
  const verdict = r.clean ? 'clean' : `${r.differences.length} difference${r.differences.length === 1 ? '' : 's'}`;
  const lines = [`Reconciliation of ${r.date}: ${verdict}`, 'Amounts in øre.', ''];
  lines.push('By issuer');
  const issuerRows = [['', 'journal count', 'debit', 'credit', 'delivered count', 'debit', 'credit', '']];
  const issuerRow = (label: string, j: IssuerTotals, d: IssuerTotals): string[] => [
    label,
    ...[j.count, j.debit, j.credit, d.count, d.debit, d.credit].map(String),
    j.count === d.count && j.debit === d.debit && j.credit === d.credit ? '' : 'differs',
  ];
  for (const issuer of issuerIds(r.journal, r.deliveries)) {
    issuerRows.push(issuerRow(safe(issuer), issuerTotals(r.journal, issuer), issuerTotals(r.deliveries, issuer)));
  }
  issuerRows.push(issuerRow('all', r.journal.overall, r.deliveries.overall));
  lines.push(...table(issuerRows), '', 'By type');
  const typeRows = [['', 'journal count', 'amount', 'delivered count', 'amount', '']];
  for (const type of POSTING_TYPES) {
    const j = r.journal.byType[type];
    const d = r.deliveries.byType[type];
    const same = j.count === d.count && j.amount === d.amount;
    typeRows.push([type, String(j.count), String(j.amount), String(d.count), String(d.amount), same ? '' : 'differs']);
  }
  lines.push(...table(typeRows), '');
  if (r.differences.length === 0) lines.push('Differences: none');
  else lines.push('Differences', ...r.differences.map((d, i) => `${String(i + 1).padStart(3)}. ${d}`));
  if (r.unmatchedReversalAdvices !== undefined) {
    lines.push('', `Reversal advices without an original: ${r.unmatchedReversalAdvices}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Columns padded to their widest cell: the first (labels) left-aligned, the rest right-aligned. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      // Every row has the header's cells, so widths[i] is set.
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}
