/** A card record as the issuer API shows it (GET /cards/:id, docs/ADMIN-API.md "The card state"). */
import type { CardId } from '../crypto/card-id.js';
import { type BlockInterval, shownBlocks } from './block-history.js';
import type { BlockReason, CardStatus } from './card-register.js';

/** What an issuer sees of a card: no PAN, no PIN data, no activation code. */
export interface CardState {
  card: CardId;
  maskedPan: string;
  issuer: string;
  product: string;
  expiry: string;
  status: CardStatus;
  block: BlockReason | null;
  blockedAt: string | null;
  blockReportedAt: string | null;
  /** Every block the card had, oldest first (src/card/block-history.ts). */
  blocks: BlockInterval<string>[];
  pinBlocked: boolean;
  pinTries: number;
  account: string;
  /** øre (docs/SCHEME.md, "Balance"): available = balance − reserved − unbooked. */
  balance: number;
  reserved: number;
  unbooked: number;
  available: number;
  currency: string;
  contactless: { count: number; sum: number };
  registeredAt: string;
}

/**
 * The state of the card record `h` (HGETALL); undefined when there is no record. `lapsed`: what
 * reservations past their lifetime still hold in the record, not counted as reserved.
 */
export function cardStateOf(id: CardId, h: Record<string, string>, lapsed = 0): CardState | undefined {
  if (h.issuer === undefined) return undefined;
  const n = (v: string | undefined): number => Number(v ?? 0);
  const time = (v: string | undefined): string | null => (v ? new Date(Number(v)).toISOString() : null);
  return {
    card: id,
    maskedPan: h.maskedPan!,
    issuer: h.issuer,
    product: h.product!,
    expiry: h.expiry!,
    status: h.status as CardStatus,
    block: (h.block || null) as BlockReason | null,
    blockedAt: h.block ? time(h.blockedAt) : null,
    blockReportedAt: h.block ? time(h.blockReportedAt) : null,
    blocks: shownBlocks(h),
    pinBlocked: h.pinBlocked === '1',
    pinTries: n(h.pinTries),
    account: h.account!,
    balance: n(h.balance),
    reserved: n(h.reserved) - lapsed,
    unbooked: n(h.unbooked),
    available: n(h.balance) - (n(h.reserved) - lapsed) - n(h.unbooked),
    currency: h.currency!,
    contactless: { count: n(h.clCount), sum: n(h.clSum) },
    registeredAt: time(h.registeredAt)!,
  };
}
