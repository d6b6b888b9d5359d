/**
 * The clearing delivery file (our own layout, docs/CLEARING.md): the postings of one delivery to
 * the data centres as fixed-width Latin-1 text records, one per line. Every record is
 * RECORD_LENGTH characters, so a data centre can read it with a column layout and spot a cut or
 * mangled line by its length alone.
 *
 * Pure: formatDelivery depends on its arguments only (no clock, no randomness), so a retried
 * delivery writes byte-identical files. Error messages name the line and field, never a value:
 * a shifted or damaged record may put a PAN in any column.
 */
import type { Direction, Posting, PostingType } from '../journal/posting.js';
import { isCalendarDate, parseUtcStamp, utcStamp } from '../time/dates.js';

export const LAYOUT_VERSION = 1;
export const RECORD_LENGTH = 256;

export interface DeliveryHeader {
  /** 'YYYY-MM-DD', the local business date. */
  date: string;
  /** 1..99, the delivery number of the day. */
  number: number;
  /** 'HH:MM' local: the cut-off that closed this delivery. */
  cutoff: string;
}

/** A posting as a delivery carries it: the full PAN instead of the card id and encrypted PAN. */
export interface ParsedPosting extends Omit<Posting, 'card' | 'panEnc'> {
  pan: string;
}

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
}

export interface ParsedDelivery {
  header: DeliveryHeader;
  sections: ParsedSection[];
  /** As written in the delivery trailer: not checked against the records (reconciliation does). */
  trailer: SectionTotals & { sections: number };
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

// ---------------------------------------------------------------------------------------------
// The layout, as data: the formatter, the parser and the docs test all read these tables.

/**
 * text: left-justified, space-padded, trailing spaces not significant;
 * number: a non-negative integer, right-justified, zero-padded;
 * digits: a digit string exactly the field's width (STAN, local time, currency).
 */
export type FieldKind = 'text' | 'number' | 'digits';

export interface FieldSpec {
  readonly name: string;
  /** 1-based column of the field's first character. */
  readonly start: number;
  readonly width: number;
  readonly kind: FieldKind;
}

export type RecordCode = 'DH' | 'SH' | 'PO' | 'ST' | 'DT';

export interface RecordLayout {
  readonly code: RecordCode;
  readonly title: string;
  /** The record type first, then the data fields; the rest of the record up to RECORD_LENGTH is spaces. */
  readonly fields: readonly FieldSpec[];
}

function layout(code: RecordCode, title: string, fields: [string, number, FieldKind][]): RecordLayout {
  let start = 1;
  const specs: FieldSpec[] = [];
  for (const [name, width, kind] of [['recordType', 2, 'text'] as [string, number, FieldKind], ...fields]) {
    specs.push({ name, start, width, kind });
    start += width;
  }
  return { code, title, fields: specs };
}

/** Issuer ids as the config allows them (config/schema.ts ISSUER_ID_PATTERN): up to 64 characters. */
const ISSUER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ISSUER_WIDTH = 64;

export const LAYOUTS: Readonly<Record<RecordCode, RecordLayout>> = {
  DH: layout('DH', 'delivery header', [
    ['version', 2, 'number'],
    ['date', 8, 'digits'],
    ['number', 2, 'number'],
    ['cutoff', 4, 'digits'],
  ]),
  SH: layout('SH', 'section header', [['issuer', ISSUER_WIDTH, 'text']]),
  PO: layout('PO', 'posting record', [
    ['id', 36, 'text'],
    ['txn', 28, 'text'],
    ['type', 12, 'text'],
    ['direction', 1, 'text'],
    ['amount', 12, 'number'],
    ['currency', 3, 'digits'],
    ['pan', 19, 'text'],
    ['maskedPan', 19, 'text'],
    ['terminal', 8, 'text'],
    ['merchant', 15, 'text'],
    ['stan', 6, 'digits'],
    ['localTime', 12, 'digits'],
    ['receivedAt', 17, 'digits'],
    ['approvalCode', 6, 'text'],
    ['cardStatus', 20, 'text'],
    ['reason', 10, 'text'],
    ['reverses', 28, 'text'],
  ]),
  ST: layout('ST', 'section trailer', [
    ['issuer', ISSUER_WIDTH, 'text'],
    ['count', 9, 'number'],
    ['debit', 15, 'number'],
    ['credit', 15, 'number'],
  ]),
  DT: layout('DT', 'delivery trailer', [
    ['sections', 4, 'number'],
    ['count', 9, 'number'],
    ['debit', 15, 'number'],
    ['credit', 15, 'number'],
  ]),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const POSTING_TYPES: readonly PostingType[] = ['purchase', 'cancellation', 'reversal', 'refund'];

// ---------------------------------------------------------------------------------------------
// Formatting

/** 'delivery-2026-11-21-03.txt': date then two-digit number, so names sort in delivery order. */
export function deliveryFileName(header: DeliveryHeader): string {
  checkHeader(header);
  return `delivery-${header.date}-${String(header.number).padStart(2, '0')}.txt`;
}

/**
 * The delivery as file text: a header, one section per issuer (sorted by issuer id; postings in
 * the order given, which is journal order), a delivery trailer; every line ends with '\n'.
 * panOf gives the full PAN of a posting (the caller decrypts panEnc). Throws DeliveryValueError
 * when a value does not fit its field: nothing is truncated.
 */
export function formatDelivery(header: DeliveryHeader, postings: Posting[], panOf: (p: Posting) => string): string {
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
    const sums = totalsOf(entries.map((e) => e.posting));
    lines.push(record('ST', `section trailer of ${issuer}`, { issuer, ...numbers(sums) }));
    total.count += sums.count;
    total.debit += sums.debit;
    total.credit += sums.credit;
  }
  lines.push(record('DT', 'delivery trailer', { sections: String(sections.size), ...numbers(total) }));
  return lines.map((l) => `${l}\n`).join('');
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
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(h.cutoff)) throw new DeliveryValueError(where, 'cutoff', "not a time 'HH:MM'");
}

