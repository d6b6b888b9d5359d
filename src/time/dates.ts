/**
 * Dates and times as text that carry no time zone: calendar dates 'YYYY-MM-DD' (a business date
 * once local-time.ts has made it) and UTC stamps. Plain arithmetic on the digits where it can be:
 * Date quietly rolls 30 February over into March and reads years 0-99 as 1900-1999.
 */

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is 'YYYY-MM-DD' and that day exists (2024-02-29 does, 2026-02-29 does not). */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of a calendar date: a number that orders dates and counts the days between. */
export function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** The calendar date after `date`. */
export function nextDate(date: string): string {
  return addDays(date, 1);
}

/** The date `days` calendar days after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** YYMM of a calendar date: the expiry month a card must not be before on that day. */
export function yymmOfDate(date: string): string {
  return date.slice(2, 4) + date.slice(5, 7);
}

/** ms since the epoch as YYYYMMDDhhmmssSSS, UTC; '' when it is no whole millisecond in years 0-9999. */
export function utcStamp(ms: number): string {
  const d = new Date(ms);
  if (!Number.isInteger(ms) || Number.isNaN(d.getTime())) return '';
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return '';
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    String(y).padStart(4, '0') +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    String(d.getUTCMilliseconds()).padStart(3, '0')
  );
}

/** The moment of a YYYYMMDDhhmmssSSS UTC stamp; undefined unless it is one (month 13 is not rolled over). */
export function parseUtcStamp(s: string): number | undefined {
  if (!/^\d{17}$/.test(s)) return undefined;
  const n = (from: number, to: number): number => Number(s.slice(from, to));
  const d = new Date(0);
  d.setUTCFullYear(n(0, 4), n(4, 6) - 1, n(6, 8));
  d.setUTCHours(n(8, 10), n(10, 12), n(12, 14), n(14, 17));
  // Date rolls a field like month 13 over silently: writing it back must give the same digits.
  return utcStamp(d.getTime()) === s ? d.getTime() : undefined;
}
