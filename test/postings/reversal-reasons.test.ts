/**
 * Every reversal reason over TCP: a 1420 with that field 25 reversing a posted sale makes the
 * posting type the table gives (001 §9-11; src/journal/reversal-reasons.ts): a cancellation for
 * a customer cancellation only, a reversal ("modpostering") for every other reason, a rejected
 * signature among them; a reason not in the table, or none, a reversal too.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard } from '../support/cards.js';
import type { Posting } from '../../src/journal/posting.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { REVERSAL_REASONS, SWITCH_REVERSAL_REASON } from '../../src/journal/reversal-reasons.js';

t.test('a reversal advice posts the type its reason names', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 10_000_000 });
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  // The advices a terminal can send: every listed code but the switch's own, one unlisted, none.
  const reasons: Array<string | undefined> = [
    ...REVERSAL_REASONS.map((r) => r.reason).filter((r) => r !== SWITCH_REVERSAL_REASON),
    '4999',
    undefined,
  ];
  const expected = new Map<string, string>([
    ['4000', 'cancellation'],
    ['4351', 'reversal'],
    ['4021', 'reversal'],
    ['4007', 'reversal'],
    ['4999', 'reversal'],
    ['', 'reversal'],
  ]);
  // Distinct local times (field 12): each sale and advice its own transaction.
  let minute = 0;
  const time = (): string => {
    const m = minute++;
    return `261121${String(10 + Math.floor(m / 60))}${String(m % 60).padStart(2, '0')}00`;
  };
  for (const reason of reasons) {
    const sale = purchase93({ 2: card.pan, 4: '000000001000', 12: time() });
    const a = await term.send(sale);
    t.equal(a[39], '000', `sale before reason ${reason ?? 'none'}`);
    const advice: IsoMessage = {
      0: '1420',
      2: card.pan,
      3: '000000',
      4: '000000001000',
      12: time(),
      24: '400',
      41: 'TERM0001',
      49: '208',
      56: `1200${String(a[11])}${String(sale[12])}`,
    };
    if (reason !== undefined) advice[25] = reason;
    t.equal((await term.send(advice))[39], '400', `reason ${reason ?? 'none'}: reversal accepted`);
  }
  await s.sw.postings.drain();
  const postings = (await s.sw.journal.range('0', '+')).map((e) => e.posting as Posting);
  const reversals = postings.filter((p) => p.type !== 'purchase');
  t.equal(reversals.length, reasons.length, 'one posting per advice');
  const byReason = new Map(reversals.map((p) => [p.reason ?? '', p.type]));
  for (const [reason, type] of expected) t.equal(byReason.get(reason), type, `reason ${reason || 'none'}: ${type}`);
  t.same(
    reversals.filter((p) => p.type === 'cancellation').map((p) => p.reason),
    ['4000'],
    'a customer cancellation is the only cancellation',
  );
  for (const p of reversals) t.match(p, { direction: 'C', amount: 1000 });
});
