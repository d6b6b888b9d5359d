/**
 * The clearing delivery file's record layout (our own, docs/CLEARING.md "Record layout"), as
 * data: delivery-file.ts writes and reads by it, and a test compares it with the docs' tables.
 */
import { type RecordLayout, recordLayout } from '../files/fixed-width.js';

export type { FieldKind, FieldSpec, RecordLayout } from '../files/fixed-width.js';

/**
 * 2: the posting's conversion, times, merchant and card read (issue 14), and per-currency totals
 * (CT); 3: the channel, holder authentication, series and online or offline (issue 16); 4: a
 * dispute's case number, reason and credit account (issue 18).
 */
export const LAYOUT_VERSION = 4;
/**
 * Layout 4's posting record needs 540 characters (layout 3's ended at 490), so records grew from
 * 512 to 1024, as they grew from 256 to 512 in layout 2: no column of an earlier field moved.
 */
export const RECORD_LENGTH = 1024;

export type RecordCode = 'DH' | 'SH' | 'PO' | 'CT' | 'ST' | 'DT';

/** Issuer ids as the config allows them (config/schema.ts ISSUER_ID_PATTERN): up to 64 characters. */
export const ISSUER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ISSUER_WIDTH = 64;

export const LAYOUTS: Readonly<Record<RecordCode, RecordLayout<RecordCode>>> = {
  DH: recordLayout('DH', 'delivery header', RECORD_LENGTH, [
    ['version', 2, 'number'],
    ['date', 8, 'digits'],
    ['number', 2, 'number'],
    ['cutoff', 4, 'digits'],
  ]),
  SH: recordLayout('SH', 'section header', RECORD_LENGTH, [['issuer', ISSUER_WIDTH, 'text']]),
  PO: recordLayout('PO', 'posting record', RECORD_LENGTH, [
    ['id', 36, 'text'],
    ['txn', 28, 'text'],
    ['type', 12, 'text'],
    ['direction', 1, 'text'],
    ['amount', 12, 'number'],
    ['currency', 3, 'digits'],
    ['pan', 19, 'text'],
    ['maskedPan', 19, 'text'],
    ['terminal', 8, 'text'],
    ['merchant', 15, 'text', 'optional'],
    ['stan', 6, 'digits'],
    ['localTime', 12, 'digits'],
    ['receivedAt', 17, 'digits'],
    ['approvalCode', 6, 'text', 'optional'],
    ['cardStatus', 20, 'text'],
    ['reason', 10, 'text', 'optional'],
    ['reverses', 28, 'text', 'optional'],
    // Layout 2. A posting journalled before it: the original is the amount at rate 1, the rest blank.
    ['originalAmount', 12, 'number'],
    ['originalCurrency', 3, 'digits'],
    ['originalExponent', 1, 'number'],
    ['rate', 10, 'number'],
    ['purchasedAt', 17, 'digits', 'optional'],
    ['authorizedAt', 17, 'digits', 'optional'],
    ['merchantName', 40, 'text', 'optional'],
    ['merchantCity', 25, 'text', 'optional'],
    ['mcc', 4, 'digits', 'optional'],
    ['entryMode', 11, 'text', 'optional'],
    ['verification', 16, 'text', 'optional'],
    ['terminalKind', 11, 'text', 'optional'],
    // Layout 3. A posting journalled before it: blank.
    ['channel', 10, 'text', 'optional'],
    ['authentication', 16, 'text', 'optional'],
    ['initiatedBy', 8, 'text', 'optional'],
    ['series', 28, 'text', 'optional'],
    ['authorization', 7, 'text', 'optional'],
    // Layout 4: a chargeback's or redebit's case (posting-fields-v4.ts); blank on every other posting.
    ['caseNumber', 9, 'text', 'optional'],
    ['disputeReason', 21, 'text', 'optional'],
    ['creditAccount', 20, 'text', 'optional'],
  ]),
  // One per original currency, in code order: after a section's postings (its issuer), and
  // before the delivery trailer (issuer blank: the whole delivery).
  CT: recordLayout('CT', 'currency total', RECORD_LENGTH, [
    ['issuer', ISSUER_WIDTH, 'text', 'optional'],
    ['currency', 3, 'digits'],
    ['count', 9, 'number'],
    ['debit', 15, 'number'],
    ['credit', 15, 'number'],
    ['dkkDebit', 15, 'number'],
    ['dkkCredit', 15, 'number'],
  ]),
  ST: recordLayout('ST', 'section trailer', RECORD_LENGTH, [
    ['issuer', ISSUER_WIDTH, 'text'],
    ['count', 9, 'number'],
    ['debit', 15, 'number'],
    ['credit', 15, 'number'],
  ]),
  DT: recordLayout('DT', 'delivery trailer', RECORD_LENGTH, [
    ['sections', 4, 'number'],
    ['count', 9, 'number'],
    ['debit', 15, 'number'],
    ['credit', 15, 'number'],
  ]),
};
