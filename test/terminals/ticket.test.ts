/**
 * Unattended machines without cardholder verification (004 §5.2) against a real switch (real
 * TCP, real Redis), in both code sets: the ticket machine's 1200 from the chip without PIN is
 * approved up to the card product's limit, refused over it (121 / 61); a machine that could take
 * the PIN is asked for it (112 / 70); one that takes the PIN is not limited. The posting says
 * verification 'none', channel 'unattended'.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard, pinBlock } from '../support/cards.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { ManualClock } from '../../src/time/clock.js';
import { TerminalError } from '../../terminals/index.js';
import { journal, keyFile, mtis, openTerminal, txnOf } from './fixtures/support.js';

const AT = new Date('2026-11-21T10:15:30Z');

t.test('ticket machine, 1993: a 1200 from the chip without PIN, up to the default limit of 500.00', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 200_000 });
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'ticket', terminalId: 'PARK0001', clock });

  const fee = await term.purchase({ pan: card.pan, amount: 4_500 });
  t.match(fee, { approved: true, actionCode: '000' });
  t.same(mtis(fee), ['1200'], 'single message: the price is known');
  const req = fee.exchanges[0]!.request;
  t.equal(req[2], card.pan, 'the card read from the chip (field 2)');
  t.equal(req[52], undefined, 'no PIN');
  t.equal(req[22], '500201500040', 'field 22: no PIN capability, unattended, chip, holder not verified, no PIN pad');

  clock.advance(60_000);
  const atLimit = await term.purchase({ pan: card.pan, amount: 50_000 });
  t.match(atLimit, { approved: true, actionCode: '000' }, '500.00: at the limit');

  clock.advance(60_000);
  const over = await term.purchase({ pan: card.pan, amount: 50_001 });
  t.match(over, { approved: false, actionCode: '121' }, '500.01: over the limit');
  t.equal(over.approvalCode, undefined);

  const postings = await journal(s);
  t.same(
    postings.map((p) => p.amount),
    [4_500, 50_000],
    'the refusal posts nothing',
  );
  t.match(postings[0], {
    txn: txnOf('PARK0001', fee),
    type: 'purchase',
    entryMode: 'chip',
    verification: 'none',
    channel: 'unattended',
    terminalKind: 'unattended',
    authorization: 'online',
  });
  t.match(await s.sw.register.state(card.id), { unbooked: 54_500 }, 'the refusal holds nothing');
});

t.test('ticket machine, 1987 (model ticket in the key file): 0200 "052", 61 over the limit', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { TICKET01: 'ticket' }) } });
  const card = await addCard(s.sw);
  const clock = new ManualClock(AT);
  const term = await openTerminal(
    t,
    s,
    { kind: 'ticket', terminalId: 'TICKET01', dialect: 'iso87ascii', clock },
    'iso87',
  );

  const ok = await term.purchase({ pan: card.pan, amount: 27_500 });
  t.match(ok, { approved: true, actionCode: '00' });
  t.same(mtis(ok), ['0200']);
  t.equal(ok.exchanges[0]!.request[22], '052', 'chip, cannot take a PIN');
  clock.advance(60_000);
  const over = await term.purchase({ pan: card.pan, amount: 60_000 });
  t.match(over, { approved: false, actionCode: '61' });

  const [p, ...rest] = await journal(s);
  t.equal(rest.length, 0);
  t.match(p, { amount: 27_500, verification: 'none', channel: 'unattended', terminalKind: 'ticket' });
});

t.test("the card product's own limit (register.products.<product>.unattendedLimit)", async (t) => {
  const s = await startSwitch(t, {
    register: {
      unattendedLimit: 30_000,
      products: { 'visa-dankort': { unattendedLimit: 100_000 }, business: { reservationLapseDays: 31 } },
    },
  });
  const own = await addCard(s.sw, { product: 'visa-dankort' });
  const plain = await addCard(s.sw, { product: 'dankort' });
  const other = await addCard(s.sw, { product: 'business' });
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'ticket', terminalId: 'BRIDGE01', clock });
  const buy = async (pan: string, amount: number) => {
    clock.advance(1_000);
    return (await term.purchase({ pan, amount })).actionCode;
  };
  t.equal(await buy(own.pan, 100_000), '000', 'its own limit: 1,000.00');
  t.equal(await buy(own.pan, 100_001), '121');
  t.equal(await buy(plain.pan, 30_000), '000', 'the default: 300.00');
  t.equal(await buy(plain.pan, 30_001), '121');
  t.equal(await buy(other.pan, 30_001), '121', 'a product listed without a limit of its own: the default');
});

t.test('a machine that could take the PIN is asked for it; one that takes it is not limited', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { PUMP0087: 'fuel' }) } });
  const card = await addCard(s.sw);
  const t93 = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => t93.close());
  const unattended = (f: Record<number, unknown>) =>
    purchase93({ 2: card.pan, 4: '000000080000', 12: '261121111530', 41: 'PHONE001', 22: '510201500004', ...f });

  const asked = await t93.send(unattended({}));
  t.equal(asked[39], '112', 'PIN capture capability 4 digits, no PIN: PIN required');
  const withPin = await t93.send(unattended({ 22: '510201510004', 52: pinBlock('1234', card.pan) }));
  t.equal(withPin[39], '000', 'with the PIN: not limited');
  const offlinePin = await t93.send(unattended({ 22: '510201510004', 4: '000000080001' }));
  t.equal(offlinePin[39], '000', 'the PIN checked by the chip: not limited');
  const unknown = await t93.send(unattended({ 22: '510201500001', 4: '000000080002' }));
  t.equal(unknown[39], '121', 'PIN capture capability unknown: a machine without a PIN pad');
  const refund = await t93.send(unattended({ 3: '200000', 4: '000000080003' }));
  t.equal(refund[39], '000', 'a refund is not limited');
  const attended = await t93.send(unattended({ 22: '510101500004', 4: '000000080004' }));
  t.equal(attended[39], '000', 'attended, no PIN (signature not asked for here): not this rule');
  const contactless = await t93.send(unattended({ 22: '510201A00004', 4: '000000080005' }));
  t.equal(contactless[39], '112', "contactless: the contactless rules' PIN required, over 350.00");

  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => t87.close());
  const pump = (f: Record<number, unknown>) =>
    purchase87({ 2: card.pan, 4: '000000080000', 41: 'PUMP0087', 22: '051', ...f });
  t.equal((await t87.send(pump({})))[39], '70', '1987, model fuel, no PIN: PIN required');
  t.equal(
    (await t87.send(pump({ 22: '052', 4: '000000080001' })))[39],
    '61',
    'no PIN entry capability: over the limit',
  );
  const bare = pump({ 4: '000000080002' });
  delete bare[22];
  t.equal((await t87.send(bare))[39], '61', 'no field 22: no PIN pad known');
  t.equal((await t87.send(pump({ 52: pinBlock('1234', card.pan), 4: '000000080003' })))[39], '00', 'with the PIN');
  const fuelled = (await journal(s)).find((p) => p.terminal === 'PUMP0087');
  t.match(fuelled, { verification: 'pinOnline', channel: 'unattended', terminalKind: 'fuel' });
  const none = (await journal(s)).find((p) => p.terminal === 'PHONE001' && p.type === 'refund');
  t.match(none, { verification: 'none', channel: 'unattended' });
});

t.test('the card checks come first: a blocked card over the limit is answered blocked', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  t.ok((await s.sw.register.block('bank-a', card.id, 'lost', new Date())).ok);
  const term = await openTerminal(t, s, { kind: 'ticket', terminalId: 'PARK0002', clock: new ManualClock(AT) });
  t.match(await term.purchase({ pan: card.pan, amount: 90_000 }), { approved: false, actionCode: '208' });
  t.match(await term.purchase({ pan: card.pan, amount: 100 }), { approved: false, actionCode: '208' });
});

t.test('the ticket machine takes no PIN, no stripe and makes no refunds', async (t) => {
  const s = await startSwitch(t);
  const term = await openTerminal(t, s, { kind: 'ticket', terminalId: 'PARK0003' });
  const pan = '5019000000000016';
  await t.rejects(term.purchase({ pan, amount: 100, pin: '1234' }), TerminalError);
  await t.rejects(term.purchase({ pan, amount: 100, magstripe: true }), TerminalError);
  await t.rejects(term.refund({ pan, amount: 100 }), TerminalError);
  t.equal(term.exchanges.length, 0, 'nothing sent');
});
