/**
 * An issuer's notices (blocks, holders' reports on blocked cards, lifts, deletions, PIN blocks,
 * wrong PINs), newest first: the electronic archive its staff search (000), by card, by the
 * reference number the holder quotes, by type and by time, with what a holder said when
 * reporting a card. Only the issuer's own feed is read, so a card id or reference of another
 * issuer's card simply finds nothing.
 */
import type { Notice } from '../notices/notice-relay.js';
import type { ApiContext } from './api.js';
import { queryOf, validate } from './schemas.js';
import type { AdminRoute } from './server.js';

const DEFAULT_LIMIT = 100;

export function noticeRoutes(api: ApiContext): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/notices',
      access: ['issuer'],
      query: true,
      handle: async (_, req) => {
        const issuer = api.auth.issuer(req);
        const q = validate('notices', queryOf(req), 'query');
        const notices = await api.relay.notices(issuer, {
          ...(q.card === undefined ? {} : { card: q.card }),
          ...(q.reference === undefined ? {} : { reference: q.reference }),
          ...(q.type === undefined ? {} : { types: q.type.split(',') as Notice['type'][] }),
          ...(q.since === undefined ? {} : { since: Date.parse(q.since) }),
          ...(q.until === undefined ? {} : { until: Date.parse(q.until) }),
          limit: q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit),
        });
        return { status: 200, body: { notices } };
      },
    },
  ];
}
