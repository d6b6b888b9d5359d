/**
 * Made-up postings and check inputs for the pure dispute tests (rules.test.ts, facts.test.ts): a
 * chip and PIN purchase of 2 000.00 kr at 10:00 on Friday 4 December 2026 in Copenhagen, received
 * at once, with whatever a test changes; the default guarantees of src/config/defaults.ts.
 */
import { randomUUID } from 'node:crypto';
import type { JournalPosting } from '../../src/journal/posting.js';
import { localTimeMs } from '../../src/time/local-time.js';
import type { CheckInput } from '../../src/disputes/dispute-rules.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';

export const TZ = 'Europe/Copenhagen';
export const GUARANTEES = DEFAULT_CONFIG.disputes.guarantees;

/** ms of a local time YYMMDDhhmmss in Copenhagen. */
export function at(localTime: string): number {
  return localTimeMs(localTime, TZ)!;
}

/** How each kind of transaction is made, as a posting records it. */
export const KIND = {
  chipPin: { entryMode: 'chip', verification: 'pinOffline', channel: 'attended' },
  magstripePin: { entryMode: 'magstripe', verification: 'pinOnline', channel: 'attended' },
  signature: { entryMode: 'chip', verification: 'signature', channel: 'attended' },
  contactless: { entryMode: 'contactless', verification: 'contactlessNoPin', channel: 'attended' },
  noVerification: { entryMode: 'chip', verification: 'none', channel: 'unattended' },
  internet: { entryMode: 'remote', verification: 'none', channel: 'internet', authentication: 'threeDs' },
  mailOrder: { entryMode: 'manual', verification: 'none', channel: 'mailOrder' },
} as const satisfies Record<string, Partial<JournalPosting>>;

let stan = 0;

/** A purchase (or with `type` another posting) of the test card; `localTime` sets purchasedAt and receivedAt too. */
export function posting(fields: Partial<JournalPosting> = {}): JournalPosting {
  const localTime = fields.localTime ?? '261204100000';
  const s = String(++stan).padStart(6, '0');
  const terminal = fields.terminal ?? 'T0000001';
  return {
    id: randomUUID(),
    txn: `${terminal}-${localTime}-${s}`,
    type: 'purchase',
    direction: fields.type === 'refund' || fields.type === 'reversal' ? 'C' : 'D',
    amount: 200_000,
    currency: '208',
    originalAmount: fields.amount ?? 200_000,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    card: 'card-1',
    maskedPan: '501912******1234',
    panEnc: 'x',
    issuer: 'bank-a',
    terminal,
    merchant: 'M0000001',
    stan: s,
    localTime,
    purchasedAt: at(localTime),
    receivedAt: at(localTime),
    authorizedAt: at(localTime),
    merchantName: 'Butik',
    merchantCity: 'Kobenhavn',
    mcc: '5411',
    terminalKind: 'pos',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    approvalCode: '123456',
    cardStatus: 'active',
    ...KIND.chipPin,
    ...fields,
  };
}

/** A reversal of `of` (its txn), `amount` øre of it. */
export function reversal(of: JournalPosting, amount = of.amount, fields: Partial<JournalPosting> = {}): JournalPosting {
  return posting({
    ...of,
    id: randomUUID(),
    type: 'reversal',
    direction: 'C',
    amount,
    originalAmount: amount,
    reverses: of.txn,
    reason: '4000',
    ...fields,
  });
}

/** A refund at `merchant` at `localTime`. */
export function refund(amount: number, localTime: string, merchant = 'M0000001'): JournalPosting {
  return posting({ type: 'refund', amount, localTime, merchant });
}

/** A check input: the posting, no facts, nothing returned, card active then and blocked now, no nota, now a day later. */
export function input(reason: CheckInput['reason'], p: JournalPosting, more: Partial<CheckInput> = {}): CheckInput {
  return {
    reason,
    posting: p,
    facts: { reversed: 0, refunded: 0, identicalBefore: 0 },
    returned: 0,
    statusAtPurchase: 'active',
    cardBlocked: true,
    nota: 'none',
    now: p.receivedAt + 86_400_000,
    timeZone: TZ,
    guarantees: GUARANTEES,
    ...more,
  };
}
