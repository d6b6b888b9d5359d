/**
 * The offline block list file as text (docs/CLEARING.md "Offline block list", "File layout"): a
 * header, one line per card put on the list (A) or taken off it (R), a trailer counting them.
 * The layout is data (a test compares it with the docs' tables); the records are written by
 * src/files/fixed-width.ts. Dates and times are local, in the register's time zone.
 */
import type { BlockReason } from '../card/card-register.js';
import {
  type FieldSpec,
  type RecordLayout,
  RecordReader,
  formatRecord,
  joinRecords,
  recordLayout,
  splitRecords,
  withField,
} from '../files/fixed-width.js';
import { maskPan } from '../codec/mask.js';
import { localStamp } from '../time/local-time.js';
import { nextDate } from '../time/dates.js';

export type { FieldSpec };

export interface BlockListEntry {
  pan: string;
  maskedPan: string;
  issuer: string;
  reason: BlockReason;
  /** ms since the epoch: when the register blocked the card. */
  blockedAt: number;
}

/** One entry line of a file: the card put on the list (A) or taken off it (R). */
export interface BlockListLine {
  type: 'A' | 'R';
  entry: BlockListEntry;
}

/** A daily file's counts as kept when it was made. */
export interface Made {
  added: number;
  removed: number;
  /** ms since the epoch */
  madeAt: number;
}

/** The daily files made, newest first, and the full list (OfflineBlockList.files()). */
export interface BlockListIndex {
  daily: (Made & { date: string })[];
  total: number;
  full: { date: string | null; cards: number };
}

export const LAYOUT_VERSION = '01';
export const RECORD_LENGTH = 104;
/** Marks a file as a block list in its header. */
export const FILE_ID = 'BLOCKLIST';

export type RecordType = 'H' | 'A' | 'R' | 'T';

/** The reason column's code (6 characters; docs/CLEARING.md): the reason itself where it fits. */
export const REASON_CODES: Readonly<Record<BlockReason, string>> = {
  lost: 'lost',
  stolen: 'stolen',
  pinKnown: 'pin',
  misused: 'misuse',
  copied: 'copied',
  suspected: 'suspct',
  fraud: 'fraud',
  issuer: 'issuer',
};

const ENTRY = [
  ['pan', 19, 'text'],
  ['reason', 6, 'text'],
  ['blockedAt', 14, 'digits'],
  ['issuer', 64, 'text'],
] as const;

const RECORDS: Readonly<Record<RecordType, RecordLayout<RecordType>>> = {
  H: recordLayout('H', 'offline block list header', RECORD_LENGTH, [
    ['fileId', 9, 'text'],
    ['version', 2, 'digits'],
    ['kind', 5, 'text'],
    // Blank in a full file made before the first daily file.
    ['date', 8, 'digits', 'optional'],
    ['effective', 8, 'digits', 'optional'],
    ['created', 14, 'digits'],
  ]),
  A: recordLayout('A', 'offline block list entry (A)', RECORD_LENGTH, ENTRY),
  R: recordLayout('R', 'offline block list entry (R)', RECORD_LENGTH, ENTRY),
  T: recordLayout('T', 'offline block list trailer', RECORD_LENGTH, [
    ['added', 9, 'number'],
    ['removed', 9, 'number'],
  ]),
};

/** The fields of each record type, in column order (the record type first). */
export const LAYOUTS: Readonly<Record<RecordType, readonly FieldSpec[]>> = {
  H: RECORDS.H.fields,
  A: RECORDS.A.fields,
  R: RECORDS.R.fields,
  T: RECORDS.T.fields,
};

export function blockListFileName(date: string): string {
  return `block-list-${date}.txt`;
}

/**
 * A daily change file or a full file: `date` its day ('' for a full file before any daily file),
 * `lines` in the order given (sorted by PAN), created `now`; every line RECORD_LENGTH long.
 */
export function blockListText(
  kind: 'DAILY' | 'FULL',
  date: string,
  lines: readonly BlockListLine[],
  now: Date,
  timeZone: string,
): string {
  const header = formatRecord(RECORDS.H, {
    fileId: FILE_ID,
    version: LAYOUT_VERSION,
    kind,
    date: date.replaceAll('-', ''),
    effective: date === '' ? '' : nextDate(date).replaceAll('-', ''),
    created: localStamp(now, timeZone),
  });
  const entries = lines.map(({ type, entry: e }) =>
    formatRecord(RECORDS[type], {
      pan: e.pan,
      reason: REASON_CODES[e.reason],
      blockedAt: localStamp(new Date(e.blockedAt), timeZone),
      issuer: e.issuer,
    }),
  );
  const added = lines.filter((l) => l.type === 'A').length;
  const trailer = formatRecord(RECORDS.T, { added: String(added), removed: String(lines.length - added) });
  return joinRecords([header, ...entries, trailer]);
}

