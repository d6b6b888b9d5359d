/**
 * JSON Schemas of the admin API's request bodies and query, and their validation. Every problem
 * is reported at once as { path, message }; a message says what the value must be, from the
 * field's `description`, and never quotes the value (a PAN or a PIN must not come back in an
 * answer). Unknown properties are refused (additionalProperties: false), so a typo is an error.
 */
import type { IncomingMessage } from 'node:http';
import type { BlockReason, NewCard } from '../card/card-register.js';
import { BLOCK_REASONS, HOLDER_REASONS } from '../card/block-history.js';
import { NOTICE_TYPES } from '../notices/notice-relay.js';
import { Ajv, type ErrorObject } from 'ajv';
import { PRODUCT_PATTERN } from '../config/schema.js';
import { luhnValid } from '../card/luhn.js';
import { isCalendarDate } from '../time/dates.js';
import { HttpError } from './server.js';
import type { ScriptRequest } from '../card/issuer-scripts.js';
import { MAX_COMMAND_DATA } from '../card/script-commands.js';

/** The commands an issuer may queue (src/card/script-commands.ts). */
export const SCRIPT_COMMANDS = ['pinUnblock', 'applicationBlock', 'applicationUnblock', 'putData', 'apdu'] as const;
/** Hex of `min` to `max` bytes. */
const hexBytes = (min: number, max: number, what: string) =>
  ({
    type: 'string',
    pattern: `^(?:[0-9A-Fa-f]{2}){${min},${max}}$`,
    description: `must be ${what}: ${min} to ${max} bytes in hex`,
  }) as const;

export interface Problem {
  /** JSON pointer of the offending value ('/' for the body itself). */
  path: string;
  message: string;
}

export const pan = {
  type: 'string',
  pattern: '^[0-9]{12,19}$',
  format: 'luhn',
  description: 'must be a card number: 12 to 19 digits with a valid check digit',
} as const;
const digits = (min: number, max: number, description: string) =>
  ({ type: 'string', pattern: `^[0-9]{${min},${max}}$`, description }) as const;
/**
 * Free text: it ends up in the issuer's notice, which the register's Lua script decodes with
 * cjson, and cjson refuses a lone UTF-16 surrogate (JSON.stringify writes it as \\ud800): such a
 * text is refused here (format well-formed), not failed on in the middle of a change.
 */
export const text = (max: number) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    pattern: '\\S',
    format: 'well-formed',
    description: `must be text of 1 to ${max} characters (well-formed Unicode), not only spaces`,
  }) as const;
export const amount = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'must be a whole number of øre, 0 or more',
} as const;
const isoTime = {
  type: 'string',
  format: 'iso-time',
  description: 'must be an ISO 8601 time with its offset, e.g. 2025-03-01T14:05:00+01:00',
} as const;
export const CARD_ID_PATTERN = '^[0-9a-f]{32}$';
export const cardId = {
  type: 'string',
  pattern: CARD_ID_PATTERN,
  description: 'must be a card id (32 lowercase hex digits)',
} as const;
export const account = digits(4, 20, 'must be an account number: 4 to 20 digits');
/** A Danish personal number (CPR), with or without its hyphen: DDMMYY-NNNN. */
const personalNumber = {
  type: 'string',
  pattern: '^[0-9]{6}-?[0-9]{4}$',
  description: 'must be a personal number: DDMMYY-NNNN or 10 digits',
} as const;

export const oneOf = (values: readonly string[], why = '') =>
  ({ enum: values, description: `must be one of ${values.join(', ')}${why}` }) as const;

/** The reasons an issuer blocks with: every one but the fraud monitoring's own (docs/MONITORING.md). */
export const ISSUER_REASONS = BLOCK_REASONS.filter((r) => r !== 'fraud');
/** A block service reference number: 10 digits (src/blocking/block-references.ts), or a test card's documented one. */
const reference = {
  type: 'string',
  pattern: '^[0-9A-Z-]{1,20}$',
  description: 'must be a reference number: 1 to 20 digits, capital letters or "-"',
} as const;

export const body = (properties: Record<string, object>, required: string[], extra: object = {}) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  description: 'must be a JSON object',
  ...extra,
});

/** A card as the register takes it, the issuer coming from the token, plus the holder's personal number for the block service's index. */
export type RegisterBody = Omit<NewCard, 'issuer'> & { personalNumber?: string };

export interface BlockReportBody {
  name: string;
  address: string;
  cardNumber?: string;
  accountNumber?: string;
  personalNumber?: string;
  /** A card id, to choose among several cards the holder numbers match (see the 409 answer). */
  card?: string;
  bank: string;
  reason: (typeof HOLDER_REASONS)[number];
  reportedAt?: string;
  statement?: string;
}

export interface NoticesQuery {
  card?: string;
  reference?: string;
  /** Comma-separated notice types. */
  type?: string;
  since?: string;
  until?: string;
  limit?: string;
}

