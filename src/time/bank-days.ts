/**
 * The Danish bank-day calendar, computed (not a list that runs out): a bank day is a weekday on
 * which Danish banks are open. They close on the public holidays (New Year's Day, Maundy Thursday,
 * Good Friday, Easter Monday, Ascension Day, Whit Monday, Christmas and Boxing Day; Easter and
 * Whit Sunday fall on Sundays), Great Prayer Day (the fourth Friday after Easter) until its
 * abolition from 2024, and on the banks' own closing days: the Friday after Ascension, Constitution
 * Day (5 June), Christmas Eve and New Year's Eve. The disputes' deadlines count bank days
 * (docs/DISPUTES.md: credits two bank days after a case, late settlement after 9 bank days, misuse
 * reported by the month's last bank day). Dates are 'YYYY-MM-DD' (src/time/dates.ts).
 */
import { addDays, dayNumber } from './dates.js';

/** Easter Sunday of `year` (Gregorian; the anonymous algorithm of Meeus, Jones and Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Offsets from Easter Sunday of the weekday closing days that move with Easter. */
const EASTER_CLOSINGS: readonly { offset: number; name: string; until?: number }[] = [
  { offset: -3, name: 'Maundy Thursday' },
  { offset: -2, name: 'Good Friday' },
  { offset: 1, name: 'Easter Monday' },
  // Store Bededag: a public holiday until 2023 (abolished from 2024).
  { offset: 26, name: 'Great Prayer Day', until: 2023 },
  { offset: 39, name: 'Ascension Day' },
  { offset: 40, name: 'Friday after Ascension' },
  { offset: 50, name: 'Whit Monday' },
];

/** Closing days on fixed dates ('MM-DD'). */
const FIXED_CLOSINGS: Readonly<Record<string, string>> = {
  '01-01': "New Year's Day",
  '06-05': 'Constitution Day',
  '12-24': 'Christmas Eve',
  '12-25': 'Christmas Day',
  '12-26': 'Boxing Day',
  '12-31': "New Year's Eve",
};

const closingsByYear = new Map<number, Map<string, string>>();

/** The year's closing days that are not weekends or fixed: date -> name (kept per year). */
function movableClosings(year: number): Map<string, string> {
  let closings = closingsByYear.get(year);
  if (closings === undefined) {
    const easter = easterSunday(year);
    closings = new Map();
    for (const c of EASTER_CLOSINGS)
      if (c.until === undefined || year <= c.until) closings.set(addDays(easter, c.offset), c.name);
    closingsByYear.set(year, closings);
  }
  return closings;
}

/** Why banks are closed on `date` ('Saturday', a holiday's name), or undefined on a bank day. */
export function closedBecause(date: string): string | undefined {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 6) return 'Saturday';
  if (weekday === 0) return 'Sunday';
  return FIXED_CLOSINGS[date.slice(5)] ?? movableClosings(Number(date.slice(0, 4))).get(date);
}

export function isBankDay(date: string): boolean {
  return closedBecause(date) === undefined;
}

/** The `n`th bank day after `date` (n ≥ 1; `date` itself does not count, whatever it is). */
export function addBankDays(date: string, n: number): string {
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isBankDay(d)) left--;
  }
  return d;
}

/** Bank days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function bankDaysBetween(from: string, to: string): number {
  let count = 0;
  for (let d = addDays(from, 1); dayNumber(d) <= dayNumber(to); d = addDays(d, 1)) if (isBankDay(d)) count++;
  return count;
}

/** Calendar days from `from` to `to` (negative when `to` is before). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The last bank day of the month `date` is in. */
export function lastBankDayOfMonth(date: string): string {
  const [year, month] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  let d = addDays(`${month === 12 ? year + 1 : year}-${String((month % 12) + 1).padStart(2, '0')}-01`, -1);
  while (!isBankDay(d)) d = addDays(d, -1);
  return d;
}
