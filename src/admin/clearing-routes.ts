/**
 * A day's clearing as the console shows it to operators: the deliveries sealed for the date (cut-
 * off, file name, postings) from the delivery ledger, and the day's reconciliation report once
 * written (docs/CLEARING.md). The delivery files themselves are not served: they carry full PANs.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DeliveryLedger } from '../clearing/delivery-ledger.js';
import { invalid } from './schemas.js';
import type { AdminRoute } from './server.js';

/** Where the clearing page reads: the ledger and the directory the deliveries and reports are written to. */
export interface ClearingView {
  ledger: Pick<DeliveryLedger, 'ofDate'>;
  directory: string;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function clearingRoutes(view: ClearingView): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/clearing/days/:date',
      access: ['operator'],
      handle: async ({ date }) => {
        if (!DATE.test(date!)) throw invalid('path', [{ path: '/date', message: 'must be a date, YYYY-MM-DD' }]);
        const deliveries = (await view.ledger.ofDate(date!)).map((d) => ({
          number: d.number,
          cutoff: d.cutoff,
          // A sealed delivery whose file is not written yet has neither.
          file: d.file === undefined ? null : basename(d.file),
          postings: d.postings ?? null,
        }));
        return { status: 200, body: { date, deliveries, reconciliation: await reconciliationOf(view, date!) } };
      },
    },
  ];
}

/** The day's reconciliation report (masked PANs at most) as written at the end of the day; null before. */
async function reconciliationOf(view: ClearingView, date: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(view.directory, `reconciliation-${date}.json`), 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
