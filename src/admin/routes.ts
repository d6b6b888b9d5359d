/**
 * The admin API's routes: health, readiness, metrics, terminal traces, the issuers' and block
 * service's card API, the offline block list's files, and terminal vendors' fault rules and
 * conformance view, the console's live traffic and its pages (bearer tokens; docs/ADMIN-API.md).
 * Every route but the liveness probe and the console's page and assets (which hold no data) needs
 * a token; each declares the roles it takes, and guarded() checks them before its handler runs.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../time/clock.js';
import type { SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { CardRegister } from '../card/card-register.js';
import type { IssuerScripts } from '../card/issuer-scripts.js';
import type { NoticeRelay } from '../notices/notice-relay.js';
import type { HolderIndex } from '../card/holder-index.js';
import type { PendingBlocks } from '../blocking/pending-blocks.js';
import type { BlockReferences } from '../blocking/block-references.js';
import type { OfflineBlockList } from '../blocking/offline-block-list.js';
import type { FaultInjector } from '../faults/injector.js';
import type { AdminRoute } from './server.js';
import type { ApiContext } from './api.js';
import { AdminAuth } from './auth.js';
import { terminalIdParam } from './api.js';
import { refuseQuery } from './schemas.js';
import { blockServiceRoutes } from './block-service.js';
import { blockListRoutes } from './block-list-routes.js';
import { blockListFilesRoutes } from './block-list-files-routes.js';
import { cardRoutes } from './card-routes.js';
import { type MonitoringView, monitoringRoutes } from './monitoring-routes.js';
import { noticeRoutes } from './notice-routes.js';
import { faultRoutes } from './fault-routes.js';
import { scriptRoutes } from './script-routes.js';
import { type TrafficView, conformanceRoutes } from './conformance-routes.js';
import { type ActivitySource, activityRoutes } from './activity-routes.js';
import { trafficRoutes } from './traffic-routes.js';
import { consoleRoutes } from './console-routes.js';
import { type ClearingView, clearingRoutes } from './clearing-routes.js';
import { disputeRoutes } from './dispute-routes.js';
import { type DisputeCaseView, disputeCaseRoutes } from './dispute-case-routes.js';
import type { Disputes } from '../disputes/disputes.js';
import { TrafficFeed } from '../trace/traffic-feed.js';

/** What the admin API reads and changes: the few interfaces its routes use, never the switch itself. */
export interface AdminDeps {
  config: SwitchConfig;
  clock: Clock;
  log: Logger;
  register: CardRegister;
  holders: HolderIndex;
  /** The cards' issuer scripts (queue, list, resend). */
  scripts: IssuerScripts;
  notices: NoticeRelay;
  pendingBlocks: PendingBlocks;
  references: BlockReferences;
  /** The offline block list (the one whose daily job makes the files). */
  blockList: OfflineBlockList;
  faults: FaultInjector;
  /** Readiness and metrics. */
  health: HealthView;
  traffic: TrafficView;
  activity: ActivitySource;
  /** A day's deliveries and reconciliation, for the console's clearing page. */
  clearing: ClearingView;
  /** The fraud monitoring: issuers' verdicts on its blocks, its figures, its rules. */
  monitoring: MonitoringView;
  /** The issuers' disputes of delivered transactions (docs/DISPUTES.md). */
  disputes: Disputes;
  /** A case after its opening, notas and credit accounts (the disputes module's). */
  disputeCases: DisputeCaseView;
  /** The built console's folder; default dist/console/ (console-routes.ts). */
  consoleDir?: string;
}

/** What readiness and /metrics look at. */
export interface HealthView {
  redisStatus(): string;
  listeners: readonly { name: string; isListening: boolean }[];
  metrics: Registry;
}

export function adminRoutes(deps: AdminDeps): AdminRoute[] {
  const { config, clock, log } = deps;
  const api: ApiContext = {
    register: deps.register,
    holders: deps.holders,
    relay: deps.notices,
    scripts: deps.scripts,
    pending: deps.pendingBlocks,
    references: deps.references,
    auth: new AdminAuth(config.admin.tokens),
    config,
    clock,
    log,
  };
  const routes = [
    ...operationRoutes(deps.health, deps.traffic),
    ...cardRoutes(api),
    ...monitoringRoutes(api, deps.monitoring),
    ...disputeRoutes(api, deps.disputes),
    ...disputeCaseRoutes(api, deps.disputeCases),
    ...scriptRoutes(api),
    ...noticeRoutes(api),
    ...blockServiceRoutes(api),
    ...blockListRoutes(deps.blockList),
    ...faultRoutes(api, deps.faults),
    ...conformanceRoutes(deps.traffic),
    ...activityRoutes(deps.activity),
    ...trafficRoutes(deps.traffic, new TrafficFeed(deps.traffic.trace, (l) => deps.traffic.dialectOf(l))),
    ...clearingRoutes(deps.clearing),
    ...blockListFilesRoutes(deps.blockList),
    ...consoleRoutes(api.auth, deps.consoleDir),
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
function operationRoutes(health: HealthView, traffic: TrafficView): AdminRoute[] {
  return [
    { method: 'GET', path: '/healthz', access: 'open', handle: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      access: ['operator'],
      handle: () => {
        const problems: string[] = [];
        const redis = health.redisStatus();
        if (redis !== 'ready') problems.push(`redis ${redis}`);
        for (const l of health.listeners) if (!l.isListening) problems.push(`listener ${l.name} not listening`);
        return problems.length === 0
          ? { status: 200, body: { status: 'ready' } }
          : { status: 503, body: { status: 'not ready', problems } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      access: ['operator'],
      handle: async () => ({
        status: 200,
        text: await health.metrics.metrics(),
        contentType: health.metrics.contentType,
      }),
    },
    {
      method: 'GET',
      path: '/terminals/:id/trace',
      access: ['operator', 'vendor'],
      handle: ({ id }) => {
        const terminal = terminalIdParam(id);
        if (!traffic.trace.has(terminal)) return { status: 404, body: { error: `no trace for terminal ${terminal}` } };
        return {
          status: 200,
          body: { terminal, exchanges: traffic.trace.render(terminal, (l) => traffic.dialectOf(l)) },
        };
      },
    },
  ];
}
