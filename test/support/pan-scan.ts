/** Finding clear PANs in text (logs, traces, metrics, Redis keys): Luhn-valid digit runs with a known prefix. */
import { luhnCheckDigit } from '../../src/card/luhn.js';

const DIGIT_RUN = /(?<!\d)[3-6]\d{12,18}(?!\d)/g;

export function luhnValid(digits: string): boolean {
  return String(luhnCheckDigit(digits.slice(0, -1))) === digits.slice(-1);
}

/**
 * The 4-digit issuer prefixes of the PAN literals in these texts (card numbers start with 3-6;
 * only Luhn-valid literals count, so dates and amounts do not add prefixes).
 */
export function testCardPrefixes(texts: string[]): Set<string> {
  const prefixes = new Set<string>();
  for (const text of texts)
    for (const m of text.matchAll(/(?<![\d])[3-6]\d{12,18}(?!\d)/g))
      if (luhnValid(m[0])) prefixes.add(m[0].slice(0, 4));
  return prefixes;
}

/** Every clear PAN in the text: a Luhn-valid run of 13-19 digits beginning with one of the prefixes. */
export function findClearPans(text: string, prefixes: Set<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(DIGIT_RUN)) if (prefixes.has(m[0].slice(0, 4)) && luhnValid(m[0])) found.push(m[0]);
  return found;
}
