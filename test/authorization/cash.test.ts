/**
 * Cash at ATMs over real TCP against a real Redis, in both code sets (docs/PROTOCOL.md §3.2.5):
 * processing code 01 from an ATM of the key file, always with the online PIN; the card product's
 * withdrawal limits (per withdrawal and per local day); the fee from the price list posted beside
 * the withdrawal; balance control over both; the ATM's reversal advices (a dispense fault in full,
 * the fee with it; a partial dispense in part, the fee kept).
 */
import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { ManualClock } from '../../src/time/clock.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { addCard, pinBlock } from '../support/cards.js';
import { TestTerminal } from '../support/terminal.js';
import type { DeepPartial } from '../../src/config/load.js';
import type { SwitchConfig } from '../../src/config/types.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import { readFile } from 'node:fs/promises';

const KEY = '0123456789ABCDEFFEDCBA9876543210';

/** ATM00001 is bank-a's, ATM00002 bank-b's; TERM0001 a chip terminal. */
function keyFile(t: Test): string {
  const dir = t.testdir({
    'keys.json': JSON.stringify({
      terminals: {
        ATM00001: { format: 0, key: KEY, model: 'atm', owner: 'bank-a' },
        ATM00002: { format: 0, key: KEY, model: 'atm', owner: 'bank-b' },
        TERM0001: { format: 0, key: KEY, model: 'psam' },
      },
    }),
  });
  return join(dir, 'keys.json');
}

// 2026-11-21 10:00 in Copenhagen (UTC+1).
const MORNING = new Date('2026-11-21T09:00:00Z');

async function atmSwitch(t: Test, config: DeepPartial<SwitchConfig> = {}) {
  const clock = new ManualClock(MORNING);
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t) }, ...config }, { clock });
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  return { s, clock, t93, t87 };
}

/** A 1200 cash withdrawal (processing code 01) with the PIN, at ATM00001 unless told. */
function cash93(pan: string, amount: number, fields: IsoMessage = {}): IsoMessage {
  return {
    0: '1200',
    2: pan,
    3: '010000',
    4: String(amount).padStart(12, '0'),
    12: '261121100000',
    22: '511201511344',
    41: 'ATM00001',
    42: 'BANKA ATM 0001 ',
    49: '208',
    52: pinBlock('1234', pan),
    ...fields,
  };
}

function cash87(pan: string, amount: number, fields: IsoMessage = {}): IsoMessage {
  return { ...cash93(pan, amount, { 0: '0200', 12: '100000', 13: '1121', 22: '051', ...fields }) };
}

async function journal(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

const stateOf = async (s: TestSwitch, id: string) => (await s.sw.register.state(id))!;

t.test("a withdrawal at the issuer's own ATM: approved, posted as a withdrawal, no fee", async (t) => {
  const { s, t93, t87 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 2_000_000 });
  const a = await t93.send(cash93(card.pan, 50_000));
  t.match(a, { 0: '1210', 3: '010000', 39: '000' });
  t.match(a[38], /^\d{6}$/);
  const b = await t87.send(cash87(card.pan, 20_000, { 11: '000077' }));
  t.match(b, { 0: '0210', 39: '00' }, 'the 1987 code set');
  const postings = await journal(s);
  t.equal(postings.length, 2, 'two withdrawals, no fee');
  t.match(postings[0], {
    type: 'withdrawal',
    direction: 'D',
    amount: 50_000,
    terminal: 'ATM00001',
    terminalKind: 'atm',
    verification: 'pinOnline',
    approvalCode: a[38],
  });
  t.match(await stateOf(s, card.id), { unbooked: 70_000, available: 1_930_000 });
});

t.test("another bank's ATM and abroad: the fee from the price list, posted beside the withdrawal", async (t) => {
  const { s, t93, t87 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 2_000_000 });
  // bank-b's ATM: 5.00 DKK.
  const other = await t93.send(cash93(card.pan, 100_000, { 41: 'ATM00002' }));
  t.match(other, { 39: '000' });
  // Abroad by currency: 100.00 EUR = 746.00 DKK; 2 % is 14.92, less than the least fee, 35.00.
  t.match(await t93.send(cash93(card.pan, 10_000, { 49: '978' })), { 39: '000' });
  // Abroad by the acquiring country (field 19), in DKK: 2,000.00 DKK, 2 % = 40.00.
  t.match(await t87.send(cash87(card.pan, 200_000, { 19: '276' })), { 39: '00' });
  const postings = await journal(s);
  const txn = `ATM00002-261121100000-${String(other[11])}`;
  t.match(
    postings.filter((p) => p.txn === txn),
    [
      { type: 'withdrawal', direction: 'D', amount: 100_000 },
      { type: 'fee', direction: 'D', amount: 500, originalAmount: 500, originalCurrency: '208', rate: 1_000_000 },
    ],
    'the withdrawal and its fee: the same transaction, the fee in DKK',
  );
  const fee = postings.find((p) => p.type === 'fee' && p.txn === txn)!;
  const withdrawal = postings.find((p) => p.type === 'withdrawal' && p.txn === txn)!;
  t.not(fee.id, withdrawal.id, 'postings of their own');
  t.equal(fee.approvalCode, withdrawal.approvalCode);
  t.same(
    postings.filter((p) => p.type === 'fee').map((p) => p.amount),
    [500, 3_500, 4_000],
    "other bank's, abroad (the least fee), abroad (2 %)",
  );
  t.match(postings[2], { type: 'withdrawal', amount: 74_600, originalAmount: 10_000, originalCurrency: '978' });
  const held = 100_000 + 500 + 74_600 + 3_500 + 200_000 + 4_000;
  t.match(await stateOf(s, card.id), { unbooked: held, available: 2_000_000 - held });
});

