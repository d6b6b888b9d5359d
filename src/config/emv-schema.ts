/** The config schema of the EMV issuer master keys (register.issuerMasterKeys; schema.ts, docs/SECURITY.md §1, §6). */
import { object } from './schema-object.js';

/** A double-length triple DES key in hex (16 bytes). */
const doubleLengthKey = { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } as const;

/**
 * Per card product (its cards' product name): the issuer master keys from which each card's keys
 * are derived (EMV option A). A product without one has its chip purchases' cryptograms unchecked.
 */
export const ISSUER_MASTER_KEYS_SCHEMA = {
  type: 'object',
  description:
    "Per card product: the issuer master keys its cards' keys are derived from (EMV option A, docs/SECURITY.md §1). " +
    "A product without keys here has its cards' cryptograms (field 55) unchecked. The defaults are published test keys.",
  // The products' names, as register.products names them (schema.ts PRODUCT_PATTERN; not imported: schema.ts imports this file).
  propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
  additionalProperties: object({
    ac: {
      ...doubleLengthKey,
      description: 'IMK-AC: the master key of the application cryptograms (ARQC, ARPC), hex.',
    },
    smi: {
      ...doubleLengthKey,
      description:
        "IMK-SMI: the master key of the issuer scripts' MACs (secure messaging integrity), hex; without it the product's cards get no scripts (docs/SECURITY.md §2).",
    },
  }),
} as const;
