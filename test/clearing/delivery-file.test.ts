/**
 * The delivery file: round trip, determinism, fixed width, the errors of formatDelivery and
 * parseDelivery (line, field, never a PAN), and that docs/CLEARING.md shows the layout and the
 * example file the code really writes.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import {
  DeliveryFileError,
  DeliveryValueError,
  LAYOUTS,
  RECORD_LENGTH,
  deliveryFileName,
  formatDelivery,
  parseDelivery,
  type DeliveryHeader,
  type ParsedPosting,
  type RecordCode,
} from '../../src/clearing/delivery-file.js';
import { maskedDelivery } from '../../src/clearing/masked-delivery.js';
import { maskPan } from '../../src/codec/mask.js';
import { type JournalPosting, LAYOUT_2_FIELDS, type Posting, transactionId } from '../../src/journal/posting.js';

// Test PANs only (docs/TEST-CARDS.md: made-up numbers).
const PAN_A = '5019000000000016';
const PAN_B = '5019000000000024';
const PAN_C = '5019000000000032';
const PAN_19 = '5019000000000000007';
const ALL_PANS = [PAN_A, PAN_B, PAN_C, PAN_19];

const pans = new Map<string, string>();
const panOf = (p: Posting): string => pans.get(p.id) ?? '';
let seq = 0;

/** A posting with plausible values; the full PAN is kept beside it, as the cipher would. */
function posting(fields: Partial<Posting> = {}, pan = PAN_A): Posting {
  seq += 1;
  const terminal = fields.terminal ?? 'TERM0001';
  const localTime = fields.localTime ?? '261121091530';
  const stan = fields.stan ?? String(100000 + seq);
  const p: Posting = {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    txn: transactionId(terminal, localTime, stan),
    type: 'purchase',
    direction: 'D',
    amount: 12_500,
    currency: '208',
    card: `card-${seq}`,
    maskedPan: maskPan(pan),
    panEnc: '(encrypted)',
    issuer: 'bank-a',
    terminal,
    merchant: 'MERCHANT0000001',
    stan,
    localTime,
    receivedAt: Date.UTC(2026, 10, 21, 8, 15, 30, 123),
    approvalCode: 'A1B2C3',
    cardStatus: 'active',
    originalAmount: fields.amount ?? 12_500,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    purchasedAt: Date.UTC(2026, 10, 21, 8, 15, 30),
    authorizedAt: fields.receivedAt ?? Date.UTC(2026, 10, 21, 8, 15, 30, 123),
    merchantName: 'Bageriet Ø',
    merchantCity: 'Århus C',
    mcc: '5462',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'psam',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    ...fields,
  };
  pans.set(p.id, pan);
  return p;
}

/** What parseDelivery should give back for a posting. */
function parsedOf(p: Posting): ParsedPosting {
  const { card: _card, panEnc: _panEnc, ...rest } = p;
  // Blank means none: a blank merchant name, city or MCC is left out when read back.
  const blank = Object.entries(rest).filter(
    ([k, v]) => v === '' && ['merchantName', 'merchantCity', 'mcc', 'authentication', 'series'].includes(k),
  );
  for (const [k] of blank) delete (rest as Record<string, unknown>)[k];
  return { ...rest, pan: panOf(p) };
}

const HEADER: DeliveryHeader = { date: '2026-11-21', number: 3, cutoff: '10:00' };

/** Several issuers, given out of issuer order, with every posting type and the optional fields. */
function mixedPostings(): Posting[] {
  const purchase = posting({ issuer: 'bank-b' }, PAN_B);
  const reversal = posting(
    {
      issuer: 'bank-b',
      type: 'reversal',
      direction: 'C',
      txn: purchase.txn,
      reverses: purchase.txn,
      reason: 'switch',
      localTime: purchase.localTime,
      receivedAt: purchase.receivedAt + 65_001,
    },
    PAN_B,
  );
  return [
    purchase,
    posting({ issuer: 'bank-a', amount: 999_999_999_999, cardStatus: 'blocked:lost', merchant: '' }, PAN_19),
    reversal,
    posting({ issuer: 'bank-a', type: 'refund', direction: 'C', amount: 1, approvalCode: '' }, PAN_A),
    posting(
      {
        issuer: 'Bank.Z_9',
        type: 'cancellation',
        direction: 'C',
        txn: 'T1-261121091530-000777',
        reverses: 'T1-261121091530-000777',
        reason: '4000',
        terminal: 'T1',
        merchant: 'Købmand Ø',
        // Paid in euro: €16.76 at 7.46 is 125.03 DKK.
        amount: 12_503,
        originalAmount: 1676,
        originalCurrency: '978',
        rate: 7_460_000,
        entryMode: 'contactless',
        verification: 'contactlessNoPin',
        terminalKind: 'unattended',
        mcc: '',
        merchantCity: '',
        // Layout 3: a merchant's later payment of a stored card's series, approved offline.
        channel: 'internet',
        authentication: 'threeDs',
        initiatedBy: 'merchant',
        series: 'WEB00001-261101120000-000042',
        authorization: 'offline',
      },
      PAN_C,
    ),
  ];
}