t.test('always the online PIN; the card checks first; refused where no ATM is', async (t) => {
  const { s, t93, t87 } = await atmSwitch(t);
  const card = await addCard(s.sw);
  const noPin = cash93(card.pan, 10_000);
  delete noPin[52];
  t.match(await t93.send(noPin), { 39: '112' }, 'no PIN block: PIN required');
  const noPin87 = cash87(card.pan, 10_000);
  delete noPin87[52];
  t.match(await t87.send(noPin87), { 39: '70' });
  t.match(await t93.send(cash93(card.pan, 10_000, { 52: pinBlock('9999', card.pan) })), { 39: '117' }, 'wrong PIN');
  t.match(await stateOf(s, card.id), { pinTries: 1 });
  const blocked = await addCard(s.sw);
  await s.sw.register.block('bank-a', blocked.id, 'lost', new Date());
  const blockedNoPin = cash93(blocked.pan, 10_000);
  delete blockedNoPin[52];
  t.match(await t93.send(blockedNoPin), { 39: '208' }, 'a blocked card is answered its block, PIN or not');
  t.match(await t93.send(cash93(card.pan, 10_000, { 41: 'TERM0001' })), { 39: '902' }, 'cash at a chip terminal');
  t.match(await t93.send(cash93(card.pan, 10_000, { 41: 'UNKNOWN1' })), { 39: '902' }, 'at a terminal not listed');
  t.match(await t87.send(cash87(card.pan, 10_000, { 41: 'TERM0001' })), { 39: '12' });
  t.match(await t93.send(cash93(card.pan, 10_000, { 0: '1100' })), { 0: '1110', 39: '902' }, 'not dual message');
  t.same(await journal(s), [], 'nothing posted');
  t.match(await stateOf(s, card.id), { unbooked: 0, reserved: 0 });
});

t.test('the withdrawal limits: per withdrawal and per local day, the default and a product of its own', async (t) => {
  const { s, clock, t93, t87 } = await atmSwitch(t, {
    register: { products: { 'cash-low': { cash: { perDay: 150_000, fees: { own: { fixed: 100 } } } } } },
  });
  const card = await addCard(s.sw, { balance: 5_000_000 });
  t.match(await t93.send(cash93(card.pan, 500_001)), { 39: '121' }, 'over 5,000.00 DKK in one');
  t.match(await t87.send(cash87(card.pan, 500_001)), { 39: '61' });
  t.match(await t93.send(cash93(card.pan, 500_000)), { 39: '000' }, 'at the limit');
  t.match(await t93.send(cash93(card.pan, 500_000)), { 39: '000' }, 'the day at its limit');
  t.match(await t93.send(cash93(card.pan, 1)), { 39: '121' }, 'one øre over the day');
  // Local midnight in Copenhagen is 23:00 UTC.
  clock.set(new Date('2026-11-21T22:59:59Z'));
  t.match(await t93.send(cash93(card.pan, 1, { 12: '261121235959' })), { 39: '121' }, 'still the same day');
  clock.set(new Date('2026-11-21T23:00:00Z'));
  t.match(await t93.send(cash93(card.pan, 500_000, { 12: '261122000000' })), { 39: '000' }, 'a new day');
  // In a foreign currency the limit is on the DKK amount: 670.25 EUR = 5,000.07 DKK.
  t.match(await t93.send(cash93(card.pan, 67_025, { 49: '978', 12: '261122000001' })), { 39: '121' });

  const low = await addCard(s.sw, { balance: 5_000_000, product: 'cash-low' });
  t.match(await t93.send(cash93(low.pan, 100_000)), { 39: '000' }, "the product's own: 1,500.00 a day");
  t.match(await t93.send(cash93(low.pan, 50_001)), { 39: '121' });
  t.match(await t93.send(cash93(low.pan, 500_001)), { 39: '121' }, 'the per-withdrawal limit kept from the default');
  const fees = (await journal(s)).filter((p) => p.type === 'fee');
  t.same(
    fees.map((p) => p.amount),
    [100],
    "the product's own fee at its issuer's ATM; the other fee keys kept",
  );
  const w = (await journal(s)).filter((p) => p.type === 'withdrawal');
  t.equal(w.length, 4, 'refusals post nothing');
});

