/**
 * Moves postings from the cards' outboxes (where the approving Lua call put them) into the
 * journal. The answer does not wait for this: the posting is already safe in the outbox. Postings
 * are batched: one journal append for all the postings made while the previous append ran.
 * A posting is removed from its outbox only after the journal has it; the journal ignores a
 * posting id it has seen, so a crash in between doubles nothing. A sweep moves whatever a failure
 * left behind: at start (another process's crash), before each clearing cut-off, and every few
 * seconds while a move has failed since the last sweep. Not otherwise: a sweep SCANs the whole
 * keyspace, which under load costs every request latency.
 */
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';
import { SweepOnFailure } from '../time/sweep-on-failure.js';
import type { PostingJournal } from './journal.js';
import type { LastApprovedTransactions } from '../terminal-state/last-approved.js';
import type { Posting } from './posting.js';

/** A posting in an outbox may carry this: it came from an old terminal whose last approval is tracked. */
export interface OutboxPosting extends Posting {
  track?: 1;
}

/**
 * How long a posting waits for others before its batch is appended. Each batch costs the switch
 * two Redis writes (the journal append, the outbox removals) whatever its size: without a wait,
 * at moderate load nearly every posting was its own batch. The posting is safe in its outbox
 * meanwhile, and a cut-off's sweep drains the wait first.
 */
export const LINGER_MS = 20;
/** A batch this large goes at once. */
export const MAX_BATCH = 500;

/** The cards' posting outboxes, as the relay uses them (src/card/outboxes.ts keeps them). */
export interface PostingOutboxes {
  read(card: CardId): Promise<string[]>;
  /** Takes each out of its card's outbox by value; throws when any removal failed. */
  remove(entries: readonly { card: CardId; json: string }[]): Promise<void>;
  forEach(each: (card: CardId) => Promise<number>): Promise<number>;
}

export interface PostingRelayDeps {
  outboxes: PostingOutboxes;
  journal: PostingJournal;
  lastApproved: LastApprovedTransactions;
  clock: Clock;
  log: Pick<Logger, 'warn'>;
}

export class PostingRelay {
  private pending: { card: CardId; json: string }[] = [];
  private running: Promise<void> | undefined;
  private lingering: NodeJS.Timeout | undefined;
  private readonly sweeper: SweepOnFailure;

  private readonly outboxes: PostingOutboxes;
  private readonly journal: PostingJournal;
  private readonly lastApproved: LastApprovedTransactions;
  private readonly clock: Clock;
  private readonly log: Pick<Logger, 'warn'>;

  constructor(deps: PostingRelayDeps) {
    ({
      outboxes: this.outboxes,
      journal: this.journal,
      lastApproved: this.lastApproved,
      clock: this.clock,
      log: this.log,
    } = deps);
    this.sweeper = new SweepOnFailure(() => this.sweep(), 'posting', deps.log);
  }

  /** A posting just made (its JSON as it sits in the outbox): appended with the next batch. */
  enqueue(card: CardId, json: string): void {
    this.pending.push({ card, json });
    // While a batch is being appended, the loop takes the next one right after it.
    if (this.running !== undefined) return;
    if (this.pending.length >= MAX_BATCH) return this.startNow();
    this.lingering ??= setTimeout(() => this.startNow(), LINGER_MS);
  }

  /** Resolves when every enqueued posting has been appended (or left for the sweep). */
  async drain(): Promise<void> {
    if (this.lingering !== undefined) this.startNow();
    while (this.running) await this.running;
  }

  private startNow(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.move(batch).catch((e: Error) => {
          this.sweeper.markFailed();
          this.log.warn({ err: e.message, postings: batch.length }, 'postings left in outboxes for the next sweep');
        });
      }
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Appends, then takes each out of its outbox (by value: others may have been added meanwhile);
   * the outboxes are many cards' keys, on a cluster on several masters.
   */
  private async move(batch: { card: CardId; json: string }[]): Promise<void> {
    await this.journal.append(
      batch.map((b) => stripTrack(b.json)),
      this.clock.now().getTime(),
    );
    for (const b of batch) await this.followTerminal(b.json);
    // A failed removal must count as a failed move, or the posting stays in its outbox with no sweep coming for it.
    await this.outboxes.remove(batch);
  }

  /** An old terminal's approval is its last approved transaction, unless a later one (or its reversal) is recorded. */
  private async followTerminal(json: string): Promise<void> {
    // Most postings are not tracked: no parse for them (the Lua call's cjson writes "track":1).
    if (!json.includes('"track":1')) return;
    const p = JSON.parse(json) as OutboxPosting;
    if (p.track !== 1) return;
    await this.lastApproved.recordLate(p.terminal, {
      txn: p.txn,
      card: p.card,
      stan: p.stan,
      localTime: p.localTime,
      at: p.receivedAt,
    });
  }

  /** Every card outbox with postings in it, moved; returns how many postings were moved. */
  async sweep(): Promise<number> {
    await this.drain();
    this.sweeper.clear();
    return this.outboxes.forEach((card) => this.moveCard(card));
  }

  /**
   * One card's outbox, moved: after a register call whose answer was lost (timed out, or the
   * connection broke), whatever posting it made is in the outbox and nobody enqueued it.
   */
  async moveCard(card: CardId): Promise<number> {
    const jsons = await this.outboxes.read(card);
    if (jsons.length > 0) await this.move(jsons.map((json) => ({ card, json })));
    return jsons.length;
  }

  startSweeping(everyMs: number): void {
    this.sweeper.start(everyMs);
  }

  stopSweeping(): void {
    this.sweeper.stop();
  }
}

function stripTrack(json: string): string {
  if (!json.includes('"track"')) return json;
  const p = JSON.parse(json) as OutboxPosting;
  delete p.track;
  return JSON.stringify(p);
}