t.test('round trip: format then parse gives back every field', async (t) => {
  const postings = mixedPostings();
  const parsed = parseDelivery(formatDelivery(HEADER, postings, panOf));
  t.same(parsed.header, HEADER);
  // Sections by issuer id in code-unit order ('B' < 'b'), postings in the order given.
  t.same(
    parsed.sections.map((s) => s.issuer),
    ['Bank.Z_9', 'bank-a', 'bank-b'],
  );
  const byIssuer = (issuer: string): ParsedPosting[] => postings.filter((p) => p.issuer === issuer).map(parsedOf);
  for (const s of parsed.sections) {
    t.strictSame(s.postings, byIssuer(s.issuer), `section ${s.issuer}: every field, typed`);
  }
  t.same(
    parsed.sections.map((s) => s.trailer),
    [
      { count: 1, debit: 0, credit: 12_503 },
      { count: 2, debit: 999_999_999_999, credit: 1 },
      { count: 2, debit: 12_500, credit: 12_500 },
    ],
  );
  t.same(parsed.trailer, { sections: 3, count: 5, debit: 999_999_999_999 + 12_500, credit: 12_503 + 1 + 12_500 });
  // Per currency: in the currency's minor units, and the DKK they were booked at.
  const dkk = (count: number, debit: number, credit: number) => ({
    currency: '208',
    count,
    debit,
    credit,
    dkkDebit: debit,
    dkkCredit: credit,
  });
  const eur = { currency: '978', count: 1, debit: 0, credit: 1676, dkkDebit: 0, dkkCredit: 12_503 };
  t.same(
    parsed.sections.map((s) => s.currencies),
    [[eur], [dkk(2, 999_999_999_999, 1)], [dkk(2, 12_500, 12_500)]],
  );
  t.same(parsed.currencies, [dkk(4, 999_999_999_999 + 12_500, 12_501), eur], 'the delivery: currencies in code order');
});

t.test('the output is a pure function of the inputs: a retry is byte-identical', async (t) => {
  const postings = mixedPostings();
  const first = formatDelivery(HEADER, postings, panOf);
  const second = formatDelivery({ ...HEADER }, structuredClone(postings), panOf);
  t.equal(second, first);
  t.not(formatDelivery({ ...HEADER, number: 4 }, postings, panOf), first, 'the header is in the output');
});

t.test('every record is the same length, ends with a line end and is printable Latin-1', async (t) => {
  const text = formatDelivery(HEADER, mixedPostings(), panOf);
  t.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  t.equal(
    lines.length,
    1 + 3 * 3 + 5 + 2 + 1,
    'header, 3 × (section header, currency total, trailer), 5 postings, 2 currency totals, trailer',
  );
  for (const [i, line] of lines.entries()) {
    t.equal(line.length, RECORD_LENGTH, `line ${i + 1} is ${RECORD_LENGTH} characters`);
    t.match(line, /^[\x20-\x7e\xa0-\xff]+$/, `line ${i + 1} is printable Latin-1`);
  }
  t.same(
    lines.map((l) => l.slice(0, 2)),
    ['DH', 'SH', 'PO', 'CT', 'ST', 'SH', 'PO', 'PO', 'CT', 'ST', 'SH', 'PO', 'PO', 'CT', 'ST', 'CT', 'CT', 'DT'],
  );
  t.equal(Buffer.byteLength(text, 'latin1'), lines.length * (RECORD_LENGTH + 1), 'one byte per character in Latin-1');
});

