/**
 * Block reasons and the card's block history: every interval the card was blocked, kept through
 * lifts and deletion (record field `blocks`, written by scripts/block.lua and lift-block.lua), so
 * that the card's status at any time can be told (001 §36: a purchase made while the card was
 * blocked can be returned in full; the purchase date and time decide). scripts/status-at.lua
 * reads the same field in Lua (blockHistory, statusAt); cardStatusAt here gives the same answers.
 */
import type { BlockReason, ChangeResult } from './card-register.js';
import type { Verdict } from '../monitoring/monitoring-stats.js';

/**
 * Why a card is blocked. The first six are the holder's reasons of the card terms (004 §10): lost,
 * stolen, PIN known to others, misused, suspected copied, suspicion of misuse. `fraud` is the
 * switch's fraud monitoring (001 §15), `issuer` the issuer's own reasons (004 §12: overdraft,
 * breach of the terms). Each fits a posting's cardStatus as `blocked:<reason>` (20 characters).
 */
export const BLOCK_REASONS = [
  'lost',
  'stolen',
  'pinKnown',
  'misused',
  'copied',
  'suspected',
  'fraud',
  'issuer',
] as const;

/** The reasons a cardholder gives the block service (004 §10). */
export const HOLDER_REASONS = ['lost', 'stolen', 'pinKnown', 'misused', 'copied', 'suspected'] as const;

/** A holder's report made while the card was already blocked (001 §14), kept with the block. */
export interface LaterReport<T = number> {
  /** When the holder reported. */
  reportedAt: T;
  /** When the switch took the report. */
  at: T;
  reason: BlockReason;
  reference?: string;
}

/** The card issuer's verdict on a monitoring block (scripts/monitoring-feedback.lua). */
export interface BlockFeedback<T = number> {
  verdict: Verdict;
  text?: string;
  /** When the issuer gave it (the latest verdict replaces an earlier one). */
  at: T;
}

/** One block interval; times in ms as kept, or ISO strings as shown (BlockInterval<string>). */
export interface BlockInterval<T = number> {
  reason: BlockReason;
  /** 'blockService', 'monitoring', or the issuer id that blocked; absent for a block made before the history was kept. */
  by?: string;
  /** When the holder (or the issuer) reported it: liability turns on it (001 §14). */
  reportedAt: T;
  /** When the register blocked the card: from then on it was blocked. */
  blockedAt: T;
  reference?: string;
  /** When the block was lifted: from then on it was not (absent while in force). */
  liftedAt?: T;
  liftedBy?: string;
  reports?: LaterReport<T>[];
  /** A monitoring block's rule (its id in the rule file) and the transaction ids of its pattern on this card. */
  rule?: string;
  transactions?: string[];
  /** The issuer's verdict on a monitoring block. */
  feedback?: BlockFeedback<T>;
}

/** The block in force, as block() answers when it kept a holder's report on a blocked card. */
export type BlockInForce = Pick<BlockInterval, 'reason' | 'by' | 'reportedAt' | 'blockedAt'>;

export type BlockResult = ChangeResult | { ok: true; alreadyBlocked: BlockInForce };

/** The record fields the history is read from (the hash as HGETALL gives it). */
type RecordFields = Partial<Record<string, string>>;

/** The history, oldest first, as status-at.lua's blockHistory() reads it (a block made before the history was kept included). */
export function blockHistoryOf(h: RecordFields): BlockInterval[] {
  const history = h.blocks ? (JSON.parse(h.blocks) as BlockInterval[]) : [];
  const last = history.at(-1);
  if (h.block && (last === undefined || last.liftedAt !== undefined)) {
    const blockedAt = Number(h.blockedAt ?? 0);
    const reportedAt = h.blockReportedAt ? Number(h.blockReportedAt) : blockedAt;
    history.push({
      reason: h.block as BlockReason,
      blockedAt,
      reportedAt,
      ...(h.blockReference ? { reference: h.blockReference } : {}),
    });
  }
  return history;
}

/**
 * The card's status at `ms`, as status-at.lua's statusAt(ms): 'deleted' from its deletion on,
 * else 'blocked:<reason>' from a block's blockedAt (inclusive) to its liftedAt (exclusive), else
 * 'active'.
 */
export function cardStatusAt(h: RecordFields, ms: number): string {
  if (h.deletedAt && ms >= Number(h.deletedAt)) return 'deleted';
  const history = blockHistoryOf(h);
  for (let i = history.length - 1; i >= 0; i--) {
    const b = history[i]!;
    if (ms >= b.blockedAt && (b.liftedAt === undefined || ms < b.liftedAt)) return `blocked:${b.reason}`;
  }
  return 'active';
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The history as the issuer API shows it: times as ISO 8601 strings. */
export function shownHistory(history: readonly BlockInterval[]): BlockInterval<string>[] {
  return history.map(({ reportedAt, blockedAt, liftedAt, reports, transactions, feedback, ...rest }) => ({
    ...rest,
    reportedAt: iso(reportedAt),
    blockedAt: iso(blockedAt),
    ...(liftedAt === undefined ? {} : { liftedAt: iso(liftedAt) }),
    ...(reports === undefined
      ? {}
      : { reports: reports.map((r) => ({ ...r, reportedAt: iso(r.reportedAt), at: iso(r.at) })) }),
    // Lua's cjson writes an empty list back as {}: shown as the list it is.
    ...(transactions === undefined ? {} : { transactions: Array.isArray(transactions) ? transactions : [] }),
    ...(feedback === undefined ? {} : { feedback: { ...feedback, at: iso(feedback.at) } }),
  }));
}

/** The record's history as the issuer API shows it. */
export function shownBlocks(h: RecordFields): BlockInterval<string>[] {
  return shownHistory(blockHistoryOf(h));
}