interface Entry {
  posting: Posting;
  /** Position in the postings given, to name a posting whose id itself is unusable. */
  index: number;
}

/** Sections by issuer id in code-unit order (not locale order: the output must not depend on the host). */
function groupByIssuer(postings: Posting[]): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  postings.forEach((posting, index) => {
    if (!ISSUER_ID.test(posting.issuer)) {
      throw new DeliveryValueError(postingName(posting, index), 'issuer', 'not an issuer id (1-64 of A-Z a-z 0-9 . _ -)');
    }
    const group = groups.get(posting.issuer);
    if (group === undefined) groups.set(posting.issuer, [{ posting, index }]);
    else group.push({ posting, index });
  });
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function postingName(p: Posting, index: number): string {
  // The id is shown only when it has a UUID's shape; anything else might be misplaced card data.
  return UUID.test(p.id) ? `posting ${index + 1} (id ${p.id})` : `posting ${index + 1}`;
}

function postingRecord(p: Posting, pan: string, index: number): string {
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
  });
}

/** One record from its field values; throws DeliveryValueError for a value that does not fit. */
function record(code: RecordCode, where: string, values: Record<string, string>): string {
  let out = '';
  for (const f of LAYOUTS[code].fields) {
    // Every caller passes every field of its record; '' would fail the field check, not pass silently.
    /* c8 ignore next */
    const value = f.name === 'recordType' ? code : (values[f.name] ?? '');
    out += fieldText(f, value, where);
  }
  return out.padEnd(RECORD_LENGTH, ' ');
}

function fieldText(f: FieldSpec, value: string, where: string): string {
  if (f.kind === 'text') {
    const text = value.trimEnd(); // trailing spaces are padding in this layout, never data
    if (!isPrintableLatin1(text)) throw new DeliveryValueError(where, f.name, 'holds a character outside printable Latin-1');
    if (text.length > f.width) {
      throw new DeliveryValueError(where, f.name, `${text.length} characters, the field holds ${f.width}`);
    }
    return text.padEnd(f.width, ' ');
  }
  if (!/^\d+$/.test(value)) throw new DeliveryValueError(where, f.name, 'not digits');
  if (f.kind === 'digits' && value.length !== f.width) {
    throw new DeliveryValueError(where, f.name, `${value.length} digits, the field is exactly ${f.width}`);
  }
  if (value.length > f.width) throw new DeliveryValueError(where, f.name, `${value.length} digits, the field holds ${f.width}`);
  return value.padStart(f.width, '0');
}

