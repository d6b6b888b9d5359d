/**
 * JSON Schema (draft-07, ajv 8's default) of a config *file*: every key is optional because the
 * file is merged onto DEFAULT_CONFIG, except a listener's `name` and `port`, which have no
 * sensible default once there can be several listeners. `additionalProperties: false` everywhere
 * so that a typo ("prot") is reported instead of silently leaving the default in place.
 */
import { SHIPPED_DIALECTS } from '../codec/index.js';
import { LENGTH_HEADERS } from '../transport/framing.js';

/** Switch processes on one host (node:cluster workers): far more than cores only costs memory. */
export const MAX_PROCESSES = 64;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const host = { type: 'string', minLength: 1 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
/** Durations end up in setTimeout, which fires at once (with a warning) above 2^31-1 ms. */
/** A local time of day, 'HH:MM' (24-hour). */
const localTime = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const durationMs = { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } as const;
/** A Redis Cluster seed node: 'host:port' (an IPv6 address in brackets), port 1 to 65535. */
export const CLUSTER_NODE_PATTERN = '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]/@]+):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';

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
  frameTimeoutMs: durationMs,
  firstFrameTimeoutMs: durationMs,
  // 0 turns keepalive off; otherwise whole seconds matter (the OS counts TCP_KEEPIDLE in seconds).
  tcpKeepAliveMs: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 },
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

/**
 * An issuer id. It becomes a Redis hash tag ({issuer}), so it is kept to letters, digits, '.', '_'
 * and '-'; and it is never empty, since the register reads '' as the block service.
 */
export const ISSUER_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** A card product name (dankort, visa-dankort, …): the key of an issuer's SMS templates. */
export const PRODUCT_PATTERN = ISSUER_ID_PATTERN;
/** The placeholders an SMS template may use; any other {…} is a typo, reported at start. */
export const SMS_PLACEHOLDERS = ['reference', 'maskedPan', 'time'] as const;

const issuerId = { type: 'string', pattern: ISSUER_ID_PATTERN } as const;

/**
 * A token is a secret shared with one issuer, the block service or the offline terminals' fetch
 * service: at least 16 visible ASCII characters (what fits an Authorization header), so that a
 * placeholder like "x" is refused.
 */
const adminToken = {
  type: 'object',
  properties: { role: { enum: ['issuer', 'blockService', 'offlineTerminals', 'vendor', 'operator'] }, issuer: issuerId },
  required: ['role'],
  additionalProperties: false,
  // An issuer token names its issuer; the block service's, the offline terminals' fetch
  // service's and terminal vendors' tokens name none (they act for every issuer).
  if: { properties: { role: { const: 'issuer' } } },
  then: { required: ['issuer'] },
  else: { not: { required: ['issuer'] } },
} as const;

const smsTemplate = {
  type: 'string',
  minLength: 1,
  maxLength: 640,
  pattern: `^(?:[^{}]|\\{(?:${SMS_PLACEHOLDERS.join('|')})\\})*$`,
} as const;

export const CONFIG_FILE_SCHEMA = object({
  listeners: { type: 'array', minItems: 1, items: listener },
  admin: object({
    host,
    port,
    tokens: {
      type: 'object',
      propertyNames: { minLength: 16, pattern: '^[\\x21-\\x7e]+$' },
      additionalProperties: adminToken,
    },
  }),
  redis: object({
    url: { type: 'string', pattern: '^rediss?://' },
    cluster: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: CLUSTER_NODE_PATTERN } },
    keyPrefix: { type: 'string' },
    commandTimeoutMs: durationMs,
  }),
  shutdownTimeoutMs: durationMs,
  processes: { type: 'integer', minimum: 1, maximum: MAX_PROCESSES },
  trace: object({ perTerminal: positive }),
  log: object({ level: { enum: [...LOG_LEVELS] } }),
  register: object({
    secret: { type: 'string', pattern: '^([0-9a-fA-F]{2}){16,}$' },
    reservationLapseDays: { type: 'integer', minimum: 1, maximum: 31 },
    timeZone: { type: 'string', minLength: 1 },
    pendingBlocksFile: { type: 'string', minLength: 1 },
    dataKey: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    transactionRetentionDays: { type: 'integer', minimum: 1, maximum: 400 },
    contactless: object({ limit: positive, maxCount: positive, maxSum: positive }),
  }),
  issuers: {
    type: 'object',
    propertyNames: { pattern: ISSUER_ID_PATTERN },
    additionalProperties: object(
      {
        smsTemplates: {
          type: 'object',
          propertyNames: { pattern: PRODUCT_PATTERN },
          additionalProperties: smsTemplate,
        },
      },
      ['smsTemplates'],
    ),
  },
  clearing: object({
    enabled: { type: 'boolean' },
    cutoffs: { type: 'array', items: localTime, minItems: 1, maxItems: 24, uniqueItems: true },
    directory: { type: 'string', minLength: 1 },
    queuePrefix: { type: 'string', minLength: 1, pattern: '^[^:]+$' },
    blockList: object({ time: localTime, directory: { type: 'string', minLength: 1 } }),
  }),
  terminals: object({ keyFile: { type: 'string', minLength: 1 } }),
});
