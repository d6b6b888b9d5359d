/**
 * The jPOS field packager classes of the public layouts (iso87ascii, iso93ascii, iso93binary),
 * mapped to our plain-data field specs. The shipped dialects are generated from that table
 * (scripts/generate-dialects.ts) and a test checks them against it field for field; the same
 * mapping lets a user turn any jPOS-style layout table into a dialect.
 */
import type { DialectSpec, FieldKind, FieldSpec, MaskRule } from './spec.js';
import { Iso8583Error } from './errors.js';

type WireSpec = Omit<FieldSpec, 'name'>;

const ZERO_LEFT = { side: 'left', char: '0' } as const;
const SPACE_RIGHT = { side: 'right', char: ' ' } as const;

/** Each packager class: its kind, prefix and encodings. */
const PACKAGERS: Record<string, Omit<WireSpec, 'length'>> = {
  IFA_NUMERIC: { kind: 'numeric', prefix: 'fixed', prefixEncoding: 'ascii', encoding: 'ascii', padding: ZERO_LEFT },
  IF_CHAR: { kind: 'ans', prefix: 'fixed', prefixEncoding: 'ascii', encoding: 'ascii', padding: SPACE_RIGHT },
  IFA_LLNUM: { kind: 'numeric', prefix: 'LL', prefixEncoding: 'ascii', encoding: 'ascii' },
  IFA_LLCHAR: { kind: 'ans', prefix: 'LL', prefixEncoding: 'ascii', encoding: 'ascii' },
  IFA_LLLCHAR: { kind: 'ans', prefix: 'LLL', prefixEncoding: 'ascii', encoding: 'ascii' },
  IFA_BINARY: { kind: 'binary', prefix: 'fixed', prefixEncoding: 'ascii', encoding: 'hex' },
  IFA_LLBINARY: { kind: 'binary', prefix: 'LL', prefixEncoding: 'ascii', encoding: 'binary' },
  IFA_LLLBINARY: { kind: 'binary', prefix: 'LLL', prefixEncoding: 'ascii', encoding: 'binary' },
  IFA_AMOUNT: { kind: 'amount', prefix: 'fixed', prefixEncoding: 'ascii', encoding: 'ascii', padding: ZERO_LEFT },
  IFB_NUMERIC: {
    kind: 'numeric',
    prefix: 'fixed',
    prefixEncoding: 'bcd',
    encoding: 'bcd',
    padding: ZERO_LEFT,
    nibblePad: 'right',
  },
  IFB_LLNUM: { kind: 'numeric', prefix: 'LL', prefixEncoding: 'bcd', encoding: 'bcd', nibblePad: 'right' },
  IFB_LLCHAR: { kind: 'ans', prefix: 'LL', prefixEncoding: 'bcd', encoding: 'ascii' },
  IFB_LLLCHAR: { kind: 'ans', prefix: 'LLL', prefixEncoding: 'bcd', encoding: 'ascii' },
  IFB_BINARY: { kind: 'binary', prefix: 'fixed', prefixEncoding: 'bcd', encoding: 'binary' },
  IFB_LLBINARY: { kind: 'binary', prefix: 'LL', prefixEncoding: 'bcd', encoding: 'binary' },
  IFB_LLLBINARY: { kind: 'binary', prefix: 'LLL', prefixEncoding: 'bcd', encoding: 'binary' },
  IFB_AMOUNT: {
    kind: 'amount',
    prefix: 'fixed',
    prefixEncoding: 'bcd',
    encoding: 'bcd',
    padding: ZERO_LEFT,
    nibblePad: 'right',
  },
};

/** Card data by field number, the same in every layout: how describe() masks it. */
export const CARD_DATA_MASKS: Readonly<Record<number, MaskRule>> = {
  2: 'pan', // primary account number
  34: 'pan', // extended PAN
  35: 'track', // track 2
  36: 'track', // track 3
  45: 'track', // track 1
  52: 'hide', // PIN block
  55: 'icc', // ICC data: shown by tag, its PAN and track 2 equivalent hidden (icc-describe.ts)
  64: 'hide', // MAC
  96: 'hide', // key management / message security data
  128: 'hide', // MAC
  48: 'subElements', // additional data, private: sub-elements, of which some are secrets (below)
};

/** Fields of sub-elements: the tags whose values are secrets (field 48's 02, the CVC of a remote purchase). */
export const HIDDEN_SUB_ELEMENTS: Readonly<Record<number, readonly string[]>> = { 48: ['02'] };

/**
 * Track fields hold '=' (or 'D') separators, so they are the track kind even where a layout
 * calls them LLNUM (iso87ascii field 35); jPOS does not check the digits there either.
 */
const TRACK_FIELDS = new Set([35, 36, 45]);

