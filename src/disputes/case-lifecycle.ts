/**
 * A dispute case after its opening (001 §26, §42): the issuer's misuse report, the operator's
 * representment for the merchant's side (the issuer debited again, two bank days on), the issuer's
 * contest within 45 calendar days, and the operator's decision on a contested case. Each change is
 * written with the postings it makes in one script call, and only onto the case as it was read
 * (dispute-store.ts replace): two changes at the same moment cannot both be made.
 */
import { randomUUID } from 'node:crypto';
import type { JournalEntry } from '../journal/journal.js';
import type { Notice } from '../notices/notice-relay.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { addDays } from '../time/dates.js';
import { addBankDays } from '../time/bank-days.js';
import { localDate, localTimeMs } from '../time/local-time.js';
import type { CasePosting, DisputeCase } from './dispute-case.js';
import type { DisputeStore, StoredCase } from './dispute-store.js';
import { disputePosting } from './dispute-postings.js';
import type { NotYours } from './disputes.js';

/** Calendar days after a representment the issuer may contest it (001 §26). */
export const CONTEST_DAYS = 45;

/** Bank days after a representment or decision its postings go to clearing (001 §25-26). */
const POSTING_BANK_DAYS = 2;

/** Tries of a change when the case changed between reading and writing it. */
const TRIES = 5;

export interface CaseLifecycleDeps {
  store: Pick<DisputeStore, 'stored' | 'replace'>;
  journal: { at(ids: readonly string[]): Promise<JournalEntry[]> };
  notices: { publish(n: Notice): Promise<void> };
  clock: Clock;
  log: Pick<Logger, 'warn'>;
  timeZone: string;
}

/** A change the case's state does not allow (409), with why. */
export type Refused = { ok: false; status: 'conflict'; why: string };

export type CaseChange = NotYours | Refused | { ok: true; case: DisputeCase };

/** What a change makes of the case: the new case, its postings due at `dueAt`, a notice to the issuer. */
interface Change {
  after: DisputeCase;
  postings?: string[];
  dueAt?: number;
  notice?: { type: Notice['type']; [detail: string]: unknown };
}

export interface RepresentmentOrder {
  /** øre; default the case total. */
  amount?: number;
  text: string;
}

export interface DecisionOrder {
  for: 'issuer' | 'merchant';
  text: string;
}

const refuse = (why: string): Refused => ({ ok: false, status: 'conflict', why });

export class CaseLifecycle {
  constructor(private readonly deps: CaseLifecycleDeps) {}

  /** The issuer reports the case's misuse (001 §42); after its due date it is kept, marked late. */
  reportMisuse(issuer: string, number: string): Promise<CaseChange> {
    return this.change(number, issuer, (c, now) => {
      const report = c.misuseReport;
      if (report === undefined)
        return refuse(
          c.reason === 'thirdPartyRemote'
            ? 'remote sales need no misuse report: the operator keeps their statistics itself (001 §40)'
            : `a case under ${c.reason} needs no misuse report: only third-party misuse is reported (001 §42)`,
        );
      if (report.reportedAt !== undefined) return refuse('the misuse was reported already');
      const late = this.today(now) > report.due;
      return { after: { ...c, misuseReport: { ...report, reportedAt: now, ...(late ? { late } : {}) } } };
    });
  }

  /**
   * The operator represents the case for the merchant's side (001 §26): the amount (at most the
   * case total) taken back transaction by transaction in the case's order, a redebit each, due
   * two bank days on; once per case.
   */
  async represent(number: string, order: RepresentmentOrder): Promise<CaseChange> {
    return this.change(number, undefined, async (c, now) => {
      if (c.representment !== undefined) return refuse('the case was represented already: once per case');
      const amount = order.amount ?? c.total;
      if (amount > c.total) return refuse(`at most the case total, ${c.total} øre, can be redebited`);
      const originals = await this.originals(c);
      const today = this.today(now);
      const debitDate = addBankDays(today, POSTING_BANK_DAYS);
      const redebits: CasePosting[] = [];
      const postings: string[] = [];
      let left = amount;
      for (const t of c.transactions) {
        const part = Math.min(left, t.amount);
        if (part === 0) break;
        left -= part;
        const p = this.posting(c, originals.get(t.entry)!, 'redebit', part, now);
        redebits.push({ posting: t.posting, amount: part, id: p.id });
        postings.push(JSON.stringify(p));
      }
      // 45 calendar days from the redebit itself (001 §26: "efter PBS gendebitering"), not from its entry.
      const contestBy = addDays(debitDate, CONTEST_DAYS);
      return {
        after: {
          ...c,
          status: 'represented',
          representment: { at: now, amount, text: order.text, debitDate, contestBy, redebits },
        },
        postings,
        dueAt: this.dayStart(debitDate),
        notice: { type: 'disputeRepresented', case: c.number, amount, text: order.text, debitDate, contestBy },
      };
    });
  }

