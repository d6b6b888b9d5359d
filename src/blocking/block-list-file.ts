/**
 * The offline block list file as text (docs/CLEARING.md "Offline block list", "File layout"): a
 * header, one line per card put on the list (A) or taken off it (R), a trailer counting them.
 * The layout is data (a test compares it with the docs' tables); the records are written by
 * src/files/fixed-width.ts. Dates and times are local, in the register's time zone.
 */
import type { BlockReason } from '../card/card-register.js';
import { type FieldSpec, type RecordLayout, formatRecord, joinRecords, recordLayout } from '../files/fixed-width.js';
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
