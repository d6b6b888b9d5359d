/**
 * Whether a transaction can be returned under a reason, and the most that can (001 §24 step 4),
 * pure: one check per rule of the seed, the first that fails names the refusal. The rules, with
 * their sections, are restated in docs/DISPUTES.md; reasons.ts says what each reason returns.
 */
import type { JournalPosting } from '../journal/posting.js';
import { addDays } from '../time/dates.js';
import { addBankDays, bankDaysBetween, daysBetween } from '../time/bank-days.js';
import { localDate } from '../time/local-time.js';
import { DISPUTE_REASONS, type DisputeReason } from './reasons.js';
import { type GuaranteeKind, type Guarantees, guaranteeKindOf, isPinTransaction, isRemoteSale } from './guarantee.js';
import type { TransactionFacts } from './transaction-facts.js';

/** Late settlement: received more than this many days after the purchase date (001 §29, §35, §41). */
export const LATE_AFTER_DAYS = 9;
/** … or this many calendar days for an internet payment (edankort, 001 §29, §35). */
export const LATE_AFTER_DAYS_INTERNET = 33;
/** A nota ordered and not received within this many days may be returned as not received (001 §39). */
export const NOTA_WAIT_DAYS = 30;

/** Where a nota ordered for the transaction stands (nota.ts). */
export type NotaStatus = 'none' | 'pending' | 'overdue' | 'signed' | 'unsigned';

export type Refusal =
  | 'notDisputable'
  | 'reversed'
  | 'refunded'
  | 'returnedAlready'
  | 'withinGuarantee'
  | 'covered'
  | 'notLate'
  | 'notBlockedAtPurchase'
  | 'cardNotBlocked'
  | 'wrongVerification'
  | 'remoteSale'
  | 'notRemoteSale'
  | 'notaNotOrdered'
  | 'notaPending'
  | 'notaNotReceived'
  | 'notaSigned'
  | 'merchantNotContacted'
  | 'notASubscription'
  | 'approvedAmountMissing'
  | 'noIdenticalTransaction';

export interface CheckInput {
  reason: DisputeReason;
  posting: JournalPosting;
  facts: TransactionFacts;
  /** øre already returned of it by earlier cases. */
  returned: number;
  /** The card's status at the purchase time, from its block history ('active', 'blocked:<reason>', 'deleted'). */
  statusAtPurchase: string;
  /** Whether the card is blocked now (third-party misuse needs it: 001 §38-41). */
  cardBlocked: boolean;
  nota: NotaStatus;
  now: number;
  timeZone: string;
  guarantees: Guarantees;
  /** Insufficient funds: øre of it the holder's account covered. */
  covered?: number;
  /** Amount not approved: øre the holder did approve. */
  approvedAmount?: number;
  /** Holder's reasons: the holder contacted the merchant first (001 §43). */
  merchantContacted?: boolean;
}

export interface Allowed {
  allowed: true;
  /** The most that can be returned now, øre. */
  max: number;
  kind: GuaranteeKind;
  guarantee: number;
}

export interface Refused {
  allowed: false;
  refusal: Refusal;
  why: string;
}

export type CheckResult = Allowed | Refused;

const kr = (ore: number): string => `${Math.floor(ore / 100)}.${String(ore % 100).padStart(2, '0')} kr`;
const refuse = (refusal: Refusal, why: string): Refused => ({ allowed: false, refusal, why });

/** The purchase date: the terminal's local date (field 12). */
function purchaseDate(p: JournalPosting): string {
  return `20${p.localTime.slice(0, 2)}-${p.localTime.slice(2, 4)}-${p.localTime.slice(4, 6)}`;
}

export function checkReturn(input: CheckInput): CheckResult {
  const p = input.posting;
  if (p.type !== 'purchase')
    return refuse(
      'notDisputable',
      p.type === 'withdrawal'
        ? 'a cash withdrawal is disputed between the banks, not here (001 §21)'
        : `a ${p.type} posting is not a purchase: only purchases can be disputed`,
    );
  const base = p.amount - input.facts.reversed - input.facts.refunded;
  if (input.facts.reversed >= p.amount) return refuse('reversed', 'the purchase was reversed in full');
  if (base <= 0) return refuse('refunded', 'the merchant refunded the purchase in full');
  const rule = ruleOf(input, base);
  if (!rule.allowed) return rule;
  const max = rule.max - input.returned;
  if (max <= 0) return refuse('returnedAlready', `${kr(input.returned)} of it is returned by earlier cases already`);
  return { ...rule, max };
}

