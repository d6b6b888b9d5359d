/**
 * The day's clearing cut-offs (docs/SCHEME.md, 001 §9: ten deliveries a day) in local time: when
 * delivery n of a day is cut. Which business date a moment belongs to: src/time/local-time.ts.
 */

/** A cron pattern (minute hour, every day) for a local 'HH:MM'; the job scheduler applies the time zone. */
export function cronOf(time: string): string {
  const [hh, mm] = time.split(':');
  return `${Number(mm)} ${Number(hh)} * * *`;
}
