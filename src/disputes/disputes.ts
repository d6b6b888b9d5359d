/**
 * The issuer's side of the disputes (001 §23-24, docs/DISPUTES.md): a card's delivered
 * transactions for a period with what each still has to return, a proposed return checked against
 * the rules (dispute-rules.ts) transaction by transaction, and a case opened when every one of
 * them can be returned; cases found by number or card. Only the card's issuer may do any of it
 * (operators read every case).
 */
import type { CardId } from '../crypto/card-id.js';
import type { CardState } from '../card/card-state.js';
import type { CardStatement } from '../card/card-statement.js';
import type { JournalEntry } from '../journal/journal.js';
import type { JournalPosting } from '../journal/posting.js';
import type { Clock } from '../time/clock.js';
import { addDays } from '../time/dates.js';
import { addBankDays } from '../time/bank-days.js';
import { localDate, localTimeMs } from '../time/local-time.js';
import { type CheckResult, type NotaStatus, checkReturn } from './dispute-rules.js';
import { type DisputeCase, caseStart } from './dispute-case.js';
import type { CaseItem, DisputeStore } from './dispute-store.js';
import { disputePosting } from './dispute-postings.js';
import { type GuaranteeKind, type Guarantees, guaranteeKindOf } from './guarantee.js';
import { DISPUTE_REASONS, type DisputeReason } from './reasons.js';
import { type TransactionFacts, purchaseTimeOf, transactionFacts } from './transaction-facts.js';

/** How many times a case is tried when other cases keep returning its transactions meanwhile. */
const OPEN_ATTEMPTS = 3;

/** The most postings of a card read for one answer (a listing or the facts of a check). */
export const MAX_STATEMENT = 10_000;

export interface DisputesDeps {
  store: DisputeStore;
  /** The card module's statement (card-statement.ts). */
  statement: Pick<CardStatement, 'journalIds' | 'statusesAt' | 'booked' | 'reversedAmounts'>;
  journal: { at(ids: readonly string[]): Promise<JournalEntry[]> };
  cards: { state(card: CardId): Promise<CardState | undefined> };
  notas: { statuses(card: CardId, entries: readonly string[], nowMs: number): Promise<NotaStatus[]> };
  accounts: { accountOf(issuer: string, kind: 'insufficientFunds' | 'other'): Promise<string> };
  clock: Clock;
  timeZone: string;
  guarantees: Guarantees;
}

/** Not the issuer's card: unknown (404) or another issuer's (403). */
export type NotYours = { ok: false; status: 'notFound' | 'forbidden' };

/** A transaction as the listing shows it: the posting (no PAN but the masked one) and what disputes need to know of it. */
export interface ListedTransaction {
  /** Its journal entry: how a check, a case or a nota names it. */
  entry: string;
  posting: Omit<JournalPosting, 'panEnc' | 'card'>;
  reversed: number;
  refunded: number;
  returned: number;
  /** øre the transaction still has to return, before any reason's rule. */
  open: number;
  statusAtPurchase: string;
  guarantee: { kind: GuaranteeKind; amount: number };
  nota: NotaStatus;
  identicalBefore: number;
}

export interface ProposedTransaction {
  entry: string;
  /** øre to return; default the most that can be. */
  amount?: number;
  covered?: number;
  approvedAmount?: number;
}

export interface Proposal {
  card: CardId;
  reason: DisputeReason;
  merchantContacted?: boolean;
  transactions: readonly ProposedTransaction[];
}

export type TransactionCheck = { entry: string; txn?: string; amount?: number } & (
  CheckResult | { allowed: false; refusal: 'unknownTransaction' | 'amountOverMax' | 'twice'; why: string; max?: number }
);

export interface CheckAnswer {
  ok: true;
  card: CardId;
  reason: DisputeReason;
  sections: string;
  /** Whether a case can be opened: every transaction can be returned with the amount asked. */
  returnable: boolean;
  total: number;
  transactions: TransactionCheck[];
}

interface Checked {
  answer: CheckAnswer;
  entries: Map<string, JournalEntry>;
  /** øre each entry's posting had returned before. */
  returnedBefore: Map<string, number>;
  state: CardState;
}

