/**
 * The posting fields delivery layout 4 added (src/journal/posting.ts LAYOUT_4_FIELDS, issue 18):
 * a dispute's case number, reason and the issuer's account it is credited to (001 §26-27). A
 * chargeback or redebit has all three, every other posting none: the data centre finds the
 * original by the transaction id and books the credit by the case (docs/CLEARING.md, layout 4).
 * A posting journalled before layout 4 is never a dispute's, so it shows them blank.
 */
import { DISPUTE_POSTING_TYPES, type JournalPosting, type Posting, type PostingType } from '../journal/posting.js';
import type { RecordFields } from '../files/fixed-width.js';
import { isDisputeReason } from '../disputes/reasons.js';

type V4 = Pick<Posting, 'caseNumber' | 'disputeReason' | 'creditAccount'>;
type V4Field = keyof V4;

/** What a delivery shows of a posting's layout 4 fields: those not blank. */
export type DeliveredV4 = V4;

const CASE_NUMBER = /^D\d{8}$/;
/** 'standard' (the issuer's usual Dankort account, src/disputes/credit-accounts.ts) or an account number. */
const CREDIT_ACCOUNT = /^(standard|\d{4,20})$/;

/**
 * What is wrong with a posting's layout 4 values for its type, or undefined: a dispute's posting
 * without one of them, another posting with one, or a value not of its form. Names the field,
 * never the value.
 */
function problemOf(type: PostingType, v: Record<V4Field, string>): { field: V4Field; problem: string } | undefined {
  const dispute = (DISPUTE_POSTING_TYPES as readonly PostingType[]).includes(type);
  for (const field of ['caseNumber', 'disputeReason', 'creditAccount'] as const) {
    if (!dispute && v[field] !== '') return { field, problem: 'not blank on a posting that is not a dispute' };
    if (dispute && v[field] === '') return { field, problem: `blank on a ${type}` };
  }
  if (!dispute) return undefined;
  if (!CASE_NUMBER.test(v.caseNumber)) return { field: 'caseNumber', problem: "not 'D' and 8 digits" };
  if (!isDisputeReason(v.disputeReason)) return { field: 'disputeReason', problem: 'not a dispute reason' };
  if (!CREDIT_ACCOUNT.test(v.creditAccount)) {
    return { field: 'creditAccount', problem: "not 'standard' or an account number of 4 to 20 digits" };
  }
  return undefined;
}

/**
 * The layout 4 fields of a PO record, as text (blank where the posting has none); `fail` is
 * called when they do not suit the posting's type (the writer then refuses the posting).
 */
export function v4Values(p: JournalPosting, fail: (field: string, problem: string) => never): Record<V4Field, string> {
  const values = {
    caseNumber: p.caseNumber ?? '',
    disputeReason: p.disputeReason ?? '',
    creditAccount: p.creditAccount ?? '',
  };
  const bad = problemOf(p.type, values);
  return bad === undefined ? values : fail(bad.field, bad.problem);
}

/** The layout 4 fields of a PO record of `type` read back; blank ones are left out. */
export function parseV4(f: RecordFields, type: PostingType): DeliveredV4 {
  const values = {
    caseNumber: f.text('caseNumber'),
    disputeReason: f.text('disputeReason'),
    creditAccount: f.text('creditAccount'),
  };
  const bad = problemOf(type, values);
  if (bad !== undefined) f.fail(bad.field, bad.problem);
  const out: DeliveredV4 = {};
  for (const [field, value] of Object.entries(values) as [V4Field, string][]) if (value !== '') out[field] = value;
  return out;
}