/** No control characters (a line end inside a value would split the record), one byte each in Latin-1. */
function isPrintableLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c > 0xff) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Reads a delivery file (the text decoded as Latin-1). Checks the layout: every line ends with
 * '\n' and is RECORD_LENGTH long, the records come in order (header, sections, trailer, nothing
 * after), numeric fields are digits, values have their form. Does not check trailer sums.
 */
export function parseDelivery(text: string): ParsedDelivery {
  const lines = splitRecords(text);
  const reader = new RecordReader(lines);
  const header = parseHeader(reader.take(['DH']));
  const sections: ParsedSection[] = [];
  while (reader.peekCode(['SH', 'DT']) === 'SH') {
    const section = parseSection(reader);
    const previous = sections.at(-1);
    if (previous !== undefined && section.issuer <= previous.issuer) {
      throw new DeliveryFileError(section.line, fieldLabel('SH', 'issuer'), 'sections are not in ascending issuer id order');
    }
    sections.push(section.parsed);
  }
  const trailer = reader.take(['DT']);
  reader.expectEnd();
  const f = trailer.fields;
  return {
    header,
    sections,
    trailer: { sections: f.number('sections'), count: f.number('count'), debit: f.number('debit'), credit: f.number('credit') },
  };
}

/** The lines of the file, each checked for length and characters; the file must end with a line end. */
function splitRecords(text: string): string[] {
  if (text.length === 0) throw new DeliveryFileError(1, undefined, 'the file is empty: no delivery header');
  const parts = text.split('\n');
  if (parts.at(-1) !== '') {
    throw new DeliveryFileError(parts.length, undefined, 'the last record has no line end: the file is truncated');
  }
  const lines = parts.slice(0, -1);
  lines.forEach((line, i) => {
    if (line.length !== RECORD_LENGTH) {
      throw new DeliveryFileError(i + 1, undefined, `record of ${line.length} characters, expected ${RECORD_LENGTH}`);
    }
    for (let c = 0; c < line.length; c++) {
      if (!isPrintableLatin1(line.charAt(c))) {
        throw new DeliveryFileError(i + 1, undefined, `column ${c + 1}: a control character or one outside Latin-1`);
      }
    }
  });
  return lines;
}

function fieldSpec(code: RecordCode, name: string): FieldSpec {
  const f = LAYOUTS[code].fields.find((x) => x.name === name);
  /* c8 ignore next */
  if (f === undefined) throw new Error(`no field ${name} in ${code}`);
  return f;
}

function fieldLabel(code: RecordCode, name: string): string {
  const f = fieldSpec(code, name);
  return `${name} (columns ${f.start}-${f.start + f.width - 1})`;
}

/** The fields of one record, read by name; each accessor checks the field's form. */
class Fields {
  constructor(
    private readonly code: RecordCode,
    private readonly line: string,
    readonly lineNo: number,
  ) {}

  private raw(name: string): string {
    const f = fieldSpec(this.code, name);
    return this.line.slice(f.start - 1, f.start - 1 + f.width);
  }

  fail(name: string, problem: string): never {
    throw new DeliveryFileError(this.lineNo, fieldLabel(this.code, name), problem);
  }

  /** Trailing spaces removed; '' for a blank field unless it is required. */
  text(name: string, required = true): string {
    const value = this.raw(name).trimEnd();
    if (required && value === '') this.fail(name, 'blank');
    return value;
  }

  digits(name: string): string {
    const value = this.raw(name);
    if (!/^\d+$/.test(value)) this.fail(name, `not ${value.length} digits`);
    return value;
  }

  number(name: string): number {
    return Number(this.digits(name));
  }

  /** After the last field, the record must be spaces: anything there means a different layout. */
  checkFiller(): void {
    const fields = LAYOUTS[this.code].fields;
    const last = fields[fields.length - 1];
    /* c8 ignore next */
    if (last === undefined) throw new Error('empty layout');
    const from = last.start - 1 + last.width;
    if (this.line.slice(from).trim() !== '') {
      throw new DeliveryFileError(this.lineNo, `filler (columns ${from + 1}-${RECORD_LENGTH})`, 'not spaces');
    }
  }
}

