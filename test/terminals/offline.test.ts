/**
 * The offline mode of the fuel pump (terminals/offline.ts) against a real switch (real TCP, real
 * Redis, the admin API's block list routes): the block list fetched as documented (a full file
 * first, then daily change files applied the morning after), sales up to the floor limit decided
 * offline, the advices stored and uploaded at the next online contact or on command, repeated
 * (x221) until answered, and posted by the switch with the card's status at the purchase time.
 */
import t, { type Test } from 'tap';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { ManualClock } from '../../src/time/clock.js';
import { blockListText } from '../../src/blocking/block-list-file.js';
import { readBlockList } from '../../src/blocking/block-list-file.js';
import { OfflineBlockListCopy, OfflineMode, TerminalError } from '../../terminals/index.js';
import { journal, mtis, openTerminal, txnOf } from './fixtures/support.js';

const OT = 'test-token-offline-terminals';
/** Friday 20 Nov 2026, 23:00 in Copenhagen: the day's block list file is made at 23:59. */
const FRIDAY = new Date('2026-11-20T22:00:00Z');
const HOUR = 3_600_000;

async function offlineSwitch(t: Test, clock: ManualClock): Promise<TestSwitch> {
  return startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: { [OT]: { role: 'offlineTerminals' } } } },
    { clock },
  );
}

t.test(
  'fuel pump offline: block list fetched, declines listed cards, approves the rest, uploads, posts blocked',
  async (t) => {
    const clock = new ManualClock(FRIDAY);
    const s = await offlineSwitch(t, clock);
    const listed = await addCard(s.sw);
    const later = await addCard(s.sw);
    const good = await addCard(s.sw);
    t.match(await s.sw.register.block('bank-a', listed.id, 'stolen', FRIDAY), { ok: true });
    t.match(await s.sw.blockList.makeDaily('2026-11-20'), { created: true });

    const pumpClock = new ManualClock(new Date(FRIDAY.getTime() + 2 * HOUR)); // Saturday 01:00
    const term = await openTerminal(t, s, { kind: 'fuel', terminalId: 'FUEL0001', clock: pumpClock, stan: 500 });
    const pump = new OfflineMode(term, {
      floorLimit: 50_000,
      blockList: { url: s.adminUrl, token: OT, fetcher: 'pumps-1' },
      clock: pumpClock,
    });
    t.equal(await pump.fetchBlockList(), 1, 'the first fetch: one full file');
    t.equal(pump.blockList.size, 1, 'the full file applied at once');

    const declined = await pump.fuel({ pan: listed.pan, pin: '1234', maximum: 30_000, pumped: 20_000 });
    t.match(declined, { approved: false, offline: true, declined: 'blocked', blockReason: 'stolen', exchanges: [] });

    // Blocked at the switch after the fetch: the pump does not know yet.
    clock.advance(5 * 60_000);
    t.match(await s.sw.register.block('bank-a', later.id, 'lost', clock.now()), { ok: true });
    pumpClock.advance(10 * 60_000);
    const offline = await pump.fuel({ pan: later.pan, pin: '1234', maximum: 30_000, pumped: 21_050 });
    t.match(offline, { approved: true, offline: true, exchanges: [], stan: '000500' });
    t.match(offline.approvalCode, /^\d{6}$/);
    const second = await pump.fuel({ pan: good.pan, pin: '1234', maximum: 50_000, pumped: 4_000 });
    t.match(second, { approved: true, offline: true, stan: '000501' });
    t.equal(pump.pendingAdvices, 2);
    t.same(await journal(s), [], 'nothing at the switch yet');

    const sent = await pump.uploadAdvices();
    t.same(mtis(sent), ['1220', '1220'], 'each advice, oldest first');
    t.same(
      sent.map((e) => e.response?.[39]),
      ['000', '000'],
    );
    const advice = sent[0]!.request;
    t.same(
      [advice[2], advice[3], advice[4], advice[11], advice[24], advice[25], advice[38], advice[56], advice[52]],
      [later.pan, '000000', '000000021050', '000500', '200', '1004', offline.approvalCode, undefined, undefined],
      'an offline advice: no field 56, function code 200, reason 1004, its own approval code, no PIN block',
    );
    t.equal(String(advice[22])[7], '1', 'field 22: PIN (checked offline by the chip)');
    t.equal(pump.pendingAdvices, 0);
    t.equal(pump.uploaded.length, 2);
    const ps = await journal(s);
    t.match(ps, [
      {
        txn: txnOf('FUEL0001', offline),
        type: 'purchase',
        amount: 21_050,
        authorization: 'offline',
        approvalCode: offline.approvalCode,
        cardStatus: 'blocked:lost',
        channel: 'unattended',
        verification: 'pinOffline',
      },
      { txn: txnOf('FUEL0001', second), amount: 4_000, authorization: 'offline', cardStatus: 'active' },
    ]);
    t.same(await pump.uploadAdvices(), [], 'nothing left to upload');

    // Saturday's change file (made at 23:59) lists the second card; the pump fetches it at once but applies it in the morning.
    clock.set(new Date('2026-11-21T22:59:00Z'));
    t.match(await s.sw.blockList.makeDaily('2026-11-21'), { created: true });
    pumpClock.set(new Date('2026-11-21T22:59:30Z'));
    t.equal(await pump.fetchBlockList(), 1, 'one daily file');
    t.match(
      await pump.fuel({ pan: later.pan, pin: '1234', maximum: 100, pumped: 100 }),
      { approved: true, offline: true },
      'Saturday night: the file is not in force yet',
    );
    t.equal(pump.blockList.pendingFiles, 1);
    pumpClock.set(new Date('2026-11-22T05:00:00Z'));
    t.match(
      await pump.fuel({ pan: later.pan, pin: '1234', maximum: 100, pumped: 100 }),
      { approved: false, declined: 'blocked', blockReason: 'lost' },
      'Sunday morning: in force',
    );
    t.equal(pump.blockList.pendingFiles, 0);
    t.match(
      await pump.fuel({ pan: good.pan, pin: '1234', maximum: 100, pumped: 100, expiry: '2610' }),
      { approved: false, declined: 'expired' },
      'an expired card is declined by the terminal itself',
    );
  },
);

