/**
 * Notas (the signed receipt of a signature transaction) ordered from the acquirer (001 §39, §41): when each was ordered and whether and how it came. A nota not come within 30 days of
 * its order counts as not received. Kept in `{disputes}:notas`, by card and journal entry.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { NOTA_WAIT_DAYS, type NotaStatus } from './dispute-rules.js';

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

  constructor(
    private readonly redis: RegisterRedis,
    prefix: string,
  ) {
    this.key = `${prefix}{disputes}:notas`;
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

  async statuses(card: CardId, entries: readonly string[], nowMs: number): Promise<NotaStatus[]> {
    if (entries.length === 0) return [];
    const found = await this.redis.hmget(this.key, ...entries.map((e) => this.field(card, e)));
    return found.map((j) => notaStatusOf(j === null ? undefined : (JSON.parse(j) as Nota), nowMs));
  }
}