const SCHEMAS = {
  register: body(
    {
      pan,
      product: {
        type: 'string',
        pattern: PRODUCT_PATTERN,
        description: 'must be a product name: letters, digits, ".", "_", "-" (at most 64)',
      },
      expiry: {
        type: 'string',
        pattern: '^[0-9]{2}(?:0[1-9]|1[0-2])$',
        description: 'must be the expiry month as YYMM',
      },
      pin: digits(4, 12, 'must be a PIN of 4 to 12 digits'),
      activationCode: digits(4, 12, 'must be an activation code of 4 to 12 digits'),
      cvc: digits(3, 3, "must be the card's three check digits (CVC)"),
      panSequence: digits(2, 2, 'must be the PAN sequence number of a chip card with keys (2 digits)'),
      account,
      balance: amount,
      currency: digits(3, 3, 'must be a numeric ISO 4217 currency code (3 digits, e.g. 208)'),
      status: { enum: ['registered', 'active'], description: 'must be one of registered, active' },
      personalNumber,
    },
    ['pan', 'product', 'expiry', 'pin', 'activationCode', 'account', 'balance', 'currency'],
  ),
  lookup: body({ pan }, ['pan']),
  activate: body({ pan, activationCode: digits(4, 12, 'must be an activation code of 4 to 12 digits') }, [
    'pan',
    'activationCode',
  ]),
  balance: body({ balance: amount }, ['balance']),
  block: body(
    {
      reason: oneOf(ISSUER_REASONS, " (fraud is the fraud monitoring's reason: its blocks are the monitoring's)"),
      statement: text(2000),
      // When the holder reported it, if the issuer blocks later than that (docs/ADMIN-API.md).
      reportedAt: isoTime,
    },
    ['reason'],
  ),
  // The issuer's verdict on a monitoring block (docs/MONITORING.md, "Feedback and tuning").
  monitoringFeedback: body(
    {
      justified: { type: 'boolean', description: 'must be true or false: was the block justified' },
      text: text(500),
      // Which monitoring block, when the card had several; default the latest.
      blockedAt: isoTime,
    },
    ['justified'],
  ),
  blockReport: body(
    {
      name: text(200),
      address: text(500),
      cardNumber: pan,
      accountNumber: account,
      personalNumber,
      card: cardId,
      bank: text(200),
      reason: oneOf(HOLDER_REASONS),
      reportedAt: isoTime,
      statement: text(2000),
    },
    ['name', 'address', 'bank', 'reason'],
    {
      // Wrapped so that the anyOf's own error finds a description; its branches' errors are dropped.
      allOf: [
        {
          anyOf: [{ required: ['cardNumber'] }, { required: ['accountNumber'] }, { required: ['personalNumber'] }],
          description: 'must give at least one of cardNumber, accountNumber, personalNumber',
        },
      ],
    },
  ),
  notices: body(
    {
      card: cardId,
      reference,
      type: {
        type: 'string',
        pattern: `^(?:${NOTICE_TYPES.join('|')})(?:,(?:${NOTICE_TYPES.join('|')}))*$`,
        description: `must be one or more of ${NOTICE_TYPES.join(', ')}, separated by commas`,
      },
      since: isoTime,
      until: isoTime,
      limit: {
        type: 'string',
        pattern: '^(?:[1-9][0-9]{0,2}|1000)$',
        description: 'must be a whole number from 1 to 1000',
      },
    },
    [],
    { description: 'must be a query string' },
  ),
  // An issuer script (docs/ADMIN-API.md, "Issuer scripts"): which parameters go with which command is checked in card-routes.ts.
  script: body(
    {
      commands: {
        type: 'array',
        minItems: 1,
        maxItems: 4,
        description: 'must be a list of 1 to 4 commands',
        items: body(
          {
            command: oneOf(SCRIPT_COMMANDS),
            tag: {
              type: 'string',
              pattern: '^(?:[0-9A-Fa-f]{2}){1,2}$',
              description: 'must be a data object tag: 2 or 4 hex digits (e.g. 9F4F)',
            },
            value: hexBytes(0, MAX_COMMAND_DATA, 'the value'),
            apdu: {
              type: 'string',
              pattern: `^[0-9A-Fa-f]{8}(?:[0-9A-Fa-f]{2}){0,${MAX_COMMAND_DATA}}$`,
              description: `must be a command: CLA INS P1 P2 and 0 to ${MAX_COMMAND_DATA} bytes of data, in hex, without Lc and MAC`,
            },
          },
          ['command'],
        ),
      },
      template: { enum: ['71', '72'], description: 'must be 71 (before the final GENERATE AC) or 72 (after it)' },
    },
    ['commands'],
  ),
} as const;

