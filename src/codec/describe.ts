/**
 * describe(): a readable field-by-field listing with the dialect's field names. Card data is
 * masked by default (PAN first 6 + last 4, track data likewise, PIN block, MAC and other secrets
 * hidden, the secret sub-elements of field 48, the CVC, and the card data among field 55's EMV
 * data objects); `{ clear: true }` shows everything and is meant for a developer's own terminal only.
 */
import type { FieldSpec, IsoMessage, IsoValue } from './spec.js';
import { maskPan, maskSubElements, maskTrack } from './mask.js';
import { describeIcc } from './icc-describe.js';

export interface DescribeOptions {
  clear?: boolean;
}

interface FieldLookup {
  readonly name: string;
  field(n: number): FieldSpec | undefined;
}

export function describeMessage(dialect: FieldLookup, message: IsoMessage, options: DescribeOptions = {}): string {
  const lines: string[] = [`${dialect.name} MTI ${show(message[0])}`];
  for (const key of Object.keys(message)) {
    const n = Number(key);
    const value = message[n];
    if (n === 0 || n === 1 || value === undefined) continue;
    const spec = dialect.field(n);
    const name = spec?.name ?? 'not in dialect';
    lines.push(
      `${String(n).padStart(3)} ${name.padEnd(44).slice(0, 44)} ${renderValue(value, spec, options.clear === true)}`,
    );
  }
  return lines.join('\n');
}

function renderValue(value: IsoValue, spec: FieldSpec | undefined, clear: boolean): string {
  // A field the dialect does not know is treated as a secret: we cannot tell what it holds.
  const mask = clear ? undefined : (spec?.mask ?? (spec === undefined ? 'hide' : undefined));
  if (mask === 'hide') return `[hidden, ${value.length} ${Buffer.isBuffer(value) ? 'bytes' : 'characters'}]`;
  const text = Buffer.isBuffer(value) ? value.toString('hex').toUpperCase() : value;
  if (mask === 'pan') return maskPan(text);
  if (mask === 'track') return maskTrack(text);
  if (mask === 'subElements') return JSON.stringify(maskSubElements(text, spec?.hiddenTags ?? []));
  if (mask === 'icc') return describeIcc(value);
  return Buffer.isBuffer(value) ? `${text} (${value.length} bytes)` : JSON.stringify(text);
}

function show(value: IsoValue | undefined): string {
  return typeof value === 'string' ? value : '(none)';
}