t.test('a posting record, column by column', async (t) => {
  const p = posting({ reason: 'switch', reverses: 'TERM0001-261121091530-000042' });
  const line = formatDelivery(HEADER, [p], panOf).split('\n')[2] ?? '';
  const at = (name: string): string => {
    const f = LAYOUTS.PO.fields.find((x) => x.name === name);
    if (f === undefined) throw new Error(name);
    return line.slice(f.start - 1, f.start - 1 + f.width);
  };
  t.equal(at('recordType'), 'PO');
  t.equal(at('amount'), '000000012500', 'amount: zero-padded øre');
  t.equal(at('pan'), `${PAN_A}   `, 'pan: left-justified, space-padded to 19');
  t.equal(at('receivedAt'), '20261121081530123', 'receivedAt: UTC to the millisecond');
  t.equal(at('direction'), 'D');
  t.equal(at('type'), 'purchase    ');
  t.equal(at('reverses'), 'TERM0001-261121091530-000042');
  t.equal(at('originalAmount'), '000000012500', 'layout 2: the amount as sent');
  t.equal(at('originalCurrency'), '208');
  t.equal(at('rate'), '0001000000', 'rate: millionths of a DKK');
  t.equal(at('purchasedAt'), '20261121081530000', 'purchasedAt: UTC to the millisecond');
  t.equal(at('merchantName'), 'Bageriet Ø'.padEnd(40));
  t.equal(at('verification'), 'pinOnline'.padEnd(16));
  const last = LAYOUTS.PO.fields.at(-1)!;
  t.equal(line.slice(last.start - 1 + last.width), ' '.repeat(RECORD_LENGTH - last.start + 1 - last.width), 'filler');
});

t.test('an empty delivery is a header and a trailer of zeros', async (t) => {
  const text = formatDelivery({ date: '2026-11-21', number: 1, cutoff: '06:00' }, [], panOf);
  const lines = text.slice(0, -1).split('\n');
  t.equal(lines.length, 2);
  t.equal(lines[0]?.trimEnd(), 'DH0420261121010600');
  t.equal(lines[1]?.trimEnd(), `DT0000${'0'.repeat(9)}${'0'.repeat(15)}${'0'.repeat(15)}`);
  t.same(parseDelivery(text), {
    header: { date: '2026-11-21', number: 1, cutoff: '06:00' },
    sections: [],
    trailer: { sections: 0, count: 0, debit: 0, credit: 0 },
    currencies: [],
  });
});

t.test('a posting journalled before layout 2 (no newer fields) delivers with the documented defaults', async (t) => {
  // As the journal of a switch from before issue 14 holds it: JSON without the layout 2 fields.
  const json =
    '{"id":"00000000-0000-4000-8000-00000000abcd","txn":"TERM0001-261121091530-000321","type":"purchase",' +
    '"direction":"D","amount":4200,"currency":"978","card":"card-old","maskedPan":"501900******0016",' +
    '"panEnc":"(encrypted)","issuer":"bank-a","terminal":"TERM0001","merchant":"MERCHANT0000001",' +
    '"stan":"000321","localTime":"261121091530","receivedAt":1795249530123,"approvalCode":"123456","cardStatus":"active"}';
  const old = JSON.parse(json) as JournalPosting;
  for (const f of LAYOUT_2_FIELDS) t.notOk(f in old, `the old posting has no ${f}`);
  const text = formatDelivery(HEADER, [old], () => PAN_A);
  const [parsed] = parseDelivery(text).sections[0]!.postings;
  const { card: _card, panEnc: _panEnc, ...rest } = old;
  t.strictSame(
    parsed,
    { ...rest, pan: PAN_A, originalAmount: 4200, originalCurrency: '978', originalExponent: 2, rate: 1_000_000 },
    'the original is the amount in its currency at rate 1; times, merchant and card read left out (blank)',
  );
  t.same(parseDelivery(text).currencies, [
    { currency: '978', count: 1, debit: 4200, credit: 0, dkkDebit: 4200, dkkCredit: 0 },
  ]);
});

t.test('deliveryFileName: date and two-digit number, so the names sort in delivery order', async (t) => {
  t.equal(deliveryFileName(HEADER), 'delivery-2026-11-21-03.txt');
  const names = [10, 2, 1, 9].map((number) => deliveryFileName({ ...HEADER, number }));
  t.same(
    [...names].sort(),
    [1, 2, 9, 10].map((n) => `delivery-2026-11-21-${String(n).padStart(2, '0')}.txt`),
  );
  t.throws(() => deliveryFileName({ ...HEADER, number: 100 }), DeliveryValueError);
});

/** formatDelivery's error for one bad value: the class, the field named, no PAN. */
function formatError(t: Test, run: () => unknown, field: string): void {
  try {
    run();
    t.fail(`no error for field ${field}`);
  } catch (error) {
    t.type(error, DeliveryValueError);
    const message = (error as Error).message;
    t.match(message, `field ${field}:`, message);
    for (const pan of ALL_PANS) t.notMatch(message, pan, 'no PAN in the message');
  }
}