/** The reason's own rule: refused, or what it allows before earlier cases are counted. */
function ruleOf(input: CheckInput, base: number): CheckResult {
  const p = input.posting;
  const kind = guaranteeKindOf(p);
  const guarantee = input.guarantees[kind];
  const whole: Allowed = { allowed: true, max: base, kind, guarantee };
  switch (input.reason) {
    case 'insufficientFunds': {
      const covered = input.covered ?? 0;
      if (base <= guarantee)
        return refuse('withinGuarantee', `the payment guarantee (${kr(guarantee)}, ${kind}) covers it`);
      if (base <= covered) return refuse('covered', 'the account covered it');
      return { ...whole, max: base - Math.max(guarantee, covered) };
    }
    case 'lateInsufficientFunds':
      // Its condition is no cover for the transaction (001 §29, §35): then all of it, however late.
      if (input.covered !== undefined && input.covered >= base) return refuse('covered', 'the account covered it');
      return late(input, whole, 'calendar');
    case 'blockedAtPurchase':
      // "Kortet spærret på købsdato/offline trx." (001 §29): blocked then, or approved offline by the terminal.
      if (input.statusAtPurchase.startsWith('blocked:') || p.authorization === 'offline') return whole;
      return refuse(
        'notBlockedAtPurchase',
        `the card was ${input.statusAtPurchase} at the purchase time, and the purchase was approved online`,
      );
    case 'thirdPartyPin':
      return thirdParty(input, () => {
        if (isRemoteSale(p)) return refuse('remoteSale', 'a remote sale: use thirdPartyRemote');
        if (p.verification === 'signature')
          return refuse('wrongVerification', 'approved by signature: use thirdPartySignature');
        if (base <= guarantee)
          return refuse('withinGuarantee', `the payment guarantee (${kr(guarantee)}, ${kind}) covers it`);
        return { ...whole, max: base - guarantee };
      });
    case 'thirdPartySignature':
      return thirdParty(input, () => signatureOnly(p) ?? nota(input, 'signed', whole));
    case 'notaNotReceived':
      return thirdParty(input, () => signatureOnly(p) ?? nota(input, 'missing', whole));
    case 'thirdPartyRemote':
      return thirdParty(input, () =>
        isRemoteSale(p) ? whole : refuse('notRemoteSale', 'not a remote sale (internet, mail or phone order)'),
      );
    case 'thirdPartyLate':
      return thirdParty(input, () => {
        if (isRemoteSale(p)) return refuse('remoteSale', 'a remote sale: use thirdPartyRemote (001 §41)');
        if (p.verification !== 'signature') return late(input, whole, 'bank');
        const isLate = late(input, whole, 'calendar');
        return isLate.allowed ? nota(input, 'signed', whole) : isLate;
      });
    case 'subscriptionCancelled':
      return holders(input, () =>
        p.series === undefined || p.series === ''
          ? refuse('notASubscription', 'not a payment of a subscription (stored card series)')
          : whole,
      );
    case 'withdrawalRight':
    case 'notDelivered':
      return holders(input, () => whole);
    case 'amountNotApproved':
      return holders(input, () => {
        const approved = input.approvedAmount;
        if (approved === undefined || approved >= base)
          return refuse('approvedAmountMissing', 'give the amount the holder approved, less than the amount debited');
        return { ...whole, max: base - approved };
      });
    case 'duplicate':
      return input.facts.identicalBefore > 0
        ? whole
        : refuse('noIdenticalTransaction', 'no identical purchase before it: the first of identical purchases stands');
  }
}

/** Received late: more than 9 calendar (33 for internet payments) or 9 bank days after the purchase date. */
function late(input: CheckInput, whole: Allowed, days: 'calendar' | 'bank'): CheckResult {
  const p = input.posting;
  const bought = purchaseDate(p);
  const received = localDate(new Date(p.receivedAt), input.timeZone);
  const limit = days === 'calendar' && p.channel === 'internet' ? LATE_AFTER_DAYS_INTERNET : LATE_AFTER_DAYS;
  const taken = days === 'bank' ? bankDaysBetween(bought, received) : daysBetween(bought, received);
  if (taken > limit) return whole;
  // The last day that is not late yet: counted in bank days for a PIN transaction.
  const lastOnTime = days === 'bank' ? addBankDays(bought, limit) : addDays(bought, limit);
  return refuse(
    'notLate',
    `received ${taken} ${days} days after the purchase date; late means more than ${limit} (by ${lastOnTime}${days === 'bank' ? ' in bank days' : ''})`,
  );
}

/** Third-party misuse: the card must be blocked first (001 §38-41). */
function thirdParty(input: CheckInput, rule: () => CheckResult): CheckResult {
  if (!input.cardBlocked) return refuse('cardNotBlocked', 'third-party misuse: block the card first');
  return rule();
}

function signatureOnly(p: JournalPosting): Refused | undefined {
  if (p.verification === 'signature') return undefined;
  return refuse(
    'wrongVerification',
    isPinTransaction(p) ? 'approved with a PIN: use thirdPartyPin' : 'not approved by signature',
  );
}

/** A signature transaction's nota (001 §39): `signed` wants it received signed, `missing` not within 30 days or unsigned. */
function nota(input: CheckInput, wants: 'signed' | 'missing', whole: Allowed): CheckResult {
  switch (input.nota) {
    case 'none':
      return refuse('notaNotOrdered', 'order the nota (the signed receipt) from the acquirer first');
    case 'pending':
      return refuse('notaPending', `the nota is ordered: wait for it, at most ${NOTA_WAIT_DAYS} days`);
    case 'signed':
      return wants === 'signed' ? whole : refuse('notaSigned', 'the nota came signed: use thirdPartySignature');
    default:
      return wants === 'missing'
        ? whole
        : refuse(
            'notaNotReceived',
            `the nota ${input.nota === 'overdue' ? 'did not come' : 'is unsigned'}: use notaNotReceived`,
          );
  }
}

/** The holder's own reasons: remote sales only, after the holder contacted the merchant (001 §43-44). */
function holders(input: CheckInput, rule: () => CheckResult): CheckResult {
  if (!isRemoteSale(input.posting))
    return refuse('notRemoteSale', `${DISPUTE_REASONS[input.reason].portalName}: remote sales only (001 §43)`);
  if (input.merchantContacted !== true)
    return refuse('merchantNotContacted', 'the holder must contact the merchant first (001 §43)');
  return rule();
}
