/**
 * docs/PROTOCOL.md §3.4.4's table of reversal reasons is the code's (src/journal/reversal-reasons.ts):
 * the same reasons, meanings and posting types, in the same order, and its last row ("none, or
 * any other") gives the type of a reason not listed.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { docTableRows } from '../support/doc-table.js';
import { REVERSAL_REASONS, UNLISTED_REVERSAL_TYPE, reversalPostingType } from '../../src/journal/reversal-reasons.js';

const PROTOCOL = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

const tableRows = (): string[][] => docTableRows(PROTOCOL, '| Reason (field 25) |');

t.test('the table in PROTOCOL.md is the code table', async (t) => {
  const rows = tableRows();
  t.ok(rows.length > 0, 'the table is there');
  const listed = rows.filter((r) => /^`[^`]+`$/.test(r[0]!));
  t.same(
    listed.map(([reason, meaning, type]) => ({ reason: reason!.slice(1, -1), meaning, type })),
    REVERSAL_REASONS,
  );
  const rest = rows.filter((r) => !/^`[^`]+`$/.test(r[0]!));
  t.equal(rest.length, 1, 'one row for every other reason');
  t.match(rest[0]![0], /^none, or any other$/);
  t.equal(rest[0]![2], UNLISTED_REVERSAL_TYPE);
  t.equal(reversalPostingType('4999'), UNLISTED_REVERSAL_TYPE);
  t.equal(reversalPostingType(''), UNLISTED_REVERSAL_TYPE);
});
