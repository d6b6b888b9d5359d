/**
 * The fraud monitoring's rule file as a JSON Schema (docs/MONITORING.md, "The rule file"): the
 * rules as data, each with an id, a description, the channels it watches and the parameters of
 * its kind. The types are derived from it (json-schema-to-ts), so the file, its check and the
 * code that reads it cannot drift apart.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { CHANNELS } from '../journal/posting.js';
import { MAX_RECENT } from './card-history.js';
import { MAX_TRIALS } from './terminal-trials.js';

const minutes = { type: 'integer', minimum: 1, maximum: 60 * 24 * 30 } as const;
const count = { type: 'integer', minimum: 1, maximum: 10_000 } as const;
/**
 * A count of one card's transactions in a pattern: the card keeps at most MAX_RECENT (the firing
 * one included), so a larger count could never be reached and the rule would never fire.
 */
const cardCount = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_RECENT - 1,
  description: `At most ${MAX_RECENT - 1}: a card keeps its last ${MAX_RECENT} transactions.`,
} as const;
/** Cards tried at one terminal: the terminal keeps its last MAX_TRIALS wrong PINs. */
const cardsTried = { type: 'integer', minimum: 2, maximum: MAX_TRIALS } as const;
/** øre */
const amount = { type: 'integer', minimum: 0, maximum: 999_999_999_999 } as const;

/** What every rule has, whatever its kind. */
const common = {
  id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,47}$', description: 'Named in blocks, notices and figures.' },
  description: { type: 'string', minLength: 1, maxLength: 400 },
  channels: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { enum: [...CHANNELS] },
    description: 'The channels whose transactions the rule looks at (src/journal/posting.ts Channel).',
  },
  enabled: { type: 'boolean', description: 'false: kept in the file, not evaluated (default true).' },
  spareTypical: {
    type: 'boolean',
    description:
      "true: the rule does not fire when every transaction of its pattern is typical of the card's own " +
      'history (docs/MONITORING.md, "Sparing the holder").',
  },
} as const;

const rule = <const K extends string, const P extends Record<string, unknown>, const R extends readonly string[]>(
  kind: K,
  params: P,
  required: R,
) =>
  ({
    type: 'object',
    properties: { kind: { const: kind }, ...common, ...params },
    required: ['kind', 'id', 'description', 'channels', ...required],
    additionalProperties: false,
  }) as const;

export const RULE_KINDS = {
  velocity: rule('velocity', { windowMinutes: minutes, maxCount: cardCount, maxAmount: amount }, ['windowMinutes']),
  otherBankAtm: rule('otherBankAtm', { windowMinutes: minutes, maxCount: cardCount, maxPlaces: cardCount }, [
    'windowMinutes',
  ]),
  ownAtmAmount: rule('ownAtmAmount', { above: amount, windowMinutes: minutes, minCount: cardCount }, [
    'above',
    'windowMinutes',
    'minCount',
  ]),
  cardTesting: rule('cardTesting', { windowMinutes: minutes, minCards: cardsTried }, ['windowMinutes', 'minCards']),
  remoteFailures: rule('remoteFailures', { windowMinutes: minutes, maxFailures: cardCount }, [
    'windowMinutes',
    'maxFailures',
  ]),
  impossibleTravel: rule('impossibleTravel', { minMinutes: minutes }, ['minMinutes']),
  firstAbroadAfterPin: rule('firstAbroadAfterPin', { windowMinutes: minutes }, ['windowMinutes']),
  contactlessBurst: rule(
    'contactlessBurst',
    {
      windowMinutes: minutes,
      minCount: cardCount,
      nearLimitPercent: { type: 'integer', minimum: 1, maximum: 100 },
      limit: { ...amount, description: "The contactless no-PIN limit (øre); default: the register's." },
    },
    ['windowMinutes', 'minCount', 'nearLimitPercent'],
  ),
} as const;

export const RULE_FILE_SCHEMA = {
  type: 'object',
  properties: {
    description: { type: 'string' },
    sparing: {
      type: 'object',
      description: 'What makes a transaction typical of the card (docs/MONITORING.md, "Sparing the holder").',
      properties: {
        minHistory: { ...count, description: 'Approved transactions in the history before anything is typical.' },
        minMerchantUses: {
          ...count,
          description: 'Uses of a place (a merchant, else a terminal) before it is one of the card’s usual ones.',
        },
        amountFactor: {
          type: 'number',
          minimum: 1,
          maximum: 100,
          description: 'An amount up to this many times the largest in the history is usual.',
        },
      },
      additionalProperties: false,
    },
    rules: {
      type: 'array',
      items: {
        // ajv's discriminator: a rule is checked against its own kind's schema only, so a mistake is named once.
        type: 'object',
        discriminator: { propertyName: 'kind' },
        required: ['kind'],
        oneOf: [
          RULE_KINDS.velocity,
          RULE_KINDS.otherBankAtm,
          RULE_KINDS.ownAtmAmount,
          RULE_KINDS.cardTesting,
          RULE_KINDS.remoteFailures,
          RULE_KINDS.impossibleTravel,
          RULE_KINDS.firstAbroadAfterPin,
          RULE_KINDS.contactlessBurst,
        ],
      },
    },
  },
  required: ['rules'],
  additionalProperties: false,
} as const;

export type RuleFile = FromSchema<typeof RULE_FILE_SCHEMA>;
export type Rule = RuleFile['rules'][number];
export type RuleKind = Rule['kind'];
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;
export type Sparing = Required<NonNullable<RuleFile['sparing']>>;
