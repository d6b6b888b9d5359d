/**
 * Bearer tokens of the admin API: each configured token speaks for one issuer (its own cards
 * only), for the block service, for the offline terminals' fetch service (the offline block
 * list only), for a terminal vendor's testers (fault rules, conformance view, activity, traces)
 * or for the operators (readiness, metrics, traces) (config admin.tokens). No known token: 401;
 * the wrong kind of token for a route: 403. Which roles a route takes is declared with the route
 * (AdminRoute.access) and checked before its handler runs (routes.ts).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AdminPrincipal } from '../config/types.js';
import { HttpError } from './server.js';

const CHALLENGE = 'Bearer realm="switch-admin"';

export class AdminAuth {
  /**
   * Tokens by their SHA-256: a string comparison stops at the first difference, so looking up
   * the digest of what was sent (not the token itself) gives a timer nothing about a real token.
   * A Map, unlike a plain object, has no inherited keys for "constructor" to find.
   */
  private readonly byDigest = new Map<string, AdminPrincipal>();

  constructor(tokens: Record<string, AdminPrincipal>) {
    for (const [token, principal] of Object.entries(tokens)) this.byDigest.set(digest(token), principal);
  }

  /** Who the request's token speaks for; 401 without a token or with an unknown one. */
  principal(req: IncomingMessage): AdminPrincipal {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      throw new HttpError(
        401,
        { error: 'an Authorization: Bearer <token> header is required' },
        { 'www-authenticate': CHALLENGE },
      );
    }
    const m = /^Bearer +(\S+) *$/i.exec(header);
    const principal = m ? this.byDigest.get(digest(m[1]!)) : undefined;
    if (principal === undefined) {
      throw new HttpError(
        401,
        { error: 'unknown token' },
        { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
      );
    }
    return principal;
  }

  /**
   * Who the token speaks for, when its role is one of `roles`; 401 without a known token, 403
   * naming who the route is for when the role is another.
   */
  allow(req: IncomingMessage, roles: readonly AdminRole[]): AdminPrincipal {
    const p = this.principal(req);
    if (!roles.includes(p.role)) throw forbidden(roles.map((r) => FOR[r]).join(' and '), p);
    return p;
  }

  /** The issuer an issuer token speaks for; 403 for any other token. */
  issuer(req: IncomingMessage): string {
    const p = this.principal(req);
    if (p.role !== 'issuer') throw forbidden(FOR.issuer, p);
    return p.issuer;
  }
}

export type AdminRole = AdminPrincipal['role'];

/** Whom a route is for, as a 403 names them. */
const FOR: Record<AdminRole, string> = {
  issuer: 'issuers',
  blockService: 'the block service',
  offlineTerminals: "the offline terminals' fetch service",
  vendor: 'terminal vendors',
  operator: 'operators',
};

const HOLDERS: Record<AdminRole, string> = {
  issuer: "an issuer's",
  blockService: "the block service's",
  offlineTerminals: "the offline terminals' fetch service's",
  vendor: "a terminal vendor's",
  operator: "an operator's",
};

function forbidden(route: string, p: AdminPrincipal): HttpError {
  return new HttpError(403, { error: `this route is for ${route}; ${HOLDERS[p.role]} token cannot use it` });
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
