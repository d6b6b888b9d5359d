/**
 * Old terminals (DKT1, DKT1+, OEM) send no reversals: the switch reverses an approval whose
 * answer never arrived when the terminal's next request reports another last completed STAN.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';

const KEY = '0123456789ABCDEFFEDCBA9876543210';

async function dktSwitch(t: Test): Promise<TestSwitch> {
  const dir = t.testdir({
    'keys.json': JSON.stringify({
      terminals: { DKT00001: { format: 0, key: KEY, model: 'dkt1' }, OEM00001: { format: 0, key: KEY, model: 'oem' } },
    }),
  });
  return startSwitch(t, { terminals: { keyFile: join(dir, 'keys.json') } });
}

async function journal(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

/** Field 48 sub-element 01: the STAN of the last approval the terminal completed. */
const lastCompleted = (stan: string): string => `01006${stan}`;

t.test("DKT1: a lost answer is reversed at the next request, once, with the original's id and amount", async (t) => {
  const s = await dktSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const sale = (stan: string, time: string, last: string, amount = '000000010000'): IsoMessage =>
    purchase93({ 2: card.pan, 4: amount, 11: stan, 12: time, 41: 'DKT00001', 48: lastCompleted(last) });

  t.equal((await term.send(sale('000001', '261121080000', '000000')))[39], '000');
  t.equal(
    (await term.send(sale('000002', '261121080100', '000001')))[39],
    '000',
    'the previous one was completed: nothing reversed',
  );
  t.equal((await journal(s)).length, 2);

  // 000003 is approved but its answer "never arrives": the terminal still reports 000002.
  t.equal((await term.send(sale('000003', '261121080200', '000002', '000000004200')))[39], '000');
  t.equal((await s.sw.register.state(card.id))!.unbooked, 24_200, 'the three sales held until booked');
  const retransmitted = await term.send(sale('000003', '261121080200', '000002', '000000004200'));
  t.equal(retransmitted[39], '000', 'its retransmission is answered as the first time, not reversed');
  t.equal((await journal(s)).length, 3);

  t.equal(
    (await term.send(sale('000004', '261121080300', '000002')))[39],
    '000',
    'the new request is handled after the reversal',
  );
  const postings = await journal(s);
  const reversals = postings.filter((p) => p.type === 'reversal');
  t.equal(reversals.length, 1, 'exactly one reversal');
  t.match(reversals[0], {
    txn: 'DKT00001-261121080200-000003',
    reverses: 'DKT00001-261121080200-000003',
    amount: 4200,
    direction: 'C',
    reason: 'switch',
  });
  t.equal((await s.sw.register.state(card.id))!.unbooked, 30_000, "the lost sale's hold is given back");

  // The next request reports 000004 as completed; 000003 stays reversed, nothing more happens.
  await term.send(sale('000005', '261121080400', '000004'));
  await term.send(sale('000006', '261121080500', '000004'));
  t.equal((await journal(s)).filter((p) => p.type === 'reversal').length, 2, '000005 was lost too: one more reversal');
  t.match((await journal(s)).filter((p) => p.type === 'reversal')[1], { txn: 'DKT00001-261121080400-000005' });
});

t.test('an old terminal must report its last completed STAN; other models are not tracked', async (t) => {
  const s = await dktSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal((await term.send(purchase93({ 2: card.pan, 41: 'OEM00001' })))[39], '904', 'no field 48: format error');
  t.equal(
    (await term.send(purchase93({ 2: card.pan, 41: 'OEM00001', 48: '01003abc' })))[39],
    '904',
    'unreadable sub-element',
  );
  t.equal(
    (await term.send(purchase93({ 2: card.pan, 41: 'OEM00001', 48: `99003xyz${lastCompleted('000000')}` })))[39],
    '000',
    'other sub-elements are skipped',
  );
  // A chip terminal (no model in the key file) reverses for itself: the switch never does.
  await term.send(purchase93({ 2: card.pan, 41: 'TERM0001' }));
  await term.send(purchase93({ 2: card.pan, 41: 'TERM0001' }));
  t.equal((await journal(s)).filter((p) => p.type === 'reversal').length, 0);
});

t.test('a crash between the approval and the terminal record: the sweep at start records it', async (t) => {
  const s = await dktSwitch(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  await term.send(
    purchase93({ 2: card.pan, 11: '000010', 12: '261121090000', 41: 'DKT00001', 48: lastCompleted('000000') }),
  );
  const [p] = await journal(s);
  // As if the switch died after the Lua call: no terminal record, the posting still in the outbox.
  await s.redis.del(`${s.config.redis.keyPrefix}terminal:{DKT00001}:last`);
  await s.redis.rpush(s.sw.modules.card.postingOutboxes.keyOf(card.id), JSON.stringify({ ...p, track: 1 }));
  await s.sw.postings.sweep();
  await term.send(
    purchase93({ 2: card.pan, 11: '000011', 12: '261121090100', 41: 'DKT00001', 48: lastCompleted('000000') }),
  );
  const reversals = (await journal(s)).filter((x) => x.type === 'reversal');
  t.equal(reversals.length, 1, 'the unanswered approval is reversed');
  t.equal(reversals[0]!.txn, 'DKT00001-261121090000-000010');
});
