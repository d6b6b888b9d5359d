/**
 * What a terminal's transactions did, for terminal vendors' testers (token role vendor): the
 * postings journaled for them and the issuer notices they caused, since a given time
 * (docs/SCENARIOS.md, "The activity route"). The scenario runner checks its
 * expectations against a running switch with it.
 *
 * Postings show the masked PAN only: the encrypted PAN (panEnc) never leaves, and each posting
 * is rebuilt from a list of fields, so a field added to postings later is not shown by accident.
 */
import type { NoticeRelay } from '../notices/notice-relay.js';
import type { Posting } from '../journal/posting.js';
import type { JournalReader } from '../journal/journal-reader.js';
import type { PostingRelay } from '../journal/posting-relay.js';
import { TERMINAL_ID } from './api.js';
import { type Problem, invalid, shownKey } from './schemas.js';
import type { AdminRoute } from './server.js';
import { noValue, withTimeout } from '../time/timeout.js';

/** A posting as the activity route shows it: every field but the encrypted PAN, and where it sits in the journal. */
export type ActivityPosting = Omit<Posting, 'panEnc'> & { journalId: string };

/** Fields of a posting shown, in this order. */
const SHOWN_POSTING_FIELDS = [
  'id',
  'txn',
  'type',
  'direction',
  'amount',
  'currency',
  'originalAmount',
  'originalCurrency',
  'originalExponent',
  'rate',
  'card',
  'maskedPan',
  'issuer',
  'terminal',
  'merchant',
  'stan',
  'localTime',
  'purchasedAt',
  'receivedAt',
  'authorizedAt',
  'merchantName',
  'merchantCity',
  'mcc',
  'entryMode',
  'verification',
  'terminalKind',
  'approvalCode',
  'cardStatus',
  'channel',
  'authentication',
  'initiatedBy',
  'series',
  'authorization',
  'reverses',
  'reason',
  'tvr',
  'cvmResults',
  'cvr',
] as const satisfies readonly (keyof ActivityPosting)[];

/** How long the answer waits for this switch's posting relay to append what it holds. */
const DRAIN_WAIT_MS = 1000;

/** Where the activity route reads from: the journal, the issuers' notice feeds, this switch's posting relay. */
export interface ActivitySource {
  journal: Pick<JournalReader, 'postingsSince'>;
  notices: Pick<NoticeRelay, 'noticesOfTerminal'>;
  relay: Pick<PostingRelay, 'drain'>;
}

export function activityRoutes(source: ActivitySource): AdminRoute[] {
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
        await withTimeout(source.relay.drain(), DRAIN_WAIT_MS, noValue);
        const { postings, truncated } = await journalSince(source.journal, terminal, since);
        const notices = await source.notices.noticesOfTerminal(terminal, since);
        return { status: 200, body: { terminal, since, postings, notices, ...(truncated ? { truncated: true } : {}) } };
      },
    },
  ];
}

/** ?since=<ms since the epoch> (required, the only parameter); the terminal id must be one field 41 can hold. */
function sinceOf(terminal: string, params: URLSearchParams): number {
  const problems: Problem[] = [];
  if (!TERMINAL_ID.test(terminal))
    problems.push({
      path: '/id',
      message: 'must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space',
    });
  for (const key of new Set(params.keys()))
    if (key !== 'since') problems.push({ path: `/${shownKey(key)}`, message: 'is not allowed' });
  const values = params.getAll('since');
  if (values.length === 0) problems.push({ path: '/since', message: 'is required' });
  else if (values.length > 1) problems.push({ path: '/since', message: 'must be given once' });
  else if (!/^[0-9]{1,15}$/.test(values[0]!))
    problems.push({ path: '/since', message: 'must be a time in milliseconds since the epoch (0 or more)' });
  if (problems.length > 0) throw invalid('query', problems);
  return Number(values[0]);
}

/** The terminal's postings received at or after `since`, oldest first, as the route shows them. */
export async function journalSince(
  journal: Pick<JournalReader, 'postingsSince'>,
  terminal: string,
  since: number,
  limits?: { batch: number; maxScan: number },
): Promise<{ postings: ActivityPosting[]; truncated: boolean }> {
  const { entries, truncated } = await journal.postingsSince(terminal, since, limits);
  return { postings: entries.map((e) => shown(e.posting, e.journalId)), truncated };
}

function shown(p: Posting, journalId: string): ActivityPosting {
  const out: Record<string, unknown> = {};
  for (const f of SHOWN_POSTING_FIELDS) if (p[f] !== undefined) out[f] = p[f];
  out.journalId = journalId;
  return out as ActivityPosting;
}
