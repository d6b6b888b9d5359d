/**
 * What must hold after a fault, worked out from what the terminals were answered and what the
 * register recorded. Each request's transaction record is written in the same atomic Lua call
 * as its effects, so it says whether a request answered 911 ran after all (its answer lost).
 * From the records, in the order each card saw them, follow the card's reservations, the holds
 * of its postings (nothing is booked here: no delivery runs), PIN tries and postings; then compare with the card, the journal and the outboxes as they are.
 */
import type { RegisterRedis } from '../../../src/redis/client.js';
import { actionCode, type Outcome } from '../../../src/messages/action-codes.js';
import { cardKeys, transactionKey } from '../../../src/card/keys.js';
import { PostingJournal } from '../../../src/journal/journal.js';
import type { Posting } from '../../../src/journal/posting.js';
import { type Exchange, isUnavailable } from './workload.js';

export interface InvariantReport {
  /** Everything that does not hold; empty when all is well. */
  problems: string[];
  counts: {
    exchanges: number;
    /** Answered with an approval (000 / 00), requests and completions. */
    approvalsSeen: number;
    unavailable: number;
    /** Requests answered 911 whose register call ran all the same (answer lost). */
    lostAnswers: number;
    unanswered: number;
    postings: number;
    /** Reversals the switch made itself (reason 'switch'). */
    switchReversals: number;
  };
}

type TxnRecord = Record<string, string>;

interface CardModel {
  reserved: number;
  unbooked: number;
  pinTries: number;
  pinBlocked: boolean;
}

export interface Policy {
  /** A request answered 911 whose call ran anyway must have been reversed by the switch. */
  reverseLostAnswers: boolean;
  /** Requests that may go unanswered (in flight when the switch itself was killed); the register's record says what they did. */
  mayBeUnanswered?: (x: Exchange) => boolean;
}

export async function checkInvariants(
  redis: RegisterRedis,
  prefix: string,
  exchanges: Exchange[],
  policy: Policy = { reverseLostAnswers: true },
): Promise<InvariantReport> {
  const problems: string[] = [];
  const records = await readRecords(redis, prefix, exchanges);
  const report: InvariantReport = {
    problems,
    counts: {
      exchanges: exchanges.length,
      approvalsSeen: 0,
      unavailable: 0,
      lostAnswers: 0,
      unanswered: 0,
      postings: 0,
      switchReversals: 0,
    },
  };
  checkAnswers(exchanges, records, report, policy.mayBeUnanswered ?? (() => false));
  if (policy.reverseLostAnswers) checkLostAnswersReversed(exchanges, records, problems);
  const byCard = groupByCard(exchanges);
  for (const [card, list] of byCard) await checkCard(redis, prefix, card, list, records, problems);
  const journal = (await new PostingJournal(redis, prefix).range('0', '+')).map((e) => e.posting);
  report.counts.postings = journal.length;
  report.counts.switchReversals = journal.filter((p) => p.type === 'reversal' && p.reason === 'switch').length;
  checkJournal(journal, exchanges, records, problems);
  await checkOutboxes(redis, prefix, problems);
  return report;
}

async function readRecords(
  redis: RegisterRedis,
  prefix: string,
  exchanges: Exchange[],
): Promise<Map<string, TxnRecord>> {
  const records = new Map<string, TxnRecord>();
  const unique = [...new Map(exchanges.map((x) => [`${x.card.id}|${x.txn}`, x])).values()];
  const pipe = redis.pipeline();
  for (const x of unique) pipe.hgetall(transactionKey(prefix, x.card.id, x.txn));
  const replies = (await pipe.exec()) ?? [];
  unique.forEach((x, i) => {
    const h = replies[i]![1] as TxnRecord;
    if (h.outcome !== undefined) records.set(x.txn, h);
  });
  return records;
}

