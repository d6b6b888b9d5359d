/**
 * The ATM emulator (terminals/atm.ts) against a real switch, in both code sets: a withdrawal with
 * the PIN, a dispense fault (the whole withdrawal and its fee reversed at once), a partial
 * dispense (the rest reversed, the fee kept), a withdrawal abroad, no answer (reversed at the next
 * contact); and the `npm run terminal -- withdraw` command.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { ManualClock } from '../../src/time/clock.js';
import { main } from '../../terminals/cli.js';
import { DISPENSE_FAULT, PARTIAL_DISPENSE } from '../../terminals/index.js';
import { AnswerGate, TEST_KEY_HEX, journal, mtis, openTerminal, txnOf } from './fixtures/support.js';

/** ATM00001 is bank-a's, ATM00002 bank-b's. */
function atmKeys(t: Test): string {
  const atm = (owner: string) => ({ format: 0, key: TEST_KEY_HEX, model: 'atm', owner });
  const dir = t.testdir({
    'keys.json': JSON.stringify({ terminals: { ATM00001: atm('bank-a'), ATM00002: atm('bank-b') } }),
  });
  return join(dir, 'keys.json');
}

async function atmSwitch(t: Test, extra: Parameters<typeof startSwitch>[2] = {}): Promise<TestSwitch> {
  return startSwitch(t, { terminals: { keyFile: atmKeys(t) } }, extra);
}

const state = async (s: TestSwitch, id: string) => (await s.sw.register.state(id))!;

t.test('a withdrawal: one 1200 with processing code 01, the PIN, unattended, read from the chip', async (t) => {
  const s = await atmSwitch(t);
  const card = await addCard(s.sw);
  const atm = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00001' });
  const o = await atm.withdraw({ pan: card.pan, amount: 50_000, pin: '1234' });
  t.match(o, { approved: true, actionCode: '000', dispensed: 50_000, reversalStored: false });
  t.same(mtis(o), ['1200']);
  const request = o.exchanges[0]!.request;
  t.match(request, { 3: '010000', 4: '000000050000', 41: 'ATM00001', 49: '208' });
  t.ok(Buffer.isBuffer(request[52]), 'the PIN block');
  t.equal(String(request[22])[3], '2', 'field 22 position 4: unattended');
  t.equal(String(request[22])[6], '5', 'position 7: chip');
  t.equal(request[19], undefined, 'no country at home');
  t.match(await journal(s), [{ type: 'withdrawal', amount: 50_000, txn: txnOf('ATM00001', o), terminalKind: 'atm' }]);
  const wrong = await atm.withdraw({ pan: card.pan, amount: 50_000, pin: '9999' });
  t.match(wrong, { approved: false, actionCode: '117', reversalStored: false });
  t.equal(wrong.dispensed, undefined, 'nothing to pay out');
});

t.test('a dispense fault: the ATM reverses the whole withdrawal at once; the fee goes back', async (t) => {
  const s = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const atm = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00002' });
  const o = await atm.withdraw({ pan: card.pan, amount: 40_000, pin: '1234', dispensed: 0 });
  t.match(o, { approved: false, actionCode: '000', reversalStored: true, dispensed: 0 });
  t.match(o.approvalCode, /^\d{6}$/);
  t.same(mtis(o), ['1200', '1420']);
  t.match(o.exchanges[1]!.request, {
    4: '000000040000',
    24: '400',
    25: DISPENSE_FAULT,
    56: `1200${o.stan}${o.localTime}`,
  });
  t.match(o.exchanges[1]!.response, { 0: '1430', 39: '400' });
  t.equal(atm.pendingReversals, 0, 'acknowledged');
  const txn = txnOf('ATM00002', o);
  t.match(await journal(s), [
    { type: 'withdrawal', direction: 'D', amount: 40_000, txn },
    { type: 'fee', direction: 'D', amount: 500, txn },
    { type: 'reversal', direction: 'C', amount: 40_000, txn, reason: DISPENSE_FAULT },
    { type: 'fee', direction: 'C', amount: 500, txn, reason: DISPENSE_FAULT },
  ]);
  t.match(await state(s, card.id), { available: 100_000, unbooked: 0 });
});

t.test('a partial dispense: the rest reversed, the fee kept (1993: function code 401; 1987: field 4)', async (t) => {
  const s = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const atm = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00002' });
  const o = await atm.withdraw({ pan: card.pan, amount: 40_000, pin: '1234', dispensed: 30_000 });
  t.match(o, { approved: true, reversalStored: true, dispensed: 30_000 });
  t.match(o.exchanges[1]!.request, { 0: '1420', 4: '000000010000', 24: '401', 25: PARTIAL_DISPENSE });
  t.match(await state(s, card.id), { unbooked: 30_500 });

  const atm87 = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00002', dialect: 'iso87ascii' }, 'iso87');
  const o87 = await atm87.withdraw({ pan: card.pan, amount: 20_000, pin: '1234', dispensed: 5_000 });
  t.match(o87, { approved: true, actionCode: '00', dispensed: 5_000 });
  t.same(mtis(o87), ['0200', '0420']);
  t.match(o87.exchanges[0]!.request, { 3: '010000', 22: '051' });
  t.match(o87.exchanges[1]!.request, { 4: '000000015000' });
  t.equal(o87.exchanges[1]!.request[24], undefined, 'no function code in 1987');
  t.match(o87.exchanges[1]!.response, { 0: '0430', 39: '00' });
  t.match(
    (await journal(s)).filter((p) => p.type === 'reversal').map((p) => [p.amount, p.reason]),
    [
      [10_000, PARTIAL_DISPENSE],
      [15_000, ''],
    ],
  );
  t.match(await state(s, card.id), { unbooked: 30_500 + 5_000 + 500 });
});

