/**
 * Notas (the signed receipt of a signature transaction) ordered from the acquirer (001 §39, §41): when each was ordered and whether and how it came. A nota not come within 30 days of
 * its order counts as not received. Kept in `{disputes}:notas`, by card and journal entry.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import type { CardState } from '../card/card-state.js';
import type { CardStatement } from '../card/card-statement.js';
import type { Clock } from '../time/clock.js';
import { NOTA_WAIT_DAYS, type NotaStatus } from './dispute-rules.js';
import { DisputeStore } from './dispute-store.js';
import type { NotYours } from './disputes.js';

export interface Nota {
  orderedAt: number;
  arrivedAt?: number;
  signed?: boolean;
}

const WAIT_MS = NOTA_WAIT_DAYS * 86_400_000;

/** Where a nota stands at `nowMs`. */
export function notaStatusOf(nota: Nota | undefined, nowMs: number): NotaStatus {
  if (nota === undefined) return 'none';
  if (nota.arrivedAt !== undefined) return nota.signed === true ? 'signed' : 'unsigned';
  return nowMs >= nota.orderedAt + WAIT_MS ? 'overdue' : 'pending';
}

export class NotaBook {
  private readonly key: string;
  /** Its replace-if-same: an arrival written only onto the nota as read. */
  private readonly store: DisputeStore;

  constructor(
    private readonly redis: RegisterRedis,
    prefix: string,
  ) {
    this.key = `${prefix}{disputes}:notas`;
    this.store = new DisputeStore(redis, prefix);
  }

  private field(card: CardId, entry: string): string {
    return `${card}:${entry}`;
  }

  async get(card: CardId, entry: string): Promise<Nota | undefined> {
    const json = await this.redis.hget(this.key, this.field(card, entry));
    return json === null ? undefined : (JSON.parse(json) as Nota);
  }

  /** Orders the nota; one already ordered stays as it is (answers false). */
  async order(card: CardId, entry: string, nowMs: number): Promise<boolean> {
    const nota: Nota = { orderedAt: nowMs };
    return (await this.redis.hsetnx(this.key, this.field(card, entry), JSON.stringify(nota))) === 1;
  }

  /** Records the nota's arrival, signed or not (the caller checked that it was ordered). */
  async arrived(card: CardId, entry: string, nota: Nota): Promise<void> {
    await this.redis.hset(this.key, this.field(card, entry), JSON.stringify(nota));
  }

  /** Records the arrival of an ordered nota not arrived yet; two arrivals at once: one is recorded. */
  async arrive(
    card: CardId,
    entry: string,
    signed: boolean,
    nowMs: number,
  ): Promise<Nota | 'notOrdered' | 'arrivedAlready'> {
    const field = this.field(card, entry);
    for (;;) {
      const json = await this.redis.hget(this.key, field);
      if (json === null) return 'notOrdered';
      const nota = JSON.parse(json) as Nota;
      if (nota.arrivedAt !== undefined) return 'arrivedAlready';
      const after: Nota = { ...nota, arrivedAt: nowMs, signed };
      if (await this.store.replaceIn(this.key, field, json, JSON.stringify(after))) return after;
    }
  }

  async statuses(card: CardId, entries: readonly string[], nowMs: number): Promise<NotaStatus[]> {
    if (entries.length === 0) return [];
    const found = await this.redis.hmget(this.key, ...entries.map((e) => this.field(card, e)));
    return found.map((j) => notaStatusOf(j === null ? undefined : (JSON.parse(j) as Nota), nowMs));
  }
}

/** A nota as the API shows it: when it was ordered, when it counts as not received, where it stands. */
export interface NotaView extends Nota {
  card: CardId;
  entry: string;
  /** ms: from then on a nota not arrived counts as not received (30 days after its order). */
  dueAt: number;
  status: NotaStatus;
}

export function notaView(card: CardId, entry: string, nota: Nota, nowMs: number): NotaView {
  return { card, entry, ...nota, dueAt: nota.orderedAt + WAIT_MS, status: notaStatusOf(nota, nowMs) };
}

export interface NotaDeskDeps {
  book: NotaBook;
  cards: { state(card: CardId): Promise<CardState | undefined> };
  /** The card's statement: which journal entries are its delivered postings. */
  statement: Pick<CardStatement, 'booked'>;
  clock: Clock;
}

/** Not a delivered posting of the card (404), or the nota's state does not allow it (409). */
export type NotaRefused = { ok: false; status: 'noEntry' | 'conflict'; why: string; nota?: NotaView };

/** The issuer's side of notas (001 §39, §41): orders for its cards' delivered postings, and their arrival. */
export class NotaDesk {
  constructor(private readonly deps: NotaDeskDeps) {}

  /** Orders the nota of a delivered posting of the issuer's card; once. */
  async order(
    issuer: string,
    card: CardId,
    entry: string,
  ): Promise<NotYours | NotaRefused | { ok: true; nota: NotaView }> {
    const refused = await this.refusal(issuer, card, entry);
    if (refused !== undefined) return refused;
    const now = this.deps.clock.now().getTime();
    if (!(await this.deps.book.order(card, entry, now))) {
      const nota = (await this.deps.book.get(card, entry))!;
      return {
        ok: false,
        status: 'conflict',
        why: 'the nota was ordered already',
        nota: notaView(card, entry, nota, now),
      };
    }
    return { ok: true, nota: notaView(card, entry, { orderedAt: now }, now) };
  }

  /** Records that the ordered nota came, signed or not; once. */
  async arrived(
    issuer: string,
    card: CardId,
    entry: string,
    signed: boolean,
  ): Promise<NotYours | NotaRefused | { ok: true; nota: NotaView }> {
    const refused = await this.refusal(issuer, card, entry);
    if (refused !== undefined) return refused;
    const now = this.deps.clock.now().getTime();
    const r = await this.deps.book.arrive(card, entry, signed, now);
    if (r === 'notOrdered') return { ok: false, status: 'conflict', why: 'the nota was not ordered' };
    if (r === 'arrivedAlready') {
      const nota = notaView(card, entry, (await this.deps.book.get(card, entry))!, now);
      return { ok: false, status: 'conflict', why: 'the nota has arrived already', nota };
    }
    return { ok: true, nota: notaView(card, entry, r, now) };
  }

  /** Why the issuer may not order or receive this nota: not its card, or no delivered posting of the card there. */
  private async refusal(issuer: string, card: CardId, entry: string): Promise<NotYours | NotaRefused | undefined> {
    const state = await this.deps.cards.state(card);
    if (state === undefined) return { ok: false, status: 'notFound' };
    if (state.issuer !== issuer) return { ok: false, status: 'forbidden' };
    const [delivered] = await this.deps.statement.booked(card, [entry]);
    if (delivered !== true)
      return { ok: false, status: 'noEntry', why: 'no delivered posting of this card at this journal entry' };
    return undefined;
  }
}