interface Shapes {
  register: RegisterBody;
  lookup: { pan: string };
  activate: { pan: string; activationCode: string };
  balance: { balance: number };
  block: { reason: BlockReason; statement?: string; reportedAt?: string };
  monitoringFeedback: { justified: boolean; text?: string; blockedAt?: string };
  blockReport: BlockReportBody;
  notices: NoticesQuery;
  script: ScriptRequest;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 time with an offset, whose date exists (Date.parse takes 30 February). */
export function isIsoTime(s: string): boolean {
  const m = ISO_TIME.exec(s);
  if (m === null) return false;
  const [y, mo, d, h, mi, sec = '0', oh = '0', om = '0'] = m.slice(1).map((v) => v ?? '0') as string[];
  return (
    isCalendarDate(`${y}-${mo}-${d}`) &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(sec) < 60 &&
    Number(oh) < 24 &&
    Number(om) < 60
  );
}

/** Every UTF-16 surrogate in a pair (String.prototype.isWellFormed, which ES2022's types lack). */
const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

function isWellFormed(s: string): boolean {
  return WELL_FORMED.test(s);
}

const ajv = new Ajv({ allErrors: true });
ajv.addFormat('luhn', { type: 'string', validate: luhnValid });
ajv.addFormat('iso-time', { type: 'string', validate: isIsoTime });
ajv.addFormat('well-formed', { type: 'string', validate: isWellFormed });
ajv.addFormat('calendar-date', { type: 'string', validate: isCalendarDate });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]));

/** The value, typed, when it matches the schema; else 400 with every problem found. */
export function validate<K extends keyof Shapes>(name: K, value: unknown, what = 'body'): Shapes[K] {
  const check = validators[name]!;
  if (check(value)) return value as Shapes[K];
  throw invalid(what, problemsOf(SCHEMAS[name], check.errors ?? []));
}

/**
 * A validator for a schema of another routes' file (dispute-schemas.ts), with the same formats and
 * problems as validate(): the value, typed, when it matches; else 400 with every problem found.
 */
export function validator<T>(schema: object): (value: unknown, what?: string) => T {
  const check = ajv.compile(schema);
  return (value, what = 'body') => {
    if (check(value)) return value as T;
    throw invalid(what, problemsOf(schema, check.errors ?? []));
  };
}

/** 400 naming every problem; `what` is 'body' or 'query'. */
export function invalid(what: string, problems: Problem[]): HttpError {
  return new HttpError(400, { error: `invalid request ${what}`, problems });
}

function problemsOf(schema: object, errors: ErrorObject[]): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.schemaPath.includes('/anyOf/')) continue; // the branches of "at least one of": their anyOf says it better
    let problem: Problem;
    if (e.keyword === 'required')
      problem = { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
    else if (e.keyword === 'additionalProperties')
      problem = {
        path: `${e.instancePath}/${shownKey(String(e.params.additionalProperty))}`,
        message: 'is not allowed',
      };
    else
      problem = {
        path: e.instancePath || '/',
        message: descriptionAt(schema, e.schemaPath) ?? e.message ?? 'is invalid',
      };
    // A value can fail several keywords of one field (pattern and format): one message is enough.
    if (!out.some((p) => p.path === problem.path && p.message === problem.message)) out.push(problem);
  }
  return out;
}

/** The query string as an object; a parameter given twice is an error rather than a guess at which one counts. */
export function queryOf(req: IncomingMessage): Record<string, string> {
  const params = new URL(req.url ?? '/', 'http://admin').searchParams;
  // No prototype: "__proto__" must arrive as an (unknown) parameter, not as a prototype assignment.
  const out = Object.create(null) as Record<string, string>;
  const problems: Problem[] = [];
  for (const [key, value] of params) {
    if (Object.hasOwn(out, key)) problems.push({ path: `/${shownKey(key)}`, message: 'must be given once' });
    out[key] = value;
  }
  if (problems.length > 0) throw invalid('query', problems);
  return out;
}

/** 400 naming every parameter of a query string sent to a route that takes none (an empty `?` is no parameter). */
export function refuseQuery(req: IncomingMessage): void {
  const keys = new Set(new URL(req.url!, 'http://admin').searchParams.keys());
  const paths = new Set([...keys].map((key) => `/${shownKey(key)}`));
  if (paths.size > 0)
    throw invalid(
      'query',
      [...paths].map((path) => ({ path, message: 'is not allowed' })),
    );
}

/** An unknown key is echoed only when it looks like a name: a key could be a PAN sent by mistake. */
export function shownKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) && !/[0-9]{4}/.test(key) ? key : '(an unknown property)';
}

/** The description of the schema that holds the failed keyword (schemaPath '#/properties/pan/pattern' -> properties.pan). */
function descriptionAt(schema: object, schemaPath: string): string | undefined {
  let node: unknown = schema;
  for (const part of schemaPath.split('/').slice(1, -1)) node = (node as Record<string, unknown> | undefined)?.[part];
  const d = (node as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
}
