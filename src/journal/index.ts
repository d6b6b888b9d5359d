/**
 * The journal module: the keys under the {journal} hash tag that postings live in (the stream,
 * the ids seen, the unmatched reversal advices) and the relay that fills it from card outboxes.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { LastApprovedTransactions } from '../terminal-state/last-approved.js';
import { PostingJournal } from './journal.js';
import { type PostingOutboxes, PostingRelay } from './posting-relay.js';
import { UnmatchedReversals } from './unmatched-reversals.js';

export interface JournalDeps {
  redis: RegisterRedis;
  prefix: string;
  outboxes: PostingOutboxes;
  lastApproved: LastApprovedTransactions;
  clock: Clock;
  log: Logger;
}

export interface JournalModule {
  journal: PostingJournal;
  relay: PostingRelay;
  unmatched: UnmatchedReversals;
}

export function createJournal({ redis, prefix, outboxes, lastApproved, clock, log }: JournalDeps): JournalModule {
  const journal = new PostingJournal(redis, prefix);
  return {
    journal,
    relay: new PostingRelay({ outboxes, journal, lastApproved, clock, log }),
    unmatched: new UnmatchedReversals(redis, prefix),
  };
}
