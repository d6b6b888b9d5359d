/**
 * Fixed-width text records, one per line (the clearing delivery file, the offline block list): a
 * record layout is data, a list of fields with name, width and kind, and one formatter and one
 * reader work from it, so a layout's docs, writer and reader cannot drift apart. Every record of a
 * layout is `length` characters, its type code first, spaces (filler) after the last field.
 * Columns are 1-based.
 *
 * Errors name the record or line and the field with its columns, never the value: these records
 * hold full PANs, and a shifted or damaged record may put one in any column.
 */

/**
 * text: left-aligned, space-padded; trailing spaces are padding, never data; printable Latin-1.
 * number: a non-negative integer, right-aligned, zero-padded.
 * digits: a digit string exactly the field's width (a STAN, a date); leading zeros are data.
 */
export type FieldKind = 'text' | 'number' | 'digits';

/** A field as a layout lists it: name, width, kind, and 'optional' when it may be blank ("none"). */
export type FieldDef = readonly [name: string, width: number, kind: FieldKind, presence?: 'optional'];

export interface FieldSpec {
  readonly name: string;
  /** 1-based column of the field's first character. */
  readonly start: number;
  readonly width: number;
  readonly kind: FieldKind;
  /** May be all spaces, meaning none. A required text field read blank is an error. */
  readonly optional: boolean;
}

export interface RecordLayout<C extends string = string> {
  /** The record type, written in the first field, `recordType`. */
  readonly code: C;
  /** What the record is, for messages: 'posting record'. */
  readonly title: string;
  /** Every record's length in characters, filler included. */
  readonly length: number;
  /** `recordType` first, then the data fields, in column order. */
  readonly fields: readonly FieldSpec[];
}

/** A layout from its data fields; the record type field (as wide as the code) is put first. */
export function recordLayout<C extends string>(
  code: C,
  title: string,
  length: number,
  defs: readonly FieldDef[],
): RecordLayout<C> {
  let start = 1;
  const fields = [['recordType', code.length, 'text'] as FieldDef, ...defs].map(
    ([name, width, kind, presence]): FieldSpec => {
      const field = { name, start, width, kind, optional: presence === 'optional' };
      start += width;
      return field;
    },
  );
  /* c8 ignore next */
  if (start - 1 > length) throw new Error(`${title}: the fields take ${start - 1} characters, the record ${length}`);
  return { code, title, length, fields };
}

export function fieldOf(layout: RecordLayout, name: string): FieldSpec {
  const field = layout.fields.find((f) => f.name === name);
  /* c8 ignore next */
  if (field === undefined) throw new Error(`no field ${name} in the ${layout.title}`);
  return field;
}