export class Disputes {
  constructor(private readonly deps: DisputesDeps) {}

  /** The card's delivered transactions purchased on local dates `from` to `to`, with their dispute facts. */
  async transactions(
    issuer: string,
    card: CardId,
    from: string,
    to: string,
  ): Promise<NotYours | { ok: true; transactions: ListedTransaction[]; truncated: boolean }> {
    const state = await this.ownCard(issuer, card);
    if (!state.ok) return state;
    const start = this.dayStart(from);
    const end = this.dayStart(addDays(to, 1)) - 1;
    // One read for the period and what its facts need: the identical purchases of its days are in
    // it, the reversals and refunds after it.
    const ids = await this.deps.statement.journalIds(card, start, Number.MAX_SAFE_INTEGER, MAX_STATEMENT);
    const around = await this.deps.journal.at(ids);
    const inPeriod = around.filter((e) => {
      const at = purchaseTimeOf(e.posting);
      return at >= start && at <= end;
    });
    const facts = await this.withReversals(card, inPeriod, transactionFacts(around.map((e) => e.posting)));
    const listed = await this.describe(card, inPeriod, facts);
    return { ok: true, transactions: listed, truncated: ids.length === MAX_STATEMENT };
  }

  /** Each proposed transaction checked against the reason's rules (001 §24 step 4); nothing is changed. */
  async check(issuer: string, proposal: Proposal): Promise<NotYours | CheckAnswer> {
    const checked = await this.checked(issuer, proposal);
    return checked.ok === false ? checked : checked.answer;
  }

  /**
   * Opens a case when every transaction can be returned (001 §24 steps 6-7): a case number, the
   * receipt, and a chargeback per transaction due on the credit date, two bank days on (001 §25).
   */
  async open(issuer: string, proposal: Proposal): Promise<NotYours | CheckAnswer | { ok: true; case: DisputeCase }> {
    // Another case returned some of it between the check and the write: checked again, and opened
    // when still returnable (a few times at most), else the answer says what is left.
    for (let attempt = 1; ; attempt++) {
      const r = await this.tryOpen(issuer, proposal);
      if (r !== 'raced') return r;
      if (attempt === OPEN_ATTEMPTS) return this.check(issuer, proposal);
    }
  }

  private async tryOpen(
    issuer: string,
    proposal: Proposal,
  ): Promise<NotYours | CheckAnswer | { ok: true; case: DisputeCase } | 'raced'> {
    const checked = await this.checked(issuer, proposal);
    if (checked.ok === false) return checked;
    const { answer, entries, returnedBefore, state } = checked;
    if (!answer.returnable) return answer;
    const now = this.deps.clock.now().getTime();
    const creditDate = addBankDays(localDate(new Date(now), this.deps.timeZone), 2);
    const spec = DISPUTE_REASONS[proposal.reason];
    const c: DisputeCase = {
      number: await this.deps.store.nextNumber(),
      issuer,
      card: proposal.card,
      maskedPan: state.maskedPan,
      reason: proposal.reason,
      openedAt: now,
      creditDate,
      account: await this.deps.accounts.accountOf(issuer, spec.account),
      transactions: [],
      total: answer.total,
      currency: '208',
      ...caseStart(spec.misuseReport, localDate(new Date(now), this.deps.timeZone)),
    };
    const items: CaseItem[] = [];
    for (const t of answer.transactions) {
      const p = entries.get(t.entry)!.posting;
      const credit = disputePosting(p, {
        type: 'chargeback',
        amount: t.amount!,
        caseNumber: c.number,
        reason: c.reason,
        account: c.account,
        at: now,
      });
      c.transactions.push({
        entry: t.entry,
        posting: p.id,
        txn: p.txn,
        amount: t.amount!,
        transactionAmount: p.amount,
        purchasedAt: purchaseTimeOf(p),
        localTime: p.localTime,
        merchant: p.merchant,
        merchantName: p.merchantName ?? '',
        merchantCity: p.merchantCity ?? '',
        chargeback: credit.id,
      });
      // What it may have returned in all: what it had, and the most it may return now.
      const limit = returnedBefore.get(t.entry)! + (t.allowed ? t.max : 0);
      items.push({ posting: p.id, amount: t.amount!, limit, chargeback: JSON.stringify(credit) });
    }
    const opened = await this.deps.store.open(c, items, this.dayStart(creditDate));
    return opened.ok ? { ok: true, case: c } : 'raced';
  }

