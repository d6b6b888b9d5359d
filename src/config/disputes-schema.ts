/** The config schema of the disputes (disputes; schema.ts, docs/DISPUTES.md). */
import { object } from './schema-object.js';

const ore = (what: string) =>
  ({
    type: 'integer',
    minimum: 0,
    maximum: 100_000_000_00,
    description: `øre: the payment guarantee of ${what}`,
  }) as const;

const GUARANTEE_OF = {
  chipPin: 'a purchase with the chip (or contactless) and PIN',
  magstripePin: 'a purchase with the magnetic stripe and PIN',
  signature: 'a purchase approved by signature',
  contactless: 'a contactless purchase without PIN',
  noVerification: 'a purchase with no verification (unattended machines)',
  remote: 'a remote sale (internet, mail or phone order)',
} as const;

export const DISPUTES_SCHEMA = object({
  guarantees: {
    ...object({
      chipPin: ore(GUARANTEE_OF.chipPin),
      magstripePin: ore(GUARANTEE_OF.magstripePin),
      signature: ore(GUARANTEE_OF.signature),
      contactless: ore(GUARANTEE_OF.contactless),
      noVerification: ore(GUARANTEE_OF.noVerification),
      remote: ore(GUARANTEE_OF.remote),
    }),
    description:
      'The payment guarantee per kind of transaction (001 §28; the seed lacks the appendix with the amounts): ' +
      'what a dispute for insufficient funds or third-party misuse at a PIN terminal cannot return.',
  },
});
