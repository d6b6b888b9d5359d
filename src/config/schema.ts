/**
 * JSON Schema (draft-07, ajv 8's default) of a config *file*: every key is optional because the
 * file is merged onto DEFAULT_CONFIG, except a listener's `name` and `port`, which have no
 * sensible default once there can be several listeners. `additionalProperties: false` everywhere
 * so that a typo ("prot") is reported instead of silently leaving the default in place.
 *
 * This schema is the one source of the config's shape: src/config/types.ts derives the TypeScript
 * types from it (json-schema-to-ts's FromSchema), so everything here is `as const` (objects are
 * built by `object()` of schema-object.ts, whose const type parameters keep the literal types and check that
 * `required` names properties). What a key means is its `description` (ajv does not act on it).
 */
import { SHIPPED_DIALECTS } from '../codec/index.js';
import { LENGTH_HEADERS } from '../transport/framing.js';
import { object } from './schema-object.js';
import { CASH_SCHEMA } from './cash-schema.js';
import { TLS_SCHEMA } from './tls-schema.js';
import { MONITORING_SCHEMA } from './monitoring-schema.js';
import { DISPUTES_SCHEMA } from './disputes-schema.js';
import { CLEARING_SCHEMA } from './clearing-schema.js';
import { ISSUER_MASTER_KEYS_SCHEMA } from './emv-schema.js';
import { LISTENER_MESSAGE_SECURITY } from './message-security-schema.js';

