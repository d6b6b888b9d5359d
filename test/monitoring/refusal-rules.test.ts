/**
 * The two rules about refusals, as pure checks (src/monitoring/evaluate.ts firings): remote
 * failures (wrong or missing CVCs, wrong expiry dates on one card) and card testing (wrong PINs
 * for different cards at one terminal). Each fires at its threshold and not below it, ignores
 * channels it does not watch and what fell out of its window; card testing counts different
 * cards, not one card's retries.
 */
import t from 'tap';
import { firings } from '../../src/monitoring/evaluate.js';
import type { RuleInput } from '../../src/monitoring/rule-input.js';
import type { Rule, RuleOf } from '../../src/monitoring/rule-schema.js';
import type { WatchedOutcome, WatchedTransaction } from '../../src/monitoring/watched-transaction.js';
import type { Channel } from '../../src/journal/posting.js';
import { trialKept, trialsWindowMs } from '../../src/monitoring/rules/card-testing.js';
import { watched } from './fixtures.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);

function tx(p: {
  card: string;
  outcome: WatchedOutcome;
  min: number;
  channel?: Channel;
  terminal?: string;
}): WatchedTransaction {
  const channel = p.channel ?? 'internet';
  const remote = channel === 'internet' || channel === 'mailOrder' || channel === 'phoneOrder';
  return watched({
    card: p.card,
    at: T0 + p.min * MINUTE,
    channel,
    entryMode: remote ? 'remote' : 'chip',
    verification: remote ? 'none' : 'pinOnline',
    terminal: p.terminal ?? (remote ? 'WEB00001' : 'CHIP0001'),
    merchant: 'MERCHANT0001',
    outcome: p.outcome,
  });
}

const REMOTE: RuleOf<'remoteFailures'> = {
  id: 'remote-check-digits',
  kind: 'remoteFailures',
  description: 'More than 3 wrong or missing CVCs or expiry dates within an hour',
  channels: ['internet', 'mailOrder', 'phoneOrder'],
  windowMinutes: 60,
  maxFailures: 3,
};

const TESTING: RuleOf<'cardTesting'> = {
  id: 'card-testing',
  kind: 'cardTesting',
  description: 'Wrong PINs for 3 different cards at one terminal within 10 minutes',
  channels: ['attended', 'unattended', 'atm'],
  windowMinutes: 10,
  minCards: 3,
};

/** The ids of the rules that fire on the last of `txs` (the others its earlier ones), and their patterns. */
function fired(rules: Rule[], txs: WatchedTransaction[], trials?: WatchedTransaction[]): Map<string, string[]> {
  const input: RuleInput = {
    tx: txs.at(-1)!,
    recent: txs.slice(0, -1),
    contactlessLimit: 35_000,
    issuer: 'bank-a',
    ...(trials === undefined ? {} : { trials }),
  };
  return new Map(firings(rules, input).map((f) => [f.rule.id, f.transactions.map((x) => x.txn)]));
}

t.test('remote failures: the fourth failure within the hour fires, naming the failures', async (t) => {
  const card = 'card-1';
  const txs = [
    tx({ card, outcome: 'wrongCvc', min: 0 }),
    tx({ card, outcome: 'approved', min: 1 }),
    tx({ card, outcome: 'cvcMissing', min: 2, channel: 'mailOrder' }),
    tx({ card, outcome: 'wrongExpiry', min: 3, channel: 'phoneOrder' }),
  ];
  t.same(fired([REMOTE], txs), new Map(), 'three failures: not more than 3');
  const fourth = tx({ card, outcome: 'wrongCvc', min: 4 });
  t.same(
    fired([REMOTE], [...txs, fourth]).get('remote-check-digits'),
    [txs[0]!.txn, txs[2]!.txn, txs[3]!.txn, fourth.txn],
    'the four failures, the approval not among them',
  );
});

t.test('remote failures: other channels, other refusals and old failures are not counted', async (t) => {
  const card = 'card-2';
  const earlier = [
    tx({ card, outcome: 'wrongCvc', min: -61 }),
    tx({ card, outcome: 'wrongExpiry', min: 0, channel: 'attended' }),
    tx({ card, outcome: 'refused', min: 1 }),
    tx({ card, outcome: 'wrongPin', min: 2, channel: 'attended' }),
    tx({ card, outcome: 'wrongCvc', min: 3 }),
    tx({ card, outcome: 'wrongCvc', min: 4 }),
  ];
  t.same(fired([REMOTE], [...earlier, tx({ card, outcome: 'wrongCvc', min: 5 })]), new Map(), 'three in its channels');
  t.same(
    fired(
      [REMOTE],
      [...earlier, tx({ card, outcome: 'wrongCvc', min: 5 }), tx({ card, outcome: 'wrongCvc', min: 6 })],
    ).get('remote-check-digits')?.length,
    4,
    'a fourth in its channels fires',
  );
  t.same(
    fired(
      [REMOTE],
      [
        ...earlier,
        tx({ card, outcome: 'wrongCvc', min: 5 }),
        tx({ card, outcome: 'wrongCvc', min: 6, channel: 'attended' }),
      ],
    ),
    new Map(),
    'a failure in a channel the rule does not watch fires nothing',
  );
  t.same(
    fired([REMOTE], [...earlier, tx({ card, outcome: 'wrongCvc', min: 5 }), tx({ card, outcome: 'approved', min: 6 })]),
    new Map(),
    'an approval after the failures fires nothing',
  );
});

