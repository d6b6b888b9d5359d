/**
 * The admin HTTP listener: health, readiness, Prometheus metrics, the per-terminal trace, and the
 * issuers' and block service's card API (docs/ADMIN-API.md). Answers are JSON (metrics excepted);
 * unknown routes 404 and wrong methods 405, with a reason. Routing and the path's %-escapes come
 * before the token check: those answers depend only on what the caller sent.
 */
import { isRedisUnavailable } from '../redis/errors.js';
import { listen } from '../transport/listen.js';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { AdminRole } from './auth.js';

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path with :params, e.g. /terminals/:id/trace */
  path: string;
  /**
   * Who may call it: 'open' (the liveness probe only) or the token roles that may. Required, so
   * that no route can be added without deciding; checked before the handler runs (routes.ts).
   */
  access: 'open' | readonly AdminRole[];
  /** The handler reads and checks the query string itself; every other route refuses one (400). */
  query?: true;
  handle(params: Record<string, string>, req: IncomingMessage): Promise<AdminReply> | AdminReply;
}

export interface AdminReply {
  status: number;
  /** JSON-serialised unless text is given. */
  body?: unknown;
  /** A Buffer is sent as its bytes: a file in Latin-1, as written. */
  text?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * An answer that goes on (server-sent events): called with the response once the status and
   * headers are written; it writes and ends the body itself. text and body are then not used.
   */
  stream?: (res: ServerResponse) => void;
}

/**
 * Thrown by a route (or the helpers it calls: auth, body, validation) to answer at once with
 * `status` and `body`, e.g. 401, 400 with the problems found, 413.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; [more: string]: unknown },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error);
    this.name = 'HttpError';
  }
}

interface CompiledRoute extends AdminRoute {
  pattern: RegExp;
  names: string[];
}

export class AdminServer {
  private readonly server: Server;
  private readonly routes: CompiledRoute[];

  constructor(
    routes: AdminRoute[],
    private readonly log: Logger,
  ) {
    this.routes = routes.map(compile);
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(host: string, port: number): Promise<void> {
    await listen(this.server, port, host, 'admin API');
    this.log.info({ host, port: this.port }, 'admin listening');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const matching = this.routes.filter((r) => r.pattern.test(path));
    const route = matching.find((r) => r.method === req.method);
    // A path is echoed only with long digit runs hidden: a PAN put into a URL by mistake stays out of the answer.
    const shown = path.replace(/\d{4,}/g, (d) => '*'.repeat(d.length));
    let reply: AdminReply;
    if (matching.length === 0) reply = { status: 404, body: { error: `no route ${shown}` } };
    else if (route === undefined)
      reply = {
        status: 405,
        body: { error: `${req.method} not allowed on ${shown}; allowed: ${matching.map((r) => r.method).join(', ')}` },
      };
    else {
      try {
        // Inside the try: a malformed %-escape in the path makes decodeURIComponent throw.
        reply = await route.handle(params(route, path), req);
      } catch (e) {
        if (e instanceof HttpError) reply = { status: e.status, body: e.body, headers: e.headers };
        else if (isRedisUnavailable(e))
          reply = { status: 503, body: { error: 'the card register is unavailable: try again shortly' } };
        else {
          this.log.error({ err: e, path: route.path }, 'admin route failed');
          reply = { status: 500, body: { error: 'internal error' } };
        }
      }
    }
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      // Answers carry card states and notices: no cache on the way may keep them.
      'cache-control': 'no-store',
      ...reply.headers,
    });
    if (reply.stream !== undefined) reply.stream(res);
    else res.end(reply.text ?? JSON.stringify(reply.body ?? {}));
  }
}

function compile(route: AdminRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

function params(route: CompiledRoute, path: string): Record<string, string> {
  const m = route.pattern.exec(path)!;
  try {
    return Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(m[i + 1]!)]));
  } catch {
    throw new HttpError(400, { error: 'the path has a malformed %-escape' });
  }
}