/** What a masked copy says of its file: the header's kind and date, and the trailer's counts. */
export interface MaskedBlockList {
  text: string;
  kind: 'DAILY' | 'FULL';
  added: number;
  removed: number;
}

/**
 * A copy of a block list file for operators: the same records, column for column, with every
 * entry's PAN masked (first 6 and last 4, as maskPan). The file is read against the layout first
 * (header, A/R entries with a PAN of 12-19 digits, trailer, nothing after), so that a damaged file
 * is refused, never masked by guesswork. Errors name the line and field, never a value.
 */
export function maskedBlockList(text: string): MaskedBlockList {
  const lines = splitRecords(text, RECORD_LENGTH);
  const reader = new RecordReader(lines, RECORDS);
  const head = reader.take(['H']);
  if (head.text('fileId') !== FILE_ID) head.fail('fileId', `not ${FILE_ID}`);
  const kind = head.text('kind') as MaskedBlockList['kind'];
  if (kind !== 'DAILY' && kind !== 'FULL') head.fail('kind', 'not DAILY or FULL');
  while (reader.peekCode(['A', 'R', 'T']) !== 'T') {
    const entry = reader.take(['A', 'R']);
    const pan = entry.text('pan');
    if (!/^\d{12,19}$/.test(pan)) entry.fail('pan', 'not 12 to 19 digits');
    lines[entry.lineNo - 1] = withField(lines[entry.lineNo - 1]!, entry.layout, 'pan', maskPan(pan));
  }
  const trailer = reader.take(['T']);
  reader.expectEnd(RECORDS.T.title);
  return { text: joinRecords(lines), kind, added: trailer.number('added'), removed: trailer.number('removed') };
}

/** A block list file as a terminal reads it (terminals/offline.ts): its kind and dates, its entries. */
export interface ReadBlockList {
  kind: 'DAILY' | 'FULL';
  /** YYYY-MM-DD: a daily file's day, a full file's latest daily file ('' before the first). */
  date: string;
  /** YYYY-MM-DD: the morning the file applies ('' when date is). */
  effective: string;
  /** Each entry: put on the list (A) or taken off (R), with the reason's code as the file has it. */
  entries: { type: 'A' | 'R'; pan: string; reason: string }[];
}

const isoDate = (yyyymmdd: string): string =>
  yyyymmdd === '' ? '' : `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

/**
 * Reads a block list file against its layout (header, A/R entries with a PAN of 12-19 digits,
 * trailer whose counts match, nothing after); a RecordError names the line and field, never a value.
 */
export function readBlockList(text: string): ReadBlockList {
  const reader = new RecordReader(splitRecords(text, RECORD_LENGTH), RECORDS);
  const head = reader.take(['H']);
  if (head.text('fileId') !== FILE_ID) head.fail('fileId', `not ${FILE_ID}`);
  const kind = head.text('kind') as ReadBlockList['kind'];
  if (kind !== 'DAILY' && kind !== 'FULL') head.fail('kind', 'not DAILY or FULL');
  const entries: ReadBlockList['entries'] = [];
  while (reader.peekCode(['A', 'R', 'T']) !== 'T') {
    const entry = reader.take(['A', 'R']);
    const pan = entry.text('pan');
    if (!/^\d{12,19}$/.test(pan)) entry.fail('pan', 'not 12 to 19 digits');
    entries.push({ type: entry.text('recordType') as 'A' | 'R', pan, reason: entry.text('reason') });
  }
  const trailer = reader.take(['T']);
  const added = entries.filter((e) => e.type === 'A').length;
  if (trailer.number('added') !== added) trailer.fail('added', `not the ${added} A records`);
  if (trailer.number('removed') !== entries.length - added)
    trailer.fail('removed', `not the ${entries.length - added} R records`);
  reader.expectEnd(RECORDS.T.title);
  return { kind, date: isoDate(head.text('date')), effective: isoDate(head.text('effective')), entries };
}
