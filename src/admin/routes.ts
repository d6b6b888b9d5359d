/**
 * The admin API's routes: health, readiness, metrics, terminal traces, the issuers' and block
 * service's card API, the offline block list's files, and terminal vendors' fault rules and
 * conformance view (bearer tokens; docs/ADMIN-API.md). Every route but the liveness probe needs a
 * token; each declares the roles it takes, and guarded() checks them before its handler runs.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { AdminRoute } from './server.js';
import type { Switch } from '../switch.js';
import type { ApiContext } from './api.js';
import { AdminAuth } from './auth.js';
import { terminalIdParam } from './api.js';
import { refuseQuery } from './schemas.js';
import { blockServiceRoutes } from './block-service.js';
import { blockListRoutes } from './block-list-routes.js';
import { OfflineBlockList } from '../blocking/offline-block-list.js';
import { cardRoutes } from './card-routes.js';
import { noticeRoutes } from './notice-routes.js';
import { faultRoutes } from './fault-routes.js';
import { conformanceRoutes } from './conformance-routes.js';
import { activityRoutes } from './activity-routes.js';

/** What the card API needs beyond the switch: its tokens and SMS texts, the time, the audit log. */
export interface AdminDeps {
  config: SwitchConfig;
  clock: Clock;
  log: Logger;
  /** The switch's offline block list (the one its daily job makes files with); absent: made here from the config. */
  blockList?: OfflineBlockList;
}

export function adminRoutes(sw: Switch, redis: RegisterRedis, deps: AdminDeps): AdminRoute[] {
  const { blockList: given, ...rest } = deps;
  const api: ApiContext = { register: sw.register, relay: sw.relay, pending: sw.pendingBlocks, redis, auth: new AdminAuth(deps.config.admin.tokens), ...rest };
  const blockList =
    given ??
    new OfflineBlockList({
      redis,
      prefix: deps.config.redis.keyPrefix,
      register: sw.register,
      clock: deps.clock,
      timeZone: deps.config.register.timeZone,
      directory: deps.config.clearing.blockList.directory,
      log: deps.log,
    });
  const routes = [
    ...operationRoutes(sw, redis),
    ...cardRoutes(api),
    ...noticeRoutes(api),
    ...blockServiceRoutes(api),
    ...blockListRoutes(blockList),
    ...faultRoutes(api, sw.faults),
    ...conformanceRoutes(sw),
    ...activityRoutes(api, sw),
  ];
  return routes.map((route) => guarded(api.auth, route));
}

/**
 * The route with its access rule and query rule checked first: the token (401, 403) before
 * anything of the request is looked at, then any query string a route does not read (400), so
 * that junk appended to a URL is refused rather than silently ignored.
 */
function guarded(auth: AdminAuth, route: AdminRoute): AdminRoute {
  return {
    ...route,
    handle: (params, req) => {
      if (route.access !== 'open') auth.allow(req, route.access);
      if (route.query !== true) refuseQuery(req);
      return route.handle(params, req);
    },
  };
}

/**
 * Health (open: a liveness probe must work without secrets), readiness and metrics (operators:
 * they tell an outsider how loaded the switch is and whether Redis is down), traces (operators and
 * terminal vendors, who test their terminals with them; card data masked).
 */
function operationRoutes(sw: Switch, redis: RegisterRedis): AdminRoute[] {
  return [
    { method: 'GET', path: '/healthz', access: 'open', handle: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      access: ['operator'],
      handle: () => {
        const problems: string[] = [];
        if (redis.status !== 'ready') problems.push(`redis ${redis.status}`);
        for (const l of sw.listeners) if (!l.isListening) problems.push(`listener ${l.name} not listening`);
        return problems.length === 0 ? { status: 200, body: { status: 'ready' } } : { status: 503, body: { status: 'not ready', problems } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      access: ['operator'],
      handle: async () => ({ status: 200, text: await sw.metrics.registry.metrics(), contentType: sw.metrics.registry.contentType }),
    },
    {
      method: 'GET',
      path: '/terminals/:id/trace',
      access: ['operator', 'vendor'],
      handle: ({ id }) => {
        const terminal = terminalIdParam(id);
        if (!sw.trace.has(terminal)) return { status: 404, body: { error: `no trace for terminal ${terminal}` } };
        return { status: 200, body: { terminal, exchanges: sw.trace.render(terminal, (l) => sw.dialectOf(l)) } };
      },
    },
  ];
}