/** Switch processes on one host (node:cluster workers): far more than cores only costs memory. */
export const MAX_PROCESSES = 64;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const host = { type: 'string', minLength: 1 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
/** Whether an internet purchase needs the holder's authentication (docs/SCHEME.md, "Remote purchases"). */
const internetAuthentication = { enum: ['required', 'optional'] } as const;
/** A local time of day, 'HH:MM' (24-hour). */
/** Durations end up in setTimeout, which fires at once (with a warning) above 2^31-1 ms. */
const durationMs = { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } as const;
/** A Redis Cluster seed node: 'host:port' (an IPv6 address in brackets), port 1 to 65535. */
export const CLUSTER_NODE_PATTERN =
  '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]/@]+):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';

const connections = object({
  maxConnections: {
    ...positive,
    description: 'Connections accepted at once on the listener; more are closed at once and counted.',
  },
  maxInFlight: {
    ...positive,
    description: 'Requests in flight on one connection; at the limit the switch stops reading from it.',
  },
  idleTimeoutMs: {
    ...durationMs,
    description: 'A connection with nothing received for this long is closed (keep-alive frames count).',
  },
  frameTimeoutMs: {
    ...durationMs,
    description:
      'A frame whose first byte has arrived must be whole within this, or the connection is closed: ' +
      'a client trickling bytes (a byte a second) cannot hold a slot by never finishing a frame. ' +
      'The clock stops while the switch itself is not reading (in-flight limit, write back-pressure).',
  },
  firstFrameTimeoutMs: {
    ...durationMs,
    description:
      'A new connection must send a whole frame (a keep-alive will do) within this, or it is closed: ' +
      'connections that open and say nothing (half-open, port scanners) give their slot back.',
  },
  // 0 turns keepalive off; otherwise whole seconds matter (the OS counts TCP_KEEPIDLE in seconds).
  tcpKeepAliveMs: {
    type: 'integer',
    minimum: 0,
    maximum: 2 ** 31 - 1,
    description:
      'TCP keepalive: probes start after this long without traffic, so that the OS finds a peer that ' +
      'vanished without a FIN or RST (power cut, cable pulled, NAT entry dropped); 0 turns it off.',
  },
});

const listener = object(
  {
    name: { type: 'string', minLength: 1 },
    host,
    port: { ...port, description: '0 picks a free port (tests).' },
    dialect: { enum: [...SHIPPED_DIALECTS] },
    framing: object({
      header: { enum: [...LENGTH_HEADERS] },
      tpdu: { type: 'boolean' },
      // The header kind may allow less (ascii4/bcd2: 9999); load.ts checks that across fields.
      maxFrameSize: { type: 'integer', minimum: 1, maximum: 65535 },
    }),
    connections,
    tls: { ...TLS_SCHEMA, description: 'TLS on this listener (absent: plain TCP); src/config/tls-schema.ts.' },
    ...LISTENER_MESSAGE_SECURITY,
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
/** A reservation's lifetime: the card terms (004) give 14 to 31 days. */
const reservationLapseDays = { type: 'integer', minimum: 14, maximum: 31 } as const;
/** øre; 0 refuses every unattended purchase without verification. */
const unattendedLimit = { type: 'integer', minimum: 0, maximum: 999_999_999_999 } as const;

/**
 * A token is a secret shared with one issuer, the block service or the offline terminals' fetch
 * service: at least 16 visible ASCII characters (what fits an Authorization header), so that a
 * placeholder like "x" is refused.
 */
const adminToken = {
  type: 'object',
  description: 'Who an admin API token speaks for.',
  properties: {
    role: {
      enum: ['issuer', 'blockService', 'offlineTerminals', 'vendor', 'operator'],
      description:
        "issuer: one issuer (its own cards only); blockService: the block service (any card, but only through the cardholder's block report); " +
        "offlineTerminals: the offline terminals' fetch service (the offline block list's files only, every issuer's cards); " +
        "vendor: a terminal vendor's testers (fault rules and the terminals' conformance view only); " +
        "operator: operations (readiness, metrics, terminal traces: a Prometheus scraper, the operators' tools).",
    },
    issuer: issuerId,
  },
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
      description:
        'Bearer tokens of the issuer and block-service API (docs/ADMIN-API.md), each naming who it ' +
        'speaks for. Empty (the default): that API answers 401 to everyone.',
      propertyNames: { minLength: 16, pattern: '^[\\x21-\\x7e]+$' },
      additionalProperties: adminToken,
    },
  }),
  redis: object({
    url: {
      type: 'string',
      pattern: '^rediss?://',
      description:
        'redis://host:port/db; when absent the switch probes 127.0.0.1:6379, then starts a private redis-server.',
    },
    cluster: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: CLUSTER_NODE_PATTERN },
      description:
        "Redis Cluster seed nodes, 'host:port' (a few masters are enough: the client learns the rest). " +
        'Instead of url: the switch then runs on the cluster (docs/OPERATIONS.md, "Redis Cluster").',
    },
    keyPrefix: {
      type: 'string',
      description: 'Prefix of every key the switch writes, so that several switches or test files can share one Redis.',
    },
    commandTimeoutMs: {
      ...durationMs,
      description: 'A register call slower than this is answered as register unavailable.',
    },
  }),
  shutdownTimeoutMs: {
    ...durationMs,
    description: 'Graceful shutdown: the most time given to answering requests already read.',
  },
  processes: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_PROCESSES,
    description:
      'Switch processes on this host sharing the listeners (node:cluster): 1 runs the switch in the ' +
      'process itself; N > 1 runs a supervisor that forks N workers (docs/OPERATIONS.md).',
  },
  trace: object({ perTerminal: { ...positive, description: 'Messages kept per terminal for the trace API.' } }),
  log: object({ level: { enum: [...LOG_LEVELS] } }),
  register: object({
    secret: {
      type: 'string',
      pattern: '^([0-9a-fA-F]{2}){16,}$',
      description:
        'Secret (hex, at least 16 bytes) keying the PAN hashes that name cards in Redis and the PIN ' +
        'verification values. The default is a documented test secret: set your own outside tests.',
    },
    reservationLapseDays: {
      ...reservationLapseDays,
      description:
        'Days an authorised amount stays reserved unless completed or reversed (004: 14 to 31), for the ' +
        'card products without a lifetime of their own in register.products.',
    },
    unattendedLimit: {
      ...unattendedLimit,
      description:
        'The most an unattended machine (bridge, parking, phone) takes without PIN or signature (004 §5.2), ' +
        'in øre, for the card products without a limit of their own in register.products.',
    },
    products: {
      type: 'object',
      description: 'Per card product (the product name of its cards): settings of its own.',
      propertyNames: { pattern: PRODUCT_PATTERN },
      additionalProperties: object(
        {
          reservationLapseDays: {
            ...reservationLapseDays,
            description:
              "Days an authorised amount of this product's cards stays reserved (004: 14 to 31); " +
              'default register.reservationLapseDays.',
          },
          unattendedLimit: {
            ...unattendedLimit,
            description:
              "The most an unattended machine takes without cardholder verification from this product's cards (øre).",
          },
          internetAuthentication: {
            ...internetAuthentication,
            description:
              "Whether an internet purchase with this product's cards needs the holder's authentication " +
              '(3-D Secure, MitID, or an attempt at it); default register.internetAuthentication.',
          },
          cash: {
            ...CASH_SCHEMA,
            description: "Cash at ATMs for this product's cards: each key given replaces register.cash's.",
          },
        },
        [],
      ),
    },
    issuerMasterKeys: ISSUER_MASTER_KEYS_SCHEMA,
    cash: {
      ...CASH_SCHEMA,
      description:
        'Cash at ATMs: withdrawal limits and fees of the card products without their own (register.products).',
    },
    internetAuthentication: {
      ...internetAuthentication,
      description:
        "'required': an internet purchase without the holder's authentication (field 48 sub-element 03 " +
        "absent or 'N') is refused (183 / 1A); 'optional': it is approved on the card's other rules. " +
        'For the card products without a setting of their own in register.products.',
    },
    timeZone: {
      type: 'string',
      minLength: 1,
      description: "Local time zone of expiry dates, clearing cut-offs and the offline block list's day.",
    },
    pendingBlocksFile: {
      type: 'string',
      minLength: 1,
      description:
        'Journal of blocks made while Redis was down, applied when it is back (also after a restart). ' +
        "Default: switch-pending-blocks-<key prefix>.jsonl in the system's temporary directory.",
    },
    dataKey: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{64}$',
      description:
        'AES-256 data key (hex, 32 bytes) under which the full PAN is kept, for the deliveries that ' +
        'need it (clearing files, offline block list). The default is a documented test key.',
    },
    transactionRetentionDays: {
      type: 'integer',
      minimum: 1,
      maximum: 400,
      description:
        "Days a transaction's record (its answer, for retransmissions; its state, for completions and reversals) is kept; " +
        "also how long a DUKPT device's used KSN counters are kept after its last use.",
    },
    contactless: object({
      limit: { ...positive, description: 'Largest PIN-less contactless payment, in øre (350.00 DKK).' },
      maxCount: {
        ...positive,
        description: 'PIN-less contactless payments in a row before chip and PIN is asked for.',
      },
      maxSum: {
        ...positive,
        description: 'Their largest sum, in øre (1,125.00 DKK), before chip and PIN is asked for.',
      },
    }),
  }),
  issuers: {
    type: 'object',
    description: 'Per issuer (the issuer id of its cards and tokens): what the switch does on its behalf.',
    propertyNames: { pattern: ISSUER_ID_PATTERN },
    additionalProperties: object(
      {
        blockService: {
          type: 'boolean',
          description:
            "Whether the issuer's cardholders may block their cards through the block service (001 §14: only " +
            'where the issuer has an agreement). Default true for an issuer listed here; an issuer not listed ' +
            'has no agreement, and its holders are told to call it.',
        },
        name: { type: 'string', minLength: 1, maxLength: 100, description: 'The name a holder is told to call.' },
        phone: {
          type: 'string',
          pattern: '^\\+?[0-9][0-9 -]{1,30}$',
          description: 'The phone number a holder is told to call when the block service cannot block the card.',
        },
        smsTemplates: {
          type: 'object',
          description:
            "SMS receipt of a block made at the block service, per card product, with 'default' for the " +
            'other products (the issuer chooses the text, which may differ per product). Placeholders: ' +
            '{reference}, {maskedPan}, {time}.',
          propertyNames: { pattern: PRODUCT_PATTERN },
          additionalProperties: smsTemplate,
        },
      },
      [],
    ),
  },
  currencies: {
    type: 'object',
    description:
      'Currencies accepted besides DKK (always accepted), by ISO 4217 numeric code: each amount is ' +
      'converted to DKK øre at its rate, rounded half up (src/currency/conversion.ts); a request in a ' +
      'currency not listed is refused (docs/PROTOCOL.md). Entries merge onto the default list.',
    propertyNames: { pattern: '^(?!208$)[0-9]{3}$' },
    additionalProperties: object(
      {
        code: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 letter code, for people.' },
        exponent: {
          type: 'integer',
          minimum: 0,
          maximum: 3,
          description: 'Minor-unit exponent: digits after the decimal point in field 4 (EUR 2, JPY 0).',
        },
        rate: {
          type: 'string',
          // Above zero, up to 9999, at most six decimals: kept exactly as millionths (no float).
          pattern: '^(?=.*[1-9])(0|[1-9][0-9]{0,3})(\\.[0-9]{1,6})?$',
          description: "DKK for one unit of the currency, e.g. '7.4603': at most 4 integer digits and 6 decimals.",
        },
      },
      ['exponent', 'rate'],
    ),
  },
  clearing: CLEARING_SCHEMA,
  terminals: object({
    keyFile: {
      type: 'string',
      minLength: 1,
      description:
        'JSON file of terminal PIN keys (see config/terminal-keys.example.json); absent: the documented test key for every terminal.',
    },
  }),
  monitoring: MONITORING_SCHEMA,
  disputes: DISPUTES_SCHEMA,
});
