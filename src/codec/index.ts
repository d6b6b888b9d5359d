/**
 * The ISO 8583 codec's public API:
 *   const d = dialect('iso93ascii'); d.pack(message) -> Buffer; d.unpack(buffer) -> message;
 *   d.describe(message) -> masked listing; loadDialect(json) / saveDialect(d) for custom dialects.
 */
import { readFileSync } from 'node:fs';
import { Dialect } from './dialect.js';
import { Iso8583Error } from './errors.js';
import type { IsoMessage } from './spec.js';

export { Dialect, type FieldLayout, loadDialect, saveDialect } from './dialect.js';
export { Iso8583Error } from './errors.js';
export { hiddenSubElements, maskPan, maskSubElements, maskTrack } from './mask.js';
export { describeIcc } from './icc-describe.js';
export type { DescribeOptions } from './describe.js';
export type * from './spec.js';

export const SHIPPED_DIALECTS = ['iso93ascii', 'iso87ascii', 'iso93binary'] as const;
export type ShippedDialect = (typeof SHIPPED_DIALECTS)[number];
export const DEFAULT_DIALECT: ShippedDialect = 'iso93ascii';

const loaded = new Map<string, Dialect>();

/** A shipped dialect by name, compiled once and shared. */
export function dialect(name: string = DEFAULT_DIALECT): Dialect {
  let d = loaded.get(name);
  if (d === undefined) {
    if (!(SHIPPED_DIALECTS as readonly string[]).includes(name)) {
      throw new Iso8583Error({ reason: `unknown dialect "${name}" (shipped: ${SHIPPED_DIALECTS.join(', ')})` });
    }
    d = new Dialect(JSON.parse(readFileSync(new URL(`./dialects/${name}.json`, import.meta.url), 'utf8')));
    loaded.set(name, d);
  }
  return d;
}

/** Packs with the default dialect (iso93ascii) unless another is named. */
export function pack(message: IsoMessage, dialectName: string = DEFAULT_DIALECT): Buffer {
  return dialect(dialectName).pack(message);
}

/** Unpacks with the default dialect (iso93ascii) unless another is named. */
export function unpack(buffer: Buffer, dialectName: string = DEFAULT_DIALECT): IsoMessage {
  return dialect(dialectName).unpack(buffer);
}

/** Describes with the default dialect (iso93ascii) unless another is named; masked unless clear. */
export function describe(message: IsoMessage, options: { clear?: boolean; dialect?: string } = {}): string {
  return dialect(options.dialect ?? DEFAULT_DIALECT).describe(message, options);
}
