/**
 * The clearing delivery file (our own layout, docs/CLEARING.md): the postings of one delivery to
 * the data centres as fixed-width Latin-1 text records, one per line. Every record is
 * RECORD_LENGTH characters, so a data centre can read it with a column layout and spot a cut or
 * mangled line by its length alone. The layout is data (delivery-layout.ts); the records are
 * written and read by src/files/fixed-width.ts; here: what goes in them, and in what order.
 *
 * Pure: formatDelivery depends on its arguments only (no clock, no randomness), so a retried
 * delivery writes byte-identical files. Error messages name the line and field, never a value:
 * a shifted or damaged record may put a PAN in any column.
 */
import {
  type Direction,
  type JournalPosting,
  POSTING_TYPES,
  type Posting,
  type PostingType,
} from '../journal/posting.js';
import { isCalendarDate, parseUtcStamp, utcStamp } from '../time/dates.js';
import {
  FieldValueError,
  RecordError,
  type RecordFields,
  RecordReader,
  formatRecord,
  joinRecords,
  splitRecords,
} from '../files/fixed-width.js';
import { ISSUER_ID, LAYOUTS, LAYOUT_VERSION, RECORD_LENGTH, type RecordCode } from './delivery-layout.js';
import { type DeliveredV2, parseV2, v2Values } from './posting-fields-v2.js';
import { type DeliveredV3, parseV3, v3Values } from './posting-fields-v3.js';
import { parseV4, v4Values } from './posting-fields-v4.js';
import { type CurrencyTotals, currencyTotalsOf, parseCurrencies } from './currency-totals.js';

export { LAYOUTS, LAYOUT_VERSION, RECORD_LENGTH };
export type { FieldKind, FieldSpec, RecordCode, RecordLayout } from './delivery-layout.js';

export interface DeliveryHeader {
  /** 'YYYY-MM-DD', the local business date. */
  date: string;
  /** 1..99, the delivery number of the day. */
  number: number;
  /** 'HH:MM' local: the cut-off that closed this delivery. */
  cutoff: string;
}

/**
 * A posting as a delivery carries it: the full PAN instead of the card id and encrypted PAN; of
 * the layout 2 fields, the conversion always, the others when not blank.
 */
export type ParsedPosting = Omit<Posting, 'card' | 'panEnc' | keyof DeliveredV2 | keyof DeliveredV3> &
  DeliveredV2 &
  DeliveredV3 & { pan: string };

export interface SectionTotals {
  count: number;
  /** øre */
  debit: number;
  /** øre */
  credit: number;
}

export interface ParsedSection {
  issuer: string;
  postings: ParsedPosting[];
  /** As written in the section trailer: not checked against the records (reconciliation does). */
  trailer: SectionTotals;
  /** As written in the section's currency totals (CT records), in code order; not checked. */
  currencies: CurrencyTotals[];
}

export interface ParsedDelivery {
  header: DeliveryHeader;
  sections: ParsedSection[];
  /** As written in the delivery trailer: not checked against the records (reconciliation does). */
  trailer: SectionTotals & { sections: number };
  /** As written in the delivery's currency totals (CT records without issuer); not checked. */
  currencies: CurrencyTotals[];
}

/** A file that does not follow the layout. The message names the line and field, never a value. */
export class DeliveryFileError extends Error {
  constructor(
    readonly line: number,
    readonly field: string | undefined,
    problem: string,
  ) {
    super(`line ${line}${field === undefined ? '' : `, field ${field}`}: ${problem}`);
    this.name = 'DeliveryFileError';
  }
}

