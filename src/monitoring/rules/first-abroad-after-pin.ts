/**
 * A first use abroad after a domestic PIN transaction (docs/MONITORING.md,
 * "firstAbroadAfterPin"): the card used, approved or refused, in a country it has never been used
 * in, within `windowMinutes` after an approved domestic transaction verified with the PIN (online
 * or by the chip): the sign of a card copied together with its PIN (a skimmer at home, the copy
 * used abroad). "Never used in": no approved card-present transaction there among the card's
 * recent ones nor in its history before them (input.countriesUsed, the holder profile's, which
 * the live monitor looks up for a transaction abroad): a purchase from a web shop abroad was not
 * the card abroad. The pattern is the PIN transaction and the new one.
 */
import { isAbroad, isCardPresent } from '../watched-transaction.js';
import { ALL_RECENT, type RuleCheck, type RuleReach } from '../rule-input.js';

export const firstAbroadAfterPin: RuleCheck<'firstAbroadAfterPin'> = (rule, input) => {
  const { tx } = input;
  if (!isAbroad(tx) || input.countriesUsed?.includes(tx.country) === true) return undefined;
  if (input.recent.some((t) => t.country === tx.country && t.outcome === 'approved' && isCardPresent(t)))
    return undefined;
  const channels = rule.channels as readonly string[];
  const from = tx.at - rule.windowMinutes * 60_000;
  const pin = [...input.recent]
    .reverse()
    .find(
      (t) =>
        t.at >= from &&
        !isAbroad(t) &&
        t.outcome === 'approved' &&
        (t.verification === 'pinOnline' || t.verification === 'pinOffline') &&
        channels.includes(t.channel),
    );
  return pin === undefined ? undefined : [pin, tx];
};

/**
 * A transaction abroad reads every earlier one, whatever its time: whether the card was present in
 * the country among its recent transactions (those not yet in the profile), not only the window's.
 */
export const firstAbroadAfterPinReach: RuleReach<'firstAbroadAfterPin'> = (_rule, tx) =>
  isAbroad(tx) ? ALL_RECENT : 0;