/** 'amount (columns 80-91)': how errors name a field, so that it is found in the file. */
export function columnsOf(f: FieldSpec): string {
  return `${f.name} (columns ${f.start}-${f.start + f.width - 1})`;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A value that does not fit its field (too wide, wrong form): names the record and field. */
export class FieldValueError extends Error {
  constructor(
    readonly record: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${record}, field ${field}: ${problem}`);
    this.name = 'FieldValueError';
  }
}

/** One record from its field values (its type is the layout's). Nothing is truncated: a value that does not fit throws FieldValueError. */
export function formatRecord(layout: RecordLayout, values: Readonly<Record<string, string>>): string {
  let out = '';
  for (const f of layout.fields) {
    // Callers give every field; a missing one counts as blank, which only text and optional fields allow.
    /* c8 ignore next */
    const value = f.name === 'recordType' ? layout.code : (values[f.name] ?? '');
    out += fieldText(layout, f, value);
  }
  return out.padEnd(layout.length, ' ');
}

function fieldText(layout: RecordLayout, f: FieldSpec, value: string): string {
  const fail = (problem: string): never => {
    throw new FieldValueError(layout.title, f.name, problem);
  };
  if (f.kind === 'text') {
    const text = value.trimEnd(); // trailing spaces are padding in these layouts, never data
    if (!isPrintableLatin1(text)) fail('holds a character outside printable Latin-1');
    if (text.length > f.width) fail(`${text.length} characters, the field holds ${f.width}`);
    return text.padEnd(f.width, ' ');
  }
  if (value === '' && f.optional) return ' '.repeat(f.width);
  if (!/^\d+$/.test(value)) fail('not digits');
  if (f.kind === 'digits' && value.length !== f.width) fail(`${value.length} digits, the field is exactly ${f.width}`);
  if (value.length > f.width) fail(`${value.length} digits, the field holds ${f.width}`);
  return value.padStart(f.width, '0');
}

/**
 * The record with field `name` written anew as `value` (a masked copy of a file: the same
 * columns, one field changed). The value must fit the field as formatRecord would write it.
 */
export function withField(record: string, layout: RecordLayout, name: string, value: string): string {
  const f = fieldOf(layout, name);
  return record.slice(0, f.start - 1) + fieldText(layout, f, value) + record.slice(f.start - 1 + f.width);
}

/** Records as file text: every line ended by '\n', the last one too. */
export function joinRecords(records: readonly string[]): string {
  return records.map((r) => `${r}\n`).join('');
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
// Reading

/** Text that does not follow its layout: names the line and the field (with its columns), never a value. */
export class RecordError extends Error {
  constructor(
    readonly line: number,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(`line ${line}${field === undefined ? '' : `, field ${field}`}: ${problem}`);
    this.name = 'RecordError';
  }
}

/** The records of a file (decoded as Latin-1): each line `length` printable characters, each ended by '\n'. */
export function splitRecords(text: string, length: number): string[] {
  const parts = text.split('\n');
  if (parts.at(-1) !== '') {
    throw new RecordError(parts.length, undefined, 'the last record has no line end: the file is truncated');
  }
  const lines = parts.slice(0, -1);
  lines.forEach((line, i) => checkLine(line, i + 1, length));
  return lines;
}

function checkLine(line: string, lineNo: number, length: number): void {
  if (line.length !== length)
    throw new RecordError(lineNo, undefined, `record of ${line.length} characters, expected ${length}`);
  for (let c = 0; c < line.length; c++) {
    if (!isPrintableLatin1(line.charAt(c))) {
      throw new RecordError(lineNo, undefined, `column ${c + 1}: a control character or one outside Latin-1`);
    }
  }
}

/** The fields of one record, read by name; each accessor checks the field's form. */
export class RecordFields {
  constructor(
    readonly layout: RecordLayout,
    private readonly line: string,
    readonly lineNo: number,
  ) {}

  private raw(name: string): string {
    const f = fieldOf(this.layout, name);
    return this.line.slice(f.start - 1, f.start - 1 + f.width);
  }

  /** A problem with a field's value, for checks beyond its form. */
  fail(name: string, problem: string): never {
    throw new RecordError(this.lineNo, columnsOf(fieldOf(this.layout, name)), problem);
  }

  /** Trailing spaces removed; '' for a blank optional field, an error for a blank required one. */
  text(name: string): string {
    const value = this.raw(name).trimEnd();
    if (value === '' && !fieldOf(this.layout, name).optional) this.fail(name, 'blank');
    return value;
  }

  /** The digits; '' for a blank optional field. */
  digits(name: string): string {
    const value = this.raw(name);
    if (fieldOf(this.layout, name).optional && value.trim() === '') return '';
    if (!/^\d+$/.test(value)) this.fail(name, `not ${value.length} digits`);
    return value;
  }

  number(name: string): number {
    return Number(this.digits(name));
  }

  /** After the last field, the record must be spaces: anything there means a different layout. */
  checkFiller(): void {
    const last = this.layout.fields.at(-1)!;
    const from = last.start - 1 + last.width;
    if (this.line.slice(from).trim() !== '') {
      throw new RecordError(this.lineNo, `filler (columns ${from + 1}-${this.layout.length})`, 'not spaces');
    }
  }
}

/** Walks a file's records in order; take() insists the next one is of an expected type. */
export class RecordReader<C extends string> {
  private next = 0;

  constructor(
    private readonly lines: readonly string[],
    private readonly layouts: Readonly<Record<C, RecordLayout<C>>>,
  ) {}

  /** The next record's type, which must be one of `expected`; the record is not consumed. */
  peekCode(expected: readonly C[]): C {
    const line = this.lines[this.next];
    const wanted = expected.map((c) => `a ${this.layouts[c].title}`).join(' or ');
    if (line === undefined) {
      throw new RecordError(this.next + 1, undefined, `the file ends where ${wanted} belongs: it is truncated`);
    }
    const typeField = this.layouts[expected[0]!].fields[0]!;
    const code = line.slice(0, typeField.width) as C;
    if (!expected.includes(code)) {
      const found = Object.hasOwn(this.layouts, code) ? `a ${this.layouts[code].title}` : 'an unknown record type';
      throw new RecordError(this.next + 1, columnsOf(typeField), `${found} where ${wanted} belongs`);
    }
    return code;
  }

  /** The next record, of one of the `expected` types, with its filler checked. */
  take(expected: readonly C[]): RecordFields {
    const code = this.peekCode(expected);
    const fields = new RecordFields(this.layouts[code], this.lines[this.next]!, this.next + 1);
    fields.checkFiller();
    this.next += 1;
    return fields;
  }

  /** No records left; `last` names the record that must end the file. */
  expectEnd(last: string): void {
    if (this.next < this.lines.length) throw new RecordError(this.next + 1, undefined, `a record after the ${last}`);
  }
}
