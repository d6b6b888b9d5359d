/**
 * A typical card-present purchase request (a 1200 with PIN), the message the codec benchmark packs
 * and unpacks. Fields 2, 3, 4, 7, 11, 12, 14, 22, 24, 26, 32, 35, 37, 41, 42, 49 and 52 in each layout.
 */
import type { IsoMessage } from '../../src/codec/index.js';

const PAN = '5019000000001234';
const PIN_BLOCK = '0123456789ABCDEF';

/** The fields whose values are the same in the 1993 and 1987 layouts. */
const COMMON = {
  0: '1200',
  2: PAN,
  3: '000000', // purchase, default accounts
  4: '000000012550', // 125.50
  7: '0612143015', // MMDDhhmmss
  11: '000123',
  14: '2712',
  32: '00457100',
  35: `${PAN}=27121011234500000`,
  37: '416312000123',
  41: 'TERM0001',
  42: 'SHOP00000000001',
  49: '208', // DKK
} as const;

/** For iso93ascii and iso93binary: 12 is YYMMDDhhmmss, 22 the 12-character POS data code, 24 the function code, 26 the MCC. */
export const PURCHASE_93: IsoMessage = {
  ...COMMON,
  12: '250612143015',
  22: '510101511344',
  24: '200',
  26: '5411',
  52: Buffer.from(PIN_BLOCK, 'hex'),
};

/** For iso87ascii: 12 is hhmmss, 22 the POS entry mode, 24 the NII, 26 the PIN capture code. */
export const PURCHASE_87: IsoMessage = {
  ...COMMON,
  12: '143015',
  22: '051',
  24: '001',
  26: '12',
  52: Buffer.from(PIN_BLOCK, 'hex'),
};

/** PURCHASE_87 for the iso_8583 package, which takes every field as a string (52 as hex). */
export const PURCHASE_ISO_8583: Record<string, string> = Object.fromEntries(
  Object.entries(PURCHASE_87).map(([k, v]) => [k, typeof v === 'string' ? v : v.toString('hex').toUpperCase()]),
);
