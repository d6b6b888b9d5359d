/**
 * Issuer scripts through the issuer API (docs/ADMIN-API.md, "Issuer scripts"): queue a script for
 * one of the issuer's cards, list its scripts and their results, queue a sent one again. As with
 * every card route, the issuer is the token's, and the card module's Lua checks the card is that
 * issuer's in the same call as the change.
 */
import type { CommandRequest } from '../card/script-commands.js';
import type { QueueReply } from '../card/scripts/issuer-scripts.js';
import { type ApiContext, NO_SUCH_CARD, cardIdParam, refused } from './api.js';
import { readJsonBody } from './body.js';
import { type Problem, invalid, validate } from './schemas.js';
import type { AdminReply, AdminRoute } from './server.js';

/** The parameters each command takes; any other is refused with it. */
const PARAMETERS: Record<CommandRequest['command'], readonly string[]> = {
  pinUnblock: [],
  applicationBlock: [],
  applicationUnblock: [],
  putData: ['tag', 'value'],
  apdu: ['apdu'],
};

/** Each command's parameters present, and no other: every problem at once. */
function checkParameters(commands: readonly Record<string, unknown>[]): void {
  const problems: Problem[] = [];
  commands.forEach((c, i) => {
    const wanted = PARAMETERS[c.command as CommandRequest['command']];
    for (const p of wanted)
      if (c[p] === undefined) problems.push({ path: `/commands/${i}/${p}`, message: 'is required' });
    for (const p of ['tag', 'value', 'apdu'])
      if (c[p] !== undefined && !wanted.includes(p))
        problems.push({ path: `/commands/${i}/${p}`, message: `is not allowed with ${String(c.command)}` });
  });
  if (problems.length > 0) throw invalid('body', problems);
}

/** A script change's answer: the script as now kept, or the refusal. */
async function answer(
  api: ApiContext,
  card: string,
  reply: QueueReply,
  id: string,
  status: number,
): Promise<AdminReply> {
  if (!reply.ok) {
    if (reply.reason === 'no such script') return { status: 404, body: { error: 'no such script' } };
    return refused(reply);
  }
  const script = (await api.scripts.list(card)).find((s) => s.id === id)!;
  return { status, body: script, headers: { location: `/cards/${card}/scripts/${id}` } };
}

export function scriptRoutes(api: ApiContext): AdminRoute[] {
  const { auth } = api;
  return [
    {
      method: 'POST',
      path: '/cards/:id/scripts',
      access: ['issuer'],
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const body = validate('script', await readJsonBody(req));
        checkParameters(body.commands as unknown as Record<string, unknown>[]);
        const reply = await api.scripts.queue(issuer, card, body);
        if (reply.ok) api.log.info({ issuer, card, action: 'queueScript', script: reply.id }, 'issuer script queued');
        return answer(api, card, reply, reply.ok ? reply.id : '', 201);
      },
    },
    {
      method: 'GET',
      path: '/cards/:id/scripts',
      access: ['issuer'],
      handle: async ({ id }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        const state = await api.register.state(card);
        if (state === undefined) return { status: 404, body: NO_SUCH_CARD };
        if (state.issuer !== issuer) return refused({ ok: false, status: 'forbidden', reason: '' });
        return { status: 200, body: { scripts: await api.scripts.list(card) } };
      },
    },
    {
      method: 'POST',
      path: '/cards/:id/scripts/:script/resend',
      access: ['issuer'],
      handle: async ({ id, script }, req) => {
        const issuer = auth.issuer(req);
        const card = cardIdParam(id);
        if (!/^[0-9A-F]{8}$/.test(script ?? '')) return { status: 404, body: { error: 'no such script' } };
        const reply = await api.scripts.resend(issuer, card, script!);
        if (reply.ok) api.log.info({ issuer, card, action: 'resendScript', script }, 'issuer script queued again');
        return answer(api, card, reply, script!, 200);
      },
    },
  ];
}
