/**
 * The offline block list's routes, for the terminal operators' fetch service only (token role
 * offlineTerminals): the daily change files not yet fetched, and the full list. The files hold
 * full PANs (offline terminals compare them); answers are no-store like every admin answer.
 */
import type { IncomingMessage } from 'node:http';
import { FETCHER_PATTERN, type OfflineBlockList } from '../blocking/offline-block-list.js';
import { type Problem, invalid, shownKey } from './schemas.js';
import type { AdminRoute } from './server.js';

export function blockListRoutes(blockList: OfflineBlockList): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/offline-block-list/changes',
      access: ['offlineTerminals'],
      query: true,
      handle: async (_, req) => {
        const { fetcher } = queryOf(req, ['fetcher']);
        const problems: Problem[] = [];
        if (fetcher === undefined) problems.push({ path: '/fetcher', message: 'is required' });
        else if (!FETCHER_PATTERN.test(fetcher))
          problems.push({ path: '/fetcher', message: 'must be a fetcher id: 1 to 64 of A-Z a-z 0-9 . _ -' });
        if (problems.length > 0) throw invalid('query', problems);
        return { status: 200, body: { files: await blockList.fetch(fetcher!) } };
      },
    },
    {
      method: 'GET',
      path: '/offline-block-list/full',
      access: ['offlineTerminals'],
      handle: async () => {
        const { date, content } = await blockList.fullFileDated();
        return { status: 200, body: { date, kind: 'full', content } };
      },
    },
  ];
}

/** The query's parameters among `allowed`, each at most once; anything else is 400. */
function queryOf(req: IncomingMessage, allowed: string[]): Record<string, string | undefined> {
  const params = new URL(req.url!, 'http://admin').searchParams;
  const out = Object.create(null) as Record<string, string>;
  const problems: Problem[] = [];
  for (const [key, value] of params) {
    if (!allowed.includes(key)) problems.push({ path: `/${shownKey(key)}`, message: 'is not allowed' });
    else if (Object.hasOwn(out, key)) problems.push({ path: `/${key}`, message: 'must be given once' });
    out[key] = value;
  }
  if (problems.length > 0) throw invalid('query', problems);
  return out;
}
