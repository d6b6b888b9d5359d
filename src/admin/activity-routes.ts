/**
 * What a terminal's transactions did, for terminal vendors' testers (token role vendor): the
 * postings journaled for them and the issuer notices they caused, since a given time
 * (docs/SCENARIOS.md, "The activity route"). The scenario runner checks its
 * expectations against a running switch with it.
 *
 * Postings show the masked PAN only: the encrypted PAN (panEnc) never leaves, and each posting
 * is rebuilt from a list of fields, so a field added to postings later is not shown by accident.
 */
import { type RegisterRedis, scanEveryMaster } from '../redis/client.js';
import type { Notice } from '../notices/notice-relay.js';
import type { Posting } from '../journal/posting.js';
import type { Switch } from '../switch.js';
import { type ApiContext, TERMINAL_ID } from './api.js';
import { type Problem, invalid, shownKey } from './schemas.js';
import type { AdminRoute } from './server.js';
import { noValue, withTimeout } from '../time/timeout.js';

/** A posting as the activity route shows it: every field but the encrypted PAN, and where it sits in the journal. */
export type ActivityPosting = Omit<Posting, 'panEnc'> & { journalId: string };

/** Fields of a posting shown, in this order. */
const POSTING_FIELDS = [
  'id', 'txn', 'type', 'direction', 'amount', 'currency', 'card', 'maskedPan', 'issuer', 'terminal', 'merchant',
  'stan', 'localTime', 'receivedAt', 'approvalCode', 'cardStatus', 'reverses', 'reason',
] as const satisfies readonly (keyof ActivityPosting)[];

/**
 * The journal is read backwards from its end while postings are this much younger than `since`:
 * the relay appends in batches, so a posting received a little before a later one may sit just
 * after it.
 */
export const JOURNAL_SLACK_MS = 10_000;
/** The most journal entries read for one answer; beyond it the answer says `truncated`. */
export const MAX_JOURNAL_SCAN = 100_000;
/** How long the answer waits for this switch's posting relay to append what it holds. */
const DRAIN_WAIT_MS = 1000;
const BATCH = 500;

export function activityRoutes(api: ApiContext, sw: Pick<Switch, 'journal' | 'postings'>): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/terminals/:id/activity',
      access: ['vendor'],
      query: true,
      handle: async ({ id }, req) => {
        const terminal = id!;
        const since = sinceOf(terminal, new URL(req.url!, 'http://admin').searchParams);
        // Postings this switch made are in its relay for a few milliseconds: let them reach the journal.
        await withTimeout(sw.postings.drain(), DRAIN_WAIT_MS, noValue);
        const { postings, truncated } = await journalSince(api.redis, sw.journal.stream, terminal, since);
        const notices = await noticesSince(api.redis, api.config.redis.keyPrefix, terminal, since);
        return { status: 200, body: { terminal, since, postings, notices, ...(truncated ? { truncated: true } : {}) } };
      },
    },
  ];
}

/** ?since=<ms since the epoch> (required, the only parameter); the terminal id must be one field 41 can hold. */
function sinceOf(terminal: string, params: URLSearchParams): number {
  const problems: Problem[] = [];
  if (!TERMINAL_ID.test(terminal)) problems.push({ path: '/id', message: 'must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space' });
  for (const key of new Set(params.keys())) if (key !== 'since') problems.push({ path: `/${shownKey(key)}`, message: 'is not allowed' });
  const values = params.getAll('since');
  if (values.length === 0) problems.push({ path: '/since', message: 'is required' });
  else if (values.length > 1) problems.push({ path: '/since', message: 'must be given once' });
  else if (!/^[0-9]{1,15}$/.test(values[0]!)) problems.push({ path: '/since', message: 'must be a time in milliseconds since the epoch (0 or more)' });
  if (problems.length > 0) throw invalid('query', problems);
  return Number(values[0]);
}

/**
 * The terminal's postings received at or after `since`, oldest first (journal order), read from
 * the journal's end backwards in batches; at most `maxScan` entries are read (then `truncated`).
 */
export async function journalSince(
  redis: RegisterRedis,
  stream: string,
  terminal: string,
  since: number,
  limits: { batch: number; maxScan: number } = { batch: BATCH, maxScan: MAX_JOURNAL_SCAN },
): Promise<{ postings: ActivityPosting[]; truncated: boolean }> {
  const found: ActivityPosting[] = [];
  let end = '+';
  let scanned = 0;
  for (;;) {
    const batch = await redis.xrevrange(stream, end, '-', 'COUNT', limits.batch);
    for (const [journalId, fields] of batch) {
      const p = JSON.parse(fields[1]!) as Posting;
      if (p.receivedAt < since - JOURNAL_SLACK_MS) return { postings: found.reverse(), truncated: false };
      if (p.terminal === terminal && p.receivedAt >= since) found.push(shown(p, journalId));
    }
    scanned += batch.length;
    if (batch.length < limits.batch) return { postings: found.reverse(), truncated: false };
    if (scanned >= limits.maxScan) return { postings: found.reverse(), truncated: true };
    end = `(${batch[batch.length - 1]![0]}`;
  }
}

function shown(p: Posting, journalId: string): ActivityPosting {
  const out: Record<string, unknown> = {};
  for (const f of POSTING_FIELDS) if (p[f] !== undefined) out[f] = p[f];
  out.journalId = journalId;
  return out as ActivityPosting;
}

/** The notices the terminal's requests caused, at or after `since`, in every issuer's feed, oldest first. */
async function noticesSince(redis: RegisterRedis, prefix: string, terminal: string, since: number): Promise<Notice[]> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}issuer:{*}:notices`;
  // SCAN may name a key twice: each feed is read once. On a cluster the feeds are on every master.
  const feeds = new Set<string>();
  await scanEveryMaster(redis, match, 500, async (keys) => {
    for (const key of keys) feeds.add(key);
  });
  const found: Notice[] = [];
  for (const key of feeds) {
    for (const json of await redis.zrangebyscore(key, since, '+inf')) {
      const n = JSON.parse(json) as Notice;
      if (n.terminal === terminal) found.push(n);
    }
  }
  return found.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}