t.test('card testing: wrong PINs for 3 different cards at one terminal fire, naming every wrong PIN', async (t) => {
  const a = tx({ card: 'card-a', outcome: 'wrongPin', min: 0, channel: 'attended' });
  const a2 = tx({ card: 'card-a', outcome: 'wrongPin', min: 1, channel: 'attended' });
  const b = tx({ card: 'card-b', outcome: 'wrongPin', min: 2, channel: 'attended' });
  t.same(fired([TESTING], [b], [a, a2]), new Map(), 'two cards: not yet');
  const c = tx({ card: 'card-c', outcome: 'wrongPin', min: 3, channel: 'attended' });
  t.same(fired([TESTING], [c], [a, a2, b]).get('card-testing'), [a.txn, a2.txn, b.txn, c.txn]);
});

t.test('card testing: a card whose PIN was then given right at the terminal is a holder who mistyped', async (t) => {
  const a = tx({ card: 'card-a', outcome: 'wrongPin', min: 0, channel: 'attended' });
  const aRight = tx({ card: 'card-a', outcome: 'approved', min: 1, channel: 'attended' });
  const b = tx({ card: 'card-b', outcome: 'wrongPin', min: 2, channel: 'attended' });
  const c = tx({ card: 'card-c', outcome: 'wrongPin', min: 3, channel: 'attended' });
  t.same(fired([TESTING], [c], [a, aRight, b]), new Map(), 'two cards tried: a mistyped, then got it right');
  const aAgain = tx({ card: 'card-a', outcome: 'wrongPin', min: 4, channel: 'attended' });
  t.same(
    fired([TESTING], [aAgain], [a, aRight, b, c]).get('card-testing'),
    [b.txn, c.txn, aAgain.txn],
    'a wrong PIN after the approval counts again; the one before it does not',
  );
});

t.test('what goes into the terminal trials: wrong PINs, and the approval that follows one there', async (t) => {
  const rules = [TESTING];
  const wrong = tx({ card: 'card-a', outcome: 'wrongPin', min: 0, channel: 'attended' });
  const right = tx({ card: 'card-a', outcome: 'approved', min: 1, channel: 'attended' });
  t.equal(trialKept(rules, wrong, []), 10 * MINUTE, 'a wrong PIN');
  t.equal(trialKept(rules, right, [wrong]), 10 * MINUTE, 'the approval after it, at the same terminal');
  t.equal(trialKept(rules, right, []), 0, 'an approval without one: no call');
  t.equal(trialKept(rules, { ...right, terminal: 'CHIP0002' }, [wrong]), 0, 'at another terminal: no call');
  t.equal(trialKept(rules, { ...right, at: wrong.at + 11 * MINUTE }, [wrong]), 0, 'after the window: no call');
  t.equal(trialKept(rules, { ...wrong, outcome: 'refused' }, []), 0, 'another refusal: no call');
  t.equal(trialKept(rules, { ...wrong, channel: 'internet' }, []), 0, 'a channel no rule watches: no call');
});

t.test("card testing counts different cards, not one card's retries", async (t) => {
  const retries = [0, 1, 2, 3, 4].map((min) => tx({ card: 'card-d', outcome: 'wrongPin', min, channel: 'attended' }));
  t.same(fired([TESTING], [retries.at(-1)!], retries.slice(0, -1)), new Map(), 'five wrong PINs on one card');
  const other = tx({ card: 'card-e', outcome: 'wrongPin', min: 5, channel: 'attended' });
  t.same(fired([TESTING], [other], retries), new Map(), 'and one on another: two cards');
});

t.test('card testing: other terminals, channels, outcomes and old trials are not counted', async (t) => {
  const at = (card: string, min: number, p: Partial<Parameters<typeof tx>[0]> = {}): WatchedTransaction =>
    tx({ card, outcome: 'wrongPin', min, channel: 'attended', ...p });
  const last = at('card-z', 20);
  const none = new Map();
  t.same(
    fired([TESTING], [last], [at('card-x', 9), at('card-y', 15)]),
    none,
    'a trial 11 minutes before is out of the window',
  );
  t.same(
    fired([TESTING], [last], [at('card-x', 15, { terminal: 'CHIP0002' }), at('card-y', 15)]),
    none,
    'another terminal',
  );
  t.same(fired([TESTING], [last], [at('card-x', 15, { outcome: 'approved' }), at('card-y', 15)]), none, 'an approval');
  t.same(fired([TESTING], [last], [at('card-x', 15, { channel: 'internet' }), at('card-y', 15)]), none, 'internet');
  t.same(fired([TESTING], [last], [at('card-x', 15), at('card-y', 15)]).size, 1, 'the same within the window fires');
  const online = tx({ card: 'card-z', outcome: 'wrongPin', min: 20, channel: 'internet', terminal: 'CHIP0001' });
  t.same(
    fired([TESTING], [online], [at('card-x', 15), at('card-y', 15)]),
    none,
    'the firing one in a channel not watched',
  );
  const approved = at('card-z', 20, { outcome: 'approved' });
  t.same(fired([TESTING], [approved], [at('card-x', 15), at('card-y', 15)]), none, 'the last one approved');
  t.same(fired([TESTING], [last]), none, 'no trials given (no card-testing state)');
});

t.test("the terminal's trials are kept for the longest card-testing window watching the channel", async (t) => {
  const longer: RuleOf<'cardTesting'> = { ...TESTING, id: 'atm-testing', channels: ['atm'], windowMinutes: 30 };
  t.equal(trialsWindowMs([TESTING, longer], 'attended'), 30 * MINUTE, 'the longest of them (one terminal, one set)');
  t.equal(trialsWindowMs([TESTING], 'internet'), 0, 'no rule watches internet: nothing kept');
  t.equal(trialsWindowMs([{ ...TESTING, enabled: false }], 'attended'), 0, 'a disabled rule keeps nothing');
  t.equal(trialsWindowMs([REMOTE], 'internet'), 0, 'other kinds keep nothing');
});
