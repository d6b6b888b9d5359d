/** JSON Schemas of the dispute routes' bodies (dispute-routes.ts, dispute-case-routes.ts, docs/ADMIN-API.md "Disputes"). */
import { DISPUTE_REASON_CODES, type DisputeReason } from '../disputes/reasons.js';
import type { CardId } from '../crypto/card-id.js';
import { account, amount, body, cardId, oneOf, text, validator } from './schemas.js';

/** A stream entry id: two numbers Redis reads as 64-bit (19 digits always fit). */
export const JOURNAL_ENTRY_PATTERN = '^[0-9]{1,19}-[0-9]{1,19}$';
export const CASE_NUMBER_PATTERN = '^D[0-9]{8}$';

const entry = {
  type: 'string',
  pattern: JOURNAL_ENTRY_PATTERN,
  description: 'must be a journal entry id as the transactions listing gives it (digits-digits)',
} as const;

export interface ProposalBody {
  card: CardId;
  reason: DisputeReason;
  merchantContacted?: boolean;
  transactions: { entry: string; amount?: number; covered?: number; approvedAmount?: number }[];
}

const localDate = {
  type: 'string',
  // Years 2000-2099: what a terminal's field 12 (YYMMDD) can say.
  pattern: '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$',
  format: 'calendar-date',
  description: 'must be a local date YYYY-MM-DD, in 2000-2099',
} as const;

/** A listing's period: the purchases' local dates from and to. */
export const periodQuery = validator<{ from: string; to: string }>(
  body({ from: localDate, to: localDate }, ['from', 'to']),
);

const positive = { ...amount, minimum: 1, description: 'must be a whole number of øre, 1 or more' } as const;

export const proposalBody = validator<ProposalBody>(
  body(
    {
      card: cardId,
      reason: oneOf(DISPUTE_REASON_CODES, ' (docs/DISPUTES.md)'),
      merchantContacted: { type: 'boolean', description: 'must be true or false' },
      transactions: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        description: 'must be a list of 1 to 100 transactions',
        items: body({ entry, amount: positive, covered: amount, approvedAmount: amount }, ['entry']),
      },
    },
    ['card', 'reason', 'transactions'],
  ),
);

export interface AccountsBody {
  insufficientFunds?: string;
  other?: string;
}

/** An account number, or 'standard': the issuer's usual Dankort account. */
const creditAccount = {
  anyOf: [{ type: 'string', pattern: account.pattern }, { const: 'standard' }],
  description: 'must be an account number (4 to 20 digits) or "standard"',
} as const;

/**
 * The issuer's credit accounts (001 §27): each left out (or "standard") is the standard Dankort
 * account; at least one is given, so that an empty body is refused like every other route's.
 */
export const accountsBody = validator<AccountsBody>(
  body({ insufficientFunds: creditAccount, other: creditAccount }, [], {
    allOf: [
      {
        anyOf: [{ required: ['insufficientFunds'] }, { required: ['other'] }],
        description: 'must give at least one of insufficientFunds, other',
      },
    ],
  }),
);

export const notaOrderBody = validator<{ entry: string }>(body({ entry }, ['entry']));

export const notaArrivalBody = validator<{ signed: boolean }>(
  body({ signed: { type: 'boolean', description: 'must be true (the nota is signed) or false' } }, ['signed']),
);

export const representmentBody = validator<{ amount?: number; text: string }>(
  body({ amount: positive, text: text(500) }, ['text']),
);

export const contestBody = validator<{ text: string }>(body({ text: text(500) }, ['text']));

export const decisionBody = validator<{ for: 'issuer' | 'merchant'; text: string }>(
  body({ for: oneOf(['issuer', 'merchant']), text: text(500) }, ['for', 'text']),
);
