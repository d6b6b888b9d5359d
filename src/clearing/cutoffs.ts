/**
 * The day's clearing cut-offs (docs/SCHEME.md, 001 §9: ten deliveries a day) in local time: when
 * delivery n of a day is cut, and which business date a moment belongs to.
 */

/** A moment's local date, 'YYYY-MM-DD', in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The date after 'YYYY-MM-DD'. */
export function nextDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A cron pattern (minute hour, every day) for a local 'HH:MM'; the job scheduler applies the time zone. */
export function cronOf(time: string): string {
  const [hh, mm] = time.split(':');
  return `${Number(mm)} ${Number(hh)} * * *`;
}
