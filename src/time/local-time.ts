/**
 * A moment as local date and time in a time zone (the register's, config register.timeZone):
 * business dates, the expiry month, the times in files and SMS receipts. The moment comes from
 * the injectable clock (clock.ts); here it is only turned into text.
 *
 * Intl formatters are slow to make (a new one per authorization once took half the switch's CPU),
 * so each is made once per time zone and kept.
 */

/** A local date and time as its two-digit (year: four-digit) parts. */
export interface LocalDateTime {
  year: string;
  month: string;
  day: string;
  /** 00-23 */
  hour: string;
  minute: string;
  second: string;
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = FORMATS.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    FORMATS.set(timeZone, format);
  }
  return format;
}

/** The local date and time of `at` in `timeZone`. */
export function localDateTime(at: Date, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
  for (const { type, value } of formatOf(timeZone).formatToParts(at)) {
    if (Object.hasOwn(out, type)) out[type as keyof LocalDateTime] = value;
  }
  return out;
}

/** 'YYYY-MM-DD': the local (business) date of a moment; a moment belongs to the day it gives. */
export function localDate(at: Date, timeZone: string): string {
  const t = localDateTime(at, timeZone);
  return `${t.year}-${t.month}-${t.day}`;
}

/** 'YYYYMMDDhhmmss', local. */
export function localStamp(at: Date, timeZone: string): string {
  const t = localDateTime(at, timeZone);
  return `${t.year}${t.month}${t.day}${t.hour}${t.minute}${t.second}`;
}

/**
 * YYMM of a moment in `timeZone`: a card is valid through the end of its expiry month there.
 * Asked on every authorization, so besides the formatter the answer is kept for the minute:
 * months change on minute boundaries in every time zone, so a minute's answer cannot be stale.
 */
export function yymm(at: Date, timeZone: string): string {
  const minute = Math.floor(at.getTime() / 60_000);
  let entry = YYMM_CACHE.get(timeZone);
  if (entry === undefined) {
    entry = {
      format: new Intl.DateTimeFormat('en-GB', { timeZone, year: '2-digit', month: '2-digit' }),
      minute: NaN,
      value: '',
    };
    YYMM_CACHE.set(timeZone, entry);
  }
  if (entry.minute !== minute) {
    const parts = entry.format.formatToParts(at);
    entry.value = parts.find((p) => p.type === 'year')!.value + parts.find((p) => p.type === 'month')!.value;
    entry.minute = minute;
  }
  return entry.value;
}

const YYMM_CACHE = new Map<string, { format: Intl.DateTimeFormat; minute: number; value: string }>();

/**
 * The moment a terminal's local date and time YYMMDDhhmmss (field 12; years 2000-2099) names in
 * `timeZone`, in ms since the epoch; undefined when it is no date and time. A time that occurs
 * twice (the hour the clocks go back) is the first of the two; one that never occurs (the hour
 * they go forward) is read with the offset before the change.
 *
 * Read on every authorization, and reading a zone's offset costs a few microseconds (Intl): the
 * answer for a minute is kept, since offsets change on whole minutes and a terminal's field 12
 * is nearly always the current minute.
 */
export function localTimeMs(yymmddhhmmss: string, timeZone: string): number | undefined {
  if (!/^\d{12}$/.test(yymmddhhmmss)) return undefined;
  const seconds = Number(yymmddhhmmss.slice(10));
  if (seconds > 59) return undefined;
  const key = `${timeZone} ${yymmddhhmmss.slice(0, 10)}`;
  let minute = MINUTE_CACHE.get(key);
  if (minute === undefined) {
    minute = minuteMs(yymmddhhmmss.slice(0, 10), timeZone) ?? null;
    // Bounded: a flood of odd times (a fuzzer, terminals with broken clocks) cannot grow it.
    if (MINUTE_CACHE.size >= MINUTE_CACHE_SIZE) MINUTE_CACHE.clear();
    MINUTE_CACHE.set(key, minute);
  }
  return minute === null ? undefined : minute + seconds * 1000;
}

/** Minutes read (zone and YYMMDDhhmm) and what each is: its first second, or null when it is no time. */
const MINUTE_CACHE = new Map<string, number | null>();
const MINUTE_CACHE_SIZE = 4096;

/** The first second of a minute YYMMDDhhmm in the zone, as localTimeMs reads it; undefined when it is no time. */
function minuteMs(yymmddhhmm: string, timeZone: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(yymmddhhmm);
  if (m === null) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(2000 + y, mo - 1, d, h, mi, 0);
  const back = new Date(asUtc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  // Read first with the offset a day earlier (the earlier reading when the time occurs twice),
  // then with the offset at the guess; a time in the gap keeps the first reading.
  const before = asUtc - offsetMs(asUtc - 86_400_000, timeZone);
  if (wallClockMs(before, timeZone) === asUtc) return before;
  const after = asUtc - offsetMs(asUtc, timeZone);
  return wallClockMs(after, timeZone) === asUtc ? after : before;
}

/** The zone's offset from UTC at a moment (ms; Copenhagen in summer: +2 h). */
function offsetMs(at: number, timeZone: string): number {
  return wallClockMs(at, timeZone) - at;
}

/** A moment's local date and time in the zone, read as if it were UTC. */
function wallClockMs(at: number, timeZone: string): number {
  const t = localDateTime(new Date(at), timeZone);
  return Date.UTC(
    Number(t.year),
    Number(t.month) - 1,
    Number(t.day),
    Number(t.hour),
    Number(t.minute),
    Number(t.second),
  );
}
