/**
 * The disputes' routes (docs/DISPUTES.md, docs/ADMIN-API.md "Disputes"): an issuer lists its
 * card's delivered transactions for a period, checks a proposed return against the scheme's
 * rules, opens a case; issuers find their own cases, operators every case.
 */
import type { IncomingMessage } from 'node:http';
import type { Disputes, NotYours } from '../disputes/disputes.js';
import { type ApiContext, NO_SUCH_CARD, cardIdParam } from './api.js';
import { readJsonBody } from './body.js';
import { CASE_NUMBER_PATTERN, periodQuery, proposalBody } from './dispute-schemas.js';
import { invalid, queryOf } from './schemas.js';
import { type AdminReply, HttpError } from './server.js';
import type { AdminRoute } from './server.js';

/** The longest period one listing covers. */
const MAX_PERIOD_DAYS = 400;

/** 404 or 403 for a card or case that is not the issuer's. */
export function notYours(r: NotYours, what = NO_SUCH_CARD): AdminReply {
  if (r.status === 'notFound') return { status: 404, body: what };
  return { status: 403, body: { error: 'the card belongs to another issuer' } };
}

const NO_SUCH_CASE = { error: 'no such case' };

/**
 * Another issuer's case is answered as one that does not exist: case numbers count up, and an
 * issuer must not learn which numbers are others' cases (how many there are).
 */
export function noSuchCase(): AdminReply {
  return { status: 404, body: NO_SUCH_CASE };
}
const CASE_NUMBER = new RegExp(CASE_NUMBER_PATTERN);

export function caseNumberParam(n: string | undefined): string {
  if (n === undefined || !CASE_NUMBER.test(n))
    throw new HttpError(400, { error: 'not a case number: D and 8 digits, as a case gives it' });
  return n;
}

/** The period of a listing: from and to, local dates, from not after to, at most MAX_PERIOD_DAYS. */
function periodOf(req: IncomingMessage): { from: string; to: string } {
  const { from, to } = periodQuery(queryOf(req), 'query');
  if (to < from || Date.parse(to) - Date.parse(from) > MAX_PERIOD_DAYS * 86_400_000)
    throw invalid('query', [{ path: '/to', message: `must be on or after from, at most ${MAX_PERIOD_DAYS} days on` }]);
  return { from, to };
}

export function disputeRoutes(api: ApiContext, disputes: Disputes): AdminRoute[] {
  const { auth } = api;
  return [
    {
      method: 'GET',
      path: '/disputes/cards/:id/transactions',
      access: ['issuer'],
      query: true,
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const { from, to } = periodOf(req);
        const r = await disputes.transactions(issuer, card, from, to);
        if (!r.ok) return notYours(r);
        return { status: 200, body: { card, from, to, transactions: r.transactions, truncated: r.truncated } };
      },
    },
    {
      method: 'POST',
      path: '/disputes/checks',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const r = await disputes.check(issuer, proposalBody(await readJsonBody(req)));
        if (!r.ok) return notYours(r);
        return { status: 200, body: r };
      },
    },
    {
      method: 'POST',
      path: '/disputes/cases',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const proposal = proposalBody(await readJsonBody(req));
        const r = await disputes.open(issuer, proposal);
        if (!r.ok) return notYours(r);
        if (!('case' in r)) return { status: 409, body: { error: 'not every transaction can be returned', check: r } };
        api.log.info(
          { issuer, card: proposal.card, case: r.case.number, reason: r.case.reason },
          'dispute case opened',
        );
        return { status: 201, body: r.case, headers: { location: `/disputes/cases/${r.case.number}` } };
      },
    },
    {
      method: 'GET',
      path: '/disputes/cases/:number',
      access: ['issuer', 'operator'],
      handle: async ({ number }, req) => {
        const p = auth.principal(req);
        const r = await disputes.caseOf(caseNumberParam(number), p.role === 'issuer' ? p.issuer : undefined);
        if (!r.ok) return noSuchCase();
        return { status: 200, body: r.case };
      },
    },
    {
      method: 'GET',
      path: '/disputes/cards/:id/cases',
      access: ['issuer', 'operator'],
      handle: async ({ id }, req) => {
        const p = auth.principal(req);
        const card = cardIdParam(id);
        const r = await disputes.casesOf(card, p.role === 'issuer' ? p.issuer : undefined);
        if (!r.ok) return notYours(r);
        return { status: 200, body: { card, cases: r.cases } };
      },
    },
  ];
}
