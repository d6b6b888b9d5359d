/**
 * Booking delivered postings on their cards: what the clearing delivery calls once a delivery's
 * file is written (src/clearing/clearing-delivery.ts, through its PostingBooker; wired in
 * src/modules.ts). Each card's postings are booked by one Lua call on that card's keys
 * (scripts/book.lua), so a card's balance and holds change atomically, on Redis Cluster too, and
 * a posting booked twice is booked once. A booked posting's place in the journal goes into the
 * card's statement (card-statement.ts). A dispute's chargeback or redebit is not booked: it
 * settles with the issuer, who credits the holder itself (001 §27).
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import { DISPUTE_POSTING_TYPES, type Posting } from '../journal/posting.js';
import { cardKeys } from './keys.js';
import { bookScript } from './scripts/book.js';

/** Cards booked at once: enough to keep Redis busy, few enough to bound what is in flight. */
const CARDS_AT_ONCE = 200;

/** A delivered posting and where it is in the journal (the stream entry's id). */
export interface BookedPosting {
  at: string;
  posting: Pick<Posting, 'id' | 'card' | 'type' | 'direction' | 'amount' | 'receivedAt'> &
    Partial<Pick<Posting, 'purchasedAt'>>;
}

const NOT_BOOKED: ReadonlySet<string> = new Set(DISPUTE_POSTING_TYPES);

export class CardBooking {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly clock: Clock,
    /** How long a booked posting's id is remembered (the transaction records' retention). */
    private readonly keepForMs: number,
  ) {}

  /** Books each posting on its card, in the given order per card; answers how many were booked now. */
  async book(postings: readonly BookedPosting[]): Promise<number> {
    const byCard = new Map<string, BookedPosting[]>();
    for (const p of postings) {
      if (NOT_BOOKED.has(p.posting.type)) continue;
      const list = byCard.get(p.posting.card);
      if (list === undefined) byCard.set(p.posting.card, [p]);
      else list.push(p);
    }
    const cards = [...byCard];
    let booked = 0;
    for (let i = 0; i < cards.length; i += CARDS_AT_ONCE) {
      const counts = await Promise.all(
        cards.slice(i, i + CARDS_AT_ONCE).map(([card, list]) => this.bookCard(card, list)),
      );
      for (const n of counts) booked += n;
    }
    return booked;
  }

  private bookCard(card: string, postings: readonly BookedPosting[]): Promise<number> {
    const k = cardKeys(this.prefix, card);
    return bookScript.run(
      this.redis,
      { card: k.card, holds: k.holds, booked: k.booked, statement: k.statement },
      { now: this.clock.now().getTime(), keepFor: this.keepForMs },
      // A posting journalled before layout 2 has no purchase time: its receipt stands in for it.
      postings.flatMap(({ at, posting: p }) => [p.id, p.direction, p.amount, at, p.purchasedAt ?? p.receivedAt]),
    );
  }
}