t.test('above the floor limit: online, after the stored advices (the next online contact)', async (t) => {
  const clock = new ManualClock(FRIDAY);
  const s = await offlineSwitch(t, clock);
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'fuel', terminalId: 'FUEL0002', clock, stan: 10 });
  const pump = new OfflineMode(term, { floorLimit: 10_000, clock });
  const offline = await pump.fuel({ pan: card.pan, pin: '1234', maximum: 10_000, pumped: 9_000 });
  t.equal(offline.offline, true);
  const online = await pump.fuel({ pan: card.pan, pin: '1234', maximum: 40_000, pumped: 30_000 });
  t.match(online, { approved: true, offline: false, actionCode: '000' });
  t.same(mtis(online), ['1220', '1100', '1220'], 'the stored advice first, then the online sale');
  t.equal(online.exchanges[0]!.request[56], undefined, 'the first 1220 is the offline advice');
  t.equal(pump.pendingAdvices, 0);
  const ps = await journal(s);
  t.match(ps, [
    { amount: 9_000, authorization: 'offline' },
    { amount: 30_000, authorization: 'online' },
  ]);
});

t.test('ticket machine offline: no PIN, offline up to the floor limit, online (1200) above it', async (t) => {
  const clock = new ManualClock(FRIDAY);
  const s = await offlineSwitch(t, clock);
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'ticket', terminalId: 'PARK0009', clock });
  const machine = new OfflineMode(term, { floorLimit: 5_000, clock });
  const offline = await machine.purchase({ pan: card.pan, amount: 4_500 });
  t.match(offline, { approved: true, offline: true, exchanges: [] });
  const online = await machine.purchase({ pan: card.pan, amount: 6_000 });
  t.match(online, { approved: true, offline: false });
  t.same(mtis(online), ['1220', '1200'], 'the advice first, then the online sale');
  t.equal(String(online.exchanges[0]!.request[22])[7], '0', 'field 22: no cardholder verification');
  t.match(await journal(s), [
    { amount: 4_500, authorization: 'offline', channel: 'unattended', verification: 'none' },
    { amount: 6_000, authorization: 'online', channel: 'unattended' },
  ]);
});

