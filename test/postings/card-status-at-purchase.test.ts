/**
 * Issue 14 item 7, over real TCP and a real Redis: every posting carries the card's status at the
 * purchase time, from the card's block history (001 §36: a purchase made while the card was
 * blocked can be returned in full; the purchase's date and time decide), not the status when the
 * posting is made. A completion or reversal keeps its original's.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard } from '../support/cards.js';
import type { Posting } from '../../src/journal/posting.js';
import { ManualClock } from '../../src/time/clock.js';

const MINUTE = 60_000;
/** 21 Nov 2026 10:00:00 in Copenhagen (UTC+1), as field 12 and as a time. */
const TEN = Date.parse('2026-11-21T09:00:00Z');
const field12 = (ms: number): string => {
  const local = new Date(ms + 3_600_000).toISOString(); // Copenhagen is UTC+1 in November
  return local.slice(2, 19).replace(/[-T:]/g, '');
};

t.test("a posting's cardStatus is the card's status at the purchase time, from its block history", async (t) => {
  const clock = new ManualClock(new Date(TEN));
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const sale = (stan: string, at: number, mti = '1200') =>
    purchase93({ 0: mti, 2: card.pan, 4: '000000001000', 11: stan, 12: field12(at) });

  // Blocked (lost) 10:00-10:30, lifted by the issuer at 10:30; the clock is then 10:45.
  const blocked = await s.sw.register.block('bank-a', card.id, 'lost', new Date(TEN - 5 * MINUTE));
  t.match(blocked, { ok: true });
  clock.advance(30 * MINUTE);
  t.match(await s.sw.register.liftBlock('bank-a', card.id), { ok: true });
  clock.advance(15 * MINUTE);
  t.match((await s.sw.register.state(card.id))!.blocks, [{ reason: 'lost', liftedBy: 'bank-a' }], 'the history kept');

  const during = await term.send(sale('000001', TEN + 10 * MINUTE));
  const after = await term.send(sale('000002', TEN + 40 * MINUTE));
  const before = await term.send(sale('000003', TEN - MINUTE));
  t.same([during[39], after[39], before[39]], ['000', '000', '000'], 'the card is active now: all approved');
  // A dual-message purchase made while blocked, completed after the lift: the purchase time decides.
  const auth = await term.send(sale('000004', TEN + 20 * MINUTE, '1100'));
  t.equal(auth[39], '000');
  const completion = await term.send({
    ...purchase93({ 0: '1220', 2: card.pan, 4: '000000000800', 11: '000005', 12: field12(TEN + 46 * MINUTE) }),
    56: `1100000004${field12(TEN + 20 * MINUTE)}`,
  });
  t.equal(completion[39], '000');

  await s.sw.postings.drain();
  const postings = (await s.sw.journal.range('0', '+')).map((e) => e.posting as Posting);
  const byStan = new Map(postings.map((p) => [p.stan, p]));
  t.match(byStan.get('000001'), { cardStatus: 'blocked:lost', purchasedAt: TEN + 10 * MINUTE }, 'inside the block');
  t.match(byStan.get('000002'), { cardStatus: 'active' }, 'after the lift');
  t.match(byStan.get('000003'), { cardStatus: 'active' }, 'before the block');
  t.match(
    byStan.get('000004'),
    { type: 'purchase', amount: 800, cardStatus: 'blocked:lost', purchasedAt: TEN + 20 * MINUTE },
    'the completion carries the status at its purchase, not at the completion',
  );
});