  /** The issuer contests the representment (001 §26): by the 45th calendar day after it, once. */
  contest(issuer: string, number: string, text: string): Promise<CaseChange> {
    return this.change(number, issuer, (c, now) => {
      const r = c.representment;
      if (r === undefined) return refuse('the case was not represented: there is nothing to contest');
      if (c.contest !== undefined) return refuse('the representment was contested already');
      if (this.today(now) > r.contestBy)
        return refuse(`the last day to contest was ${r.contestBy}, ${CONTEST_DAYS} days after the redebit`);
      return { after: { ...c, status: 'contested', contest: { at: now, text } } };
    });
  }

  /**
   * The operator decides a contested case: for the issuer, what was redebited credited again (a
   * chargeback per redebit, two bank days on); for the merchant, the redebit stands.
   */
  decide(number: string, order: DecisionOrder): Promise<CaseChange> {
    return this.change(number, undefined, async (c, now) => {
      if (c.status === 'decided') return refuse('the case was decided already');
      const r = c.representment;
      if (c.status !== 'contested' || r === undefined)
        return refuse('only a contested case is decided: the issuer has not contested a representment');
      const notice = {
        type: 'disputeDecided' as const,
        case: c.number,
        for: order.for,
        amount: r.amount,
        text: order.text,
      };
      if (order.for === 'merchant')
        return { after: { ...c, status: 'decided', decision: { at: now, for: 'merchant', text: order.text } }, notice };
      const originals = await this.originals(c);
      const creditDate = addBankDays(this.today(now), POSTING_BANK_DAYS);
      const byPosting = new Map(c.transactions.map((t) => [t.posting, t.entry]));
      const chargebacks: CasePosting[] = [];
      const postings: string[] = [];
      for (const d of r.redebits) {
        const p = this.posting(c, originals.get(byPosting.get(d.posting)!)!, 'chargeback', d.amount, now);
        chargebacks.push({ posting: d.posting, amount: d.amount, id: p.id });
        postings.push(JSON.stringify(p));
      }
      return {
        after: {
          ...c,
          status: 'decided',
          decision: { at: now, for: 'issuer', text: order.text, chargebacks, creditDate },
        },
        postings,
        dueAt: this.dayStart(creditDate),
        notice: { ...notice, creditDate },
      };
    });
  }

  /**
   * Reads the case, checks whose it is (an issuer's own; `issuer` undefined: the operator), works
   * out the change and writes it onto the case as read; read again when it changed meanwhile.
   */
  private async change(
    number: string,
    issuer: string | undefined,
    make: (c: DisputeCase, now: number) => Refused | Change | Promise<Refused | Change>,
  ): Promise<CaseChange> {
    for (let i = 0; ; i++) {
      const stored: StoredCase | undefined = await this.deps.store.stored(number);
      if (stored === undefined) return { ok: false, status: 'notFound' };
      if (issuer !== undefined && stored.case.issuer !== issuer) return { ok: false, status: 'forbidden' };
      const now = this.deps.clock.now().getTime();
      const change = await make(stored.case, now);
      if ('ok' in change) return change;
      if (await this.deps.store.replace(stored, change.after, change.postings, change.dueAt)) {
        // The case is changed: a notice that cannot be written now is logged, not made a failure
        // (a retry would be refused as changed already; the case itself says what happened).
        if (change.notice !== undefined)
          await this.notify(change.after, change.notice, now).catch((e: unknown) =>
            this.deps.log.warn(
              { case: number, notice: change.notice?.type, err: (e as Error).message },
              'dispute notice not written',
            ),
          );
        return { ok: true, case: change.after };
      }
      if (i + 1 === TRIES) return refuse('the case is being changed by another request: try again');
    }
  }

  private async notify(c: DisputeCase, detail: NonNullable<Change['notice']>, now: number): Promise<void> {
    await this.deps.notices.publish({
      ...detail,
      id: randomUUID(),
      issuer: c.issuer,
      card: c.card,
      maskedPan: c.maskedPan,
      at: now,
    });
  }

  /** The disputed purchases' journal entries, by entry. */
  private async originals(c: DisputeCase): Promise<Map<string, JournalEntry>> {
    const found = await this.deps.journal.at(c.transactions.map((t) => t.entry));
    const byEntry = new Map(found.map((e) => [e.at, e]));
    for (const t of c.transactions)
      if (!byEntry.has(t.entry)) throw new Error(`case ${c.number}: journal entry ${t.entry} not found`);
    return byEntry;
  }

  private posting(c: DisputeCase, e: JournalEntry, type: 'chargeback' | 'redebit', amount: number, at: number) {
    return disputePosting(e.posting, { type, amount, caseNumber: c.number, reason: c.reason, account: c.account, at });
  }

  private today(now: number): string {
    return localDate(new Date(now), this.deps.timeZone);
  }

  /** ms of local midnight starting `date` in the register's zone. */
  private dayStart(date: string): number {
    return localTimeMs(`${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}000000`, this.deps.timeZone)!;
  }
}
