/**
 * Impossible travel (docs/MONITORING.md, "impossibleTravel"): the card present in two countries
 * less than `minMinutes` apart, which one plastic card cannot be: one of them is a copy. Approved
 * or refused: a copied card tried abroad and refused is as much the sign as one approved. Only
 * card-present channels count (a remote purchase's country is the merchant's, not the card's),
 * of those the rule names. The pattern is the two: the latest earlier transaction in another
 * country, and the new one.
 */
import type { Channel } from '../../journal/posting.js';
import type { RuleCheck, RuleReach } from '../rule-input.js';
import { isCardPresent } from '../watched-transaction.js';

export const impossibleTravel: RuleCheck<'impossibleTravel'> = (rule, input) => {
  const { tx } = input;
  const channels = rule.channels as readonly string[];
  const present = (c: Channel): boolean => channels.includes(c) && isCardPresent({ channel: c });
  if (!present(tx.channel)) return undefined;
  const from = tx.at - rule.minMinutes * 60_000;
  const other = [...input.recent].reverse().find((t) => t.at > from && t.country !== tx.country && present(t.channel));
  return other === undefined ? undefined : [other, tx];
};

/** A card-present transaction reads back minMinutes. */
export const impossibleTravelReach: RuleReach<'impossibleTravel'> = (rule, tx) =>
  isCardPresent(tx) ? rule.minMinutes * 60_000 : 0;
