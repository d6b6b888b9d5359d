/**
 * The issuers' card routes. The issuer is the one the token speaks for, never one named in the
 * request, and the register's scripts check that the card is that issuer's in the same Lua call
 * as the change. Cards are addressed by their card id (the keyed hash of the PAN); a PAN travels
 * only in a body, never in a URL (URLs end up in proxy and access logs).
 */
import { isRedisUnavailable } from '../redis/errors.js';
import type { IncomingMessage } from 'node:http';
import type { CardId } from '../crypto/card-id.js';
import type { ChangeResult } from '../card/card-register.js';
import { type ApiContext, NO_SUCH_CARD, cardIdParam, refused, reportTime, stateOf } from './api.js';
import { readJsonBody } from './body.js';
import { validate } from './schemas.js';
import type { AdminReply, AdminRoute } from './server.js';

/** A change accepted but not yet made (Redis down): answered as it is. */
interface Deferred {
  deferred: AdminReply;
}

export function cardRoutes(api: ApiContext): AdminRoute[] {
  const { auth, register } = api;

  /** A change to a card named by :id; its answer is the card's new state. */
  const change = (
    method: AdminRoute['method'],
    path: string,
    action: string,
    act: (issuer: string, card: CardId, req: IncomingMessage) => Promise<ChangeResult | Deferred>,
  ): AdminRoute => ({
    method,
    path,
    access: ['issuer'],
    handle: async ({ id }, req) => {
      const issuer = auth.issuer(req);
      const card = cardIdParam(id);
      const result = await act(issuer, card, req);
      if ('deferred' in result) return result.deferred;
      if (!result.ok) return refused(result);
      // Blocks write notices; moved to the issuer's feed now rather than at the next sweep.
      await api.relay.flushQuietly(card);
      api.log.info({ issuer, card, action }, 'card changed by its issuer');
      return { status: 200, body: await stateOf(api, card) };
    },
  });

  return [
    {
      method: 'POST',
      path: '/cards',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const { personalNumber, ...card } = validate('register', await readJsonBody(req));
        const holder = personalNumber === undefined ? {} : { personalNumber: personalNumber.replace('-', '') };
        const result = await api.holders.registerIndexed({ ...card, issuer }, holder);
        // A conflict tells the caller that the PAN is registered, perhaps by another issuer: a PAN
        // cannot be registered twice, and in practice its BIN already names its issuer.
        if (!result.ok) return refused(result);
        api.log.info({ issuer, card: result.card, action: 'register' }, 'card registered by its issuer');
        return { status: 201, body: await stateOf(api, result.card), headers: { location: `/cards/${result.card}` } };
      },
    },
    {
      method: 'POST',
      path: '/cards/lookup',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const { pan } = validate('lookup', await readJsonBody(req));
        const state = await register.state(register.idOf(pan));
        // Another issuer's card is "no such card" here: a lookup must not tell whether a PAN is registered.
        if (state === undefined || state.issuer !== issuer) return { status: 404, body: NO_SUCH_CARD };
        return { status: 200, body: state };
      },
    },
    {
      method: 'POST',
      path: '/cards/activate',
      access: ['issuer'],
      handle: async (_, req) => {
        const issuer = auth.issuer(req);
        const { pan, activationCode } = validate('activate', await readJsonBody(req));
        const card = register.idOf(pan);
        const result = await register.activate(issuer, card, activationCode, pan);
        if (!result.ok) return refused(result, true);
        api.log.info({ issuer, card, action: 'activate' }, 'card activated');
        return { status: 200, body: await stateOf(api, card) };
      },
    },
    {
      method: 'GET',
      path: '/cards/:id',
      access: ['issuer'],
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const state = await register.state(cardIdParam(id));
        if (state === undefined) return { status: 404, body: NO_SUCH_CARD };
        if (state.issuer !== issuer) return refused({ ok: false, status: 'forbidden', reason: '' });
        // Its issuer scripts and their results besides (docs/ADMIN-API.md, "Issuer scripts").
        return { status: 200, body: { ...state, scripts: await api.scripts.list(state.card) } };
      },
    },
    change('PUT', '/cards/:id/balance', 'setBalance', async (issuer, card, req) => {
      const { balance } = validate('balance', await readJsonBody(req));
      return register.setBalance(issuer, card, balance);
    }),
    change('POST', '/cards/:id/block', 'block', async (issuer, card, req) => {
      const { reason, statement, reportedAt: given } = validate('block', await readJsonBody(req));
      const report = statement === undefined ? undefined : { statement };
      const now = api.clock.now();
      // The holder's report time when the issuer gives one (it may block later than its customer called), else now.
      const reportedAt = reportTime(now, given);
      try {
        return await register.block(issuer, card, reason, reportedAt, report);
      } catch (e) {
        if (!isRedisUnavailable(e)) throw e;
        // Redis down: kept on disk and applied when it is back (the issuer check happens then).
        api.pending.add({
          issuer,
          card,
          reason,
          reportedAt: reportedAt.getTime(),
          ...(report ? { report } : {}),
          reference: '',
        });
        return {
          deferred: {
            status: 202,
            body: {
              card,
              pending: true,
              message: 'the card register is unavailable: the block is kept and applied as soon as it is back',
            },
          },
        };
      }
    }),
    change('DELETE', '/cards/:id/block', 'liftBlock', (issuer, card) => register.liftBlock(issuer, card)),
    change('DELETE', '/cards/:id/pin-block', 'liftPinBlock', (issuer, card) => register.liftPinBlock(issuer, card)),
    change('DELETE', '/cards/:id', 'delete', (issuer, card) => register.delete(issuer, card)),
  ];
}