/** Every answer agrees with the record of what the register did; 911 either ran (answer lost) or did nothing. */
function checkAnswers(
  exchanges: Exchange[],
  records: Map<string, TxnRecord>,
  report: InvariantReport,
  mayBeUnanswered: (x: Exchange) => boolean,
): void {
  for (const x of exchanges) {
    const rec = records.get(x.txn);
    if (x.code === undefined) {
      report.counts.unanswered++;
      if (!mayBeUnanswered(x)) report.problems.push(`${x.mti} ${x.txn}: no answer within the wait`);
      continue;
    }
    if (x.code === '000' || x.code === '00') report.counts.approvalsSeen++;
    if (isUnavailable(x.code)) {
      report.counts.unavailable++;
      if (rec !== undefined && x.flow !== 'completion' && x.flow !== 'reversal') report.counts.lostAnswers++;
      continue;
    }
    if (rec === undefined) {
      report.problems.push(`${x.mti} ${x.txn}: answered ${x.code} but the register has no record of it`);
      continue;
    }
    const expected = actionCode(rec.outcome as Outcome, x.mti.startsWith('0') ? 'iso87' : 'iso93');
    if (expected !== x.code)
      report.problems.push(`${x.mti} ${x.txn}: answered ${x.code}, the register recorded ${rec.outcome} (${expected})`);
  }
}

/** The policy of docs/OPERATIONS.md: the terminal was told 911, so nothing of that request may stand. */
function checkLostAnswersReversed(exchanges: Exchange[], records: Map<string, TxnRecord>, problems: string[]): void {
  for (const x of exchanges) {
    if (x.flow === 'completion' || x.flow === 'reversal' || !isUnavailable(x.code)) continue;
    const rec = records.get(x.txn);
    if (rec?.outcome === 'approved' && rec.state !== 'reversed')
      problems.push(
        `${x.mti} ${x.txn}: answered ${x.code} but approved in the register and not reversed (state ${rec.state})`,
      );
  }
}

