/**
 * The emulators' normal flows against a real switch (real TCP, real Redis): what each kind sends,
 * what the switch answers and what it posts.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { ManualClock } from '../../src/time/clock.js';
import { decryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { journal, keyFile, mtis, openTerminal, txnOf } from './fixtures/support.js';

const AT = new Date('2026-11-21T10:15:30Z'); // 11:15:30 in Copenhagen

t.test('DKT1: magstripe 1200 with PIN, field 48 reports the last approved STAN it completed', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { DKT00001: 'dkt1' }) } });
  const card = await addCard(s.sw);
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'dkt1', terminalId: 'DKT00001', clock, stan: 41 });
  t.equal(term.lastCompletedStan, '000000', 'none completed at start');

  const a = await term.purchase({ pan: card.pan, amount: 10_000, pin: '1234' });
  t.match(a, {
    approved: true,
    actionCode: '000',
    stan: '000041',
    localTime: '261121111530',
    timedOut: false,
    reversalStored: false,
  });
  t.match(a.approvalCode, /^\d{6}$/);
  const req = a.exchanges[0]!.request;
  t.equal(req[0], '1200', 'single message');
  t.equal(req[2], undefined, 'no field 2: the card is read from the stripe');
  t.equal(req[35], `${card.pan}=30121010000000`, 'track 2');
  t.equal(req[48], '01006000000', 'field 48: sub-element 01, none completed yet');
  t.equal(String(req[22])[6], '2', 'field 22 position 7: magnetic stripe');
  t.equal(
    decryptPinBlockFormat0(req[52] as Buffer, card.pan, TEST_PIN_KEY.key),
    '1234',
    'a real PIN block under the test key',
  );
  t.same(
    [req[7], req[12], req[41], req[42], req[49]],
    ['1121101530', '261121111530', 'DKT00001', 'MERCHANT0001   ', '208'],
  );
  t.equal(term.lastCompletedStan, '000041');

  clock.advance(60_000);
  const wrong = await term.purchase({ pan: card.pan, amount: 10_000, pin: '1235' });
  t.match(wrong, { approved: false, actionCode: '117', stan: '000042' });
  t.equal(wrong.approvalCode, undefined);
  t.equal(wrong.exchanges[0]!.request[48], '01006000041');
  t.equal(term.lastCompletedStan, '000041', 'a decline completes nothing');

  clock.advance(60_000);
  const signature = await term.purchase({ pan: card.pan, amount: 2_500 });
  t.equal(signature.approved, true, 'no PIN: a signature purchase');
  t.equal(signature.exchanges[0]!.request[52], undefined);
  t.equal(signature.exchanges[0]!.request[48], '01006000041', 'still the last approved one');
  t.equal(term.lastCompletedStan, '000043');

  const refund = await term.refund({ pan: card.pan, amount: 1_000, expiry: '2912' });
  t.equal(refund.approved, true);
  t.equal(refund.exchanges[0]!.request[3], '200000');
  t.equal(refund.exchanges[0]!.request[35], `${card.pan}=29121010000000`);
  t.equal(refund.exchanges[0]!.request[48], '01006000043');
  t.equal(term.lastCompletedStan, '000044', 'an approved refund is completed too');

  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.amount, p.txn]),
    [
      ['purchase', 10_000, txnOf('DKT00001', a)],
      ['purchase', 2_500, txnOf('DKT00001', signature)],
      ['refund', 1_000, txnOf('DKT00001', refund)],
    ],
    'no reversal: every approval was completed',
  );
  t.equal(term.exchanges.length, 4, 'the terminal keeps every exchange');
});

t.test('DKT1+ and OEM behave as DKT1; 1987 dialect: 0200 with fields 12 + 13', async (t) => {
  const clock = new ManualClock(AT); // the switch's too: a 1987 local time takes the year of the switch's date
  const s = await startSwitch(
    t,
    { terminals: { keyFile: keyFile(t, { DKTPLUS1: 'dkt1plus', OEM00001: 'oem' }) } },
    { clock },
  );
  const card = await addCard(s.sw);
  const plus = await openTerminal(t, s, { kind: 'dkt1plus', terminalId: 'DKTPLUS1', clock, stan: 1 });
  const oem = await openTerminal(
    t,
    s,
    { kind: 'oem', terminalId: 'OEM00001', clock, stan: 1, dialect: 'iso87ascii' },
    'iso87',
  );
  for (const term of [plus, oem]) {
    const first = await term.purchase({ pan: card.pan, amount: 500, pin: '1234' });
    const second = await term.purchase({ pan: card.pan, amount: 600 });
    t.ok(first.approved && second.approved, `${term.kind}: approved`);
    t.equal(second.exchanges[0]!.request[48], '01006000001', `${term.kind}: the first one reported completed`);
  }
  const o87 = oem.exchanges[0]!.request;
  t.same(
    [o87[0], o87[12], o87[13], o87[22]],
    ['0200', '111530', '1121', '901'],
    '1987: MTI 0200, local time hhmmss + MMDD, entry mode 90 (stripe)',
  );
  t.equal(oem.exchanges[0]!.response![39], '00', '1987 response code');
  const postings = await journal(s);
  t.equal(postings.length, 4);
  t.equal(postings.filter((p) => p.type === 'reversal').length, 0);
  t.equal(
    postings.find((p) => p.terminal === 'OEM00001')!.localTime,
    '261121111530',
    "the year comes from the switch's date",
  );
});

t.test('chip: 1100 authorisation then 1220 completion posts one purchase of the amount', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'chip', clock, stan: 100 });
  const o = await term.purchase({ pan: card.pan, amount: 12_550, pin: '1234' });
  t.match(o, { approved: true, actionCode: '000', stan: '000100', localTime: '261121111530', reversalStored: false });
  t.same(mtis(o), ['1100', '1220']);
  const [auth, completion] = o.exchanges;
  t.equal(auth!.request[2], card.pan, 'the PAN from the chip');
  t.equal(String(auth!.request[22])[6], '5', 'field 22 position 7: chip');
  t.ok(Buffer.isBuffer(auth!.request[52]), 'PIN block');
  t.equal(auth!.response![0], '1110');
  t.same(
    [completion!.request[4], completion!.request[11], completion!.request[24], completion!.request[56]],
    ['000000012550', '000101', '201', '1100000100261121111530'],
    'the completion names the authorisation in field 56',
  );
  t.equal(completion!.request[52], undefined, 'no PIN in an advice');
  t.equal(completion!.response![38], auth!.response![38], "the authorisation's approval code");
  t.equal(o.approvalCode, auth!.response![38]);
  const postings = await journal(s);
  t.equal(postings.length, 1, 'one posting');
  t.match(postings[0], {
    type: 'purchase',
    direction: 'D',
    amount: 12_550,
    txn: txnOf('TERM0001', o),
    approvalCode: o.approvalCode,
    merchant: 'MERCHANT0001',
  });
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 12_550 }, 'the completion held until booked');

  const declined = await term.purchase({ pan: card.pan, amount: 1_000, pin: '9999' });
  t.match(declined, { approved: false, actionCode: '117', reversalStored: false });
  t.same(mtis(declined), ['1100'], 'a declined authorisation is not completed');
  const broke = await term.purchase({ pan: card.pan, amount: 100_000 });
  t.equal(broke.actionCode, '116', 'insufficient funds');
  t.equal((await journal(s)).length, 1);
});

t.test('chip: magstripe purchase and refund are single message', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'chip', clock: new ManualClock(AT), merchant: 'SHOP42' });
  const stripe = await term.purchase({ pan: card.pan, amount: 4_200, pin: '1234', magstripe: true });
  t.equal(stripe.approved, true);
  t.same(mtis(stripe), ['1200']);
  t.equal(stripe.exchanges[0]!.request[35], `${card.pan}=30121010000000`);
  t.equal(String(stripe.exchanges[0]!.request[22])[6], '2');
  t.equal(stripe.exchanges[0]!.request[48], undefined, 'a PSAM terminal sends no field 48');
  const refund = await term.refund({ pan: card.pan, amount: 1_500 });
  t.equal(refund.approved, true);
  t.same(mtis(refund), ['1200']);
  t.same(
    [refund.exchanges[0]!.request[2], refund.exchanges[0]!.request[3]],
    [card.pan, '200000'],
    'a chip refund: PAN from the chip, processing code 20',
  );
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.direction, p.amount, p.merchant, p.txn]),
    [
      ['purchase', 'D', 4_200, 'SHOP42', txnOf('TERM0001', stripe)],
      ['refund', 'C', 1_500, 'SHOP42', txnOf('TERM0001', refund)],
    ],
  );
});

t.test(
  'contactless: no PIN up to the limit, the PIN above it, and the card inserted when asked for chip and PIN',
  async (t) => {
    const s = await startSwitch(t);
    const card = await addCard(s.sw, { balance: 1_000_000 });
    const term = await openTerminal(t, s, { kind: 'contactless', clock: new ManualClock(AT) });
    const below = await term.purchase({ pan: card.pan, amount: 35_000, pin: '1234' });
    t.equal(below.approved, true, 'at the limit');
    t.same(mtis(below), ['1200']);
    t.equal(below.exchanges[0]!.request[52], undefined, 'no PIN up to the limit, even when the holder has one');
    t.equal(String(below.exchanges[0]!.request[22])[6], 'A', 'field 22 position 7: contactless chip');
    t.equal(below.exchanges[0]!.request[2], card.pan);

    const above = await term.purchase({ pan: card.pan, amount: 35_001, pin: '1234' });
    t.equal(above.approved, true);
    t.equal(above.exchanges.length, 1, 'the PIN at once');
    t.ok(Buffer.isBuffer(above.exchanges[0]!.request[52]));

    const noPin = await term.purchase({ pan: card.pan, amount: 35_001 });
    t.match(noPin, { approved: false, actionCode: '112' }, 'above the limit without a PIN: PIN required');
    t.equal(noPin.exchanges.length, 1, 'no PIN to retry with');

    // Another card, four PIN-less payments of 260.00: the fifth would pass 1,125.00 in a row, so the
    // switch asks for the chip and the PIN, and the holder inserts the card.
    const other = await addCard(s.sw, { balance: 1_000_000 });
    for (let i = 0; i < 4; i++) t.equal((await term.purchase({ pan: other.pan, amount: 26_000 })).approved, true);
    const asked = await term.purchase({ pan: other.pan, amount: 10_000, pin: '1234' });
    t.equal(asked.approved, true);
    t.same(
      asked.exchanges.map((e) => [
        e.request[0],
        e.request[52] === undefined,
        String(e.request[22] ?? '')[6],
        e.response![39],
      ]),
      [
        ['1200', true, 'A', '123'],
        ['1100', false, '5', '000'],
        ['1220', true, undefined, '000'],
      ],
      'asked for chip and PIN: the card inserted, a chip purchase with the PIN',
    );
    t.match((await s.sw.register.state(other.id))!.contactless, { count: 0, sum: 0 }, 'the count reset');
    t.equal(asked.stan, asked.exchanges[1]!.request[11], "the outcome is the retry's");
    t.not(asked.exchanges[0]!.request[11], asked.exchanges[1]!.request[11], 'the retry is a new transaction');

    const refund = await term.refund({ pan: card.pan, amount: 2_000 });
    t.equal(refund.approved, true, 'a contactless refund');
    t.equal(String(refund.exchanges[0]!.request[22])[6], 'A');
    const postings = await journal(s);
    t.same(
      postings.map((p) => p.amount),
      [35_000, 35_001, 26_000, 26_000, 26_000, 26_000, 10_000, 2_000],
    );
  },
);

t.test('contactless in the 1987 dialect: entry mode 07', async (t) => {
  const clock = new ManualClock(AT);
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'contactless', clock, dialect: 'iso87ascii' }, 'iso87');
  const o = await term.purchase({ pan: card.pan, amount: 40_000 });
  t.match(o, { approved: false, actionCode: '70' }, 'PIN required, 1987 code');
  t.equal(o.exchanges[0]!.request[22], '071');
  const ok = await term.purchase({ pan: card.pan, amount: 40_000, pin: '1234' });
  t.same([ok.approved, ok.actionCode, ok.exchanges[0]!.request[0]], [true, '00', '0200']);
});

t.test('fuel: authorise a maximum with the PIN, complete with the amount pumped; the rest is released', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await openTerminal(t, s, { kind: 'fuel', terminalId: 'PUMP0001', clock: new ManualClock(AT) });
  const o = await term.fuel({ pan: card.pan, pin: '1234', maximum: 50_000, pumped: 31_250 });
  t.match(o, { approved: true, actionCode: '000' });
  t.same(mtis(o), ['1100', '1220']);
  const [auth, completion] = o.exchanges;
  t.equal(auth!.request[4], '000000050000', 'the maximum');
  t.ok(Buffer.isBuffer(auth!.request[52]), 'with the PIN');
  t.equal(String(auth!.request[22])[3], '2', 'field 22 position 4: unattended');
  t.same(
    [completion!.request[4], completion!.request[24]],
    ['000000031250', '202'],
    'the amount pumped, another amount',
  );
  const [p, ...rest] = await journal(s);
  t.equal(rest.length, 0);
  t.match(p, { type: 'purchase', amount: 31_250, txn: txnOf('PUMP0001', o), terminal: 'PUMP0001' });
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 31_250 }, 'the rest of the maximum is back');

  const full = await term.fuel({ pan: card.pan, pin: '1234', maximum: 10_000, pumped: 10_000 });
  t.equal(full.exchanges[1]!.request[24], '201', 'the whole maximum: same amount');
  const wrong = await term.fuel({ pan: card.pan, pin: '0000', maximum: 10_000, pumped: 5_000 });
  t.match(wrong, { approved: false, actionCode: '117' });
  t.same(mtis(wrong), ['1100']);
});

t.test('sign-on and echo: 1804 (1993) and 0800 (1987)', async (t) => {
  const s = await startSwitch(t);
  const clock = new ManualClock(AT);
  const t93 = await openTerminal(t, s, { kind: 'chip', clock, stan: 7 });
  const on = await t93.signOn();
  t.match(on, {
    approved: true,
    actionCode: '800',
    stan: '000007',
    localTime: '261121111530',
    timedOut: false,
    reversalStored: false,
  });
  t.same(
    [on.exchanges[0]!.request[0], on.exchanges[0]!.request[24], on.exchanges[0]!.response![0]],
    ['1804', '801', '1814'],
  );
  const echo = await t93.echo();
  t.same([echo.approved, echo.exchanges[0]!.request[24]], [true, '831']);
  const t87 = await openTerminal(t, s, { kind: 'dkt1', clock, dialect: 'iso87ascii', terminalId: 'TERM0087' }, 'iso87');
  const on87 = await t87.signOn();
  t.same(
    [on87.approved, on87.actionCode, on87.exchanges[0]!.request[0], on87.exchanges[0]!.request[70]],
    [true, '00', '0800', '001'],
  );
  const echo87 = await t87.echo();
  t.same([echo87.approved, echo87.exchanges[0]!.request[70], echo87.exchanges[0]!.response![0]], [true, '301', '0810']);
});

t.test('iso93binary with a bcd2 header; 1987 dual message', async (t) => {
  const clock = new ManualClock(AT);
  const s = await startSwitch(
    t,
    {
      listeners: [
        { name: 'bin', host: '127.0.0.1', port: 0, dialect: 'iso93binary', framing: { header: 'bcd2' } },
        { name: 'iso87', host: '127.0.0.1', port: 0, dialect: 'iso87ascii', framing: { header: 'ascii4' } },
      ],
    },
    { clock },
  );
  const card = await addCard(s.sw);
  const bin = await openTerminal(t, s, { kind: 'chip', clock, dialect: 'iso93binary', header: 'bcd2' }, 'bin');
  const o = await bin.purchase({ pan: card.pan, amount: 9_900, pin: '1234' });
  t.same([o.approved, ...mtis(o)], [true, '1100', '1220']);
  t.equal((await bin.echo()).actionCode, '800');
  const c87 = await openTerminal(t, s, { kind: 'chip', clock, dialect: 'iso87ascii', terminalId: 'TERM0087' }, 'iso87');
  const o87 = await c87.purchase({ pan: card.pan, amount: 1_100 });
  t.same([o87.approved, ...mtis(o87)], [true, '0100', '0220']);
  t.equal(o87.exchanges[1]!.request[24], undefined, 'no function code in 1987');
  t.equal(o87.exchanges[1]!.request[56], `0100${o87.stan}${o87.localTime}`);
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.amount, p.txn]),
    [
      [9_900, txnOf('TERM0001', o)],
      [1_100, txnOf('TERM0087', o87)],
    ],
  );
});
