/**
 * What a request says about its transaction: its id (terminal, local time, STAN), what a
 * retransmission must repeat, the original it names (field 56), the old terminal's last
 * completed STAN (field 48).
 */
import type { IsoMessage } from '../codec/index.js';
import { transactionId } from '../journal/posting.js';

/** What these functions read of a request: the message, when it came, from which terminal. */
export interface RequestFacts {
  readonly request: IsoMessage;
  readonly mti: string;
  readonly receivedAt: Date;
  terminalId?: string;
}

/**
 * The terminal's local date and time as YYMMDDhhmmss: field 12 in 1993 dialects; in 1987 ones
 * field 13 (MMDD, today's when absent) and field 12 (hhmmss), with the year of the switch's
 * date, or the year before when that date would lie more than a day ahead (a December
 * transaction arriving in January).
 */
export function localTimeOf(request: IsoMessage, receivedAt: Date): string {
  const f12 = String(request[12] ?? '');
  if (f12.length === 12) return f12;
  const year = receivedAt.getUTCFullYear();
  const mmdd =
    typeof request[13] === 'string' ? request[13] : pad2(receivedAt.getUTCMonth() + 1) + pad2(receivedAt.getUTCDate());
  const at = Date.UTC(year, Number(mmdd.slice(0, 2)) - 1, Number(mmdd.slice(2, 4)));
  const yy = at - receivedAt.getTime() > 86_400_000 ? year - 1 : year;
  return pad2(yy % 100) + mmdd + f12.padStart(6, '0');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The request's transaction id. */
export function transactionOf(ctx: RequestFacts): string {
  return transactionId(ctx.terminalId ?? '', localTimeOf(ctx.request, ctx.receivedAt), String(ctx.request[11]));
}

/**
 * What a retransmission must repeat to be answered as the first time: the message class (1200
 * and its repeat 1201 are one class), the processing code and the amount. The same terminal,
 * STAN and local time with anything else is a duplicate transmission.
 */
export function signatureOf(ctx: RequestFacts): string {
  return `${ctx.mti.slice(1, 3)}:${String(ctx.request[3] ?? '').slice(0, 2)}:${Number(ctx.request[4] ?? 0)}`;
}

export interface OriginalData {
  mti: string;
  stan: string;
  /** YYMMDDhhmmss */
  localTime: string;
}

/**
 * Field 56, original data elements: original MTI (4), STAN (6), local date and time
 * YYMMDDhhmmss (12), then optionally the acquirer id (LL + digits), ignored. The same layout in
 * both dialects (in 1987 ones field 56 is otherwise unused). Undefined when unreadable.
 */
export function originalOf(request: IsoMessage): OriginalData | undefined {
  const v = request[56];
  if (typeof v !== 'string' || !/^\d{22}/.test(v)) return undefined;
  return { mti: v.slice(0, 4), stan: v.slice(4, 10), localTime: v.slice(10, 22) };
}

/**
 * Field 48, additional data, private: sub-elements of tag (2 digits), length (3 digits) and value,
 * in both dialects (docs/PROTOCOL.md, "Field 48"). The tags are FIELD_48 below. Undefined when
 * the field is absent; 'unreadable' when a sub-element's tag or length is not digits or runs past
 * the end. A tag given twice keeps its first value.
 */
export function subElementsOf(request: IsoMessage): Map<string, string> | 'unreadable' | undefined {
  const v = request[48];
  if (typeof v !== 'string') return undefined;
  const out = new Map<string, string>();
  for (let i = 0; i < v.length;) {
    const head = v.slice(i, i + 5);
    if (!/^\d{5}$/.test(head)) return 'unreadable';
    const len = Number(head.slice(2));
    if (i + 5 + len > v.length) return 'unreadable';
    if (!out.has(head.slice(0, 2))) out.set(head.slice(0, 2), v.slice(i + 5, i + 5 + len));
    i += 5 + len;
  }
  return out;
}

/** Field 48's sub-element tags (docs/PROTOCOL.md, "Field 48"). */
export const FIELD_48 = {
  /** Old terminals (DKT1, DKT1+, OEM): the STAN of the last approved transaction they completed. */
  lastCompletedStan: '01',
  /** Remote purchases: the card's three check digits (CVC) as the holder gave them. */
  cvc: '02',
  /** Internet purchases: the result of the holder's authentication (3-D Secure, MitID). */
  authentication: '03',
  /** Stored cards and subscriptions: the series a merchant-initiated purchase belongs to. */
  series: '04',
  /** DUKPT in 1987 dialects (field 53 is n16 there): the KSN, as hex (20 or 24 digits). */
  ksn: '05',
} as const;

/**
 * Field 48 sub-element 01 of an old terminal: the STAN of the last transaction the terminal
 * completed ('000000' when none since it started). Undefined when absent or unreadable.
 */
export function lastCompletedStanOf(request: IsoMessage): string | undefined {
  const elements = subElementsOf(request);
  if (elements === undefined || elements === 'unreadable') return undefined;
  const stan = elements.get(FIELD_48.lastCompletedStan);
  return stan !== undefined && /^\d{6}$/.test(stan) ? stan : undefined;
}
