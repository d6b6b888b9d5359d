/**
 * End of day: the day's journal (every entry the day's deliveries were sealed over) against the
 * delivery files actually on disk, read back and parsed, so a missing, damaged or doubled file
 * shows as a difference. The report goes next to the deliveries as JSON and as text.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-file.js';
import type { PostingJournal } from '../journal/journal.js';
import type { UnmatchedReversals } from '../journal/unmatched-reversals.js';
import type { DeliveryLedger } from './delivery-ledger.js';
import { localDate } from '../time/local-time.js';
import { type ReconciliationReport, formatReport, reconcile } from './reconciliation.js';

export interface DayReconciliationDeps {
  journal: PostingJournal;
  ledger: DeliveryLedger;
  unmatched: UnmatchedReversals;
  directory: string;
  cutoffs: number;
  timeZone: string;
}

export async function reconcileDay(
  deps: DayReconciliationDeps,
  date: string,
): Promise<{ report: ReconciliationReport; file: string }> {
  const sealed = await deps.ledger.ofDate(date);
  const journal =
    sealed.length === 0
      ? []
      : (await deps.journal.range(sealed[0]!.from, sealed[sealed.length - 1]!.to)).map((e) => e.posting);
  const names = (await readdir(deps.directory).catch(() => [] as string[]))
    .filter((n) => n.startsWith(`delivery-${date}-`) && n.endsWith('.txt'))
    .sort();
  const deliveries = await Promise.all(
    names.map(async (name) => ({ name, text: await readFile(join(deps.directory, name), 'latin1') })),
  );
  const unmatched = (await deps.unmatched.list()).filter(
    (u) => localDate(new Date(u.at), deps.timeZone) === date,
  ).length;
  const report = reconcile({
    date,
    journal,
    deliveries,
    expectedNumbers: Array.from({ length: deps.cutoffs }, (_, i) => i + 1),
    unmatchedReversalAdvices: unmatched,
  });
  const file = `reconciliation-${date}`;
  await writeFileAtomic(join(deps.directory, `${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(deps.directory, `${file}.txt`), formatReport(report));
  return { report, file: `${file}.json` };
}
