/**
 * Which rules a transaction makes fire: each enabled rule watching the transaction's channel is
 * checked against the card's transactions within its window (one check per rule kind, in
 * rules/). Pure: the live monitor (transaction-monitor.ts) and the replay of a day's log give it
 * the same input and get the same answer.
 */
import type { Rule, RuleKind } from './rule-schema.js';
import type { WatchedTransaction } from './watched-transaction.js';
import type { RuleCheck, RuleInput, RuleReach } from './rule-input.js';
import { velocity, velocityReach } from './rules/velocity.js';
import { otherBankAtm, otherBankAtmReach } from './rules/other-bank-atm.js';
import { ownAtmAmount, ownAtmAmountReach } from './rules/own-atm-amount.js';
import { impossibleTravel, impossibleTravelReach } from './rules/impossible-travel.js';
import { firstAbroadAfterPin, firstAbroadAfterPinReach } from './rules/first-abroad-after-pin.js';
import { contactlessBurst, contactlessBurstReach } from './rules/contactless-burst.js';
import { remoteFailures, remoteFailuresReach } from './rules/remote-failures.js';
import { cardTesting, cardTestingReach, trialReachMs } from './rules/card-testing.js';

/** A rule that fired, and the transactions of its pattern (the firing one last). */
export interface Firing {
  rule: Rule;
  transactions: WatchedTransaction[];
}

type Checks = { [K in RuleKind]: RuleCheck<K> };

const CHECKS: Checks = {
  velocity,
  otherBankAtm,
  ownAtmAmount,
  cardTesting,
  remoteFailures,
  impossibleTravel,
  firstAbroadAfterPin,
  contactlessBurst,
};

type Reaches = { [K in RuleKind]: RuleReach<K> };

const REACHES: Reaches = {
  velocity: velocityReach,
  otherBankAtm: otherBankAtmReach,
  ownAtmAmount: ownAtmAmountReach,
  cardTesting: cardTestingReach,
  remoteFailures: remoteFailuresReach,
  impossibleTravel: impossibleTravelReach,
  firstAbroadAfterPin: firstAbroadAfterPinReach,
  contactlessBurst: contactlessBurstReach,
};

/** The rule is enabled and looks at transactions in `channel`. */
export function watches(rule: Rule, channel: string): boolean {
  return rule.enabled !== false && (rule.channels as readonly string[]).includes(channel);
}

/** The rules that fire on `input.tx`, in the file's order. */
export function firings(rules: readonly Rule[], input: RuleInput): Firing[] {
  const fired: Firing[] = [];
  for (const rule of rules) {
    if (!watches(rule, input.tx.channel)) continue;
    const check = CHECKS[rule.kind] as RuleCheck<typeof rule.kind>;
    const transactions = check(rule as never, input);
    if (transactions !== undefined) fired.push({ rule, transactions });
  }
  return fired;
}

/** The longest time back any enabled rule looks (ms): the card keeps its transactions that long. */
export function horizonMs(rules: readonly Rule[]): number {
  let minutes = 1;
  for (const r of rules)
    if (r.enabled !== false) minutes = Math.max(minutes, 'windowMinutes' in r ? r.windowMinutes : r.minMinutes);
  return minutes * 60_000;
}

/**
 * How far back before `tx.at` (ms) anything evaluating `tx` reads the card's earlier transactions:
 * the longest reach of the rules watching its channel (rule-input.ts RuleReach) and of the
 * card-testing approval test (trialKept); 0: none is read, ALL_RECENT: every one kept. The live
 * monitor asks the card for those only (src/card/card-watch.ts); what the card keeps is still
 * horizonMs's.
 */
export function recentReachMs(rules: readonly Rule[], tx: WatchedTransaction): number {
  let ms = trialReachMs(rules, tx);
  for (const rule of rules) {
    if (!watches(rule, tx.channel)) continue;
    const reach = REACHES[rule.kind] as RuleReach<typeof rule.kind>;
    ms = Math.max(ms, reach(rule as never, tx));
  }
  return ms;
}
