/**
 * The offline block list's files as operators see them (the console's clearing page): which daily
 * files were made, with their dates and counts, and a copy of each, or of the full list, with
 * every PAN masked (docs/CLEARING.md "Masked copies"). The files as they are, with full PANs, stay
 * with the offline terminals' fetch service (block-list-routes.ts). A daily file is read only for
 * a date the list's own index has, never under a name taken from the URL.
 */
import { type OfflineBlockList, blockListFileName, maskedBlockList } from '../blocking/offline-block-list.js';
import { RecordError } from '../files/fixed-width.js';
import { maskedFileName } from '../clearing/masked-delivery.js';
import { latin1File } from './clearing-routes.js';
import { type AdminRoute, HttpError } from './server.js';

/** How many daily files the list shows, newest first (`total` counts them all). */
export const LISTED_FILES = 60;
/** The full list is made when asked, not kept as a file: this is its name in the list and routes. */
export const FULL_LIST_FILE = 'block-list-full.txt';

const DAILY_FILE = /^block-list-(\d{4}-\d\d-\d\d)\.txt$/;

type Files = Pick<OfflineBlockList, 'files' | 'dailyFile' | 'fullFileDated'>;

export function blockListFilesRoutes(blockList: Files): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/offline-block-list/files',
      access: ['operator'],
      handle: async () => {
        const { daily, total, full } = await blockList.files(LISTED_FILES);
        const files = daily.map((f) => ({
          file: blockListFileName(f.date),
          date: f.date,
          kind: 'daily',
          cards: f.added + f.removed,
          added: f.added,
          removed: f.removed,
          madeAt: new Date(f.madeAt).toISOString(),
        }));
        return {
          status: 200,
          body: { files, total, full: { file: FULL_LIST_FILE, date: full.date, kind: 'full', cards: full.cards } },
        };
      },
    },
    {
      method: 'GET',
      path: '/offline-block-list/files/:file/masked',
      access: ['operator'],
      handle: async ({ file }) => {
        const { name, text } = await fileOf(blockList, file!);
        try {
          return latin1File(maskedFileName(name), maskedBlockList(text).text);
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          // The reason names the line and field, never a value.
          throw new HttpError(500, { error: `the block list file does not follow the layout: ${e.message}` });
        }
      },
    },
  ];
}

const NO_SUCH_FILE = {
  error: 'no such block list file: give a file name GET /offline-block-list/files lists',
};

/** The file asked for: a daily file the list's index has, or the full list (named with its date). */
async function fileOf(blockList: Files, file: string): Promise<{ name: string; text: string }> {
  if (file === FULL_LIST_FILE) {
    const { date, content } = await blockList.fullFileDated();
    return { name: date === null ? FULL_LIST_FILE : `block-list-full-${date}.txt`, text: content };
  }
  const date = DAILY_FILE.exec(file)?.[1];
  const text = date === undefined ? undefined : await blockList.dailyFile(date);
  if (text === undefined) throw new HttpError(404, NO_SUCH_FILE);
  return { name: blockListFileName(date!), text };
}
