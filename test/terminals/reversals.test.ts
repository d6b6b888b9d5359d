/**
 * When answers do not come: a PSAM terminal stores a reversal and sends it at its next online
 * contact, before the new request, repeating it (1421) until the switch acknowledges it; the
 * clerk's rejected signature cancels the sale; an old terminal (DKT1) sends nothing and the
 * switch reverses its lost answer at the next request. All against a real switch, which holds
 * the chosen requests after deciding them (AnswerGate) or loses the connection (TcpProxy).
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ManualClock } from '../../src/time/clock.js';
import { AnswerGate, journal, keyFile, mtis, openTerminal, txnOf } from './fixtures/support.js';

const AT = new Date('2026-11-21T10:15:30Z');
const TIMEOUT = 2000;

t.test('chip, magstripe 1200 without an answer: reversal 4021 stored, sent before the next request', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw);
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'chip', clock, stan: 500, answerTimeoutMs: TIMEOUT });

  void gate.hold('1200');
  const lost = await term.purchase({ pan: card.pan, amount: 7_700, magstripe: true });
  t.match(lost, { approved: false, timedOut: true, reversalStored: true, stan: '000500' });
  t.equal(lost.actionCode, undefined);
  t.equal(lost.exchanges[0]!.response, undefined);
  t.equal(term.pendingReversals, 1);
  gate.release();
  t.same(
    (await journal(s)).map((p) => p.type),
    ['purchase'],
    'the switch did approve and post it',
  );

  clock.advance(60_000);
  const next = await term.purchase({ pan: card.pan, amount: 1_000, pin: '1234' });
  t.same(mtis(next), ['1420', '1100', '1220'], 'the stored reversal first, then the new purchase');
  const advice = next.exchanges[0]!;
  t.same(
    [advice.request[11], advice.request[24], advice.request[25], advice.request[4], advice.request[56]],
    ['000501', '400', '4021', '000000007700', `1200000500${lost.localTime}`],
    'full reversal, timeout, naming the lost 1200',
  );
  t.equal(advice.request[35], lost.exchanges[0]!.request[35], 'the same card data as the original');
  t.same([advice.response![0], advice.response![39]], ['1430', '400']);
  t.equal(term.pendingReversals, 0, 'acknowledged: forgotten');
  t.equal(next.approved, true);

  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.amount]),
    [
      ['purchase', 7_700],
      ['reversal', 7_700],
      ['purchase', 1_000],
    ],
  );
  t.match(postings[1], {
    txn: txnOf('TERM0001', lost),
    reverses: txnOf('TERM0001', lost),
    reason: '4021',
    direction: 'C',
  });
  t.same(mtis(await term.echo()), ['1804'], 'nothing left to send');
});

t.test('chip, 1100 without an answer: the reversal releases the reservation and posts nothing', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await openTerminal(t, s, { kind: 'chip', clock: new ManualClock(AT), answerTimeoutMs: TIMEOUT });
  void gate.hold('1100');
  const lost = await term.purchase({ pan: card.pan, amount: 30_000, pin: '1234' });
  t.match(lost, { timedOut: true, reversalStored: true });
  t.same(mtis(lost), ['1100'], 'no completion without an approval');
  gate.release();
  t.equal((await s.sw.register.state(card.id))!.reserved, 30_000, 'reserved by the unanswered authorisation');

  const sent = await term.sendPendingReversals();
  t.same(mtis(sent), ['1420']);
  t.equal(sent[0]!.request[56], `1100${lost.stan}${lost.localTime}`);
  t.equal(term.pendingReversals, 0);
  t.equal((await s.sw.register.state(card.id))!.reserved, 0, 'released');
  t.same(await journal(s), [], 'nothing posted');
  t.same(await term.sendPendingReversals(), [], 'nothing more to send');
});

t.test('chip, 1220 without an answer: the completed purchase is reversed by the amount completed', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, {
    kind: 'fuel',
    terminalId: 'PUMP0001',
    clock: new ManualClock(AT),
    answerTimeoutMs: TIMEOUT,
  });
  void gate.hold('1220');
  const lost = await term.fuel({ pan: card.pan, pin: '1234', maximum: 50_000, pumped: 20_000 });
  t.match(lost, { approved: false, timedOut: true, reversalStored: true });
  t.equal(lost.actionCode, undefined, 'no answer decided');
  t.same(mtis(lost), ['1100', '1220']);
  gate.release();
  const echo = await term.echo();
  t.same(mtis(echo), ['1420', '1804']);
  t.same(
    [echo.exchanges[0]!.request[4], echo.exchanges[0]!.request[56]],
    ['000000020000', `1100${lost.stan}${lost.localTime}`],
  );
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.amount, p.txn]),
    [
      ['purchase', 20_000, txnOf('PUMP0001', lost)],
      ['reversal', 20_000, txnOf('PUMP0001', lost)],
    ],
  );
});

t.test('a reversal without an answer is repeated as 1421 (same STAN and time) until acknowledged', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw);
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, { kind: 'contactless', clock, answerTimeoutMs: TIMEOUT });
  void gate.hold('1200');
  const lost = await term.purchase({ pan: card.pan, amount: 5_000 });
  t.equal(lost.reversalStored, true, 'a contactless reader has a PSAM too');

  clock.advance(60_000);
  void gate.hold('1420');
  const first = await term.echo();
  t.same(mtis(first), ['1420', '1804']);
  t.equal(first.exchanges[0]!.timedOut, true, 'the advice got no answer');
  t.equal(first.approved, true, 'the echo went on');
  t.equal(term.pendingReversals, 1, 'still stored');
  gate.release();

  clock.advance(60_000);
  const second = await term.sendPendingReversals();
  t.same(mtis(second), ['1421']);
  const [a, b] = [first.exchanges[0]!.request, second[0]!.request];
  t.same([b[11], b[12], b[56]], [a[11], a[12], a[56]], "the repeat keeps the advice's STAN, local time and original");
  t.not(b[7], a[7], 'a new transmission time');
  t.same([second[0]!.response![0], second[0]!.response![39]], ['1430', '400']);
  t.equal(term.pendingReversals, 0);
  const reversals = (await journal(s)).filter((p) => p.type === 'reversal');
  t.equal(reversals.length, 1, 'reversed once');
  t.equal(reversals[0]!.txn, txnOf('TERM0001', lost));
});

t.test('a connection lost mid-request counts as no answer at once; the next request reconnects', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, {}, gate.extra);
  t.teardown(() => gate.release());
  const proxy = await TcpProxy.start('127.0.0.1', s.port('iso93'));
  t.teardown(() => proxy.close());
  const card = await addCard(s.sw);
  const term = await openTerminal(
    t,
    { ...s, port: () => proxy.port },
    { kind: 'chip', clock: new ManualClock(AT), answerTimeoutMs: 10_000 },
  );
  const reached = gate.hold('1200');
  const started = Date.now();
  const pending = term.refund({ pan: card.pan, amount: 3_000 });
  await reached;
  proxy.cut();
  const lost = await pending;
  t.ok(Date.now() - started < 5_000, 'no waiting for the timeout');
  t.match(lost, { timedOut: true, reversalStored: true });
  proxy.restore();
  gate.release();

  const next = await term.purchase({ pan: card.pan, amount: 2_000, magstripe: true });
  t.same(mtis(next), ['1420', '1200'], 'reconnected: the reversal, then the purchase');
  t.ok(next.exchanges.every((e) => !e.timedOut));
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.direction, p.amount]),
    [
      ['refund', 'C', 3_000],
      ['reversal', 'D', 3_000],
      ['purchase', 'D', 2_000],
    ],
    'a reversed refund is a debit',
  );
});

t.test('the clerk rejects the signature: reversal 4351 stored, the switch reverses the sale (001 §11)', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { balance: 100_000 });
  const term = await openTerminal(t, s, { kind: 'chip', clock: new ManualClock(AT) });
  const o = await term.purchase({ pan: card.pan, amount: 15_000, rejectSignature: true });
  t.match(o, { approved: false, actionCode: '000', reversalStored: true, timedOut: false });
  t.match(o.approvalCode, /^\d{6}$/, 'the switch approved it');
  t.same(mtis(o), ['1100', '1220']);
  t.equal(term.pendingReversals, 1);
  t.same(
    (await journal(s)).map((p) => p.type),
    ['purchase'],
    'not sent yet',
  );

  const sent = await term.sendPendingReversals();
  t.same(
    [sent[0]!.request[0], sent[0]!.request[25], sent[0]!.request[56]],
    ['1420', '4351', `1100${o.stan}${o.localTime}`],
  );
  const stripe = await term.purchase({ pan: card.pan, amount: 500, magstripe: true, rejectSignature: true });
  t.match(stripe, { approved: false, reversalStored: true });
  await term.sendPendingReversals();
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.amount, p.txn, p.reason]),
    [
      ['purchase', 15_000, txnOf('TERM0001', o), undefined],
      ['reversal', 15_000, txnOf('TERM0001', o), '4351'],
      ['purchase', 500, txnOf('TERM0001', stripe), undefined],
      ['reversal', 500, txnOf('TERM0001', stripe), '4351'],
    ],
  );
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 0 }, 'nothing stays held');
});

t.test('1987 dialect: a stored reversal is a 0420 without function and reason codes', async (t) => {
  const clock = new ManualClock(AT);
  const s = await startSwitch(t, {}, { clock });
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'chip', clock, dialect: 'iso87ascii' }, 'iso87');
  const o = await term.purchase({ pan: card.pan, amount: 800, rejectSignature: true });
  t.same(mtis(o), ['0100', '0220']);
  const [r] = await term.sendPendingReversals();
  t.same(
    [r!.request[0], r!.request[24], r!.request[25], r!.response![0], r!.response![39]],
    ['0420', undefined, undefined, '0430', '00'],
  );
  t.same(
    (await journal(s)).map((p) => [p.type, p.amount]),
    [
      ['purchase', 800],
      ['reversal', 800],
    ],
    'no reason in 1987: a reversal',
  );
});

t.test('DKT1 lost answer: the terminal sends nothing, the switch reverses at its next request', async (t) => {
  const gate = new AnswerGate();
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { DKT00001: 'dkt1' }) } }, gate.extra);
  t.teardown(() => gate.release());
  const card = await addCard(s.sw);
  const clock = new ManualClock(AT);
  const term = await openTerminal(t, s, {
    kind: 'dkt1',
    terminalId: 'DKT00001',
    clock,
    stan: 10,
    answerTimeoutMs: TIMEOUT,
  });
  t.equal((await term.purchase({ pan: card.pan, amount: 1_000 })).approved, true);
  clock.advance(60_000);
  void gate.hold('1200');
  const lost = await term.purchase({ pan: card.pan, amount: 4_200, pin: '1234' });
  t.match(lost, { approved: false, timedOut: true, reversalStored: false, stan: '000011' });
  t.equal(term.pendingReversals, 0, 'an old terminal keeps no reversals');
  t.equal(term.lastCompletedStan, '000010', 'not completed');
  gate.release();

  clock.advance(60_000);
  const next = await term.purchase({ pan: card.pan, amount: 2_000 });
  t.same(mtis(next), ['1200'], 'just the new request');
  t.equal(next.exchanges[0]!.request[48], '01006000010', 'reporting the last one it completed');
  t.equal(next.approved, true);
  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.type, p.amount]),
    [
      ['purchase', 1_000],
      ['purchase', 4_200],
      ['reversal', 4_200],
      ['purchase', 2_000],
    ],
  );
  t.match(postings[2], { txn: txnOf('DKT00001', lost), reverses: txnOf('DKT00001', lost), reason: 'switch' });
  t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 3_000 }, "the lost sale's hold is back");
});
