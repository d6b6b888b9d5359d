/**
 * The admin API's routes: health, readiness, metrics, terminal traces, the issuers' and block
 * service's card API, the offline block list's files, and terminal vendors' fault rules and
 * conformance view (bearer tokens; docs/ADMIN-API.md).
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { AdminRoute } from './server.js';
import type { Switch } from '../switch.js';
import type { ApiContext } from './api.js';
import { AdminAuth } from './auth.js';
import { blockServiceRoutes } from './block-service.js';
import { blockListRoutes } from './block-list-routes.js';
import { OfflineBlockList } from '../clearing/offline-block-list.js';
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

export function adminRoutes(sw: Switch, redis: Redis, deps: AdminDeps): AdminRoute[] {
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
  return [
    ...operationRoutes(sw, redis),
    ...cardRoutes(api),
    ...noticeRoutes(api),
    ...blockServiceRoutes(api),
    ...blockListRoutes(api, blockList),
    ...faultRoutes(api, sw.faults),
    ...conformanceRoutes(api, sw),
    ...activityRoutes(api, sw),
  ];
}

/** Health, readiness, metrics, traces: open, as before (protecting them is a separate change). */
function operationRoutes(sw: Switch, redis: Redis): AdminRoute[] {
  return [
    { method: 'GET', path: '/healthz', handle: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
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
      handle: async () => ({ status: 200, text: await sw.metrics.registry.metrics(), contentType: sw.metrics.registry.contentType }),
    },
    {
      method: 'GET',
      path: '/terminals/:id/trace',
      handle: ({ id }) => {
        if (!sw.trace.has(id!)) return { status: 404, body: { error: `no trace for terminal ${id}` } };
        return { status: 200, body: { terminal: id, exchanges: sw.trace.render(id!, (l) => sw.dialectOf(l)) } };
      },
    },
  ];
}
