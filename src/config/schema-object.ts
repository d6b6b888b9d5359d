/** The config schema's building block (schema.ts, cash-schema.ts). */
import type { JSONSchema } from 'json-schema-to-ts';

/** A closed object: only `properties`, of which `required` must be there. */
export const object = <const P extends Record<string, JSONSchema>, const R extends readonly (keyof P & string)[] = []>(
  properties: P,
  required: R = [] as readonly string[] as R,
) => ({
  type: 'object' as const,
  properties,
  required,
  additionalProperties: false as const,
});
