/**
 * The web console (console/, built by Vite into dist/console/): its page and assets, served to
 * anyone (they hold no data: every page asks the API with the token signed in with), and the
 * route the sign-in asks who a token speaks for. What a page shows is what the token's role may
 * read from the other routes (docs/ADMIN-API.md, "The console").
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminAuth } from './auth.js';
import type { AdminReply, AdminRoute } from './server.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json; charset=utf-8',
};

/** The page loads and asks nothing but this server: no script, style or font from anywhere else. */
const CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A built asset's name: Vite's name-hash.ext, nothing that could climb out of the folder. */
const ASSET = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(html|js|css|svg|json)$/;

/**
 * dist/console/: next to dist/src/ when this runs compiled, under the repository's dist/ when it
 * runs from the sources (tests, tsx).
 */
export function defaultConsoleDir(): string {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return basename(root) === 'dist' ? join(root, 'console') : join(root, 'dist', 'console');
}

export function consoleRoutes(auth: AdminAuth, dir: string = defaultConsoleDir()): AdminRoute[] {
  return [
    { method: 'GET', path: '/', access: 'open', handle: () => asset(dir, 'index.html') },
    {
      method: 'GET',
      path: '/assets/:file',
      access: 'open',
      handle: ({ file }) =>
        ASSET.test(file!) ? asset(join(dir, 'assets'), file!) : { status: 404, body: { error: 'no such asset' } },
    },
    {
      method: 'GET',
      path: '/session',
      access: ['issuer', 'blockService', 'offlineTerminals', 'vendor', 'operator'],
      handle: (_, req) => {
        const p = auth.principal(req);
        return { status: 200, body: p.role === 'issuer' ? { role: p.role, issuer: p.issuer } : { role: p.role } };
      },
    },
  ];
}

async function asset(dir: string, file: string): Promise<AdminReply> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    if (file === 'index.html')
      return { status: 503, body: { error: 'the console is not built: run npm run build (it builds dist/console/)' } };
    return { status: 404, body: { error: 'no such asset' } };
  }
  // Built assets carry a hash in their name: a browser may keep them; the page itself is always asked again.
  const headers: Record<string, string> =
    file === 'index.html' ? { 'content-security-policy': CSP } : { 'cache-control': 'public, max-age=31536000' };
  return { status: 200, text, contentType: TYPES[file.split('.').pop()!]!, headers };
}
