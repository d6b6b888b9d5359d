/**
 * What a posting keeps for the statement and a dispute (issue 14, items 2, 5, 8), over real TCP
 * and a real Redis: the purchase, receipt and authorization times (a late completion shows its
 * own receipt), a foreign amount converted to DKK with its original kept (an unconfigured
 * currency refused), the merchant's name, city and category, how the card was read and how the
 * holder approved, and the terminal's kind.
 */
import t, { type Test } from 'tap';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { ManualClock } from '../../src/time/clock.js';

const DAY = 86_400_000;
/** Field 12 of purchase93(): 21 Nov 2026 10:15:30 at the terminal, 09:15:30 UTC (Copenhagen is UTC+1 then). */
const PURCHASED_AT = Date.parse('2026-11-21T09:15:30Z');

async function open(t: Test, s: TestSwitch, listener = 'iso93'): Promise<TestTerminal> {
  const term =
    listener === 'iso93'
      ? await TestTerminal.open(s.port('iso93'))
      : await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => term.close());
  return term;
}

async function journal(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

const original = (m: IsoMessage): string => `${String(m[0])}${String(m[11])}${String(m[12])}`;

/** A 1993 POS data code: attended (position 4 '1'), the card read as `input` (position 7), holder approved by `method` (position 8). */
const pos93 = (input: string, method: string, environment = '1'): string => `510${environment}01${input}${method}304C`;

t.test('a purchase keeps the merchant, the card read, the approval, the terminal and its times', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T09:16:00.250Z'));
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const a = await term.send(
    purchase93({
      2: card.pan,
      22: pos93('5', '1'),
      26: '5462',
      43: 'Bageriet Ø\\Strøget 1\\Aarhus C\\8000 DK',
      52: pinBlock('1234', card.pan),
    }),
  );
  t.equal(a[39], '000');
  const [p] = await journal(s);
  t.match(p, {
    purchasedAt: PURCHASED_AT,
    receivedAt: clock.now().getTime(),
    authorizedAt: clock.now().getTime(),
    merchantName: 'Bageriet Ø',
    merchantCity: 'Aarhus C',
    mcc: '5462',
    entryMode: 'chip',
    verification: 'pinOnline',
    // TERM0001 is not in the test switch's key file: field 22 position 4 says attended.
    terminalKind: 'attended',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    originalAmount: 12_500,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    amount: 12_500,
    currency: '208',
  });

  // How the holder approved, as the request shows it.
  const cases: [IsoMessage, Partial<Posting>][] = [
    [{ 22: pos93('5', '1') }, { entryMode: 'chip', verification: 'pinOffline' }],
    [{ 22: pos93('5', '5') }, { entryMode: 'chip', verification: 'signature' }],
    [
      { 22: pos93('5', '0', '2') },
      { entryMode: 'chip', verification: 'none', terminalKind: 'unattended', channel: 'unattended' },
    ],
    [
      { 22: pos93('A', '0'), 4: '000000001000' },
      { entryMode: 'contactless', verification: 'contactlessNoPin' },
    ],
    [{ 22: pos93('2', '5') }, { entryMode: 'magstripe', verification: 'signature' }],
    [{}, { entryMode: 'unknown', verification: 'unknown', terminalKind: 'unknown', merchantName: '', mcc: '' }],
  ];
  for (const [fields, want] of cases) {
    clock.advance(1000);
    const r = await term.send(purchase93({ 2: card.pan, ...fields }));
    t.equal(r[39], '000', JSON.stringify(fields));
    t.match((await journal(s)).at(-1), want, JSON.stringify(want));
  }
});

