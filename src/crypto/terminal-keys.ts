/**
 * Terminals' PIN keys (and models) from the key file. A terminal not in the file uses the
 * file's default key; without a file every terminal uses the documented test key. An ATM (model
 * 'atm') also names the bank that owns it (`owner`, an issuer id): a withdrawal at the card
 * issuer's own ATM and one at another bank's are priced apart (docs/SCHEME.md, Channels).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ISSUER_ID_PATTERN } from '../config/schema.js';

export const TERMINAL_MODELS = [
  'dkt1',
  'dkt1plus',
  'oem',
  'psam',
  'contactless',
  'fuel',
  'ticket',
  'gateway',
  'atm',
] as const;

export type TerminalModel = (typeof TERMINAL_MODELS)[number];

export interface TerminalKey {
  /** ISO 9564 PIN block format: 0 under triple DES, 4 under AES-128. */
  format: 0 | 4;
  key: Buffer;
  model?: TerminalModel;
  /** An ATM's: the issuer id of the bank owning it. */
  owner?: string;
}

/** The documented test key (docs/TEST-CARDS.md): double-length triple DES, format 0. */
export const TEST_PIN_KEY: TerminalKey = { format: 0, key: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex') };

const entry = {
  type: 'object',
  properties: {
    format: { enum: [0, 4] },
    key: { type: 'string', pattern: '^([0-9a-fA-F]{32}|[0-9a-fA-F]{48})$' },
    model: { enum: TERMINAL_MODELS },
    owner: { type: 'string', pattern: ISSUER_ID_PATTERN },
  },
  required: ['format', 'key'],
  additionalProperties: false,
  // An ATM names its owner, and only an ATM has one.
  if: { properties: { model: { const: 'atm' } }, required: ['model'] },
  then: { required: ['owner'] },
  else: { not: { required: ['owner'] } },
};
const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  properties: {
    _comment: { type: 'string' },
    default: entry,
    terminals: { type: 'object', additionalProperties: entry },
  },
  additionalProperties: false,
});

interface KeyEntry {
  format: 0 | 4;
  key: string;
  model?: TerminalModel;
  owner?: string;
}

export class TerminalKeys {
  private constructor(
    private readonly fallback: TerminalKey,
    private readonly terminals: Map<string, TerminalKey>,
  ) {}

  static testKeys(): TerminalKeys {
    return new TerminalKeys(TEST_PIN_KEY, new Map());
  }

  static fromFile(path: string): TerminalKeys {
    return TerminalKeys.fromJson(JSON.parse(readFileSync(path, 'utf8')), path);
  }

  static fromJson(json: unknown, source = 'key file'): TerminalKeys {
    if (!validate(json)) {
      const problems = (validate.errors ?? [])
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
        .join('; ');
      throw new Error(`${source}: ${problems}`);
    }
    const file = json as { default?: KeyEntry; terminals?: Record<string, KeyEntry> };
    const toKey = (e: KeyEntry): TerminalKey => {
      if (e.format === 4 && e.key.length !== 32) throw new Error(`${source}: a format 4 (AES-128) key has 16 bytes`);
      return {
        format: e.format,
        key: Buffer.from(e.key, 'hex'),
        ...(e.model ? { model: e.model } : {}),
        ...(e.owner ? { owner: e.owner } : {}),
      };
    };
    const terminals = new Map(Object.entries(file.terminals ?? {}).map(([id, e]) => [id, toKey(e)]));
    return new TerminalKeys(file.default ? toKey(file.default) : TEST_PIN_KEY, terminals);
  }

  keyFor(terminalId: string | undefined): TerminalKey {
    return (terminalId === undefined ? undefined : this.terminals.get(terminalId)) ?? this.fallback;
  }
}
