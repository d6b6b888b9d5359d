/**
 * Fault rules for terminal vendors' testers (token role vendor): create, list, remove
 * (docs/ADMIN-API.md, "Fault injection"). A card is named by its PAN in the body and kept only as
 * its card id; the PAN never comes back. The body is checked with ajv: every problem at once,
 * no value quoted back.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { luhnValid } from '../card/luhn.js';
import type { FaultInjector } from '../faults/injector.js';
import {
  FAULT_KINDS,
  type FaultKind,
  MAX_DELAY_MS,
  MAX_FAULT_SCRIPT_BYTES,
  MAX_TIMES,
  type NewFaultRule,
} from '../faults/rule.js';
import { TlvError, decodeTlv } from '../codec/tlv.js';
import type { ApiContext } from './api.js';
import { readJsonBody } from './body.js';
import { type Problem, invalid, shownKey } from './schemas.js';
import type { AdminRoute } from './server.js';

/** The body of POST /faults. */
export interface FaultBody {
  terminal?: string;
  pan?: string;
  mti?: string;
  kind: FaultKind;
  ms?: number;
  code?: string;
  script?: string;
  times?: number | 'always';
}

/** A parameter of one kind: required with it, refused with any other. */
const onlyFor = (kind: FaultKind, property: string) => ({
  if: { properties: { kind: { const: kind } }, required: ['kind'] },
  then: { required: [property] },
  else: { not: { required: [property] }, description: `${property} is only for kind ${kind}` },
});

const FAULT_BODY_SCHEMA = {
  type: 'object',
  description: 'must be a JSON object',
  properties: {
    // Field 41 is matched without its trailing spaces, so a rule's terminal id has none.
    terminal: {
      type: 'string',
      pattern: '^[\\x20-\\x7e]{0,7}[\\x21-\\x7e]$',
      description: 'must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space',
    },
    pan: {
      type: 'string',
      pattern: '^[0-9]{12,19}$',
      format: 'luhn',
      description: 'must be a card number: 12 to 19 digits with a valid check digit',
    },
    mti: {
      type: 'string',
      pattern: '^[0-9]{2}[02468][0-9]$',
      description: 'must be a request MTI: 4 digits, the third even (e.g. 1200)',
    },
    kind: { enum: [...FAULT_KINDS], description: `must be one of ${FAULT_KINDS.join(', ')}` },
    ms: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_DELAY_MS,
      description: `must be a whole number of milliseconds from 1 to ${MAX_DELAY_MS}`,
    },
    code: {
      type: 'string',
      pattern: '^(?:[0-9]{3}|[0-9A-Z]{2})$',
      description: 'must be an action code: 3 digits (1993, e.g. 116) or 2 characters (1987, e.g. 51)',
    },
    script: {
      type: 'string',
      pattern: `^(?:[0-9A-Fa-f]{2}){1,${MAX_FAULT_SCRIPT_BYTES}}$`,
      format: 'script-templates',
      description: `must be issuer script templates in hex: one or more BER-TLV objects of tag 71 or 72, at most ${MAX_FAULT_SCRIPT_BYTES} bytes`,
    },
    times: {
      anyOf: [{ type: 'integer', minimum: 1, maximum: MAX_TIMES }, { const: 'always' }],
      description: `must be a whole number from 1 to ${MAX_TIMES}, or "always"`,
    },
  },
  required: ['kind'],
  additionalProperties: false,
  allOf: [
    {
      anyOf: [{ required: ['terminal'] }, { required: ['pan'] }],
      description: 'must give at least one of terminal, pan',
    },
    onlyFor('delay', 'ms'),
    onlyFor('actionCode', 'code'),
    onlyFor('script', 'script'),
  ],
} as const;

const ajv = new Ajv({ allErrors: true });
ajv.addFormat('luhn', { type: 'string', validate: luhnValid });
ajv.addFormat('script-templates', { type: 'string', validate: isScriptTemplates });
const check = ajv.compile(FAULT_BODY_SCHEMA);

/** Hex that reads as BER-TLV objects, each a template 71 or 72 (the pattern checks the hex itself). */
function isScriptTemplates(hex: string): boolean {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) return false;
  try {
    return decodeTlv(Buffer.from(hex, 'hex')).every((o) => o.tag === '71' || o.tag === '72');
  } catch (e) {
    if (e instanceof TlvError) return false;
    throw e;
  }
}

/** The body, typed, when it is a valid rule; else 400 with every problem found. */
export function validateFaultBody(value: unknown): FaultBody {
  if (check(value)) return value as FaultBody;
  throw invalid('body', problemsOf(check.errors!));
}

function problemsOf(errors: ErrorObject[]): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    // An anyOf's branches and an "if" itself: the anyOf's and the then/else's own errors say it better.
    if (e.schemaPath.includes('/anyOf/') || e.keyword === 'if') continue;
    let problem: Problem;
    if (e.keyword === 'required')
      problem = { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
    else if (e.keyword === 'additionalProperties')
      problem = {
        path: `${e.instancePath}/${shownKey(String(e.params.additionalProperty))}`,
        message: 'is not allowed',
      };
    else problem = { path: e.instancePath || '/', message: descriptionAt(e.schemaPath) };
    // A value can fail several keywords of one field (pattern and format): one message is enough.
    if (!out.some((p) => p.path === problem.path && p.message === problem.message)) out.push(problem);
  }
  return out;
}

/** The description of the schema node holding the failed keyword ('#/properties/pan/pattern' -> properties.pan); every node that can fail has one. */
function descriptionAt(schemaPath: string): string {
  let node: unknown = FAULT_BODY_SCHEMA;
  for (const part of schemaPath.split('/').slice(1, -1)) node = (node as Record<string, unknown>)[part];
  return (node as { description: string }).description;
}

export function faultRoutes(api: ApiContext, faults: FaultInjector): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/faults',
      access: ['vendor'],
      handle: async (_, req) => {
        const { pan, times, ...rest } = validateFaultBody(await readJsonBody(req));
        // The PAN stops here: the rule keeps the card id, as the register names cards.
        const spec: NewFaultRule = {
          ...rest,
          ...(pan === undefined ? {} : { card: api.register.idOf(pan) }),
          times: times ?? 1,
        };
        const result = await faults.create(spec);
        if (!result.ok) return { status: 409, body: { error: result.reason } };
        api.log.info(
          {
            rule: result.rule.id,
            fault: spec.kind,
            terminal: spec.terminal,
            card: spec.card,
            mti: spec.mti,
            times: spec.times,
          },
          'fault rule created',
        );
        return { status: 201, body: result.rule, headers: { location: `/faults/${result.rule.id}` } };
      },
    },
    {
      method: 'GET',
      path: '/faults',
      access: ['vendor'],
      handle: async () => {
        return { status: 200, body: { rules: await faults.list() } };
      },
    },
    {
      method: 'DELETE',
      path: '/faults/:id',
      access: ['vendor'],
      handle: async ({ id }) => {
        const removed = await faults.remove(id!);
        if (removed === undefined) return { status: 404, body: { error: 'no such fault rule' } };
        api.log.info({ rule: removed.id, fault: removed.kind }, 'fault rule removed');
        return { status: 200, body: removed };
      },
    },
  ];
}