t.test('an advice not answered is repeated as 1221 until answered; a 911 keeps it; posted once', async (t) => {
  const clock = new ManualClock(FRIDAY);
  const s = await offlineSwitch(t, clock);
  const card = await addCard(s.sw);
  const term = await openTerminal(t, s, { kind: 'fuel', terminalId: 'FUEL0003', clock, answerTimeoutMs: 500 });
  const pump = new OfflineMode(term, { floorLimit: 10_000, clock });
  await pump.fuel({ pan: card.pan, pin: '1234', maximum: 5_000, pumped: 5_000 });
  await s.sw.faults.create({ terminal: 'FUEL0003', kind: 'noAnswer', times: 1 });
  await s.sw.faults.refresh(true);
  const lost = await pump.uploadAdvices();
  t.match(lost, [{ timedOut: true }]);
  t.equal(pump.pendingAdvices, 1, 'kept');
  await s.sw.faults.create({ terminal: 'FUEL0003', kind: 'actionCode', code: '911', times: 1 });
  await s.sw.faults.refresh(true);
  const unavailable = await pump.uploadAdvices();
  t.same(mtis(unavailable), ['1221']);
  t.equal(unavailable[0]!.response?.[39], '911');
  t.equal(pump.pendingAdvices, 1, 'register unavailable: kept');
  const answered = await pump.uploadAdvices();
  t.same(mtis(answered), ['1221'], 'the repeat, same STAN and local time');
  t.same([answered[0]!.request[11], answered[0]!.request[12]], [lost[0]!.request[11], lost[0]!.request[12]]);
  t.equal(answered[0]!.response?.[39], '000', 'answered as the first time');
  t.equal(pump.pendingAdvices, 0);
  t.equal((await journal(s)).length, 1, 'posted once');
});

t.test('1987 dialect: 0220 without field 56, repeat 0221', async (t) => {
  const clock = new ManualClock(FRIDAY);
  const s = await offlineSwitch(t, clock);
  const card = await addCard(s.sw);
  const term = await openTerminal(
    t,
    s,
    { kind: 'fuel', terminalId: 'FUEL0087', clock, dialect: 'iso87ascii', answerTimeoutMs: 500 },
    'iso87',
  );
  const pump = new OfflineMode(term, { floorLimit: 10_000, clock });
  await pump.fuel({ pan: card.pan, pin: '1234', maximum: 5_000, pumped: 2_500 });
  await s.sw.faults.create({ terminal: 'FUEL0087', kind: 'noAnswer', times: 1 });
  await s.sw.faults.refresh(true);
  t.same(mtis(await pump.uploadAdvices()), ['0220']);
  const again = await pump.uploadAdvices();
  t.same(mtis(again), ['0221']);
  t.equal(again[0]!.response?.[39], '00');
  t.same([again[0]!.request[24], again[0]!.request[25]], [undefined, undefined], 'no function or reason code in 1987');
  t.match(await journal(s), [{ amount: 2_500, authorization: 'offline' }]);
});

