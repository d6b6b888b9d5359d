/**
 * The disputes' routes after a case is opened (docs/ADMIN-API.md "Disputes: accounts, notas,
 * misuse reports, representments"): the issuer's credit accounts (001 §27), its nota orders and
 * their arrival (001 §39, §41), its misuse reports (001 §42) and contests (001 §26); the
 * operator's representments and decisions (001 §26).
 */
import type { CaseLifecycle, CaseChange } from '../disputes/case-lifecycle.js';
import type { NotaDesk, NotaRefused, NotaView } from '../disputes/notas.js';
import type { NotYours } from '../disputes/disputes.js';
import { type ChosenAccounts, type CreditAccounts, STANDARD_ACCOUNT } from '../disputes/credit-accounts.js';
import { type ApiContext, cardIdParam } from './api.js';
import { readJsonBody } from './body.js';
import { caseNumberParam, noSuchCase, notYours } from './dispute-routes.js';
import {
  JOURNAL_ENTRY_PATTERN,
  accountsBody,
  contestBody,
  decisionBody,
  notaArrivalBody,
  notaOrderBody,
  representmentBody,
} from './dispute-schemas.js';
import { type AdminReply, type AdminRoute, HttpError } from './server.js';

/** What these routes use of the disputes module. */
export interface DisputeCaseView {
  lifecycle: CaseLifecycle;
  notaDesk: NotaDesk;
  accounts: CreditAccounts;
}

const ENTRY = new RegExp(JOURNAL_ENTRY_PATTERN);

function entryParam(e: string | undefined): string {
  if (e === undefined || !ENTRY.test(e))
    throw new HttpError(400, { error: 'not a journal entry: digits-digits, as the transactions listing gives it' });
  return e;
}

/** The accounts as shown: each kind's chosen account, or 'standard'. */
function shownAccounts(issuer: string, chosen: ChosenAccounts) {
  return {
    issuer,
    insufficientFunds: chosen.insufficientFunds ?? STANDARD_ACCOUNT,
    other: chosen.other ?? STANDARD_ACCOUNT,
  };
}

function caseReply(r: CaseChange): AdminReply {
  if (r.ok) return { status: 200, body: r.case };
  if (r.status === 'conflict') return { status: 409, body: { error: r.why } };
  return noSuchCase();
}

function notaReply(r: NotYours | NotaRefused | { ok: true; nota: NotaView }, created: boolean): AdminReply {
  if (r.ok) return { status: created ? 201 : 200, body: r.nota };
  if (!('why' in r)) return notYours(r);
  if (r.status === 'noEntry') return { status: 404, body: { error: r.why } };
  return { status: 409, body: { error: r.why, ...(r.nota ? { nota: r.nota } : {}) } };
}

export function disputeCaseRoutes(api: ApiContext, view: DisputeCaseView): AdminRoute[] {
  const { auth, log } = api;
  return [
    {
      method: 'GET',
      path: '/disputes/accounts',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        return { status: 200, body: shownAccounts(issuer, await view.accounts.get(issuer)) };
      },
    },
    {
      method: 'PUT',
      path: '/disputes/accounts',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const given = accountsBody(await readJsonBody(req));
        // 'standard' is kept as no choice: the same as leaving the kind out.
        const chosen = Object.fromEntries(Object.entries(given).filter(([, a]) => a !== STANDARD_ACCOUNT));
        await view.accounts.set(issuer, chosen);
        return { status: 200, body: shownAccounts(issuer, chosen) };
      },
    },
    {
      method: 'POST',
      path: '/disputes/cards/:id/notas',
      access: ['issuer'],
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const { entry } = notaOrderBody(await readJsonBody(req));
        const r = await view.notaDesk.order(issuer, card, entry);
        if (r.ok) log.info({ issuer, card, entry }, 'nota ordered');
        return notaReply(r, true);
      },
    },
    {
      method: 'POST',
      path: '/disputes/cards/:id/notas/:entry/arrival',
      access: ['issuer'],
      handle: async ({ id, entry }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const at = entryParam(entry);
        const { signed } = notaArrivalBody(await readJsonBody(req));
        return notaReply(await view.notaDesk.arrived(issuer, card, at, signed), false);
      },
    },
    {
      method: 'POST',
      path: '/disputes/cases/:number/misuse-report',
      access: ['issuer'],
      handle: async ({ number }, req) => {
        const issuer = auth.issuer(req);
        return caseReply(await view.lifecycle.reportMisuse(issuer, caseNumberParam(number)));
      },
    },
    {
      method: 'POST',
      path: '/disputes/cases/:number/representment',
      access: ['operator'],
      handle: async ({ number }, req) => {
        const n = caseNumberParam(number);
        const r = await view.lifecycle.represent(n, representmentBody(await readJsonBody(req)));
        if (r.ok) log.info({ case: n, amount: r.case.representment!.amount }, 'dispute case represented');
        return caseReply(r);
      },
    },
    {
      method: 'POST',
      path: '/disputes/cases/:number/contest',
      access: ['issuer'],
      handle: async ({ number }, req) => {
        const issuer = auth.issuer(req);
        const n = caseNumberParam(number);
        const r = await view.lifecycle.contest(issuer, n, contestBody(await readJsonBody(req)).text);
        if (r.ok) log.info({ issuer, case: n }, 'dispute case contested');
        return caseReply(r);
      },
    },
    {
      method: 'POST',
      path: '/disputes/cases/:number/decision',
      access: ['operator'],
      handle: async ({ number }, req) => {
        const n = caseNumberParam(number);
        const order = decisionBody(await readJsonBody(req));
        const r = await view.lifecycle.decide(n, order);
        if (r.ok) log.info({ case: n, for: order.for }, 'dispute case decided');
        return caseReply(r);
      },
    },
  ];
}