  /** A case by its number: the card's issuer's (403 for another issuer, unless `issuer` is undefined: the operator). */
  async caseOf(number: string, issuer: string | undefined): Promise<NotYours | { ok: true; case: DisputeCase }> {
    const c = await this.deps.store.get(number);
    if (c === undefined) return { ok: false, status: 'notFound' };
    if (issuer !== undefined && c.issuer !== issuer) return { ok: false, status: 'forbidden' };
    return { ok: true, case: c };
  }

  /** The card's cases, oldest first. */
  async casesOf(card: CardId, issuer: string | undefined): Promise<NotYours | { ok: true; cases: DisputeCase[] }> {
    if (issuer !== undefined) {
      const own = await this.ownCard(issuer, card);
      if (!own.ok) return own;
    }
    return { ok: true, cases: await this.deps.store.ofCard(card) };
  }

  private async ownCard(issuer: string, card: CardId): Promise<NotYours | ({ ok: true } & CardState)> {
    const state = await this.deps.cards.state(card);
    if (state === undefined) return { ok: false, status: 'notFound' };
    if (state.issuer !== issuer) return { ok: false, status: 'forbidden' };
    return { ok: true, ...state };
  }

  private async checked(issuer: string, proposal: Proposal): Promise<NotYours | ({ ok: true } & Checked)> {
    const state = await this.ownCard(issuer, proposal.card);
    if (!state.ok) return state;
    const wanted = [...new Set(proposal.transactions.map((t) => t.entry))];
    // Only the card's delivered postings: on its statement (an entry of the journal not yet delivered is not).
    const ofCard = (await this.deps.journal.at(wanted)).filter((e) => e.posting.card === proposal.card);
    const delivered = await this.deps.statement.booked(
      proposal.card,
      ofCard.map((e) => e.at),
    );
    const found = ofCard.filter((_, i) => delivered[i]);
    const entries = new Map(found.map((e) => [e.at, e]));
    const facts = await this.withReversals(proposal.card, found, await this.factsAround(proposal.card, found));
    const now = this.deps.clock.now().getTime();
    const [returned, statuses, notas] = await Promise.all([
      this.deps.store.returned(found.map((e) => e.posting.id)),
      this.deps.statement.statusesAt(
        proposal.card,
        found.map((e) => purchaseTimeOf(e.posting)),
      ),
      this.deps.notas.statuses(
        proposal.card,
        found.map((e) => e.at),
        now,
      ),
    ]);
    const index = new Map(found.map((e, i) => [e.at, i]));
    const seen = new Set<string>();
    const transactions = proposal.transactions.map((t): TransactionCheck => {
      const i = index.get(t.entry);
      if (i === undefined)
        return {
          entry: t.entry,
          allowed: false,
          refusal: 'unknownTransaction',
          why: 'no delivered posting of this card at this journal entry',
        };
      if (seen.has(t.entry))
        return { entry: t.entry, allowed: false, refusal: 'twice', why: 'named twice in the proposal' };
      seen.add(t.entry);
      const p = found[i]!.posting;
      const result = checkReturn({
        reason: proposal.reason,
        posting: p,
        facts: facts.get(p.id) ?? { reversed: 0, refunded: 0, identicalBefore: 0 },
        returned: returned[i]!,
        statusAtPurchase: statuses?.[i] ?? 'active',
        cardBlocked: state.block !== null,
        nota: notas[i]!,
        now,
        timeZone: this.deps.timeZone,
        guarantees: this.deps.guarantees,
        ...(t.covered === undefined ? {} : { covered: t.covered }),
        ...(t.approvedAmount === undefined ? {} : { approvedAmount: t.approvedAmount }),
        ...(proposal.merchantContacted === undefined ? {} : { merchantContacted: proposal.merchantContacted }),
      });
      if (!result.allowed) return { entry: t.entry, txn: p.txn, ...result };
      const amount = t.amount ?? result.max;
      if (amount > result.max)
        return {
          entry: t.entry,
          txn: p.txn,
          amount,
          allowed: false,
          refusal: 'amountOverMax',
          why: `at most ${result.max} øre can be returned`,
          max: result.max,
        };
      return { entry: t.entry, txn: p.txn, amount, ...result };
    });
    const returnable = transactions.every((t) => t.allowed);
    const answer: CheckAnswer = {
      ok: true,
      card: proposal.card,
      reason: proposal.reason,
      sections: DISPUTE_REASONS[proposal.reason].sections,
      returnable,
      total: returnable ? transactions.reduce((sum, t) => sum + t.amount!, 0) : 0,
      transactions,
    };
    const returnedBefore = new Map(found.map((e, i) => [e.at, returned[i]!]));
    return { ok: true, answer, entries, returnedBefore, state };
  }