function groupByCard(exchanges: Exchange[]): Map<string, Exchange[]> {
  const byCard = new Map<string, Exchange[]>();
  for (const x of exchanges) byCard.set(x.card.id, [...(byCard.get(x.card.id) ?? []), x]);
  for (const list of byCard.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  return byCard;
}

/** The card's reservations, holds and PIN tries as the recorded transactions imply, against the card. */
async function checkCard(
  redis: RegisterRedis,
  prefix: string,
  card: string,
  list: Exchange[],
  records: Map<string, TxnRecord>,
  problems: string[],
): Promise<void> {
  const model: CardModel = { reserved: 0, unbooked: 0, pinTries: 0, pinBlocked: false };
  const seen = new Set<string>();
  for (const x of list) {
    if (seen.has(x.txn)) continue; // a repeated advice: its effect happened once, under its own record
    seen.add(x.txn);
    const rec = records.get(x.txn);
    if (rec !== undefined) apply(model, x, rec);
  }
  const k = cardKeys(prefix, card);
  const [h, held, holds] = await Promise.all([
    redis.hgetall(k.card),
    redis.hvals(k.reservationAmounts),
    redis.hvals(k.holds),
  ]);
  const actual = {
    reserved: Number(h.reserved ?? 0),
    unbooked: Number(h.unbooked ?? 0),
    pinTries: Number(h.pinTries ?? 0),
    pinBlocked: h.pinBlocked === '1',
  };
  if (actual.reserved !== model.reserved)
    problems.push(`card ${card}: reserved ${actual.reserved}, its transactions imply ${model.reserved}`);
  const sumHeld = held.reduce((s, v) => s + Number(v), 0);
  if (sumHeld !== actual.reserved)
    problems.push(`card ${card}: reserved ${actual.reserved} but its reservations add up to ${sumHeld}`);
  if (actual.unbooked !== model.unbooked)
    problems.push(`card ${card}: unbooked ${actual.unbooked}, its transactions imply ${model.unbooked}`);
  const sumHolds = holds.reduce((s, v) => s + Number(v), 0);
  if (sumHolds !== actual.unbooked)
    problems.push(`card ${card}: unbooked ${actual.unbooked} but its postings' holds add up to ${sumHolds}`);
  if (actual.pinTries !== model.pinTries || actual.pinBlocked !== model.pinBlocked) {
    problems.push(
      `card ${card}: PIN tries ${actual.pinTries}${actual.pinBlocked ? ' (PIN-blocked)' : ''}, its requests imply ${model.pinTries}${model.pinBlocked ? ' (PIN-blocked)' : ''}`,
    );
  }
}

/** One recorded transaction's effect on the card: reservations and holds (as they stand now) and PIN tries (in order). */
function apply(model: CardModel, x: Exchange, rec: TxnRecord): void {
  if (x.flow === 'sale' || x.flow === 'wrongPin' || x.flow === 'auth') {
    if (rec.outcome === 'approved') model.pinTries = 0;
    if (rec.outcome === 'wrongPin') model.pinTries = Number(rec.detail);
    if (rec.outcome === 'pinTriesExceeded' && rec.detail !== '')
      [model.pinTries, model.pinBlocked] = [Number(rec.detail), true];
  }
  if (rec.outcome !== 'approved' || x.flow === 'completion' || x.flow === 'reversal') return;
  // A refund holds nothing (a credit); reversed (by the switch, its answer lost), the debit that
  // reverses it is held until booked.
  if (x.flow === 'refund') {
    if (rec.state === 'reversed') model.unbooked += Number(rec.reversedAmount);
    return;
  }
  // What the approval still holds: an authorization its reservation; a posted sale (its posting's
  // hold) its amount, a completed authorization the completed amount; reversed, what the
  // reversal left of that (an authorization reversed before completion: nothing).
  const posted = rec.completedAmount ?? (rec.msg === 'single' ? rec.amount : undefined);
  if (rec.state === 'authorized') model.reserved += Number(rec.amount);
  else if (posted !== undefined) model.unbooked += Number(posted) - Number(rec.reversedAmount ?? 0);
}

/** Postings expected from the records: each approved single message one, each completion one, each reversal one. */
function checkJournal(
  journal: Posting[],
  exchanges: Exchange[],
  records: Map<string, TxnRecord>,
  problems: string[],
): void {
  if (new Set(journal.map((p) => p.id)).size !== journal.length) problems.push('a posting id is in the journal twice');
  const actual = new Map<string, string[]>();
  for (const p of journal) actual.set(p.txn, [...(actual.get(p.txn) ?? []), p.type].sort());
  const expected = new Map<string, string[]>();
  const originals = new Set(
    exchanges.filter((x) => x.flow !== 'completion' && x.flow !== 'reversal').map((x) => x.txn),
  );
  for (const txn of originals) {
    const rec = records.get(txn);
    if (rec?.outcome !== 'approved') continue;
    const types: string[] = [];
    if (rec.msg === 'single') types.push(rec.kind === 'refund' ? 'refund' : 'purchase');
    if (rec.state === 'completed') types.push('purchase');
    if (rec.state === 'reversed' && rec.msg === 'single') types.push('reversal');
    if (types.length > 0) expected.set(txn, types.sort());
  }
  for (const [txn, types] of expected) {
    const got = actual.get(txn) ?? [];
    if (got.join() !== types.join())
      problems.push(`${txn}: postings [${got.join(', ')}], expected [${types.join(', ')}]`);
  }
  for (const [txn, types] of actual)
    if (!expected.has(txn))
      problems.push(`${txn}: postings [${types.join(', ')}] for a transaction that was not approved`);
}

/** Nothing left behind in a card's posting or notice outbox. */
async function checkOutboxes(redis: RegisterRedis, prefix: string, problems: string[]): Promise<void> {
  const left = await outboxKeys(redis, prefix);
  if (left.length > 0)
    problems.push(
      `outboxes not empty: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ` and ${left.length - 5} more` : ''}`,
    );
}

export async function outboxKeys(redis: RegisterRedis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const suffix of ['posts', 'outbox']) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}card:{*}:${suffix}`, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return out;
}

/** Waits (polling) until no outbox holds anything: the relays' sweeps have run. */
export async function waitForEmptyOutboxes(redis: RegisterRedis, prefix: string, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if ((await outboxKeys(redis, prefix)).length === 0) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
