/**
 * The traffic mix: card pools to seed and weighted request kinds, as data (bench/mixes/*.json,
 * schema bench/mixes/mix.schema.json). Validated here with the schema, plus the checks a schema
 * cannot make; a weighted choice and a small seeded PRNG pick an entry per request, so that a
 * run's sequence of request kinds is reproducible.
 *
 * An entry may have a follow-up (`then`): a completion advice (x220) of its authorization or a
 * reversal advice (x420) of its sale or authorization, which the worker sends on the same
 * connection once the first request is answered, naming it in field 56. Reports count follow-ups
 * in rows of their own ("<entry> then"), next to their entry's row.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Ajv } from 'ajv';
import { ACTION_CODES, type CodeSet, type Outcome } from '../../src/messages/action-codes.js';
import { MIXES_DIR } from './paths.js';

export type PoolState = 'active' | 'blocked' | 'expired' | 'unregistered';
export type PinUse = 'right' | 'wrong' | 'none';

export interface CardPool {
  count: number;
  state: PoolState;
  description?: string;
}

/** A follow-up of an entry's request, sent after its answer on the same connection. */
export interface FollowUp {
  /** x220 completion advice or x420 reversal advice (sent as 0x20 in 1987 dialects). */
  mti: string;
  /** øre; the original's amount when absent (a completion of all of it, a full reversal). */
  amount?: number;
  /** Outcomes whose action codes count as expected for the follow-up. */
  expect: Outcome[];
  description?: string;
}

export type FollowUpKind = 'completion' | 'reversal';

/** What a follow-up MTI is: x220 (and its repeat x221) a completion, x420 a reversal advice. */
export function followUpKind(mti: string): FollowUpKind {
  return mti[1] === '2' ? 'completion' : 'reversal';
}

export interface MixEntry {
  name: string;
  weight: number;
  mti: string;
  processingCode: string;
  /** øre */
  amount: number;
  /** The name of a pool in Mix.cards. */
  cards: string;
  pin: PinUse;
  contactless: boolean;
  /** 'internet': a web shop's purchase (card number, expiry, CVC, 3-D Secure; no PIN, no track); default card present. */
  channel?: 'internet';
  /** Outcomes whose action codes count as expected. */
  expect: Outcome[];
  /** A completion or reversal advice of this request, sent after its answer. */
  then?: FollowUp;
  description?: string;
}

export interface Mix {
  name: string;
  description?: string;
  cards: Record<string, CardPool>;
  entries: MixEntry[];
}

export class MixError extends Error {
  constructor(readonly problems: string[]) {
    super(`mix: ${problems.join('; ')}`);
    this.name = 'MixError';
  }
}

export const MIX_SCHEMA: object = JSON.parse(readFileSync(join(MIXES_DIR, 'mix.schema.json'), 'utf8'));
const validateSchema = new Ajv({ allErrors: true }).compile<Mix>(MIX_SCHEMA);

/** The mix if `json` is a valid one; otherwise a MixError listing every problem found. */
export function validateMix(json: unknown): Mix {
  if (!validateSchema(json)) {
    throw new MixError(
      (validateSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    );
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  json.entries.forEach((e, i) => {
    if (seen.has(e.name)) problems.push(`/entries/${i}/name "${e.name}" is used twice`);
    seen.add(e.name);
    if (!Object.hasOwn(json.cards, e.cards))
      problems.push(`/entries/${i}/cards "${e.cards}" is not a pool under /cards`);
    if (e.channel === 'internet' && (e.pin !== 'none' || e.contactless))
      problems.push(`/entries/${i}: an internet purchase has no PIN and is not contactless`);
    if (e.then !== undefined) {
      // The switch completes only authorizations (x100), and reverses authorizations and sales.
      const kind = followUpKind(e.then.mti);
      const ok = kind === 'completion' ? e.mti[1] === '1' : e.mti[1] === '1' || e.mti[1] === '2';
      if (!ok) problems.push(`/entries/${i}/then: a ${kind} (${e.then.mti}) cannot follow a ${e.mti}`);
    }
  });
  if (problems.length > 0) throw new MixError(problems);
  return json;
}

/** A mix by name (bench/mixes/<name>.json) or by path (anything with a / or ending in .json). */
export function loadMix(nameOrPath: string): Mix {
  const byPath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
  const file = byPath
    ? isAbsolute(nameOrPath)
      ? nameOrPath
      : join(process.cwd(), nameOrPath)
    : join(MIXES_DIR, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MixError([`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MixError([`${file} is not JSON: ${(e as Error).message}`]);
  }
  return validateMix(json);
}

/** The action codes (field 39 as received) an entry (or a row) expects, in the listener's code set. */
/**
 * The mix with every card pool `scale` times as large: the same requests spread over more cards,
 * each used less often (a real card is used a few times a day, a bench card a few times a second:
 * what the card keeps per transaction, such as the fraud monitoring's recent transactions, grows
 * with how often it is used).
 */
export function withCardScale(mix: Mix, scale: number): Mix {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`card scale ${scale}: a positive integer`);
  const cards = Object.fromEntries(
    Object.entries(mix.cards).map(([name, p]) => [name, { ...p, count: p.count * scale }]),
  );
  return { ...mix, cards };
}

export function expectedCodes(entry: { expect: readonly Outcome[] }, codes: CodeSet): string[] {
  return [...new Set(entry.expect.map((o) => ACTION_CODES[o][codes]))];
}

/**
 * What a report counts separately: each entry, followed by its follow-up when it has one
 * ("<entry> then"). `entry` is the index of the entry (of the follow-up's entry for a follow-up).
 */
export interface MixRow {
  name: string;
  weight: number;
  mti: string;
  expect: Outcome[];
  entry: number;
  followUp: boolean;
}

export function mixRows(entries: readonly MixEntry[]): MixRow[] {
  return entries.flatMap((e, i): MixRow[] => {
    const row: MixRow = { name: e.name, weight: e.weight, mti: e.mti, expect: e.expect, entry: i, followUp: false };
    return e.then === undefined
      ? [row]
      : [
          row,
          {
            name: `${e.name} then`,
            weight: e.weight,
            mti: e.then.mti,
            expect: e.then.expect,
            entry: i,
            followUp: true,
          },
        ];
  });
}

/** Per entry, its row and its follow-up's row (-1 when none) in mixRows' order. */
export function rowIndexes(entries: readonly MixEntry[]): { entryRow: number[]; followRow: number[] } {
  const entryRow: number[] = [];
  const followRow: number[] = [];
  let r = 0;
  for (const e of entries) {
    entryRow.push(r++);
    followRow.push(e.then === undefined ? -1 : r++);
  }
  return { entryRow, followRow };
}

/**
 * Picks an index with probability proportional to its weight, from a uniform number in [0, 1):
 * a binary search over the cumulative weights, so the cost does not grow with the mix.
 */
export class WeightedChoice {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    if (weights.length === 0 || weights.some((w) => !(w > 0) || !Number.isFinite(w)))
      throw new RangeError('weights must be positive finite numbers, at least one');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
    this.total = sum;
  }

  pick(uniform: number): number {
    const x = uniform * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < this.cumulative[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export { prng } from '../support/prng.js';
