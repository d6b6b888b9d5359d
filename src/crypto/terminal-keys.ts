/**
 * Terminals' PIN keys (and models) from the key file. A terminal not in the file uses the
 * file's default key; without a file every terminal uses the documented test key. An ATM (model
 * 'atm') also names the bank that owns it (`owner`, an issuer id): a withdrawal at the card
 * issuer's own ATM and one at another bank's are priced apart (docs/SCHEME.md, Channels).
 *
 * A terminal may also have a MAC key (`macKey`: double-length, the retail MAC of its messages) and
 * take its PIN keys from DUKPT (`dukpt`: the name of its vendor's base derivation key, listed at
 * the top level under `dukpt`) instead of one fixed PIN key (docs/SECURITY.md, sections 3, 4, 6).
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

/** A terminal vendor's DUKPT base derivation key: triple DES (X9.24-1) or AES-128 (X9.24-3). */
export interface DukptVendor {
  name: string;
  algorithm: 'tdes' | 'aes128';
  bdk: Buffer;
}

export interface TerminalKey {
  /** ISO 9564 PIN block format: 0 under triple DES, 4 under AES-128. */
  format: 0 | 4;
  /** The fixed PIN key; empty for a DUKPT terminal (its key is derived per transaction). */
  key: Buffer;
  /** Double-length key (K1 || K2) of the retail MAC on the terminal's messages. */
  macKey?: Buffer;
  /** The terminal's PIN keys are DUKPT under this vendor's BDK. */
  dukpt?: DukptVendor;
  model?: TerminalModel;
  /** An ATM's: the issuer id of the bank owning it. */
  owner?: string;
}

/** The documented test key (docs/TEST-CARDS.md): double-length triple DES, format 0. */
export const TEST_PIN_KEY: TerminalKey = { format: 0, key: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex') };

const HEX32 = '^[0-9a-fA-F]{32}$';
const VENDOR_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const entry = {
  type: 'object',
  properties: {
    format: { enum: [0, 4] },
    key: { type: 'string', pattern: '^([0-9a-fA-F]{32}|[0-9a-fA-F]{48})$' },
    model: { enum: TERMINAL_MODELS },
    owner: { type: 'string', pattern: ISSUER_ID_PATTERN },
    macKey: { type: 'string', pattern: HEX32 },
    dukpt: { type: 'string', pattern: VENDOR_NAME },
  },
  required: ['format'],
  additionalProperties: false,
  allOf: [
    // An ATM names its owner, and only an ATM has one.
    {
      if: { properties: { model: { const: 'atm' } }, required: ['model'] },
      then: { required: ['owner'] },
      else: { not: { required: ['owner'] } },
    },
    // A fixed PIN key or DUKPT, exactly one of them.
    { oneOf: [{ required: ['key'] }, { required: ['dukpt'] }] },
  ],
};
const vendor = {
  type: 'object',
  properties: { algorithm: { enum: ['tdes', 'aes128'] }, bdk: { type: 'string', pattern: HEX32 } },
  required: ['algorithm', 'bdk'],
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  properties: {
    _comment: { type: 'string' },
    default: entry,
    terminals: { type: 'object', additionalProperties: entry },
    dukpt: { type: 'object', propertyNames: { pattern: VENDOR_NAME }, additionalProperties: vendor },
  },
  additionalProperties: false,
});

interface KeyEntry {
  format: 0 | 4;
  key?: string;
  model?: TerminalModel;
  owner?: string;
  macKey?: string;
  dukpt?: string;
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
    const file = json as {
      default?: KeyEntry;
      terminals?: Record<string, KeyEntry>;
      dukpt?: Record<string, { algorithm: 'tdes' | 'aes128'; bdk: string }>;
    };
    const vendors = new Map(
      Object.entries(file.dukpt ?? {}).map(([name, v]) => [
        name,
        { name, algorithm: v.algorithm, bdk: Buffer.from(v.bdk, 'hex') },
      ]),
    );
    const toKey = (e: KeyEntry): TerminalKey => {
      if (e.format === 4 && e.key !== undefined && e.key.length !== 32)
        throw new Error(`${source}: a format 4 (AES-128) key has 16 bytes`);
      const dukpt = e.dukpt === undefined ? undefined : vendors.get(e.dukpt);
      if (e.dukpt !== undefined && dukpt === undefined)
        throw new Error(`${source}: DUKPT vendor "${e.dukpt}" is not listed under dukpt`);
      // Triple-DES DUKPT encrypts format 0 blocks, AES DUKPT format 4 ones (X9.24-1, X9.24-3).
      if (dukpt !== undefined && e.format !== (dukpt.algorithm === 'tdes' ? 0 : 4))
        throw new Error(
          `${source}: DUKPT ${dukpt.algorithm} PIN blocks are format ${dukpt.algorithm === 'tdes' ? 0 : 4}`,
        );
      return {
        format: e.format,
        key: e.key === undefined ? Buffer.alloc(0) : Buffer.from(e.key, 'hex'),
        ...(e.model ? { model: e.model } : {}),
        ...(e.owner ? { owner: e.owner } : {}),
        ...(e.macKey ? { macKey: Buffer.from(e.macKey, 'hex') } : {}),
        ...(dukpt ? { dukpt } : {}),
      };
    };
    const terminals = new Map(Object.entries(file.terminals ?? {}).map(([id, e]) => [id, toKey(e)]));
    return new TerminalKeys(file.default ? toKey(file.default) : TEST_PIN_KEY, terminals);
  }

  keyFor(terminalId: string | undefined): TerminalKey {
    return (terminalId === undefined ? undefined : this.terminals.get(terminalId)) ?? this.fallback;
  }
}
