/**
 * The posting fields delivery layout 2 added (src/journal/posting.ts LAYOUT_2_FIELDS): how a
 * delivery writes and reads them, and what they hold for a posting journalled before layout 2
 * (docs/CLEARING.md, "Postings from before layout 2"): the original is the amount, in its
 * currency at rate 1 (so it was booked: the switch took every amount as DKK øre then), and the
 * times, merchant and card-read fields are blank.
 */
import type { EntryMode, JournalPosting, Posting, Verification } from '../journal/posting.js';
import { RATE_SCALE } from '../currency/conversion.js';
import { parseUtcStamp, utcStamp } from '../time/dates.js';
import type { RecordFields } from '../files/fixed-width.js';

type V2 = Pick<
  Posting,
  | 'originalAmount'
  | 'originalCurrency'
  | 'originalExponent'
  | 'rate'
  | 'purchasedAt'
  | 'authorizedAt'
  | 'merchantName'
  | 'merchantCity'
  | 'mcc'
  | 'entryMode'
  | 'verification'
  | 'terminalKind'
>;

/** What a delivery shows of a posting's layout 2 fields: the conversion always, the rest when known. */
export type DeliveredV2 = Pick<V2, 'originalAmount' | 'originalCurrency' | 'originalExponent' | 'rate'> &
  Partial<Omit<V2, 'originalAmount' | 'originalCurrency' | 'originalExponent' | 'rate'>>;

/** The conversion of a posting; one from before layout 2 was its amount in its currency at rate 1. */
export function conversionOf(
  p: Pick<JournalPosting, 'amount' | 'currency' | 'originalAmount' | 'originalCurrency' | 'originalExponent' | 'rate'>,
): Pick<V2, 'originalAmount' | 'originalCurrency' | 'originalExponent' | 'rate'> {
  return {
    originalAmount: p.originalAmount ?? p.amount,
    originalCurrency: p.originalCurrency ?? p.currency,
    originalExponent: p.originalExponent ?? 2,
    rate: p.rate ?? RATE_SCALE,
  };
}

/** The layout 2 fields of a PO record, as text; blank where a posting from before layout 2 has none. */
export function v2Values(p: JournalPosting): Record<keyof V2, string> {
  const c = conversionOf(p);
  return {
    originalAmount: String(c.originalAmount),
    originalCurrency: c.originalCurrency,
    originalExponent: String(c.originalExponent),
    rate: String(c.rate),
    // '' when not a time in years 0-9999: the field check rejects it only for a present value.
    purchasedAt: p.purchasedAt === undefined ? '' : utcStamp(p.purchasedAt),
    authorizedAt: p.authorizedAt === undefined ? '' : utcStamp(p.authorizedAt),
    merchantName: p.merchantName ?? '',
    merchantCity: p.merchantCity ?? '',
    mcc: p.mcc ?? '',
    entryMode: p.entryMode ?? '',
    verification: p.verification ?? '',
    terminalKind: p.terminalKind ?? '',
  };
}

/** The layout 2 fields of a PO record read back; blank optional fields are left out. */
export function parseV2(f: RecordFields): DeliveredV2 {
  const out: DeliveredV2 = {
    originalAmount: f.number('originalAmount'),
    originalCurrency: f.digits('originalCurrency'),
    originalExponent: f.number('originalExponent'),
    rate: f.number('rate'),
  };
  if (out.rate === 0) f.fail('rate', 'zero');
  for (const name of ['purchasedAt', 'authorizedAt'] as const) {
    const stamp = f.digits(name);
    if (stamp !== '') out[name] = parseUtcStamp(stamp) ?? f.fail(name, 'not a UTC time YYYYMMDDhhmmssSSS');
  }
  for (const name of ['merchantName', 'merchantCity', 'mcc', 'terminalKind'] as const) {
    const v = name === 'mcc' ? f.digits(name) : f.text(name);
    if (v !== '') out[name] = v;
  }
  const entryMode = f.text('entryMode');
  if (entryMode !== '') out.entryMode = entryMode as EntryMode;
  const verification = f.text('verification');
  if (verification !== '') out.verification = verification as Verification;
  return out;
}
