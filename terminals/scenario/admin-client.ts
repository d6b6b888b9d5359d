/**
 * The switch's admin API as the scenario runner uses it: the issuer API (register cards, block,
 * lift, read a card's state and notices; issuer token), the block service's reports (block
 * service token), fault rules and a terminal's activity (vendor token) (docs/ADMIN-API.md).
 * Plain fetch; every answer is JSON.
 */

/** An answer of the admin API. */
export interface AdminAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A call the runner needed that the admin API refused, or that could not be made. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A posting as GET /terminals/:id/activity shows it (masked PAN only). */
export interface ActivityPosting {
  id: string;
  txn: string;
  type: string;
  direction: string;
  amount: number;
  card: string;
  maskedPan: string;
  terminal: string;
  stan: string;
  localTime: string;
  receivedAt: number;
  reverses?: string;
  reason?: string;
  [more: string]: unknown;
}

export interface ActivityNotice {
  id: string;
  type: string;
  card: string;
  maskedPan: string;
  at: number;
  terminal?: string;
  tries?: number;
  reason?: string;
  reference?: string;
  [more: string]: unknown;
}

export interface Activity {
  postings: ActivityPosting[];
  notices: ActivityNotice[];
}

/** What GET /cards/:id answers (the fields the runner reads). */
export interface CardStateAnswer {
  card: string;
  maskedPan: string;
  status: string;
  block: string | null;
  pinBlocked: boolean;
  pinTries: number;
  balance: number;
  reserved: number;
  unbooked: number;
  available: number;
  contactless: { count: number; sum: number };
}

/** Whose token a call carries. */
export type AdminRole = 'issuer' | 'vendor' | 'blockService';

export class AdminClient {
  private readonly base: string;

  constructor(
    base: string,
    private readonly tokens: Partial<Record<AdminRole, string | undefined>>,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  /** Any call; never throws for an HTTP status (AdminError only when the switch cannot be reached). */
  async call(method: string, path: string, role: AdminRole, body?: unknown): Promise<AdminAnswer> {
    const headers: Record<string, string> = {};
    const token = this.tokens[role];
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminError(
        `admin API ${this.base} cannot be reached (${cause?.code ?? cause?.message ?? (e as Error).message})`,
      );
    }
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { error: `not JSON: ${text.slice(0, 100)}` };
    }
    return { status: res.status, body: parsed };
  }

  /** A call that must succeed (2xx); else AdminError with the switch's reason. */
  async must(method: string, path: string, role: AdminRole, body?: unknown): Promise<Record<string, unknown>> {
    const a = await this.call(method, path, role, body);
    if (a.status < 200 || a.status > 299)
      throw new AdminError(`${method} ${path}: ${a.status} ${reasonOf(a)}`, a.status);
    return a.body;
  }

  async cardState(id: string): Promise<CardStateAnswer> {
    return (await this.must('GET', `/cards/${id}`, 'issuer')) as unknown as CardStateAnswer;
  }

  async activity(terminalId: string, since: number): Promise<Activity> {
    const body = await this.must(
      'GET',
      `/terminals/${encodeURIComponent(terminalId)}/activity?since=${Math.max(0, Math.floor(since))}`,
      'vendor',
    );
    return { postings: body.postings as ActivityPosting[], notices: body.notices as ActivityNotice[] };
  }

  /** The issuer's notices on one of its cards (GET /notices, newest first), at `since` (ms) or later; at most 1000. */
  async notices(card: string, since = 0): Promise<ActivityNotice[]> {
    const from = encodeURIComponent(new Date(Math.max(0, Math.floor(since))).toISOString());
    const body = await this.must('GET', `/notices?card=${encodeURIComponent(card)}&since=${from}&limit=1000`, 'issuer');
    return body.notices as ActivityNotice[];
  }
}

/** The reason an answer gives: its error and problems, if any. */
export function reasonOf(a: AdminAnswer): string {
  const error = typeof a.body.error === 'string' ? a.body.error : JSON.stringify(a.body);
  const problems = Array.isArray(a.body.problems)
    ? (a.body.problems as { path: string; message: string }[]).map((p) => `${p.path} ${p.message}`).join('; ')
    : '';
  return problems === '' ? error : `${error}: ${problems}`;
}
