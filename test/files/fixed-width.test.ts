/**
 * Fixed-width records from a layout given as data: the columns it gives the fields, how each
 * kind is written and read back (through a real Latin-1 file), and errors that name the record or
 * line and the field with its columns, never the value.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FieldValueError,
  RecordError,
  RecordFields,
  RecordReader,
  columnsOf,
  fieldOf,
  formatRecord,
  joinRecords,
  recordLayout,
  splitRecords,
} from '../../src/files/fixed-width.js';
import { writeFileAtomic } from '../../src/files/atomic-file.js';

const PAN = '5019000000000016';
const LENGTH = 40;
const LAYOUTS = {
  HD: recordLayout('HD', 'test header', LENGTH, [
    ['date', 8, 'digits'],
    ['note', 6, 'text', 'optional'],
  ]),
  EN: recordLayout('EN', 'test entry', LENGTH, [
    ['pan', 19, 'text'],
    ['amount', 7, 'number'],
    ['day', 4, 'digits', 'optional'],
  ]),
  TR: recordLayout('TR', 'test trailer', LENGTH, [['count', 3, 'number']]),
};

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

t.test('the layout: the record type first, as wide as its code; columns follow on', async (t) => {
  t.same(
    LAYOUTS.EN.fields.map((f) => [f.name, f.start, f.width, f.kind, f.optional]),
    [
      ['recordType', 1, 2, 'text', false],
      ['pan', 3, 19, 'text', false],
      ['amount', 22, 7, 'number', false],
      ['day', 29, 4, 'digits', true],
    ],
  );
  t.equal(columnsOf(fieldOf(LAYOUTS.EN, 'amount')), 'amount (columns 22-28)');
  t.equal(recordLayout('H', 'one-letter', 10, []).fields[0]?.width, 1);
});

t.test(
  'formatRecord: text left and space-padded, numbers right and zero-padded, digits as they are, filler spaces',
  async (t) => {
    const line = formatRecord(LAYOUTS.EN, { pan: PAN, amount: '12500', day: '1121' });
    t.equal(line, `EN${PAN}   0012500${'1121'}${' '.repeat(8)}`);
    t.equal(line.length, LENGTH);
    t.equal(
      formatRecord(LAYOUTS.EN, { pan: `${PAN}  `, amount: '0', day: '' }),
      `EN${PAN}   0000000${' '.repeat(12)}`,
      'trailing spaces are padding; a blank optional field is spaces',
    );
    t.equal(
      formatRecord(LAYOUTS.HD, { date: '20261121', note: 'Søren' }).slice(0, 16),
      'HD20261121Søren ',
      'Latin-1 letters are text',
    );
  },
);

t.test('formatRecord refuses what does not fit, naming record and field, never the value', async (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ pan: `${PAN}0000`, amount: '1', day: '' }, 'pan', /20 characters, the field holds 19/],
    [{ pan: `${PAN.slice(0, 8)}\n${PAN.slice(8)}`, amount: '1', day: '' }, 'pan', /printable Latin-1/],
    [{ pan: `${PAN}€`, amount: '1', day: '' }, 'pan', /printable Latin-1/],
    [{ pan: PAN, amount: '12345678', day: '' }, 'amount', /8 digits, the field holds 7/],
    [{ pan: PAN, amount: '-1', day: '' }, 'amount', /not digits/],
    [{ pan: PAN, amount: '1e+21', day: '' }, 'amount', /not digits/],
    [{ pan: PAN, amount: '', day: '' }, 'amount', /not digits/],
    [{ pan: PAN, amount: '1', day: '112' }, 'day', /3 digits, the field is exactly 4/],
  ];
  for (const [values, field, problem] of cases) {
    const e = errorOf(() => formatRecord(LAYOUTS.EN, values));
    t.type(e, FieldValueError);
    t.match(e, { record: 'test entry', field, problem });
    t.match(e.message, new RegExp(`^test entry, field ${field}: `));
    t.notMatch(e.message, PAN, 'no PAN in the message');
  }
});

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixed-width-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const FILE = joinRecords([
  formatRecord(LAYOUTS.HD, { date: '20261121', note: '' }),
  formatRecord(LAYOUTS.EN, { pan: PAN, amount: '12500', day: '' }),
  formatRecord(LAYOUTS.TR, { count: '1' }),
]);

t.test('written to a real file and read back field by field', async (t) => {
  const path = join(tempDir(t), 'records.txt');
  await writeFileAtomic(path, FILE, { encoding: 'latin1' });
  const text = await readFile(path, 'latin1');
  t.equal(text, FILE);
  const reader = new RecordReader(splitRecords(text, LENGTH), LAYOUTS);
  const head = reader.take(['HD']);
  t.same([head.digits('date'), head.text('note'), head.lineNo], ['20261121', '', 1], 'a blank optional text is ""');
  t.equal(reader.peekCode(['EN', 'TR']), 'EN', 'peek does not consume');
  const entry = reader.take(['EN']);
  t.same(
    [entry.text('pan'), entry.number('amount'), entry.digits('day')],
    [PAN, 12500, ''],
    'a blank optional digits field is ""',
  );
  t.equal(reader.take(['TR']).number('count'), 1);
  reader.expectEnd('test trailer');
});

/** The RecordError `run` throws: its line, field and message, which must not hold the PAN. */
function readError(t: Test, run: () => unknown, line: number, field: string | undefined, problem: RegExp): void {
  const e = errorOf(run);
  t.type(e, RecordError);
  t.match(e, { line, field, problem });
  t.match(
    e.message,
    new RegExp(`^line ${line}${field === undefined ? ':' : `, field ${field.replace(/[()]/g, '\\$&')}:`}`),
  );
  t.notMatch(e.message, PAN, 'no PAN in the message');
}

