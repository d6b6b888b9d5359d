/**
 * The replay's report (replay.ts, `npm run monitoring -- replay`): per rule the cards it would
 * have blocked, the totals, and the difference from the rules in force, as text or JSON. Cards
 * are named by their ids only: the log has no PANs, and the report goes to a terminal or a file.
 */
import { localDateTime } from '../time/local-time.js';
import type { ReplayBlock, ReplayComparison, ReplayResult } from './replay.js';

export interface ReplayHeading {
  date: string;
  timeZone: string;
  /** Days before `date` the profiles were built from. */
  historyDays: number;
  /** Of them, the days whose log was still kept (and not empty). */
  historyFound: number;
  /** The replayed rule file. */
  rules: string;
  /** Where the rules in force come from: the config's file, or 'shipped'. */
  inForce: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatReplay(h: ReplayHeading, c: ReplayComparison): string {
  const time = (ms: number): string => {
    const t = localDateTime(new Date(ms), h.timeZone);
    return `${t.hour}:${t.minute}:${t.second}`;
  };
  const line = (b: ReplayBlock): string =>
    `  ${time(b.at)}  card ${b.card}  ${b.rule}  fired by ${b.txn}  (${plural(b.transactions.length, 'transaction')})\n`;
  const blocks = (title: string, list: readonly ReplayBlock[]): string =>
    `${title} (${list.length})${list.length > 0 ? ':' : ''}\n${list.map(line).join('')}`;

  const ids = [...new Set([...c.proposed.rules, ...c.inForce.rules].map((r) => r.id))];
  const width = Math.max('Cards blocked'.length, ...ids.map((id) => id.length + 2));
  const row = (name: string, replayed: string, inForce: string): string =>
    `${name.padEnd(width)}  ${replayed.padStart(8)}  ${inForce.padStart(8)}\n`;
  const count = (r: ReplayResult, id: string, figure: 'blocks' | 'spared'): string =>
    String(r.rules.find((x) => x.id === id)?.[figure] ?? '-');
  const table = (figure: 'blocks' | 'spared'): string =>
    ids.map((id) => row(`  ${id}`, count(c.proposed, id, figure), count(c.inForce, id, figure))).join('');

  return (
    `Replay of ${h.date} (${h.timeZone}; profiles from ${plural(h.historyDays, 'day')} before` +
    `${h.historyDays > 0 ? `, ${h.historyFound} of them logged` : ''}): ` +
    `${plural(c.proposed.transactions, 'transaction')} on ${plural(c.proposed.cards, 'card')}\n` +
    `Replayed: ${h.rules}\nIn force: ${h.inForce}\n\n` +
    row('Cards blocked', 'replayed', 'in force') +
    table('blocks') +
    row('  total', String(c.proposed.blocks.length), String(c.inForce.blocks.length)) +
    "Fired, but spared (the holder's own spending)\n" +
    table('spared') +
    '\n' +
    blocks('Blocks added', c.added) +
    blocks('Blocks removed', c.removed) +
    '\n' +
    blocks('Blocks by the replayed rules', c.proposed.blocks)
  );
}

/** The same as one JSON document (times as ISO 8601 UTC); each result names where its rules come from. */
export function replayJson(h: ReplayHeading, c: ReplayComparison): string {
  const iso = (list: readonly ReplayBlock[]) => list.map((b) => ({ ...b, at: new Date(b.at).toISOString() }));
  const result = (source: string, r: ReplayResult) => ({ source, ...r, blocks: iso(r.blocks) });
  const { date, timeZone, historyDays, historyFound } = h;
  return `${JSON.stringify(
    {
      date,
      timeZone,
      historyDays,
      historyFound,
      replayed: result(h.rules, c.proposed),
      inForce: result(h.inForce, c.inForce),
      added: iso(c.added),
      removed: iso(c.removed),
    },
    null,
    2,
  )}\n`;
}
