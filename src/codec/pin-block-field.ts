/**
 * A dialect whose field 52 (PIN data) takes up to 16 bytes with a 2-digit length prefix instead of
 * 8 fixed bytes: an ISO 9564 format 4 block (AES, 16 bytes) does not fit the 8 bytes ISO 8583
 * gives the field, and a format 0 block (8 bytes) still does. The prefix is written as the
 * dialect's other LL fields are (ASCII digits, or BCD in a binary dialect); the variant is named
 * `<dialect>+pin16`.
 */
import { Dialect } from './dialect.js';

const variants = new Map<string, Dialect>();

export function withVariablePinBlock(base: Dialect): Dialect {
  const name = `${base.name}+pin16`;
  let d = variants.get(name);
  if (d === undefined) {
    const spec = base.toJSON();
    const f52 = spec.fields['52'];
    if (f52 === undefined) throw new Error(`dialect ${base.name} has no field 52`);
    const prefixEncoding = spec.mti.encoding === 'bcd' ? 'bcd' : 'ascii';
    d = new Dialect({
      ...spec,
      name,
      fields: { ...spec.fields, 52: { ...f52, length: 16, prefix: 'LL', prefixEncoding } },
    });
    variants.set(name, d);
  }
  return d;
}
