/** The offline block list's reason column (6 characters) for every block reason (docs/CLEARING.md, "File layout"). */
import t from 'tap';
import { REASON_CODES, RECORD_LENGTH, blockListText } from '../../src/blocking/block-list-file.js';
import { BLOCK_REASONS } from '../../src/card/block-history.js';

t.test('every block reason has its code in the reason column, each code distinct', async (t) => {
  const lines = BLOCK_REASONS.map((reason, i) => ({
    type: 'A' as const,
    entry: {
      pan: `50190000000000${String(i).padStart(2, '0')}`,
      maskedPan: '501900******0000',
      issuer: 'bank-a',
      reason,
      blockedAt: Date.parse('2026-11-21T10:00:00Z'),
    },
  }));
  const records = blockListText('DAILY', '2026-11-21', lines, new Date('2026-11-21T23:59:00Z'), 'Europe/Copenhagen')
    .split('\n')
    .filter((l) => l !== '');
  const entries = records.filter((r) => r.startsWith('A'));
  t.equal(entries.length, BLOCK_REASONS.length);
  for (const [i, reason] of BLOCK_REASONS.entries()) {
    t.equal(entries[i]!.length, RECORD_LENGTH, `${reason}: a whole record`);
    t.equal(entries[i]!.slice(20, 26).trimEnd(), REASON_CODES[reason], `${reason}: ${REASON_CODES[reason]}`);
  }
  t.equal(new Set(Object.values(REASON_CODES)).size, BLOCK_REASONS.length, 'no two reasons share a code');
  t.same(REASON_CODES.lost, 'lost', 'the old reasons are written as before');
});