t.test('abroad: the currency and the country as the ATM sends them; the fee abroad', async (t) => {
  const s = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 1_000_000 });
  const atm = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00001' });
  const o = await atm.withdraw({ pan: card.pan, amount: 20_000, pin: '1234', currency: '978', country: '276' });
  t.match(o, { approved: true, dispensed: 20_000 });
  t.match(o.exchanges[0]!.request, { 19: '276', 49: '978' });
  // 200.00 EUR = 1,492.00 DKK; 2 % = 29.84, under the least fee abroad.
  t.match(await journal(s), [
    { type: 'withdrawal', amount: 149_200, originalAmount: 20_000, originalCurrency: '978' },
    { type: 'fee', amount: 3_500 },
  ]);
});

t.test('no answer: the withdrawal is reversed (4021) before the next request', async (t) => {
  const gate = new AnswerGate();
  const s = await atmSwitch(t, gate.extra);
  const card = await addCard(s.sw);
  const atm = await openTerminal(t, s, { kind: 'atm', terminalId: 'ATM00001', answerTimeoutMs: 300 });
  const held = gate.hold('1200');
  const lost = await atm.withdraw({ pan: card.pan, amount: 10_000, pin: '1234' });
  await held;
  gate.release();
  t.match(lost, { approved: false, timedOut: true, reversalStored: true });
  t.equal(lost.dispensed, undefined);
  t.equal(atm.pendingReversals, 1);
  const next = await atm.withdraw({ pan: card.pan, amount: 5_000, pin: '1234' });
  t.same(mtis(next), ['1420', '1200']);
  t.match(next.exchanges[0]!.request, { 25: '4021', 24: '400' });
  t.match(
    (await journal(s)).map((p) => [p.type, p.amount]),
    [
      ['withdrawal', 10_000],
      ['reversal', 10_000],
      ['withdrawal', 5_000],
    ],
  );
});

t.test('npm run terminal -- withdraw: the outcome, the dispenser, exit codes', async (t) => {
  const s = await atmSwitch(t);
  const card = await addCard(s.sw, { balance: 1_000_000 });
  const clock = new ManualClock(new Date('2026-11-21T10:15:30Z'));
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (x) => out.push(x), err: (x) => err.push(x), clock });
    return { code, out: out.join(''), err: err.join('') };
  };
  const base = ['withdraw', '--type', 'atm', '--card', card.pan, '--pin', '1234', '--port', String(s.port('iso93'))];
  const full = await run([...base, '--amount', '500.00']);
  t.equal(full.code, 0, full.err);
  t.match(full.out, `withdraw of 500.00 DKK on an atm terminal ATM00001 at 127.0.0.1:${s.port('iso93')}`);
  t.match(full.out, /\nAPPROVED approval code \d{6} \(STAN \d{6}, local time 261121111530\)\n$/);
  const part = await run([...base, '--amount', '500.00', '--dispensed', '300.00', '--terminal', 'ATM00002']);
  t.equal(part.code, 0);
  t.match(part.out, '>> 1420');
  t.match(part.out, /PARTIAL DISPENSE: 300\.00 of 500\.00 paid out, the rest reversed/);
  const fault = await run([...base, '--amount', '100.00', '--dispensed', '0']);
  t.equal(fault.code, 1);
  t.match(fault.out, /\nDISPENSE FAULT after approval code \d{6}: nothing paid out, the withdrawal reversed/);
  const abroad = await run([...base, '--amount', '50.00', '--currency', '978', '--country', '276']);
  t.equal(abroad.code, 0);
  t.match(abroad.out, 'withdraw of 50.00 in currency 978 on an atm terminal');
  t.match(abroad.out, /19 Country code, Acquiring institution +"276"/);
  const over = await run([...base, '--amount', '5000.01']);
  t.equal(over.code, 1);
  t.match(over.out, 'DECLINED 121 exceeds amount limit');
  const usage = await run(['withdraw', '--type', 'atm', '--card', card.pan, '--amount', '1.00']);
  t.equal(usage.code, 2);
  t.match(usage.err, 'withdraw needs --pin');
  const chip = await run([...base, '--amount', '1.00', '--type', 'chip']);
  t.equal(chip.code, 2);
  t.match(chip.err, "terminal: withdraw() is an ATM's");
  t.match(
    (await journal(s)).map((p) => [p.type, p.direction, p.amount]),
    [
      ['withdrawal', 'D', 50_000],
      ['withdrawal', 'D', 50_000],
      ['fee', 'D', 500],
      ['reversal', 'C', 20_000],
      ['withdrawal', 'D', 10_000],
      ['reversal', 'C', 10_000],
      ['withdrawal', 'D', 37_300],
      ['fee', 'D', 3_500],
    ],
  );
});
