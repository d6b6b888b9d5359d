/**
 * Blocks that could not reach the register because Redis was down: kept in a journal file
 * (appended and fsync'd before the caller is told "accepted") and applied as soon as Redis is
 * back, also after a restart. No block is ever lost (docs/SCHEME.md, the central card register).
 * Applying is idempotent: a card blocked meanwhile stays with its first block.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';
import type { BlockReason, CardRegister } from '../card/card-register.js';
import type { NoticeRelay } from '../notices/notice-relay.js';
import type { BlockReferences } from './block-references.js';
import { isRedisUnavailable } from '../redis/errors.js';

export interface PendingBlock {
  id: string;
  /** '' for the block service. */
  issuer: string;
  card: CardId;
  reason: BlockReason;
  /** When the holder (or issuer) asked for the block, ms; the register adds when it was applied. */
  reportedAt: number;
  report?: object;
  /** The block service's reference number, reserved when the block is applied ('' for an issuer's block). */
  reference: string;
}

export class PendingBlocks {
  private readonly queue: PendingBlock[];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly file: string,
    private readonly register: CardRegister,
    private readonly relay: NoticeRelay,
    private readonly references: Pick<BlockReferences, 'keep'>,
    private readonly log: Logger,
    /** Whether the block service may block this issuer's cards (block-service-agreement.ts); checked when applied. */
    private readonly agreement: (issuer: string) => boolean = () => true,
  ) {
    this.queue = readJournal(file);
    if (this.queue.length > 0)
      log.warn({ pending: this.queue.length, file }, 'blocks waiting for the register from before the restart');
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Kept on disk before this returns: the caller may then say "accepted". */
  add(block: Omit<PendingBlock, 'id'>): PendingBlock {
    const entry = { id: randomUUID(), ...block };
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.queue.push(entry);
    this.log.warn(
      { card: entry.card, reason: entry.reason, reference: entry.reference },
      'register unavailable: block kept for retry',
    );
    return entry;
  }

  /** Applies what can be applied now; returns how many left the queue. */
  async retry(): Promise<number> {
    if (this.running || this.queue.length === 0) return 0;
    this.running = true;
    let done = 0;
    try {
      for (const entry of [...this.queue]) {
        if (!(await this.apply(entry))) break; // Redis still down: try again next time, in order.
        this.queue.splice(this.queue.indexOf(entry), 1);
        done++;
      }
      if (done > 0) this.rewrite();
    } finally {
      this.running = false;
    }
    return done;
  }

  /** true when the entry is finished with (applied, or refused for good); false while Redis is down. */
  private async apply(entry: PendingBlock): Promise<boolean> {
    try {
      // A report taken while the card's issuer could not be known: only now can its agreement be checked.
      if (entry.issuer === '' && !(await this.agreed(entry))) return true;
      if (entry.reference !== '') await this.references.keep(entry.reference, entry.card);
      const result = await this.register.block(
        entry.issuer,
        entry.card,
        entry.reason,
        new Date(entry.reportedAt),
        entry.report,
        entry.reference,
      );
      if (result.ok && 'alreadyBlocked' in result)
        this.log.info({ card: entry.card, reference: entry.reference }, 'pending report kept: the card was blocked');
      else if (result.ok) this.log.info({ card: entry.card, reference: entry.reference }, 'pending block applied');
      else
        this.log.warn(
          { card: entry.card, reference: entry.reference, refused: result.status, reason: result.reason },
          'pending block not applied',
        );
      await this.relay.flushQuietly(entry.card);
      return true;
    } catch (e) {
      if (isRedisUnavailable(e)) return false;
      throw e;
    }
  }

  /** false (logged: the holder was told to call the issuer if it has no agreement) when the issuer has none. */
  private async agreed(entry: PendingBlock): Promise<boolean> {
    const state = await this.register.state(entry.card);
    if (state === undefined || this.agreement(state.issuer)) return true;
    this.log.error(
      { card: entry.card, issuer: state.issuer, reference: entry.reference },
      'pending block not applied: the issuer has no block service agreement',
    );
    return false;
  }

  /** The journal without the finished entries: written beside it and renamed, never half-written. */
  private rewrite(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, this.queue.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  start(everyMs: number): void {
    this.timer = setInterval(
      () => void this.retry().catch((e: Error) => this.log.error({ err: e.message }, 'pending block retry failed')),
      everyMs,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The entries of a journal; a last line cut short by a crash mid-write is skipped. */
function readJournal(file: string): PendingBlock[] {
  if (!existsSync(file)) return [];
  const out: PendingBlock[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as PendingBlock);
    } catch {
      // Only the last line can be partial; anything after it was never acknowledged.
    }
  }
  return out;
}