export function fieldFromJpos(cell: string, field: number, name: string): FieldSpec {
  const [cls, len] = cell.split('/');
  const base = PACKAGERS[cls ?? ''];
  const length = Number(len);
  if (base === undefined || !Number.isInteger(length) || length < 1) {
    throw new Iso8583Error({ field, reason: `unknown jPOS packager "${cls}" or length` });
  }
  const kind: FieldKind = TRACK_FIELDS.has(field) && base.kind !== 'binary' ? 'track' : base.kind;
  // A fixed field has no length prefix: its prefix encoding is always written as ascii.
  const prefixEncoding = base.prefix === 'fixed' ? 'ascii' : base.prefixEncoding;
  const spec: FieldSpec = { name, kind, length, prefix: base.prefix, prefixEncoding, encoding: base.encoding };
  if (base.padding !== undefined) spec.padding = { ...base.padding };
  if (base.nibblePad !== undefined) spec.nibblePad = base.nibblePad;
  const mask = CARD_DATA_MASKS[field];
  if (mask !== undefined) spec.mask = mask;
  const hidden = HIDDEN_SUB_ELEMENTS[field];
  if (hidden !== undefined) spec.hiddenTags = [...hidden];
  return spec;
}

/** Names that ISO 8583:1987 gives differently from the 1993 names in the layout table. */
export const ISO87_NAMES: Readonly<Record<number, string>> = {
  12: 'Time, local transaction',
  13: 'Date, local transaction',
  15: 'Date, settlement',
  22: 'Point of service entry mode',
  24: 'Network international identifier',
  25: 'Point of service condition code',
  26: 'Point of service PIN capture code',
  27: 'Authorization identification response length',
  28: 'Amount, transaction fee',
  29: 'Amount, settlement fee',
  30: 'Amount, transaction processing fee',
  31: 'Amount, settlement processing fee',
  38: 'Authorization identification response',
  39: 'Response code',
  40: 'Service restriction code',
  46: 'Additional data - ISO',
  56: 'Reserved for ISO use',
  57: 'Reserved for national use',
  58: 'Reserved for national use',
  59: 'Reserved for national use',
  65: 'Bitmap, extended',
  66: 'Settlement code',
  67: 'Extended payment code',
  70: 'Network management information code',
  71: 'Message number',
  72: 'Message number, last',
  82: 'Credits, processing fee amount',
  83: 'Credits, transaction fee amount',
  84: 'Debits, processing fee amount',
  85: 'Debits, transaction fee amount',
  90: 'Original data elements',
  91: 'File update code',
  92: 'File security code',
  93: 'Response indicator',
  94: 'Service indicator',
  95: 'Replacement amounts',
  96: 'Message security code',
  97: 'Amount, net settlement',
  99: 'Settlement institution identification code',
  105: 'Reserved for ISO use',
  106: 'Reserved for ISO use',
  107: 'Reserved for ISO use',
  108: 'Reserved for ISO use',
  109: 'Reserved for ISO use',
  110: 'Reserved for ISO use',
};

export interface LayoutColumn {
  name: string;
  description: string;
  /** Field number -> "CLASS/N" for fields 0..128; 0 and 1 give the MTI and bitmap encodings. */
  cells: Record<number, string>;
  names: Record<number, string>;
}

export function dialectFromJpos(layout: LayoutColumn): DialectSpec {
  const mti = layout.cells[0]?.startsWith('IFB_') ? 'bcd' : 'ascii';
  const bitmap = layout.cells[1]?.startsWith('IFB_') ? 'binary' : 'hex';
  const fields: Record<string, FieldSpec> = {};
  for (let n = 2; n <= 128; n++) {
    const cell = layout.cells[n];
    if (cell !== undefined) fields[String(n)] = fieldFromJpos(cell, n, layout.names[n] ?? `Field ${n}`);
  }
  return {
    name: layout.name,
    description: layout.description,
    mti: { encoding: mti },
    bitmap: { encoding: bitmap },
    fields,
  };
}

/** Parses a layout table (field, one column per layout, name) as in shared/dialects.tsv. */
export function parseLayoutTable(
  tsv: string,
): Map<string, { cells: Record<number, string>; names: Record<number, string> }> {
  const [header, ...rows] = tsv
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  const columns = header!.slice(1, -1);
  const out = new Map(
    columns.map((c) => [c, { cells: {} as Record<number, string>, names: {} as Record<number, string> }]),
  );
  for (const row of rows) {
    const n = Number(row[0]);
    const name = (row[row.length - 1] ?? '').trim();
    columns.forEach((c, i) => {
      const col = out.get(c)!;
      col.cells[n] = row[i + 1]!.trim();
      col.names[n] = name;
    });
  }
  return out;
}
