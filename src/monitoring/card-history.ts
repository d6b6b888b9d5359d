/**
 * A card's history as the monitoring keeps it: its recent transactions (within the rules'
 * longest window, at most MAX_RECENT) and its holder profile (holder-profile.ts), into which a
 * transaction is folded when it leaves the recent ones. The live copy is the card's
 * (src/card/card-watch.ts and its watch.lua, which read these limits from here); the replay of a
 * day's log (replay.ts) rebuilds it with the same steps, so both see the same history.
 */
import type { HolderProfile } from './holder-profile.js';
import { type WatchedTransaction, isCardPresent, placeOf } from './watched-transaction.js';

/** The most transactions a card keeps within the horizon (a card used more often folds the oldest early). */
export const MAX_RECENT = 200;
/** The most fields of a holder profile (n and max included): merchants and countries past it are not counted. */
export const MAX_PROFILE_FIELDS = 1000;

/** A card's recent transactions (oldest first) and its profile, as watch.lua keeps them. */
export class CardHistory {
  readonly recent: WatchedTransaction[] = [];
  private count = 0;
  private max = 0;
  /** Uses per profile field, `m:<merchant>`, `c:<country>` and `p:<country>` as in the card's hash. */
  private readonly uses = new Map<string, number>();

  /**
   * Records `tx` at its time, as watch.lua does: first the transactions older than the horizon
   * (or past MAX_RECENT) are folded into the profile; answers the earlier ones still recent.
   */
  record(tx: WatchedTransaction, horizonMs: number): WatchedTransaction[] {
    const cutoff = tx.at - horizonMs;
    while (this.recent.length > 0 && (this.recent[0]!.at < cutoff || this.recent.length >= MAX_RECENT))
      this.fold(this.recent.shift()!);
    const earlier = [...this.recent];
    this.recent.push(tx);
    return earlier;
  }

  /** The profile, with the uses of these merchants and countries (CardWatch.profile's answer). */
  profile(merchants: readonly string[], countries: readonly string[]): HolderProfile {
    return {
      count: this.count,
      max: this.max,
      merchants: Object.fromEntries(merchants.map((m) => [m, this.uses.get(`m:${m}`) ?? 0])),
      countries: Object.fromEntries(countries.map((c) => [c, this.uses.get(`c:${c}`) ?? 0])),
      present: Object.fromEntries(countries.map((c) => [c, this.uses.get(`p:${c}`) ?? 0])),
    };
  }

  /** Only approved purchases and withdrawals are the holder's spending. */
  private fold(t: WatchedTransaction): void {
    if (t.outcome !== 'approved' || t.kind === 'refund') return;
    this.count++;
    this.max = Math.max(this.max, t.amount);
    if (placeOf(t) !== '') this.use(`m:${placeOf(t)}`);
    this.use(`c:${t.country}`);
    if (isCardPresent(t)) this.use(`p:${t.country}`);
  }

  private use(field: string): void {
    // The hash's fields: n and max (once the first fold wrote them) and the uses.
    if (this.uses.has(field) || this.uses.size + 2 < MAX_PROFILE_FIELDS)
      this.uses.set(field, (this.uses.get(field) ?? 0) + 1);
  }
}
