/**
 * What the card's other postings say about a purchase it may dispute (pure): how much of it was
 * reversed or cancelled, how much the merchant refunded, and how many identical purchases came
 * before it (a double transaction, 001 §31). A refund names no purchase (docs/PROTOCOL.md,
 * refunds carry no field 56), so it is matched by the merchant: it goes to the latest purchase at
 * the same merchant before it that is not refunded in full, then to the one before that
 * (docs/DISPUTES.md, "What a transaction still has to return").
 */
import type { JournalPosting } from '../journal/posting.js';

export interface TransactionFacts {
  /** øre reversed or cancelled (field 56 names it). */
  reversed: number;
  /** øre of the merchant's refunds matched to it. */
  refunded: number;
  /** Identical purchases (same merchant, amount, currency and local date) before it, not reversed in full. */
  identicalBefore: number;
}

/** The merchant (field 42), else the terminal: where a refund and an identical purchase must come from. */
function placeOf(p: JournalPosting): string {
  return p.merchant === '' ? `terminal:${p.terminal}` : p.merchant;
}

/** When it was purchased; a posting from before layout 2 has only its receipt. */
export function purchaseTimeOf(p: JournalPosting): number {
  return p.purchasedAt ?? p.receivedAt;
}

/** The facts of each purchase among `postings` (the card's, in journal order), by posting id. */
export function transactionFacts(postings: readonly JournalPosting[]): Map<string, TransactionFacts> {
  const byTime = [...postings].sort((a, b) => purchaseTimeOf(a) - purchaseTimeOf(b));
  const reversedByTxn = new Map<string, number>();
  for (const p of postings)
    if (p.type === 'reversal' || p.type === 'cancellation')
      reversedByTxn.set(p.txn, (reversedByTxn.get(p.txn) ?? 0) + p.amount);

  const facts = new Map<string, TransactionFacts>();
  const open = new Map<string, { id: string; left: number }[]>();
  const identical = new Map<string, number>();
  for (const p of byTime) {
    if (p.type === 'purchase') {
      const reversed = Math.min(p.amount, reversedByTxn.get(p.txn) ?? 0);
      const key = [
        placeOf(p),
        p.amount,
        p.originalAmount ?? p.amount,
        p.originalCurrency ?? p.currency,
        p.localTime.slice(0, 6),
      ].join('|');
      const before = identical.get(key) ?? 0;
      if (reversed < p.amount) identical.set(key, before + 1);
      facts.set(p.id, { reversed, refunded: 0, identicalBefore: before });
      const list = open.get(placeOf(p)) ?? [];
      list.push({ id: p.id, left: p.amount - reversed });
      open.set(placeOf(p), list);
    } else if (p.type === 'refund') {
      let left = p.amount;
      const list = open.get(placeOf(p)) ?? [];
      for (let i = list.length - 1; i >= 0 && left > 0; i--) {
        const take = Math.min(left, list[i]!.left);
        if (take === 0) continue;
        list[i]!.left -= take;
        facts.get(list[i]!.id)!.refunded += take;
        left -= take;
      }
    }
  }
  return facts;
}