t.test('balance control counts the fee; the limit comes before the balance', async (t) => {
  const { s, t93 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  t.match(
    await t93.send(cash93(card.pan, 100_000, { 41: 'ATM00002' })),
    { 39: '116' },
    '1,000.00 + 5.00 fee > 1,000.00',
  );
  t.match(
    await t93.send(cash93(card.pan, 99_500, { 41: 'ATM00002' })),
    { 39: '000' },
    'with the fee, the whole balance',
  );
  t.match(await stateOf(s, card.id), { available: 0, unbooked: 100_000 });
  t.match(await t93.send(cash93(card.pan, 500_001)), { 39: '121' }, 'over the limit and the balance: the limit');
});

t.test('a retransmission is answered as the first time: no second withdrawal, no second fee', async (t) => {
  const { s, t93 } = await atmSwitch(t);
  const card = await addCard(s.sw);
  const request = cash93(card.pan, 10_000, { 41: 'ATM00002', 11: '000501' });
  const first = await t93.send(request);
  const again = await t93.send({ ...request, 0: '1201' });
  t.match(again, { 0: '1210', 39: '000', 38: first[38] });
  t.equal((await journal(s)).length, 2, 'one withdrawal, one fee');
  t.match(await stateOf(s, card.id), { unbooked: 10_500 });
});

function reversal93(request: IsoMessage, answer: IsoMessage, fields: IsoMessage): IsoMessage {
  return {
    0: '1420',
    2: request[2]!,
    3: request[3]!,
    4: request[4]!,
    12: '261121100005',
    41: request[41]!,
    49: request[49]!,
    56: `1200${String(answer[11])}${String(request[12])}`,
    ...fields,
  };
}

t.test('a dispense fault: the withdrawal and its fee reversed, the day given back', async (t) => {
  const { s, t93 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 2_000_000 });
  const request = cash93(card.pan, 500_000, { 41: 'ATM00002' });
  const answer = await t93.send(request);
  t.match(answer, { 39: '000' });
  t.match(await t93.send(cash93(card.pan, 500_001)), { 39: '121' });
  const advice = await t93.send(reversal93(request, answer, { 24: '400', 25: '4007' }));
  t.match(advice, { 0: '1430', 39: '400' });
  const txn = `ATM00002-261121100000-${String(answer[11])}`;
  const postings = (await journal(s)).filter((p) => p.txn === txn);
  t.match(postings, [
    { type: 'withdrawal', direction: 'D', amount: 500_000 },
    { type: 'fee', direction: 'D', amount: 500 },
    { type: 'reversal', direction: 'C', amount: 500_000, reverses: txn, reason: '4007' },
    { type: 'fee', direction: 'C', amount: 500, reverses: txn, reason: '4007' },
  ]);
  t.not(postings[3]!.id, postings[1]!.id);
  t.match(await stateOf(s, card.id), { unbooked: 0, available: 2_000_000 }, 'both holds given back');
  t.match(await t93.send(cash93(card.pan, 500_000)), { 39: '000' }, 'the day counts 0 again: 5,000.00 more');
  t.match(await t93.send(cash93(card.pan, 500_000)), { 39: '000' });
  // The repeat of the advice changes nothing.
  await t93.send({ ...reversal93(request, answer, { 24: '400', 25: '4007', 11: String(advice[11]) }), 0: '1421' });
  t.equal((await journal(s)).filter((p) => p.direction === 'C').length, 2, 'reversed once');
});

