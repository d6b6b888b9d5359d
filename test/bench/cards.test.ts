/** The run's cards, planned from the mix's pools. */
import t from 'tap';
import { luhnValid } from '../../src/card/luhn.js';
import { BLOCK_REASONS, benchPan, benchPin, planCards, wrongPinOf } from '../../bench/load/cards.js';
import { loadMix } from '../../bench/load/mix.js';

t.test('every pool gets its count of distinct, Luhn-valid PANs, each with a PIN', async (t) => {
  const mix = loadMix('default');
  const plan = planCards(mix);
  t.same([...plan.keys()], Object.keys(mix.cards));
  const pans = new Set<string>();
  for (const [name, cards] of plan) {
    t.equal(cards.length, mix.cards[name]!.count, name);
    for (const c of cards) {
      if (!luhnValid(c.pan) || !/^50199\d{11}$/.test(c.pan)) t.fail(c.pan);
      if (!/^\d{4}$/.test(c.pin) || wrongPinOf(c.pin) === c.pin) t.fail(c.pin);
      if (c.state !== mix.cards[name]!.state) t.fail(c.state);
      pans.add(c.pan);
    }
  }
  t.equal(
    pans.size,
    Object.values(mix.cards).reduce((s, p) => s + p.count, 0),
    'no PAN twice',
  );
  const blocked = plan.get('blocked')!;
  t.same(
    blocked.slice(0, 5).map((c) => c.blockReason),
    [...BLOCK_REASONS, BLOCK_REASONS[0]],
    'every block reason in turn',
  );
  t.notOk(plan.get('active')!.some((c) => c.blockReason !== undefined));
});

t.test('PANs and PINs are a pure function of pool and index', async (t) => {
  t.equal(benchPan(0, 0), benchPan(0, 0));
  t.equal(benchPan(3, 12).slice(0, 15), '501990300000012');
  t.not(benchPin(0, 1), benchPin(0, 2));
  t.equal(benchPin(0, 0), '0000');
  for (const [p, i] of [
    [100, 0],
    [-1, 0],
    [0, 1e8],
    [0, -1],
  ])
    t.throws(() => benchPan(p!, i!), RangeError);
});