t.test('the offline mode refuses what it cannot do', async (t) => {
  const clock = new ManualClock(FRIDAY);
  const s = await offlineSwitch(t, clock);
  const chip = await openTerminal(t, s, { kind: 'chip', terminalId: 'CHIP0001' });
  t.throws(() => new OfflineMode(chip, { floorLimit: 100 }), TerminalError, 'a chip terminal has none');
  const term = await openTerminal(t, s, { kind: 'fuel', terminalId: 'FUEL0004' });
  t.throws(() => new OfflineMode(term, { floorLimit: -1 }), { message: /floor limit/ });
  t.throws(() => new OfflineMode(term, { floorLimit: 1.5 }), { message: /floor limit/ });
  const pump = new OfflineMode(term, { floorLimit: 100 });
  await t.rejects(pump.fetchBlockList(), { message: /no block list source/ });
  await t.rejects(pump.fuel({ pan: '5019000000000016', pin: '1234', maximum: 100, pumped: 101 }), {
    message: /pumped/,
  });
  await t.rejects(pump.fuel({ pan: '5019000000000016', pin: '1234', maximum: 100, pumped: 50, expiry: '30-1' }), {
    message: /expiry/,
  });
  await t.rejects(
    pump.purchase({ pan: '5019000000000016', amount: 500 }),
    { message: /fuel\(\)/ },
    'online: the kind decides',
  );
  const wrongToken = new OfflineMode(term, {
    floorLimit: 100,
    blockList: { url: s.adminUrl, token: 'nope', fetcher: 'x' },
  });
  await t.rejects(wrongToken.fetchBlockList(), { message: /block list fetch: 401/ });
  t.match(
    await pump.purchase({ pan: '5019000000000016', amount: 50 }),
    { approved: true, offline: true },
    'below: offline',
  );
});

t.test('the terminal copy of the block list: full files replace, daily files wait for their morning', async (t) => {
  const at = new Date('2026-11-21T10:00:00Z');
  const entry = (pan: string, reason: 'lost' | 'stolen' | 'pinKnown') => ({
    pan,
    maskedPan: '',
    issuer: 'bank-a',
    reason,
    blockedAt: at.getTime(),
  });
  const full = blockListText(
    'FULL',
    '2026-11-20',
    [{ type: 'A', entry: entry('5019000000000016', 'lost') }],
    at,
    'Europe/Copenhagen',
  );
  const day20 = blockListText(
    'DAILY',
    '2026-11-20',
    [{ type: 'A', entry: entry('5019000000000024', 'lost') }],
    at,
    'Europe/Copenhagen',
  );
  const day21 = blockListText(
    'DAILY',
    '2026-11-21',
    [
      { type: 'A', entry: entry('5019000000000024', 'pinKnown') },
      { type: 'R', entry: entry('5019000000000016', 'lost') },
    ],
    at,
    'Europe/Copenhagen',
  );
  t.match(readBlockList(day21), {
    kind: 'DAILY',
    date: '2026-11-21',
    effective: '2026-11-22',
    entries: [{ type: 'A', reason: 'pin' }, { type: 'R' }],
  });
  t.match(readBlockList(blockListText('FULL', '', [], at, 'Europe/Copenhagen')), {
    kind: 'FULL',
    date: '',
    effective: '',
  });
  const copy = new OfflineBlockListCopy();
  copy.take(day20);
  copy.take(day21);
  copy.take(full);
  t.equal(copy.pendingFiles, 1, "the full file includes the 20th's changes; the 21st's waits");
  t.same(copy.lookup('5019000000000016', '261121230000'), { pan: '5019000000000016', reason: 'lost' });
  t.equal(copy.lookup('5019000000000024', '261121230000'), undefined);
  t.same(
    copy.lookup('5019000000000024', '261122060000'),
    { pan: '5019000000000024', reason: 'pin' },
    'the morning after',
  );
  t.equal(copy.lookup('5019000000000016', '261122060000'), undefined, 'taken off');
  t.throws(() => copy.take(day21.replace('T000000001000000001', 'T000000002000000001')), { message: /added/ });
  t.throws(() => copy.take(day21.replace('T000000001000000001', 'T000000001000000002')), { message: /removed/ });
  t.throws(() => copy.take(day21.replace('HBLOCKLIST', 'HBLOCKLIS_')), { message: /fileId/ });
  t.throws(() => copy.take(day21.replace('DAILY', 'WEEKL')), { message: /kind/ });
  t.throws(() => copy.take(day21.replace('A5019000000000024', 'A50190000000000XX')), { message: /pan/ });
});