t.test('a partial dispense: the part not paid out reversed, the fee kept (both code sets)', async (t) => {
  const { s, t93, t87 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 2_000_000 });
  const request = cash93(card.pan, 500_000, { 41: 'ATM00002' });
  const answer = await t93.send(request);
  // 3,000.00 of 5,000.00 paid out.
  await t93.send(reversal93(request, answer, { 4: '000000200000', 24: '401', 25: '4004' }));
  const txn = `ATM00002-261121100000-${String(answer[11])}`;
  t.match(
    (await journal(s)).filter((p) => p.txn === txn),
    [
      { type: 'withdrawal', amount: 500_000 },
      { type: 'fee', amount: 500 },
      { type: 'reversal', direction: 'C', amount: 200_000, reason: '4004' },
    ],
  );
  t.match(await stateOf(s, card.id), { unbooked: 300_500 }, 'what was paid out and the fee stay held');
  t.match(await t93.send(cash93(card.pan, 500_000)), { 39: '000' }, '3,000.00 counted, 5,000.00 more: 8,000.00');
  t.match(await t93.send(cash93(card.pan, 200_001)), { 39: '121' }, 'the day at 8,000.00: 2,000.01 passes it');
  t.match(await t93.send(cash93(card.pan, 200_000)), { 39: '000' }, '2,000.00 reaches it');

  // 1987: no function code; field 4 is the amount reversed.
  const card87 = await addCard(s.sw, { balance: 2_000_000 });
  const r87 = cash87(card87.pan, 100_000, { 41: 'ATM00002' });
  const a87 = await t87.send(r87);
  const advice87 = await t87.send({
    0: '0420',
    2: card87.pan,
    3: '010000',
    4: '000000040000',
    12: '100005',
    13: '1121',
    41: 'ATM00002',
    49: '208',
    56: `0200${String(a87[11])}261121100000`,
  });
  t.match(advice87, { 0: '0430', 39: '00' });
  t.match(await stateOf(s, card87.id), { unbooked: 60_500 }, '600.00 paid out and the 5.00 fee');
});

t.test('delivered and booked: the file carries the withdrawal and its fee, booking takes both', async (t) => {
  const { s, t93 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 200_000 });
  t.match(await t93.send(cash93(card.pan, 100_000, { 41: 'ATM00002' })), { 39: '000' });
  await s.sw.postings.drain();
  const [d] = await s.sw.delivery.deliver('2026-11-21', 1);
  const file = parseDelivery(await readFile(join(s.config.clearing.directory, d!.file), 'latin1'));
  t.match(file.sections[0]!.postings, [
    { type: 'withdrawal', direction: 'D', amount: 100_000, pan: card.pan },
    { type: 'fee', direction: 'D', amount: 500, pan: card.pan },
  ]);
  t.match(file.trailer, { count: 2, debit: 100_500, credit: 0 });
  t.match(await stateOf(s, card.id), { balance: 99_500, unbooked: 0, available: 99_500 });
});

t.test("a reversal on a later day leaves that day's withdrawals alone", async (t) => {
  const { s, clock, t93 } = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 5_000_000 });
  const request = cash93(card.pan, 400_000);
  const answer = await t93.send(request);
  clock.set(new Date('2026-11-22T09:00:00Z'));
  t.match(await t93.send(cash93(card.pan, 500_000, { 12: '261122100000' })), { 39: '000' }, "the new day's first");
  t.match(await t93.send(reversal93(request, answer, { 24: '400', 25: '4007' })), { 39: '400' });
  t.match(await t93.send(cash93(card.pan, 500_001, { 12: '261122100001' })), { 39: '121' });
  t.match(await t93.send(cash93(card.pan, 500_000, { 12: '261122100002' })), { 39: '000' }, 'the day: 10,000.00');
  t.match(
    await t93.send(cash93(card.pan, 1, { 12: '261122100003' })),
    { 39: '121' },
    "yesterday's reversal gave nothing to today",
  );
});

t.test('a block and a PIN block refuse the card at once at the ATM, made anywhere', async (t) => {
  const { s, t93, t87 } = await atmSwitch(t);
  const card = await addCard(s.sw);
  t.match(await t93.send(cash93(card.pan, 10_000)), { 39: '000' });
  await s.sw.register.block('bank-a', card.id, 'stolen', new Date());
  t.match(await t93.send(cash93(card.pan, 10_000)), { 39: '209' }, 'the next withdrawal after the block');
  t.match(await t87.send(cash87(card.pan, 10_000)), { 39: '43' });
  await s.sw.register.liftBlock('bank-a', card.id);
  t.match(await t93.send(cash93(card.pan, 10_000)), { 39: '000' }, 'lifted');
  // Three wrong PINs: two at the ATM, the third at a chip terminal.
  const wrong = pinBlock('4321', card.pan);
  t.match(await t93.send(cash93(card.pan, 10_000, { 52: wrong })), { 39: '117' });
  t.match(await t93.send(cash93(card.pan, 10_000, { 52: wrong })), { 39: '117' });
  const purchase = { ...cash93(card.pan, 10_000, { 52: wrong, 3: '000000', 41: 'TERM0001' }) };
  t.match(await t93.send(purchase), { 39: '106' }, 'the third, at a chip terminal, PIN-blocks the card');
  t.match(await t93.send(cash93(card.pan, 10_000)), { 39: '106' }, 'the ATM refuses it at once, right PIN or not');
  t.match(await t87.send(cash87(card.pan, 10_000)), { 39: '75' });
  t.equal((await journal(s)).filter((p) => p.type === 'withdrawal').length, 2, 'only the two approvals posted');
});