t.test('1987 dialect: field 43 by position, MCC from field 18, the PIN block or contactless', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await open(t, s, 'iso87');
  const name = 'Købmand Hansen'.padEnd(25) + 'Odense'.padEnd(13) + 'DK';
  const a = await term.send(
    purchase87({ 2: card.pan, 18: '5411', 22: '051', 43: name, 52: pinBlock('1234', card.pan) }),
  );
  t.equal(a[39], '00');
  const b = await term.send(purchase87({ 2: card.pan, 4: '000000001000', 22: '071', 26: '12' }));
  t.equal(b[39], '00');
  const c = await term.send(purchase87({ 2: card.pan, 22: '901' }));
  t.equal(c[39], '00');
  const [p1, p2, p3] = await journal(s);
  t.match(p1, {
    merchantName: 'Købmand Hansen',
    merchantCity: 'Odense',
    mcc: '5411',
    entryMode: 'chip',
    verification: 'pinOnline',
  });
  t.match(p2, { mcc: '', entryMode: 'contactless', verification: 'contactlessNoPin' }, "1987's field 26 is no MCC");
  t.match(p3, { entryMode: 'magstripe', verification: 'unknown', terminalKind: 'unknown' });
  t.equal(p1?.purchasedAt, PURCHASED_AT, 'fields 13 and 12 read in the register time zone');
});

t.test('a completion 10 days later keeps the purchase and authorization times, with its own receipt', async (t) => {
  const authorizedAt = new Date('2026-11-21T09:16:00Z');
  const clock = new ManualClock(authorizedAt);
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000050000', 43: 'Q8 Vejle\\\\Vejle', 26: '5541' });
  const a = await term.send(auth);
  t.equal(a[39], '000');
  t.same(await journal(s), [], 'nothing posted before the completion');

  clock.advance(10 * DAY);
  const completedAt = clock.now().getTime();
  const done = await term.send({
    ...purchase93({ 0: '1220', 2: card.pan, 4: '000000031250', 12: '261201101530' }),
    56: original({ ...auth, 11: a[11]! }),
  });
  t.equal(done[39], '000');
  const [completion] = await journal(s);
  t.match(completion, {
    type: 'purchase',
    amount: 31_250,
    originalAmount: 31_250,
    purchasedAt: PURCHASED_AT,
    authorizedAt: authorizedAt.getTime(),
    receivedAt: completedAt,
    merchantName: 'Q8 Vejle',
    merchantCity: 'Vejle',
    mcc: '5541',
  });
  t.ok(completion!.receivedAt - completion!.purchasedAt > 9 * DAY, 'a late completion shows as late');

  clock.advance(DAY);
  const reversal = await term.send({
    ...purchase93({ 0: '1420', 2: card.pan, 4: '000000031250', 12: '261202101530' }),
    24: '400',
    25: '4021',
    56: original({ ...auth, 11: a[11]! }),
  });
  t.equal(reversal[39], '400');
  const [, back] = await journal(s);
  t.match(back, {
    type: 'reversal',
    amount: 31_250,
    purchasedAt: PURCHASED_AT,
    authorizedAt: authorizedAt.getTime(),
    receivedAt: clock.now().getTime(),
  });
});

t.test('a reversal of a single-message purchase keeps its authorization time', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T09:16:00Z'));
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const req = purchase93({ 2: card.pan });
  const a = await term.send(req);
  const at = clock.now().getTime();
  clock.advance(60_000);
  const r = await term.send({
    ...purchase93({ 0: '1420', 2: card.pan, 12: '261121101630' }),
    24: '400',
    25: '4000',
    56: original({ ...req, 11: a[11]! }),
  });
  t.equal(r[39], '400');
  const [p, c] = await journal(s);
  t.match(p, { authorizedAt: at, receivedAt: at });
  t.match(c, { type: 'cancellation', authorizedAt: at, receivedAt: at + 60_000, purchasedAt: PURCHASED_AT });
});