t.test('a value too wide (or of the wrong form) throws instead of being truncated', async (t) => {
  const one =
    (fields: Partial<Posting>, pan = PAN_A) =>
    (): string =>
      formatDelivery(HEADER, [posting(fields, pan)], panOf);
  formatError(t, one({ terminal: 'TERM00012', txn: 'T-1' }), 'terminal');
  formatError(t, one({ merchant: 'M'.repeat(16) }), 'merchant');
  formatError(t, one({ txn: 'T'.repeat(29) }), 'txn');
  formatError(t, one({ id: 'x'.repeat(37) }), 'id');
  formatError(t, one({ cardStatus: 'blocked:'.padEnd(21, 'x') }), 'cardStatus');
  formatError(t, one({ reason: 'r'.repeat(11) }), 'reason');
  formatError(t, one({ issuer: `b${'a'.repeat(64)}` }), 'issuer');
  formatError(t, one({ issuer: '' }), 'issuer');
  formatError(t, one({ amount: 1_000_000_000_000 }), 'amount');
  formatError(t, one({ amount: 0 }), 'amount');
  formatError(t, one({ amount: 12.5 }), 'amount');
  formatError(t, one({}, `${PAN_19}1`), 'pan');
  formatError(t, one({}, 'not a pan'), 'pan');
  formatError(t, one({ stan: '12345' }), 'stan');
  formatError(t, one({ currency: 'DKK' }), 'currency');
  formatError(t, one({ localTime: '2611210915301', txn: 'T-1' }), 'localTime');
  formatError(t, one({ receivedAt: Number.NaN }), 'receivedAt');
  formatError(t, one({ receivedAt: Date.UTC(10000, 0, 1) }), 'receivedAt');
  formatError(t, one({ merchant: 'two\nlines' }), 'merchant');
  formatError(t, one({ merchant: 'emoji \u{1F600}' }), 'merchant');
  formatError(t, one({ type: 'sale' as Posting['type'] }), 'type');
  formatError(t, one({ direction: 'X' as Posting['direction'] }), 'direction');
  formatError(t, () => formatDelivery({ ...HEADER, date: '2026-02-30' }, [], panOf), 'date');
  formatError(t, () => formatDelivery({ ...HEADER, date: '21-11-2026' }, [], panOf), 'date');
  formatError(t, () => formatDelivery({ ...HEADER, number: 0 }, [], panOf), 'number');
  formatError(t, () => formatDelivery({ ...HEADER, cutoff: '24:00' }, [], panOf), 'cutoff');
  // The posting is named by its place and id; an id that is not id-like is not echoed.
  t.throws(one({ terminal: 'TERM00012', txn: 'T-1' }), {
    message: /^posting 1 \(id 00000000-0000-4000-8000-\d{12}\), field terminal: 9 characters, the field holds 8$/,
  });
  t.throws(() => formatDelivery(HEADER, [posting({ id: PAN_A, terminal: 'TERM00012', txn: 'T-1' })], panOf), {
    message: /^posting 1, field terminal/,
  });
  // A trailing space is padding, not data: it is dropped rather than counted against the width.
  t.doesNotThrow(one({ terminal: 'TERM0001 ' }));
});

t.test('a total too wide for its trailer throws', async (t) => {
  const many = Array.from({ length: 1001 }, () => posting({ amount: 999_999_999_999 }));
  formatError(t, () => formatDelivery(HEADER, many, panOf), 'debit');
});

// ---------------------------------------------------------------------------------------------
// Parse errors

const GOOD = formatDelivery(HEADER, mixedPostings(), panOf);
const GOOD_LINES = GOOD.slice(0, -1).split('\n');

