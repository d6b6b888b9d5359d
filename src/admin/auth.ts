/**
 * Bearer tokens of the admin API: each configured token speaks for one issuer (its own cards
 * only), for the block service, for the offline terminals' fetch service (the offline block
 * list only), or for a terminal vendor's testers (fault rules and the conformance view only)
 * (config admin.tokens). No known token: 401; the wrong kind of token for a route: 403.
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
      throw new HttpError(401, { error: 'an Authorization: Bearer <token> header is required' }, { 'www-authenticate': CHALLENGE });
    }
    const m = /^Bearer +(\S+) *$/i.exec(header);
    const principal = m ? this.byDigest.get(digest(m[1]!)) : undefined;
    if (principal === undefined) {
      throw new HttpError(401, { error: 'unknown token' }, { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` });
    }
    return principal;
  }

  /** The issuer an issuer token speaks for; 403 for any other token. */
  issuer(req: IncomingMessage): string {
    const p = this.principal(req);
    if (p.role !== 'issuer') throw forbidden('issuers', p);
    return p.issuer;
  }

  /** Passes the block service's token; 403 for any other. */
  blockService(req: IncomingMessage): void {
    const p = this.principal(req);
    if (p.role !== 'blockService') throw forbidden('the block service', p);
  }

  /** Passes the offline terminals' fetch service's token; 403 for any other. */
  offlineTerminals(req: IncomingMessage): void {
    const p = this.principal(req);
    if (p.role !== 'offlineTerminals') throw forbidden("the offline terminals' fetch service", p);
  }

  /** Passes a terminal vendor's token; 403 for any other. */
  vendor(req: IncomingMessage): void {
    const p = this.principal(req);
    if (p.role !== 'vendor') throw forbidden('terminal vendors', p);
  }
}

const HOLDERS: Record<AdminPrincipal['role'], string> = {
  issuer: "an issuer's",
  blockService: "the block service's",
  offlineTerminals: "the offline terminals' fetch service's",
  vendor: "a terminal vendor's",
};

function forbidden(route: string, p: AdminPrincipal): HttpError {
  return new HttpError(403, { error: `this route is for ${route}; ${HOLDERS[p.role]} token cannot use it` });
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
