/**
 * The small conversions a scenario run needs: DKK amounts, fresh PANs and wrong PINs, the MTIs a
 * scenario writes for either ISO version, and `${name}` variables; and the error that ends a step.
 */
import { randomInt } from 'node:crypto';
import type { Dialect } from '../../src/codec/index.js';
import { codeSetOf } from '../../src/messages/action-codes.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';

/** A step cannot go on: the reason is its failure. */
export class StepFailure extends Error {}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** "125.50" DKK as øre. */
export function ore(dkk: string): number {
  const [whole, frac = ''] = dkk.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** øre as "125.50 DKK". */
export function kroner(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const a = Math.abs(amount);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')} DKK`;
}

/** A fresh 16-digit PAN with a valid check digit: 5019 and 11 random digits. */
export function freshPan(): string {
  let body = '5019';
  while (body.length < 15) body += String(randomInt(0, 10));
  return body + String(luhnCheckDigit(body));
}

/** The card's PIN with its last digit moved up by one (1234 -> 1235, 0629 -> 0620). */
export function wrongPin(pin: string): string {
  return pin.slice(0, -1) + String((Number(pin.slice(-1)) + 1) % 10);
}

/** Network management in 1987 dialects: 0800 / 0810 where 1993 has 1804 / 1814. */
const NETWORK_87: Record<string, string> = { '804': '800', '814': '810' };

/**
 * The MTI a scenario means in the dialect's version: x200 is 1200 in a 1993 dialect and 0200 in
 * a 1987 one; x804 (x814) is the network management request (answer) of either: 1804 or 0800.
 * An MTI without x is meant as written.
 */
export function concreteMti(mti: string, dialect: Dialect): string {
  if (mti[0] !== 'x') return mti;
  const rest = mti.slice(1);
  return codeSetOf(dialect) === 'iso87' ? `0${NETWORK_87[rest] ?? rest}` : `1${rest}`;
}

/** Whether a message's MTI is the one the scenario means. */
export function mtiMatches(expected: string, actual: unknown, dialect: Dialect): boolean {
  return concreteMti(expected, dialect) === String(actual);
}

/** `${name}` replaced in every string of the value; a name without a value throws. */
export function substitute<T>(value: T, vars: ReadonlyMap<string, string | undefined>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      const v = vars.get(name);
      if (v === undefined)
        throw new StepFailure(
          `\${${name}} has no value${vars.has(name) ? ' (the step that saves it did not produce it)' : ''}`,
        );
      return v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, vars)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}
