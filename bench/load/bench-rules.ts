/**
 * The fraud monitoring rules the bench's switch runs with: the shipped rules
 * (src/monitoring/default-rules.json) with every count threshold multiplied by RULE_SCALE (at
 * most what a card or a terminal keeps), and
 * the windows, amounts and sparing as shipped. Generated per run from the shipped file, so a
 * change to the shipped rules reaches the bench.
 *
 * Why scaled: a bench card is used a few times a second (the mix's thousands of cards share
 * thousands of requests a second), a real card a few times a day, so under the shipped counts
 * every ordinary bench card would be blocked within seconds. Scaled by 50, an ordinary card of
 * the default mix stays clear of them for minutes (docs/MONITORING.md, "Measured"); the amount
 * limits stay as shipped, and the fraud mix (bench/load/fraud.ts) goes over one of them.
 */
import { writeFileSync } from 'node:fs';
import { parseRuleFile } from '../../src/monitoring/rule-book.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';
import { MAX_RECENT } from '../../src/monitoring/card-history.js';
import { MAX_TRIALS } from '../../src/monitoring/terminal-trials.js';
import shipped from '../../src/monitoring/default-rules.json' with { type: 'json' };

export const RULE_SCALE = 50;

/**
 * The parameters that count transactions, cards, failures or places: a bench request carries no
 * city (field 43), so each of the run's terminals is a place of its own to other-bank-atms.
 */
const COUNTS = ['maxCount', 'minCount', 'minCards', 'maxFailures', 'maxPlaces'] as const;

/**
 * The most a count may be (rule-schema.ts): a card keeps its last MAX_RECENT transactions, a
 * terminal its last MAX_TRIALS wrong PINs; a scaled count past them is cut to them.
 */
const MOST: Record<(typeof COUNTS)[number], number> = {
  maxCount: MAX_RECENT - 1,
  minCount: MAX_RECENT - 1,
  maxFailures: MAX_RECENT - 1,
  maxPlaces: MAX_RECENT - 1,
  minCards: MAX_TRIALS,
};

/** The shipped rule file, its counts scaled; checked as the switch checks it. */
export function benchRules(scale = RULE_SCALE): RuleFile {
  const file = structuredClone(shipped) as Record<string, unknown> & { rules: Record<string, unknown>[] };
  for (const rule of file.rules)
    for (const key of COUNTS)
      if (typeof rule[key] === 'number') rule[key] = Math.min((rule[key] as number) * scale, MOST[key]);
  file.description = `The shipped rules with every count threshold multiplied by ${scale} for the load benchmark (bench/load/bench-rules.ts): a bench card is used a few times a second; windows, amounts and sparing as shipped.`;
  return parseRuleFile(file, 'bench rules');
}

export function writeBenchRules(path: string): void {
  writeFileSync(path, JSON.stringify(benchRules(), null, 2));
}