  /**
   * The facts with what each transaction's own record says was reversed: a reversal is recorded
   * on the card when it is received, its posting delivered only at the next cut-off, so a purchase
   * is never returned while its reversal waits for its delivery.
   */
  private async withReversals(
    card: CardId,
    entries: readonly JournalEntry[],
    facts: Map<string, TransactionFacts>,
  ): Promise<Map<string, TransactionFacts>> {
    const recorded = await this.deps.statement.reversedAmounts(
      card,
      entries.map((e) => e.posting.txn),
    );
    entries.forEach((e, i) => {
      const f = facts.get(e.posting.id);
      if (f !== undefined) f.reversed = Math.min(e.posting.amount, Math.max(f.reversed, recorded[i]!));
    });
    return facts;
  }

  /** The facts of these postings, from the card's statement around them: their first day on. */
  private async factsAround(card: CardId, entries: readonly JournalEntry[]): Promise<Map<string, TransactionFacts>> {
    if (entries.length === 0) return new Map();
    const first = Math.min(...entries.map((e) => purchaseTimeOf(e.posting)));
    // From the start of the first one's local day (identical purchases are of the same day), as a listing reads.
    const from = this.dayStart(localDate(new Date(first), this.deps.timeZone));
    const ids = await this.deps.statement.journalIds(card, from, Number.MAX_SAFE_INTEGER, MAX_STATEMENT);
    return transactionFacts((await this.deps.journal.at(ids)).map((e) => e.posting));
  }

  private async describe(
    card: CardId,
    entries: readonly JournalEntry[],
    facts: Map<string, TransactionFacts>,
  ): Promise<ListedTransaction[]> {
    const now = this.deps.clock.now().getTime();
    const [returned, statuses, notas] = await Promise.all([
      this.deps.store.returned(entries.map((e) => e.posting.id)),
      this.deps.statement.statusesAt(
        card,
        entries.map((e) => purchaseTimeOf(e.posting)),
      ),
      this.deps.notas.statuses(
        card,
        entries.map((e) => e.at),
        now,
      ),
    ]);
    return entries.map((e, i) => {
      const { panEnc: _pan, card: _card, ...posting } = e.posting;
      const f = facts.get(e.posting.id) ?? { reversed: 0, refunded: 0, identicalBefore: 0 };
      const kind = guaranteeKindOf(e.posting);
      const open =
        e.posting.type === 'purchase' ? Math.max(0, e.posting.amount - f.reversed - f.refunded - returned[i]!) : 0;
      return {
        entry: e.at,
        posting,
        reversed: f.reversed,
        refunded: f.refunded,
        returned: returned[i]!,
        open,
        statusAtPurchase: statuses?.[i] ?? 'active',
        guarantee: { kind, amount: this.deps.guarantees[kind] },
        nota: notas[i]!,
        identicalBefore: f.identicalBefore,
      };
    });
  }

  /** ms of local midnight starting `date` in the register's zone. */
  private dayStart(date: string): number {
    return localTimeMs(`${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}000000`, this.deps.timeZone)!;
  }
}
