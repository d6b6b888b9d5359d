/**
 * JSON Schema (draft-07, ajv 8's default) of a config *file*: every key is optional because the
 * file is merged onto DEFAULT_CONFIG, except a listener's `name` and `port`, which have no
 * sensible default once there can be several listeners. `additionalProperties: false` everywhere
 * so that a typo ("prot") is reported instead of silently leaving the default in place.
 */
import { SHIPPED_DIALECTS } from '../codec/index.js';
import { LENGTH_HEADERS } from '../transport/framing.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const host = { type: 'string', minLength: 1 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
/** Durations end up in setTimeout, which fires at once (with a warning) above 2^31-1 ms. */
const durationMs = { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } as const;

const object = (properties: Record<string, object>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const connections = object({
  maxConnections: positive,
  maxInFlight: positive,
  idleTimeoutMs: durationMs,
});

const listener = object(
  {
    name: { type: 'string', minLength: 1 },
    host,
    port,
    dialect: { enum: [...SHIPPED_DIALECTS] },
    framing: object({
      header: { enum: [...LENGTH_HEADERS] },
      tpdu: { type: 'boolean' },
      // The header kind may allow less (ascii4/bcd2: 9999); load.ts checks that across fields.
      maxFrameSize: { type: 'integer', minimum: 1, maximum: 65535 },
    }),
    connections,
  },
  ['name', 'port'],
);

export const CONFIG_FILE_SCHEMA = object({
  listeners: { type: 'array', minItems: 1, items: listener },
  admin: object({ host, port }),
  redis: object({
    url: { type: 'string', pattern: '^rediss?://' },
    keyPrefix: { type: 'string' },
    commandTimeoutMs: durationMs,
  }),
  shutdownTimeoutMs: durationMs,
  trace: object({ perTerminal: positive }),
  log: object({ level: { enum: [...LOG_LEVELS] } }),
  register: object({
    secret: { type: 'string', pattern: '^([0-9a-fA-F]{2}){16,}$' },
    reservationLapseDays: { type: 'integer', minimum: 1, maximum: 31 },
    timeZone: { type: 'string', minLength: 1 },
    contactless: object({ limit: positive, maxCount: positive, maxSum: positive }),
  }),
  terminals: object({ keyFile: { type: 'string', minLength: 1 } }),
});