/** A value formatDelivery cannot write as given (too wide, wrong form). Names where, never the value. */
export class DeliveryValueError extends Error {
  constructor(
    readonly where: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${where}, field ${field}: ${problem}`);
    this.name = 'DeliveryValueError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CUTOFF = /^([01]\d|2[0-3]):[0-5]\d$/;

// ---------------------------------------------------------------------------------------------
// Formatting

/** 'delivery-2026-11-21-03.txt': date then two-digit number, so names sort in delivery order. */
export function deliveryFileName(header: DeliveryHeader): string {
  checkHeader(header);
  return `delivery-${header.date}-${String(header.number).padStart(2, '0')}.txt`;
}

/**
 * The delivery as file text: a header, one section per issuer (sorted by issuer id; postings in
 * the order given, which is journal order, then a total per currency), the delivery's totals per
 * currency and its trailer; every line ends with '\n'. panOf gives the full PAN of a posting
 * (the caller decrypts panEnc). Throws DeliveryValueError when a value does not fit its field:
 * nothing is truncated. A posting journalled before layout 2 delivers with its defaults
 * (posting-fields-v2.ts).
 */
export function formatDelivery<P extends JournalPosting>(
  header: DeliveryHeader,
  postings: P[],
  panOf: (p: P) => string,
): string {
  checkHeader(header);
  const lines = [
    record('DH', 'delivery header', {
      version: String(LAYOUT_VERSION),
      date: header.date.replaceAll('-', ''),
      number: String(header.number),
      cutoff: header.cutoff.replace(':', ''),
    }),
  ];
  const sections = groupByIssuer(postings);
  const total: SectionTotals = { count: 0, debit: 0, credit: 0 };
  for (const [issuer, entries] of sections) {
    lines.push(record('SH', `section header of ${issuer}`, { issuer }));
    for (const { posting, index } of entries) lines.push(postingRecord(posting, panOf(posting), index));
    lines.push(
      ...currencyRecords(
        issuer,
        entries.map((e) => e.posting),
      ),
    );
    const sums = totalsOf(entries.map((e) => e.posting));
    lines.push(record('ST', `section trailer of ${issuer}`, { issuer, ...numbers(sums) }));
    total.count += sums.count;
    total.debit += sums.debit;
    total.credit += sums.credit;
  }
  lines.push(...currencyRecords('', postings));
  lines.push(record('DT', 'delivery trailer', { sections: String(sections.size), ...numbers(total) }));
  return joinRecords(lines);
}

/** Count and debit/credit sums (øre) of postings, by their direction. */
export function totalsOf(postings: readonly Pick<Posting, 'direction' | 'amount'>[]): SectionTotals {
  const sums: SectionTotals = { count: 0, debit: 0, credit: 0 };
  for (const p of postings) {
    sums.count += 1;
    if (p.direction === 'D') sums.debit += p.amount;
    else sums.credit += p.amount;
  }
  return sums;
}

/** The CT records of a section (its issuer) or of the delivery (issuer ''). */
function currencyRecords(issuer: string, postings: readonly JournalPosting[]): string[] {
  const where = issuer === '' ? 'currency total of the delivery' : `currency total of ${issuer}`;
  return currencyTotalsOf(postings).map((t) =>
    record('CT', where, {
      issuer,
      currency: t.currency,
      count: String(t.count),
      debit: String(t.debit),
      credit: String(t.credit),
      dkkDebit: String(t.dkkDebit),
      dkkCredit: String(t.dkkCredit),
    }),
  );
}

/** Sums too big for their field come out too long (or as '1e+21'): the field check rejects them. */
function numbers(t: SectionTotals): Record<'count' | 'debit' | 'credit', string> {
  return { count: String(t.count), debit: String(t.debit), credit: String(t.credit) };
}

function checkHeader(h: DeliveryHeader): void {
  const where = 'delivery header';
  if (!isCalendarDate(h.date)) throw new DeliveryValueError(where, 'date', "not a date 'YYYY-MM-DD'");
  if (!Number.isInteger(h.number) || h.number < 1 || h.number > 99) {
    throw new DeliveryValueError(where, 'number', 'not a whole number 1 to 99');
  }
  if (!CUTOFF.test(h.cutoff)) throw new DeliveryValueError(where, 'cutoff', "not a time 'HH:MM'");
}

interface Entry<P extends JournalPosting = JournalPosting> {
  posting: P;
  /** Position in the postings given, to name a posting whose id itself is unusable. */
  index: number;
}

/** Sections by issuer id in code-unit order (not locale order: the output must not depend on the host). */
function groupByIssuer<P extends JournalPosting>(postings: P[]): Map<string, Entry<P>[]> {
  const groups = new Map<string, Entry<P>[]>();
  postings.forEach((posting, index) => {
    if (!ISSUER_ID.test(posting.issuer)) {
      throw new DeliveryValueError(
        postingName(posting, index),
        'issuer',
        'not an issuer id (1-64 of A-Z a-z 0-9 . _ -)',
      );
    }
    const group = groups.get(posting.issuer);
    if (group === undefined) groups.set(posting.issuer, [{ posting, index }]);
    else group.push({ posting, index });
  });
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function postingName(p: JournalPosting, index: number): string {
  // The id is shown only when it has a UUID's shape; anything else might be misplaced card data.
  return UUID.test(p.id) ? `posting ${index + 1} (id ${p.id})` : `posting ${index + 1}`;
}

function postingRecord(p: JournalPosting, pan: string, index: number): string {
  const where = postingName(p, index);
  if (!POSTING_TYPES.includes(p.type)) throw new DeliveryValueError(where, 'type', 'not a posting type');
  if (p.direction !== 'D' && p.direction !== 'C') throw new DeliveryValueError(where, 'direction', "not 'D' or 'C'");
  if (!Number.isSafeInteger(p.amount) || p.amount <= 0) {
    throw new DeliveryValueError(where, 'amount', 'not a whole number of øre above zero');
  }
  if (!/^\d{12,19}$/.test(pan)) throw new DeliveryValueError(where, 'pan', 'not 12 to 19 digits');
  return record('PO', where, {
    id: p.id,
    txn: p.txn,
    type: p.type,
    direction: p.direction,
    amount: String(p.amount),
    currency: p.currency,
    pan,
    maskedPan: p.maskedPan,
    terminal: p.terminal,
    merchant: p.merchant,
    stan: p.stan,
    localTime: p.localTime,
    // '' when not a time in years 0-9999: the field check rejects it.
    receivedAt: utcStamp(p.receivedAt),
    approvalCode: p.approvalCode,
    cardStatus: p.cardStatus,
    reason: p.reason ?? '',
    reverses: p.reverses ?? '',
    ...v2Values(p),
    ...v3Values(p),
    ...v4Values(p, (field, problem) => {
      throw new DeliveryValueError(where, field, problem);
    }),
  });
}

/** One record from its field values; a value that does not fit is a DeliveryValueError naming `where`. */
function record(code: RecordCode, where: string, values: Record<string, string>): string {
  try {
    return formatRecord(LAYOUTS[code], values);
  } catch (e) {
    // Only FieldValueError can come from formatRecord.
    /* c8 ignore next */
    throw e instanceof FieldValueError ? new DeliveryValueError(where, e.field, e.problem) : e;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Reads a delivery file (the text decoded as Latin-1). Checks the layout: every line ends with
 * '\n' and is RECORD_LENGTH long, the records come in order (header, sections, trailer, nothing
 * after), numeric fields are digits, values have their form. Does not check trailer sums.
 */
export function parseDelivery(text: string): ParsedDelivery {
  if (text.length === 0) throw new DeliveryFileError(1, undefined, 'the file is empty: no delivery header');
  try {
    return parseRecords(new RecordReader(splitRecords(text, RECORD_LENGTH), LAYOUTS));
  } catch (e) {
    // Every layout error of the reader is a RecordError; the rest would be a bug, and passes.
    /* c8 ignore next */
    throw e instanceof RecordError ? new DeliveryFileError(e.line, e.field, e.problem) : e;
  }
}

function parseRecords(reader: RecordReader<RecordCode>): ParsedDelivery {
  const header = parseHeader(reader.take(['DH']));
  const sections: ParsedSection[] = [];
  while (reader.peekCode(['SH', 'CT', 'DT']) === 'SH') {
    const section = parseSection(reader);
    const previous = sections.at(-1);
    if (previous !== undefined && section.issuer <= previous.issuer) {
      section.head.fail('issuer', 'sections are not in ascending issuer id order');
    }
    sections.push(section.parsed);
  }
  const currencies = parseCurrencies(reader, '');
  const f = reader.take(['DT']);
  reader.expectEnd(LAYOUTS.DT.title);
  return {
    header,
    sections,
    trailer: {
      sections: f.number('sections'),
      count: f.number('count'),
      debit: f.number('debit'),
      credit: f.number('credit'),
    },
    currencies,
  };
}

function parseHeader(f: RecordFields): DeliveryHeader {
  if (f.number('version') !== LAYOUT_VERSION) f.fail('version', `layout version ${LAYOUT_VERSION} expected`);
  const d = f.digits('date');
  const date = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  if (!isCalendarDate(date)) f.fail('date', 'not a date YYYYMMDD');
  const number = f.number('number');
  if (number < 1) f.fail('number', 'not 01 to 99');
  const c = f.digits('cutoff');
  const cutoff = `${c.slice(0, 2)}:${c.slice(2, 4)}`;
  if (!CUTOFF.test(cutoff)) f.fail('cutoff', 'not a time HHMM');
  return { date, number, cutoff };
}

function parseSection(reader: RecordReader<RecordCode>): { parsed: ParsedSection; issuer: string; head: RecordFields } {
  const head = reader.take(['SH']);
  const issuer = head.text('issuer');
  if (!ISSUER_ID.test(issuer)) head.fail('issuer', 'not an issuer id');
  const postings: ParsedPosting[] = [];
  while (reader.peekCode(['PO', 'CT', 'ST']) === 'PO') postings.push(parsePosting(reader.take(['PO']), issuer));
  const currencies = parseCurrencies(reader, issuer);
  const t = reader.take(['ST']);
  if (t.text('issuer') !== issuer) t.fail('issuer', 'not the issuer of its section header');
  return {
    parsed: {
      issuer,
      postings,
      trailer: { count: t.number('count'), debit: t.number('debit'), credit: t.number('credit') },
      currencies,
    },
    issuer,
    head,
  };
}

function parsePosting(f: RecordFields, issuer: string): ParsedPosting {
  const type = f.text('type') as PostingType;
  if (!POSTING_TYPES.includes(type)) f.fail('type', `not a posting type (${POSTING_TYPES.join(', ')})`);
  const direction = f.text('direction') as Direction;
  if (direction !== 'D' && direction !== 'C') f.fail('direction', "not 'D' or 'C'");
  const amount = f.number('amount');
  if (amount === 0) f.fail('amount', 'zero');
  const pan = f.text('pan');
  if (!/^\d{12,19}$/.test(pan)) f.fail('pan', 'not 12 to 19 digits, left-justified');
  const posting: ParsedPosting = {
    id: f.text('id'),
    txn: f.text('txn'),
    type,
    direction,
    amount,
    currency: f.digits('currency'),
    pan,
    maskedPan: f.text('maskedPan'),
    issuer,
    terminal: f.text('terminal'),
    merchant: f.text('merchant'),
    stan: f.digits('stan'),
    localTime: f.digits('localTime'),
    receivedAt: parseUtcStamp(f.digits('receivedAt')) ?? f.fail('receivedAt', 'not a UTC time YYYYMMDDhhmmssSSS'),
    approvalCode: f.text('approvalCode'),
    cardStatus: f.text('cardStatus'),
    ...parseV2(f),
    ...parseV3(f),
    ...parseV4(f, type),
  };
  // Blank means none: the optional fields are left out rather than set to ''.
  const reason = f.text('reason');
  if (reason !== '') posting.reason = reason;
  const reverses = f.text('reverses');
  if (reverses !== '') posting.reverses = reverses;
  return posting;
}
