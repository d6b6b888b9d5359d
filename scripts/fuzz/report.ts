/**
 * The fuzz run's summary as text: totals, a row per category, the first violations (each with
 * the seed and case number that make it again). No frame bytes are printed: they may hold a
 * card number, and the seed reproduces them anyway.
 */
import type { CategoryStats, FuzzSummary } from './runner.js';

const COLUMNS: (keyof CategoryStats)[] = ['frames', 'answered', 'formatError', 'closed', 'ignored', 'violation'];

function table(rows: [string, CategoryStats][]): string {
  const header = ['category', ...COLUMNS];
  const cells = rows.map(([name, s]) => [name, ...COLUMNS.map((c) => s[c].toLocaleString('en-US'))]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

export function formatSummary(s: FuzzSummary): string {
  const rows = Object.entries(s.byCategory).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `fuzz: seed ${s.seed}: ${s.frames.toLocaleString('en-US')} frames in ${(s.durationMs / 1000).toFixed(1)} s (${Math.round(s.framesPerSecond).toLocaleString('en-US')} frames/s), ${s.connectionsOpened.toLocaleString('en-US')} connections opened`,
    table([...rows, ['total', s.totals]]),
    `violations: ${s.violations}`,
  ];
  for (const v of s.firstViolations)
    lines.push(
      `  case ${v.index} (seed ${v.seed}, ${v.category}, listener ${v.listener}): expected ${v.expected}, got ${v.got}`,
    );
  if (s.violations > s.firstViolations.length) lines.push(`  ... and ${s.violations - s.firstViolations.length} more`);
  if (s.aborted !== undefined) lines.push(`aborted: ${s.aborted}`);
  return lines.join('\n');
}
