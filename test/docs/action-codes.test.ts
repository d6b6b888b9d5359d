/**
 * docs/PROTOCOL.md §4.2's action code table is the code's (src/messages/action-codes.ts): every
 * outcome's pair of codes (1993, 1987) is a row, and every row is an outcome's pair. Several
 * outcomes share a pair (913 / 94 for a duplicate transmission and a completion completed
 * already), so the pairs are compared as sets; the row of each contactless outcome by name.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { docTableRows } from '../support/doc-table.js';
import { ACTION_CODES } from '../../src/messages/action-codes.js';

const PROTOCOL = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

const tableRows = (): string[][] => docTableRows(PROTOCOL, '| Outcome | 1993 (n3) | 1987 (an2) |');

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

t.test('the action code table in PROTOCOL.md is the code table', async (t) => {
  const rows = tableRows();
  t.ok(rows.length > 0, 'the table is there');
  const documented = new Set(rows.map((r) => `${unquote(r[1]!)} / ${unquote(r[2]!)}`));
  const coded = new Set(Object.values(ACTION_CODES).map((c) => `${c.iso93} / ${c.iso87}`));
  t.same([...documented].sort(), [...coded].sort(), 'the same pairs of codes');
  const row = (name: string) =>
    rows
      .find((r) => r[0] === name)
      ?.slice(1, 3)
      .map(unquote);
  t.same(row('PIN required'), [ACTION_CODES.pinRequired.iso93, ACTION_CODES.pinRequired.iso87]);
  t.same(row('chip and PIN required'), [ACTION_CODES.chipAndPinRequired.iso93, ACTION_CODES.chipAndPinRequired.iso87]);
  t.not(ACTION_CODES.pinRequired.iso87, ACTION_CODES.chipAndPinRequired.iso87, 'two codes in 1987');
  t.not(ACTION_CODES.pinRequired.iso93, ACTION_CODES.chipAndPinRequired.iso93, 'two codes in 1993');
});
