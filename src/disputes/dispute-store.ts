/**
 * The disputes' state, every key under the hash tag {disputes} (one slot: a case and what it
 * returns change at once; disputes are few): the case numbers, the cases, each card's cases, what
 * each transaction has returned, and the chargebacks and redebits waiting for their day to go to
 * the journal (docs/DISPUTES.md, "Credits through clearing").
 */
import type { RegisterRedis } from '../redis/client.js';
import type { CardId } from '../crypto/card-id.js';
import { asReply, defineScript } from '../redis/scripts.js';
import type { DisputeCase } from './dispute-case.js';

const openCaseScript = defineScript({
  name: 'swOpenDisputeCase',
  file: new URL('./open-case.lua', import.meta.url),
  keys: ['cases', 'byCard', 'returned', 'due'],
  args: ['number', 'case', 'openedAt', 'dueAt'],
  rest: 'items',
  reply: asReply<string[]>(),
});

const replaceScript = defineScript({
  name: 'swReplaceDisputeRecord',
  file: new URL('./replace-if-same.lua', import.meta.url),
  keys: ['hash', 'due'],
  args: ['field', 'before', 'after', 'dueAt'],
  rest: 'postings',
  reply: asReply<string>(),
});

/** One transaction a case returns: how much, the most it may have returned in all, and the chargeback posting (JSON). */
export interface CaseItem {
  posting: string;
  amount: number;
  limit: number;
  chargeback: string;
}

export type OpenResult = { ok: true } | { ok: false; exists: true } | { ok: false; over: string; returned: number };

export interface StoredCase {
  json: string;
  case: DisputeCase;
}

/** How a case number looks: 'D' and eight digits, counted up. */
export function caseNumberOf(n: number): string {
  return `D${String(n).padStart(8, '0')}`;
}

export class DisputeStore {
  private readonly keys: { seq: string; cases: string; returned: string; due: string };

  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
  ) {
    const base = `${prefix}{disputes}`;
    this.keys = { seq: `${base}:seq`, cases: `${base}:cases`, returned: `${base}:returned`, due: `${base}:due` };
  }

  private byCard(card: CardId): string {
    return `${this.prefix}{disputes}:card:${card}`;
  }

  /** A new case number (a number taken by a case that then failed to open is not used again). */
  async nextNumber(): Promise<string> {
    return caseNumberOf(await this.redis.incr(this.keys.seq));
  }

  /** Opens the case, unless a transaction of it would be returned beyond its limit (then nothing is written). */
  async open(c: DisputeCase, items: readonly CaseItem[], dueAt: number): Promise<OpenResult> {
    const r = await openCaseScript.run(
      this.redis,
      { cases: this.keys.cases, byCard: this.byCard(c.card), returned: this.keys.returned, due: this.keys.due },
      { number: c.number, case: JSON.stringify(c), openedAt: c.openedAt, dueAt },
      items.flatMap((i) => [i.posting, i.amount, i.limit, i.chargeback]),
    );
    if (r[0] === 'ok') return { ok: true };
    if (r[0] === 'exists') return { ok: false, exists: true };
    return { ok: false, over: r[1]!, returned: Number(r[2]) };
  }

  async get(number: string): Promise<DisputeCase | undefined> {
    const json = await this.redis.hget(this.keys.cases, number);
    return json === null ? undefined : (JSON.parse(json) as DisputeCase);
  }

  /**
   * Replaces the case `before` (as read) with `after`, and makes `postings` (JSON) due at `dueAt`,
   * at once; false (nothing written) when the case changed meanwhile.
   */
  async replace(before: StoredCase, after: DisputeCase, postings: readonly string[] = [], dueAt = 0): Promise<boolean> {
    return this.replaceIn(this.keys.cases, after.number, before.json, JSON.stringify(after), postings, dueAt);
  }

  /** The case and its JSON as kept (what replace compares). */
  async stored(number: string): Promise<StoredCase | undefined> {
    const json = await this.redis.hget(this.keys.cases, number);
    return json === null ? undefined : { json, case: JSON.parse(json) as DisputeCase };
  }

  /**
   * Replaces a field of a {disputes} hash (`hash` the key under this store's prefix, as notas.ts
   * names it) when it is still `before` ('' for none); false when it changed meanwhile.
   */
  async replaceIn(
    hash: string,
    field: string,
    before: string,
    after: string,
    postings: readonly string[] = [],
    dueAt = 0,
  ): Promise<boolean> {
    const r = await replaceScript.run(
      this.redis,
      { hash, due: this.keys.due },
      { field, before, after, dueAt },
      postings,
    );
    return r === 'ok';
  }

  /** The card's cases, oldest first. */
  async ofCard(card: CardId): Promise<DisputeCase[]> {
    const numbers = await this.redis.zrange(this.byCard(card), '0', '-1');
    if (numbers.length === 0) return [];
    const found = await this.redis.hmget(this.keys.cases, ...numbers);
    return found.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as DisputeCase);
  }

  /** øre returned so far of each posting, in the order given. */
  async returned(postings: readonly string[]): Promise<number[]> {
    if (postings.length === 0) return [];
    return (await this.redis.hmget(this.keys.returned, ...postings)).map((v) => Number(v ?? 0));
  }

  /**
   * The postings due by `untilMs` (a delivery's cut-off) handed to `append` (the journal's,
   * idempotent by posting id), then taken out: a crash between the two appends them again, and the
   * journal keeps them once.
   */
  async releaseDue(untilMs: number, append: (postings: string[]) => Promise<unknown>): Promise<number> {
    const due = await this.redis.zrangebyscore(this.keys.due, '-inf', untilMs);
    if (due.length === 0) return 0;
    await append(due);
    await this.redis.zrem(this.keys.due, ...due);
    return due.length;
  }
}