/** Walks the lines in order; take() insists the next record is one of the expected types. */
class RecordReader {
  private next = 0;

  constructor(private readonly lines: string[]) {}

  /** The next record's type, which must be one of `expected`; the record is not consumed. */
  peekCode(expected: RecordCode[]): RecordCode {
    const line = this.lines[this.next];
    const wanted = expected.map((c) => `a ${LAYOUTS[c].title}`).join(' or ');
    if (line === undefined) {
      throw new DeliveryFileError(this.next + 1, undefined, `the file ends where ${wanted} belongs: it is truncated`);
    }
    const code = line.slice(0, 2);
    if (!expected.includes(code as RecordCode)) {
      const found = Object.hasOwn(LAYOUTS, code) ? `a ${LAYOUTS[code as RecordCode].title}` : 'an unknown record type';
      throw new DeliveryFileError(this.next + 1, fieldLabel('DH', 'recordType'), `${found} where ${wanted} belongs`);
    }
    return code as RecordCode;
  }

  take(expected: RecordCode[]): { code: RecordCode; fields: Fields } {
    const code = this.peekCode(expected);
    const fields = new Fields(code, this.lines[this.next] as string, this.next + 1);
    fields.checkFiller();
    this.next += 1;
    return { code, fields };
  }

  expectEnd(): void {
    if (this.next < this.lines.length) {
      throw new DeliveryFileError(this.next + 1, undefined, 'a record after the delivery trailer');
    }
  }
}

function parseHeader({ fields: f }: { fields: Fields }): DeliveryHeader {
  if (f.number('version') !== LAYOUT_VERSION) f.fail('version', `layout version ${LAYOUT_VERSION} expected`);
  const d = f.digits('date');
  const date = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  if (!isCalendarDate(date)) f.fail('date', 'not a date YYYYMMDD');
  const number = f.number('number');
  if (number < 1) f.fail('number', 'not 01 to 99');
  const c = f.digits('cutoff');
  const cutoff = `${c.slice(0, 2)}:${c.slice(2, 4)}`;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(cutoff)) f.fail('cutoff', 'not a time HHMM');
  return { date, number, cutoff };
}

function parseSection(reader: RecordReader): { parsed: ParsedSection; issuer: string; line: number } {
  const { fields: head } = reader.take(['SH']);
  const issuer = head.text('issuer');
  if (!ISSUER_ID.test(issuer)) head.fail('issuer', 'not an issuer id');
  const postings: ParsedPosting[] = [];
  while (reader.peekCode(['PO', 'ST']) === 'PO') postings.push(parsePosting(reader.take(['PO']).fields, issuer));
  const { fields: t } = reader.take(['ST']);
  if (t.text('issuer') !== issuer) t.fail('issuer', 'not the issuer of its section header');
  return {
    parsed: { issuer, postings, trailer: { count: t.number('count'), debit: t.number('debit'), credit: t.number('credit') } },
    issuer,
    line: head.lineNo,
  };
}

function parsePosting(f: Fields, issuer: string): ParsedPosting {
  const type = f.text('type') as PostingType;
  if (!POSTING_TYPES.includes(type)) f.fail('type', 'not purchase, cancellation, reversal or refund');
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
    merchant: f.text('merchant', false),
    stan: f.digits('stan'),
    localTime: f.digits('localTime'),
    receivedAt: parseStamp(f),
    approvalCode: f.text('approvalCode', false),
    cardStatus: f.text('cardStatus'),
  };
  // Blank means none: the optional fields are left out rather than set to ''.
  const reason = f.text('reason', false);
  if (reason !== '') posting.reason = reason;
  const reverses = f.text('reverses', false);
  if (reverses !== '') posting.reverses = reverses;
  return posting;
}

function parseStamp(f: Fields): number {
  const at = parseUtcStamp(f.digits('receivedAt'));
  return at ?? f.fail('receivedAt', 'not a UTC time YYYYMMDDhhmmssSSS');
}
