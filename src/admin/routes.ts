/** The admin API's routes: health, readiness, metrics, terminal traces. */
import type { Redis } from 'ioredis';
import type { AdminRoute } from './server.js';
import type { Switch } from '../switch.js';

export function adminRoutes(sw: Switch, redis: Redis): AdminRoute[] {
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
