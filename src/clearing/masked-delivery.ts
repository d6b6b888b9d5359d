/**
 * What operators may see of a delivery file (docs/CLEARING.md "Masked copies"): its totals, and a
 * copy with every PAN masked. The delivery itself holds full PANs (the data centres need them);
 * operator tools and pages show masked PANs only (first 6, last 4).
 *
 * Both read the file with the delivery parser first, so a file that does not follow the layout is
 * refused (DeliveryFileError, naming the line and field, never a value), never masked by guesswork:
 * a shifted record could put a PAN in any column.
 */
import { maskPan } from '../codec/mask.js';
import { fieldOf, joinRecords, withField } from '../files/fixed-width.js';
import type { CurrencyTotals } from './currency-totals.js';
import { LAYOUTS, type ParsedDelivery, parseDelivery } from './delivery-file.js';

/** A delivery's totals as its file states them: the delivery trailer (DT) and currency totals (CT). */
export interface DeliveryTotals {
  sections: number;
  count: number;
  /** øre */
  debit: number;
  /** øre */
  credit: number;
  /** Per original currency, in code order. */
  currencies: CurrencyTotals[];
}

export function deliveryTotals(d: ParsedDelivery): DeliveryTotals {
  return { ...d.trailer, currencies: d.currencies };
}

/** The totals of a delivery file's text (Latin-1 decoded); throws DeliveryFileError for a damaged file. */
export function totalsOfDeliveryText(text: string): DeliveryTotals {
  return deliveryTotals(parseDelivery(text));
}

/**
 * The delivery file with the posting records' `pan` field holding the masked PAN instead: the
 * same records, column for column (the masked PAN is as long as the PAN, and fits the field), so
 * the copy reads with the layout of docs/CLEARING.md; the parser itself refuses it as a delivery
 * (a pan column that is not digits), so a copy cannot be sent on as one. Also its totals.
 */
export function maskedDelivery(text: string): { text: string; totals: DeliveryTotals } {
  const parsed = parseDelivery(text);
  // Parsed: every line is a whole record, and every line starting 'PO' is a posting record.
  const lines = text.split('\n').slice(0, -1);
  const masked = lines.map((line) =>
    line.startsWith(LAYOUTS.PO.code) ? withField(line, LAYOUTS.PO, 'pan', maskPan(fieldText(line, 'pan'))) : line,
  );
  return { text: joinRecords(masked), totals: deliveryTotals(parsed) };
}

/** 'delivery-2026-11-21-03.txt' -> 'delivery-2026-11-21-03-masked.txt': the copy says what it is. */
export function maskedFileName(file: string): string {
  return file.replace(/(\.txt)?$/, '-masked.txt');
}

function fieldText(line: string, name: string): string {
  const f = fieldOf(LAYOUTS.PO, name);
  return line.slice(f.start - 1, f.start - 1 + f.width).trimEnd();
}
