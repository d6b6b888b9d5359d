/**
 * The console's view of the traffic, for operators and terminal vendors' testers: every exchange
 * as it happens (server-sent events, masked), and the terminals the switch has seen with their
 * last contact, dialect, kind and conformance (docs/ADMIN-API.md, "The console").
 */
import type { ServerResponse } from 'node:http';
import type { TrafficFeed } from '../trace/traffic-feed.js';
import type { TrafficEvent } from '../trace/traffic-event.js';
import { DEFAULT_ANSWER_TIMEOUT_MS, conformance } from '../faults/conformance.js';
import { isOldTerminal } from '../authorization/steps/reverse-lost-answer.js';
import type { TrafficView } from './conformance-routes.js';
import type { AdminRoute } from './server.js';

/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/** Bytes a slow reader may leave unread before exchanges are skipped for it (the seq gap shows it). */
const MAX_UNREAD = 1 << 20;
/**
 * Terminals listed at most, most recent contact first: each one's conformance unpacks its trace
 * window on the event loop the authorizations share, so a switch with thousands of terminals lists
 * the ones a tester is looking at, not all.
 */
export const MAX_LISTED = 200;

export function trafficRoutes(view: TrafficView, feed: TrafficFeed): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/traffic',
      access: ['operator', 'vendor'],
      handle: () => ({
        status: 200,
        contentType: 'text/event-stream; charset=utf-8',
        headers: { connection: 'keep-alive', 'x-accel-buffering': 'no' },
        stream: (res) => streamTraffic(res, feed),
      }),
    },
    {
      method: 'GET',
      path: '/terminals',
      access: ['operator', 'vendor'],
      handle: () => {
        const ids = view.trace.terminalIds();
        const recent = ids
          .map((id) => ({ id, at: view.trace.window(id).entries.at(-1)?.at.getTime() ?? 0 }))
          .sort((a, b) => b.at - a.at)
          .slice(0, MAX_LISTED);
        return { status: 200, body: { terminals: recent.map(({ id }) => seen(view, id)), total: ids.length } };
      },
    },
  ];
}

function streamTraffic(res: ServerResponse, feed: TrafficFeed): void {
  const send = (event: TrafficEvent): void => {
    if (res.destroyed || res.writableLength > MAX_UNREAD) return;
    res.write(`id: ${event.seq}\nevent: exchange\ndata: ${JSON.stringify(event)}\n\n`);
  };
  res.write(': live traffic, one event per exchange\n\n');
  const unsubscribe = feed.subscribe(send);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  res.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}

/** A terminal the trace holds: its last exchange, the listener's dialect, its kind, and the conformance checks' counts. */
function seen(view: TrafficView, terminal: string) {
  const { entries, dropped, capacity } = view.trace.window(terminal);
  const last = entries.at(-1);
  const report = conformance({
    terminal,
    entries,
    dropped,
    capacity,
    dialectOf: (l) => view.dialectOf(l),
    oldTerminal: isOldTerminal(view.terminalKeys, terminal),
    timeoutMs: DEFAULT_ANSWER_TIMEOUT_MS,
  });
  return {
    terminal,
    lastContact: last?.at.toISOString() ?? null,
    listener: last?.listener ?? null,
    dialect: last === undefined ? null : view.dialectOf(last.listener).name,
    kind: view.terminalKeys.keyFor(terminal).model ?? null,
    exchanges: entries.length + dropped,
    conformance: Object.fromEntries(report.checks.map((c) => [c.check, c.status])),
  };
}