function fileOf(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

/** The lines of GOOD with one field of one line replaced (same width). */
function withField(lineIndex: number, code: RecordCode, name: string, value: string): string {
  const f = LAYOUTS[code].fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(name);
  const lines = [...GOOD_LINES];
  const line = lines[lineIndex] ?? '';
  if (value.length !== f.width) throw new Error(`test value for ${name} must be ${f.width} wide`);
  lines[lineIndex] = line.slice(0, f.start - 1) + value + line.slice(f.start - 1 + f.width);
  return fileOf(lines);
}

/** parseDelivery's error: a DeliveryFileError whose message matches, naming the line, without any PAN. */
function parseError(t: Test, text: string, line: number, message: RegExp): void {
  try {
    parseDelivery(text);
    t.fail(`no error (${String(message)})`);
  } catch (error) {
    t.type(error, DeliveryFileError);
    const e = error as DeliveryFileError;
    t.equal(e.line, line, `line ${line}`);
    t.match(e.message, new RegExp(`^line ${line}\\b`));
    t.match(e.message, message);
    for (const pan of ALL_PANS) t.notMatch(e.message, pan, 'no PAN in the message');
  }
}

t.test('parse: a truncated file', async (t) => {
  // Cut inside the last record: no line end.
  parseError(t, GOOD.slice(0, -40), 18, /no line end: the file is truncated/);
  // Cut between records: the delivery trailer is missing.
  parseError(
    t,
    fileOf(GOOD_LINES.slice(0, -1)),
    18,
    /ends where a currency total or a delivery trailer belongs: it is truncated/,
  );
  parseError(
    t,
    fileOf(GOOD_LINES.slice(0, 3)),
    4,
    /ends where a posting record or a currency total or a section trailer belongs/,
  );
  // Cut inside a posting record that carries a PAN.
  parseError(t, GOOD.slice(0, (RECORD_LENGTH + 1) * 2 + 100), 3, /no line end/);
  parseError(t, '', 1, /empty/);
});

t.test('parse: a record of the wrong length', async (t) => {
  const lines = [...GOOD_LINES];
  lines[6] = `${lines[6] ?? ''} `;
  parseError(t, fileOf(lines), 7, /record of 1025 characters, expected 1024/);
  parseError(t, GOOD.replaceAll('\n', '\r\n'), 1, /record of 1025 characters/);
  const blank = [...GOOD_LINES];
  blank.splice(2, 0, '');
  parseError(t, fileOf(blank), 3, /record of 0 characters/);
});

t.test('parse: a non-numeric amount', async (t) => {
  parseError(t, withField(2, 'PO', 'amount', '0000001250O0'), 3, /field amount \(columns 80-91\): not 12 digits/);
  parseError(t, withField(2, 'PO', 'amount', '       12500'), 3, /field amount/);
  parseError(t, withField(2, 'PO', 'amount', '000000000000'), 3, /field amount .*zero/);
});

t.test('parse: a record out of order', async (t) => {
  const swapped = [...GOOD_LINES];
  [swapped[1], swapped[2]] = [swapped[2] ?? '', swapped[1] ?? ''];
  parseError(
    t,
    fileOf(swapped),
    2,
    /field recordType \(columns 1-2\): a posting record where a section header or a currency total or a delivery trailer belongs/,
  );
  parseError(t, fileOf(GOOD_LINES.slice(1)), 1, /a section header where a delivery header belongs/);
  const noTrailer = GOOD_LINES.filter((_, i) => i !== 4);
  parseError(t, fileOf(noTrailer), 5, /a section header where a currency total or a section trailer belongs/);
  parseError(t, fileOf([...GOOD_LINES, GOOD_LINES[0] ?? '']), 19, /a record after the delivery trailer/);
  parseError(t, withField(2, 'PO', 'recordType', 'XX'), 3, /an unknown record type where/);
  // Sections must come in issuer id order, each once.
  const reordered = [
    GOOD_LINES[0] ?? '',
    ...GOOD_LINES.slice(5, 10),
    ...GOOD_LINES.slice(1, 5),
    ...GOOD_LINES.slice(10),
  ];
  parseError(t, fileOf(reordered), 7, /field issuer \(columns 3-66\): sections are not in ascending issuer id order/);
});

t.test('parse: every other field check names its line and field', async (t) => {
  const blankOf = (width: number): string => ' '.repeat(width);
  parseError(t, withField(0, 'DH', 'version', '01'), 1, /field version .*layout version 4 expected/);
  parseError(t, withField(0, 'DH', 'date', '20261321'), 1, /field date/);
  parseError(t, withField(0, 'DH', 'number', '00'), 1, /field number/);
  parseError(t, withField(0, 'DH', 'cutoff', '2460'), 1, /field cutoff/);
  parseError(t, withField(0, 'DH', 'cutoff', '10:0'), 1, /field cutoff .*not 4 digits/);
  parseError(t, withField(1, 'SH', 'issuer', blankOf(64)), 2, /field issuer .*blank/);
  parseError(t, withField(1, 'SH', 'issuer', '-bad'.padEnd(64)), 2, /field issuer .*not an issuer id/);
  parseError(
    t,
    withField(4, 'ST', 'issuer', 'bank-a'.padEnd(64)),
    5,
    /field issuer .*not the issuer of its section header/,
  );
  parseError(t, withField(4, 'ST', 'count', '00000000x'), 5, /field count/);
  parseError(t, withField(17, 'DT', 'sections', '000x'), 18, /field sections/);
  parseError(t, withField(3, 'CT', 'issuer', 'bank-a'.padEnd(64)), 4, /field issuer .*not the issuer of its section/);
  parseError(t, withField(15, 'CT', 'issuer', 'bank-a'.padEnd(64)), 16, /field issuer .*not blank/);
  parseError(t, withField(16, 'CT', 'currency', '208'), 17, /field currency .*ascending code order/);
  parseError(t, withField(3, 'CT', 'dkkCredit', '00000000000001x'), 4, /field dkkCredit/);
  parseError(t, withField(2, 'PO', 'rate', '0000000000'), 3, /field rate .*zero/);
  parseError(t, withField(2, 'PO', 'purchasedAt', '20261321081530123'), 3, /field purchasedAt/);
  parseError(t, withField(2, 'PO', 'originalCurrency', 'EUR'), 3, /field originalCurrency/);
  parseError(t, withField(2, 'PO', 'id', blankOf(36)), 3, /field id .*blank/);
  parseError(t, withField(2, 'PO', 'type', 'sale'.padEnd(12)), 3, /field type/);
  parseError(t, withField(2, 'PO', 'direction', 'X'), 3, /field direction/);
  parseError(t, withField(2, 'PO', 'currency', 'DKK'), 3, /field currency/);
  parseError(t, withField(2, 'PO', 'stan', '12345 '), 3, /field stan/);
  parseError(t, withField(2, 'PO', 'receivedAt', '20261321081530123'), 3, /field receivedAt/);
  parseError(t, withField(2, 'PO', 'cardStatus', blankOf(20)), 3, /field cardStatus .*blank/);
  parseError(
    t,
    withField(6, 'PO', 'pan', `${PAN_19.slice(0, 10)}A${PAN_19.slice(11)}`),
    7,
    /field pan \(columns 95-113\): not 12 to 19 digits/,
  );
  parseError(t, withField(6, 'PO', 'pan', ` ${PAN_A}  `), 7, /field pan/);
  // Filler: anything after the last field means another layout.
  const filled = [...GOOD_LINES];
  filled[2] = `${(filled[2] ?? '').slice(0, 1022)}ZZ`;
  parseError(t, fileOf(filled), 3, /field filler \(columns 541-1024\): not spaces/);
  // A control character in a record.
  const tab = [...GOOD_LINES];
  tab[2] = `${(tab[2] ?? '').slice(0, 150)}\t${(tab[2] ?? '').slice(151)}`;
  parseError(t, fileOf(tab), 3, /column 151: a control character/);
});

t.test('parse errors never contain the PAN, whatever column it lands in', async (t) => {
  // Every one-character shift of a posting record moves the PAN across other fields' columns.
  const line = GOOD_LINES[6] ?? '';
  t.ok(line.includes(PAN_19), 'the record carries the PAN');
  let errors = 0;
  for (let shift = 1; shift <= 40; shift++) {
    const lines = [...GOOD_LINES];
    lines[6] = (' '.repeat(shift) + line).slice(0, RECORD_LENGTH);
    lines[6] = `PO${(lines[6] ?? '').slice(2)}`;
    try {
      parseDelivery(fileOf(lines));
    } catch (error) {
      errors += 1;
      t.type(error, DeliveryFileError);
      for (const pan of ALL_PANS) t.notMatch((error as Error).message, pan);
    }
  }
  t.equal(errors, 40, 'every shifted record is rejected');
});

// ---------------------------------------------------------------------------------------------
// Layout 4: a dispute's chargeback and redebit

/** A purchase, the chargeback of a case over part of it, and the redebit that takes it back. */
function disputed(): Posting[] {
  const purchase = posting({ amount: 250_000 });
  const of = (type: 'chargeback' | 'redebit', at: number, account: string): Posting =>
    posting({
      ...purchase,
      id: undefined,
      type,
      direction: type === 'chargeback' ? 'C' : 'D',
      amount: 100_000,
      originalAmount: 100_000,
      receivedAt: at,
      caseNumber: 'D00000042',
      disputeReason: 'lateInsufficientFunds',
      creditAccount: account,
    });
  const chargeback = of('chargeback', Date.UTC(2026, 11, 8, 5, 0), 'standard');
  const redebit = of('redebit', Date.UTC(2026, 11, 15, 5, 0), '12345678901234567890');
  return [purchase, chargeback, redebit].map(({ id: _id, ...p }, i) => ({
    id: `00000000-0000-4000-8000-${String(900 + i).padStart(12, '0')}`,
    ...p,
  }));
}

t.test('layout 4: a chargeback and a redebit round-trip with their case, reason and account', async (t) => {
  const postings = disputed();
  for (const p of postings) pans.set(p.id, PAN_A);
  const text = formatDelivery(HEADER, postings, panOf);
  const [section] = parseDelivery(text).sections;
  t.strictSame(section?.postings, postings.map(parsedOf), 'every field, the dispute fields only on the two');
  t.notOk('caseNumber' in (section?.postings[0] ?? {}), 'blank on the purchase: left out');
  t.same(section?.trailer, { count: 3, debit: 350_000, credit: 100_000 }, 'chargeback C, redebit D');
  const line = text.split('\n')[3] ?? '';
  const at = (name: string): string => {
    const f = LAYOUTS.PO.fields.find((x) => x.name === name)!;
    return line.slice(f.start - 1, f.start - 1 + f.width);
  };
  t.equal(at('type'), 'chargeback  ');
  t.equal(at('caseNumber'), 'D00000042', "the case number: 'D' and 8 digits, the field's full width");
  t.equal(at('disputeReason'), 'lateInsufficientFunds', 'the longest reason fills its field');
  t.equal(at('creditAccount'), 'standard'.padEnd(20));
  const used = LAYOUTS.PO.fields.at(-1)!;
  t.ok(used.start + used.width - 1 <= RECORD_LENGTH, 'the posting record fits its length');

  // The operators' masked copy (masked-delivery.ts) masks their PAN too, and keeps their case.
  const masked = maskedDelivery(text);
  t.notMatch(masked.text, PAN_A, 'no full PAN in the copy');
  const copied = masked.text.split('\n')[3] ?? '';
  t.equal(copied.length, RECORD_LENGTH);
  t.equal(copied.replace(maskPan(PAN_A).padEnd(19), `${PAN_A}   `), line, 'only the pan column changed');
  t.match(masked.totals, { count: 3, debit: 350_000, credit: 100_000 });
});

t.test('layout 4: the dispute fields belong on a chargeback or redebit only, in their forms', async (t) => {
  const [purchase, chargeback] = disputed() as [Posting, Posting];
  pans.set(purchase.id, PAN_A);
  pans.set(chargeback.id, PAN_A);
  const one = (p: Posting) => (): string => formatDelivery(HEADER, [p], panOf);
  formatError(t, one({ ...purchase, caseNumber: 'D00000042' }), 'caseNumber');
  formatError(t, one({ ...purchase, creditAccount: 'standard' }), 'creditAccount');
  const { caseNumber: _c, ...noCase } = chargeback;
  formatError(t, one(noCase), 'caseNumber');
  formatError(t, one({ ...chargeback, caseNumber: 'D0000004' }), 'caseNumber');
  formatError(t, one({ ...chargeback, caseNumber: 'X00000042' }), 'caseNumber');
  formatError(t, one({ ...chargeback, disputeReason: 'becauseISaidSo' }), 'disputeReason');
  formatError(t, one({ ...chargeback, creditAccount: '123' }), 'creditAccount');
  formatError(t, one({ ...chargeback, creditAccount: PAN_19 + '12' }), 'creditAccount');
  formatError(t, one({ ...chargeback, creditAccount: 'savings' }), 'creditAccount');
  t.doesNotThrow(one({ ...chargeback, creditAccount: '1234' }), 'an account number of 4 digits');

  // The parser holds a file to the same rules, naming line and field.
  const lines = formatDelivery(HEADER, [purchase, chargeback], panOf).slice(0, -1).split('\n');
  const set = (i: number, name: string, value: string): string => {
    const f = LAYOUTS.PO.fields.find((x) => x.name === name)!;
    const copy = [...lines];
    const line = copy[i] ?? '';
    copy[i] = line.slice(0, f.start - 1) + value.padEnd(f.width) + line.slice(f.start - 1 + f.width);
    return fileOf(copy);
  };
  parseError(t, set(2, 'caseNumber', 'D00000042'), 3, /field caseNumber .*not a dispute/);
  parseError(t, set(3, 'caseNumber', ''), 4, /field caseNumber .*blank on a chargeback/);
  parseError(t, set(3, 'caseNumber', 'D1'), 4, /field caseNumber .*'D' and 8 digits/);
  parseError(t, set(3, 'disputeReason', 'unknown'), 4, /field disputeReason .*not a dispute reason/);
  parseError(t, set(3, 'creditAccount', '12a4'), 4, /field creditAccount .*4 to 20 digits/);
});

// ---------------------------------------------------------------------------------------------
// docs/CLEARING.md stays true to the code

const DOC = readFileSync(new URL('../../docs/CLEARING.md', import.meta.url), 'utf8');

t.test('the layout tables in docs/CLEARING.md are the layout in the code', async (t) => {
  for (const code of Object.keys(LAYOUTS) as RecordCode[]) {
    const heading = DOC.indexOf(`(\`${code}\`)`);
    t.ok(heading > 0, `a section for ${code}`);
    const rest = DOC.slice(heading);
    const end = rest.indexOf('\n#');
    const rows = [...rest.slice(0, end === -1 ? undefined : end).matchAll(/^\| `(\w+)` \| (\d+) \| (\d+) \|/gm)].map(
      (m) => ({
        name: m[1],
        start: Number(m[2]),
        width: Number(m[3]),
      }),
    );
    const fields = LAYOUTS[code].fields.map(({ name, start, width }) => ({ name, start, width }));
    const last = fields.at(-1);
    if (last === undefined) throw new Error('empty layout');
    const fillerStart = last.start + last.width;
    t.same(
      rows,
      [...fields, { name: 'filler', start: fillerStart, width: RECORD_LENGTH - fillerStart + 1 }],
      `${code} table`,
    );
  }
});

t.test('the example file in docs/CLEARING.md is what formatDelivery writes', async (t) => {
  const m = /## Example file[\s\S]*?```text\n([\s\S]*?)```/.exec(DOC);
  t.ok(m, 'an example block');
  const shown = (m?.[1] ?? '').slice(0, -1).split('\n');
  // The doc's example, built here: a purchase, its reversal by the switch, a refund at another bank.
  const pan2 = '5019000000000024';
  const purchase: Posting = {
    id: '6f1c2a9e-0b7d-4e21-9a43-0c8d2e6f1a01',
    txn: 'TERM0001-261121091530-000123',
    type: 'purchase',
    direction: 'D',
    amount: 12_500,
    currency: '208',
    card: 'card-1',
    maskedPan: '501900******0016',
    panEnc: '(encrypted)',
    issuer: 'bank-a',
    terminal: 'TERM0001',
    merchant: 'MERCHANT0000001',
    stan: '000123',
    localTime: '261121091530',
    receivedAt: Date.parse('2026-11-21T08:15:30.482Z'),
    approvalCode: '482913',
    cardStatus: 'active',
    originalAmount: 12_500,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    purchasedAt: Date.parse('2026-11-21T08:15:30Z'),
    authorizedAt: Date.parse('2026-11-21T08:15:30.482Z'),
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
  };
  const reversal: Posting = {
    ...purchase,
    id: '6f1c2a9e-0b7d-4e21-9a43-0c8d2e6f1a02',
    type: 'reversal',
    direction: 'C',
    receivedAt: Date.parse('2026-11-21T08:17:02.007Z'),
    reverses: purchase.txn,
    reason: 'switch',
  };
  const refund: Posting = {
    ...purchase,
    id: '6f1c2a9e-0b7d-4e21-9a43-0c8d2e6f1a03',
    txn: 'POS00042-261121093005-000017',
    type: 'refund',
    direction: 'C',
    card: 'card-2',
    maskedPan: '501900******0024',
    issuer: 'bank-b',
    terminal: 'POS00042',
    merchant: 'SHOP00000000042',
    stan: '000017',
    localTime: '261121093005',
    receivedAt: Date.parse('2026-11-21T08:30:05.120Z'),
    approvalCode: '771204',
    // A refund in euro: €6.70 at 7.46 is 49.98 DKK (49.982, rounded half up to the øre).
    amount: 4_998,
    originalAmount: 670,
    originalCurrency: '978',
    rate: 7_460_000,
    purchasedAt: Date.parse('2026-11-21T08:30:05Z'),
    authorizedAt: Date.parse('2026-11-21T08:30:05.120Z'),
    merchantName: 'Boghandlen',
    merchantCity: 'København',
    mcc: '5942',
    verification: 'signature',
  };
  const cards: Record<string, string> = { 'card-1': PAN_A, 'card-2': pan2 };
  const text = formatDelivery(HEADER, [refund, purchase, reversal], (p) => cards[p.card] ?? '');
  t.same(
    shown,
    text
      .slice(0, -1)
      .split('\n')
      .map((l) => l.trimEnd()),
    'the example, trailing spaces trimmed',
  );
  t.match(DOC, deliveryFileName(HEADER), 'the example names its file');
});
