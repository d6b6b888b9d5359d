/**
 * The fraud monitoring rules the bench's switch runs with: the shipped rules
 * (src/monitoring/default-rules.json) with every count threshold multiplied by RULE_SCALE, and
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
import shipped from '../../src/monitoring/default-rules.json' with { type: 'json' };

export const RULE_SCALE = 50;

/**
 * The parameters that count transactions, cards, failures or places: a bench request carries no
 * city (field 43), so each of the run's terminals is a place of its own to other-bank-atms.
 */
const COUNTS = ['maxCount', 'minCount', 'minCards', 'maxFailures', 'maxPlaces'] as const;

/** The shipped rule file, its counts scaled; checked as the switch checks it. */
export function benchRules(scale = RULE_SCALE): RuleFile {
  const file = structuredClone(shipped) as Record<string, unknown> & { rules: Record<string, unknown>[] };
  for (const rule of file.rules)
    for (const key of COUNTS) if (typeof rule[key] === 'number') rule[key] = (rule[key] as number) * scale;
  file.description = `The shipped rules with every count threshold multiplied by ${scale} for the load benchmark (bench/load/bench-rules.ts): a bench card is used a few times a second; windows, amounts and sparing as shipped.`;
  return parseRuleFile(file, 'bench rules');
}

export function writeBenchRules(path: string): void {
  writeFileSync(path, JSON.stringify(benchRules(), null, 2));
}
