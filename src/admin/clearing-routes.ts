/**
 * A day's clearing as the console shows it to operators: the deliveries sealed for the date (cut-
 * off, file name, postings, and the totals the file states) from the delivery ledger, the day's
 * reconciliation report once written, and a copy of a delivery file with every PAN masked
 * (docs/CLEARING.md "Masked copies"). The delivery files themselves carry full PANs and are not
 * served: operators see masked PANs only. A file is only ever read under a name the ledger
 * recorded, never one taken from the URL.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DeliveryLedger } from '../clearing/delivery-ledger.js';
import { DeliveryFileError } from '../clearing/delivery-file.js';
import {
  type DeliveryTotals,
  maskedDelivery,
  maskedFileName,
  totalsOfDeliveryText,
} from '../clearing/masked-delivery.js';
import { isCalendarDate } from '../time/dates.js';
import { invalid } from './schemas.js';
import { type AdminReply, type AdminRoute, HttpError } from './server.js';

/** Where the clearing page reads: the ledger and the directory the deliveries and reports are written to. */
export interface ClearingView {
  ledger: Pick<DeliveryLedger, 'ofDate' | 'get'>;
  directory: string;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A delivery file's name as deliveryFileName() makes it: its date and number. */
const DELIVERY_FILE = /^delivery-(\d{4}-\d\d-\d\d)-(\d\d)\.txt$/;
/** Totals of this many files are kept: a day's page asks for each of its deliveries every time. */
const CACHED_TOTALS = 200;

export function clearingRoutes(view: ClearingView): AdminRoute[] {
  const totals = new TotalsCache(view.directory);
  return [
    {
      method: 'GET',
      path: '/clearing/days/:date',
      access: ['operator'],
      handle: async ({ date }) => {
        if (!DATE.test(date!)) throw invalid('path', [{ path: '/date', message: 'must be a date, YYYY-MM-DD' }]);
        const deliveries = await Promise.all(
          (await view.ledger.ofDate(date!)).map(async (d) => {
            // A sealed delivery whose file is not written yet has neither file, postings nor totals.
            const file = d.file === undefined ? null : basename(d.file);
            return {
              number: d.number,
              cutoff: d.cutoff,
              file,
              postings: d.postings ?? null,
              ...(file === null ? { totals: null } : await totals.of(file)),
            };
          }),
        );
        return { status: 200, body: { date, deliveries, reconciliation: await reconciliationOf(view, date!) } };
      },
    },
    {
      method: 'GET',
      path: '/clearing/deliveries/:file/masked',
      access: ['operator'],
      handle: async ({ file }) => {
        const name = await recordedName(view, file!);
        const text = await readDelivery(view.directory, name);
        let masked: string;
        try {
          masked = maskedDelivery(text).text;
        } catch (e) {
          if (e instanceof DeliveryFileError) throw damaged(e);
          throw e;
        }
        return latin1File(maskedFileName(name), masked);
      },
    },
  ];
}

/** A file as a download: its bytes in Latin-1 (as the layouts are written), under `name`. */
export function latin1File(name: string, text: string): AdminReply {
  return {
    status: 200,
    text: Buffer.from(text, 'latin1'),
    contentType: 'text/plain; charset=iso-8859-1',
    headers: { 'content-disposition': `attachment; filename="${name}"` },
  };
}

const NO_SUCH_FILE = { error: 'no such delivery file: give a file name the day shows (GET /clearing/days/:date)' };

/**
 * The name of a delivery file the ledger recorded: the one asked for, when the ledger has that
 * delivery and recorded exactly that name for it; 404 otherwise (the name is not echoed).
 */
async function recordedName(view: ClearingView, file: string): Promise<string> {
  const m = DELIVERY_FILE.exec(file);
  if (m === null || !isCalendarDate(m[1]!) || m[2] === '00') throw new HttpError(404, NO_SUCH_FILE);
  const d = await view.ledger.get(m[1]!, Number(m[2]));
  if (d?.file === undefined || basename(d.file) !== file) throw new HttpError(404, NO_SUCH_FILE);
  return basename(d.file);
}

async function readDelivery(directory: string, name: string): Promise<string> {
  try {
    return await readFile(join(directory, name), 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new HttpError(404, { error: 'the delivery file is not in the clearing directory' });
    throw e;
  }
}

/** A file the ledger names that does not follow the layout: the reason names line and field, never a value. */
function damaged(e: DeliveryFileError): HttpError {
  return new HttpError(500, { error: `the delivery file does not follow the layout: ${e.message}` });
}

/**
 * Each delivery's totals as its file states them, read once per file version (size and time):
 * a delivery file is written once, and a retry writes it byte for byte the same.
 */
class TotalsCache {
  private readonly kept = new Map<string, { version: string; shown: Shown }>();

  constructor(private readonly directory: string) {}

  async of(file: string): Promise<Shown> {
    const path = join(this.directory, file);
    let version: string;
    try {
      const s = await stat(path);
      version = `${s.size}:${s.mtimeMs}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return { totals: null, problem: 'the file is not in the clearing directory' };
    }
    const hit = this.kept.get(file);
    if (hit?.version === version) return hit.shown;
    const shown = totalsOrProblem(await readFile(path, 'latin1'));
    this.kept.delete(file);
    this.kept.set(file, { version, shown });
    if (this.kept.size > CACHED_TOTALS) this.kept.delete(this.kept.keys().next().value!);
    return shown;
  }
}

type Shown = { totals: DeliveryTotals } | { totals: null; problem: string };

function totalsOrProblem(text: string): Shown {
  try {
    return { totals: totalsOfDeliveryText(text) };
  } catch (e) {
    if (e instanceof DeliveryFileError) return { totals: null, problem: damaged(e).message };
    throw e;
  }
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
