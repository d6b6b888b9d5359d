/**
 * The admin API as the console calls it: the token signed in with on every call, the answer's
 * error as the reason shown. The token is kept in this tab's session storage only.
 */
export type Role = 'issuer' | 'blockService' | 'offlineTerminals' | 'vendor' | 'operator';

export interface Session {
  token: string;
  role: Role;
  issuer?: string;
}

const KEY = 'switch-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; problems?: { path: string; message: string }[]; [more: string]: unknown },
  ) {
    const problems = (body.problems ?? []).map((p) => `${p.path} ${p.message}`).join('; ');
    super(`${body.error ?? `HTTP ${status}`}${problems ? `: ${problems}` : ''}`);
  }
}

let current: Session | undefined;

export function session(): Session | undefined {
  return current;
}

export async function signIn(token: string): Promise<Session> {
  const who = (await call('GET', '/session', undefined, token)) as { role: Role; issuer?: string };
  current = { token, ...who };
  sessionStorage.setItem(KEY, token);
  return current;
}

/** Signs in again with the token kept in this tab, if any. */
export async function resume(): Promise<Session | undefined> {
  const token = sessionStorage.getItem(KEY);
  if (token === null) return undefined;
  try {
    return await signIn(token);
  } catch {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
}

export function signOut(): void {
  current = undefined;
  sessionStorage.removeItem(KEY);
}

export async function call(method: string, path: string, body?: unknown, token = current?.token): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json: unknown = text === '' ? {} : JSON.parse(text);
  if (!res.ok) throw new ApiError(res.status, json as ApiError['body']);
  return json;
}

export const get = (path: string) => call('GET', path);
export const post = (path: string, body: unknown) => call('POST', path, body);
export const del = (path: string) => call('DELETE', path);

/**
 * A file the API answers as a download (a masked copy): its bytes as sent (Latin-1 files stay
 * Latin-1) and the name the answer gives it.
 */
export async function getFile(path: string): Promise<{ name: string; blob: Blob }> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${current?.token ?? ''}` } });
  if (!res.ok) {
    const text = await res.text();
    throw new ApiError(res.status, (text === '' ? {} : JSON.parse(text)) as ApiError['body']);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download.txt';
  return { name, blob: await res.blob() };
}