t.test("reading: the file's shape", async (t) => {
  readError(t, () => splitRecords(FILE.slice(0, -1), LENGTH), 3, undefined, /no line end: the file is truncated/);
  readError(
    t,
    () => splitRecords(FILE.replace('\n', ' \n'), LENGTH),
    1,
    undefined,
    /record of 41 characters, expected 40/,
  );
  readError(
    t,
    () => splitRecords(FILE.replace(PAN, `${PAN.slice(0, 5)}\t${PAN.slice(6)}`), LENGTH),
    2,
    undefined,
    /column 8: a control character/,
  );
  t.same(splitRecords('', LENGTH), [], 'no text, no records');
});

t.test('reading: each field by its kind, and the filler', async (t) => {
  const entry = (line: string) => new RecordFields(LAYOUTS.EN, line, 7);
  const good = formatRecord(LAYOUTS.EN, { pan: PAN, amount: '12500', day: '1121' });
  readError(t, () => entry(`EN${' '.repeat(19)}${good.slice(21)}`).text('pan'), 7, 'pan (columns 3-21)', /blank/);
  readError(
    t,
    () => entry(good.replace('0012500', '00125O0')).number('amount'),
    7,
    'amount (columns 22-28)',
    /not 7 digits/,
  );
  readError(t, () => entry(good.replace('1121', '11 1')).digits('day'), 7, 'day (columns 29-32)', /not 4 digits/);
  readError(t, () => entry(`${good.slice(0, 38)}ZZ`).checkFiller(), 7, 'filler (columns 33-40)', /not spaces/);
  readError(t, () => entry(good).fail('pan', 'not a card of ours'), 7, 'pan (columns 3-21)', /not a card of ours/);
});

t.test('reading: records in the expected order', async (t) => {
  const lines = splitRecords(FILE, LENGTH);
  readError(
    t,
    () => new RecordReader(lines, LAYOUTS).take(['EN']),
    1,
    'recordType (columns 1-2)',
    /a test header where a test entry belongs/,
  );
  readError(
    t,
    () => new RecordReader(['XX'.padEnd(LENGTH)], LAYOUTS).peekCode(['HD']),
    1,
    'recordType (columns 1-2)',
    /an unknown record type where a test header belongs/,
  );
  const reader = new RecordReader(lines.slice(0, 2), LAYOUTS);
  reader.take(['HD']);
  reader.take(['EN']);
  readError(
    t,
    () => reader.peekCode(['EN', 'TR']),
    3,
    undefined,
    /the file ends where a test entry or a test trailer belongs: it is truncated/,
  );
  const extra = new RecordReader([...lines, lines[0]!], LAYOUTS);
  for (const code of ['HD', 'EN', 'TR'] as const) extra.take([code]);
  readError(t, () => extra.expectEnd('test trailer'), 4, undefined, /a record after the test trailer/);
});