t.test('foreign currencies: converted to DKK at the configured rate, the original kept; others refused', async (t) => {
  const s = await startSwitch(t, { currencies: { '392': { code: 'JPY', exponent: 0, rate: '0.045' } } });
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await open(t, s);
  // €16.76 at the default 7.46 is 125.0296 DKK: 12503 øre (half up).
  const eur = await term.send(purchase93({ 2: card.pan, 4: '000000001676', 49: '978' }));
  t.equal(eur[39], '000');
  t.equal(eur[49], '978', 'the answer echoes the currency');
  // ¥1,000 at 0.045 is 45.00 DKK.
  const jpy = await term.send(purchase93({ 2: card.pan, 4: '000000001000', 49: '392' }));
  t.equal(jpy[39], '000');
  const [p1, p2] = await journal(s);
  t.match(p1, { amount: 12_503, currency: '208', originalAmount: 1676, originalCurrency: '978', rate: 7_460_000 });
  t.match(p2, { amount: 4500, currency: '208', originalAmount: 1000, originalCurrency: '392', originalExponent: 0 });
  t.equal((await s.sw.register.state(card.id))!.unbooked, 12_503 + 4500, 'the account is held in DKK');

  // Balance control in DKK: 1000.00 DKK less what is held leaves 829.97 DKK; €111.26 is 830.00 DKK.
  const over = await term.send(purchase93({ 2: card.pan, 4: '000000011126', 49: '978' }));
  t.equal(over[39], '116', 'the DKK amount is what balance control sees');

  const usd = await term.send(purchase93({ 2: card.pan, 49: '840' }));
  t.equal(usd[39], '115', 'a currency not configured: 115');
  const term87 = await open(t, s, 'iso87');
  const usd87 = await term87.send(purchase87({ 2: card.pan, 49: '840' }));
  t.equal(usd87[39], '12', 'and 12 in the 1987 code set');
  t.equal((await journal(s)).length, 2, 'nothing posted for a refusal');
  const refused = s.logs.find((l) => typeof l.reason === 'string' && l.reason.includes('currency 840'));
  t.ok(refused, 'the log says which currency was refused');
});

t.test('a foreign completion and partial reversal convert at the rate kept in the posting', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  const term = await open(t, s);
  const auth = purchase93({ 0: '1100', 2: card.pan, 4: '000000010000', 49: '978' });
  const a = await term.send(auth);
  t.equal(a[39], '000');
  t.equal((await s.sw.register.state(card.id))!.reserved, 74_600, '€100.00 reserved as 746.00 DKK');
  const completion = (fields: IsoMessage): IsoMessage => {
    // Without field 49 unless given: a completion need not repeat the currency.
    const { 49: _currency, ...m } = purchase93({ 0: '1220', 2: card.pan, 12: '261121101600' });
    return { ...m, ...fields, 56: original({ ...auth, 11: a[11]! }) };
  };
  const wrong = await term.send(completion({ 4: '000000006701', 49: '752' }));
  t.equal(wrong[39], '902', "a completion in another currency than the authorization's");
  const more = await term.send(completion({ 4: '000000010001', 49: '978', 12: '261121101601' }));
  t.equal(more[39], '110', 'above the authorised amount, compared in euro');
  const done = await term.send(completion({ 4: '000000006701', 12: '261121101602' }));
  t.equal(done[39], '000', 'field 49 may be left out');
  const [p] = await journal(s);
  // €67.01 at 7.46 is 499.8946 DKK: 49989 øre.
  t.match(p, { amount: 49_989, originalAmount: 6701, originalCurrency: '978', rate: 7_460_000 });
  t.match(
    await s.sw.register.state(card.id),
    { reserved: 0, unbooked: 49_989 },
    'the reservation given back, the completion held in DKK',
  );

  const partial = await term.send({
    ...purchase93({ 0: '1420', 2: card.pan, 4: '000000000333', 12: '261121101700' }),
    24: '401',
    25: '4000',
    56: original({ ...auth, 11: a[11]! }),
  });
  t.equal(partial[39], '400');
  const [, r] = await journal(s);
  // €3.33 at 7.46 is 24.8418 DKK: 2484 øre.
  t.match(r, { type: 'cancellation', direction: 'C', amount: 2484, originalAmount: 333, originalCurrency: '978' });
  t.equal((await s.sw.register.state(card.id))!.unbooked, 49_989 - 2484, 'the hold given back by the DKK reversed');
});
