/** The register's rules over real TCP against real Redis: every status, every action code, in both code sets. */
import t, { type Test } from 'tap';
import { ManualClock } from '../../src/time/clock.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, newPan, pinBlock } from '../support/cards.js';

async function terminals(t: Test, s: TestSwitch): Promise<{ t93: TestTerminal; t87: TestTerminal }> {
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  return { t93, t87 };
}

/** A purchase of `amount` øre with the card, PIN given unless `pin` is null. */
function card(pan: string, amount: number, pin: string | null, extra: IsoMessage): IsoMessage {
  const m: IsoMessage = { 2: pan, 4: String(amount).padStart(12, '0'), ...extra };
  if (pin !== null && m[52] === undefined) m[52] = pinBlock(pin, pan);
  return m;
}
const buy93 = (pan: string, amount: number, pin: string | null = '1234', extra: IsoMessage = {}): IsoMessage =>
  purchase93(card(pan, amount, pin, extra));
const buy87 = (pan: string, amount: number, pin: string | null = '1234', extra: IsoMessage = {}): IsoMessage =>
  purchase87(card(pan, amount, pin, extra));

/** Both dialects' answer codes for the same card state (fresh card for each, as state may change). */
async function bothCodes(
  t: Test,
  s: TestSwitch,
  setup: () => Promise<string>,
  request: (pan: string, dialect: '93' | '87') => IsoMessage,
): Promise<[string, string]> {
  const { t93, t87 } = await terminals(t, s);
  const a = await t93.send(request(await setup(), '93'));
  const b = await t87.send(request(await setup(), '87'));
  return [a[39] as string, b[39] as string];
}

t.test('every card status has its own answer, in both code sets', async (t) => {
  const s = await startSwitch(t);
  const sw = s.sw;
  const req = (pan: string, d: '93' | '87') => (d === '93' ? buy93(pan, 10_000) : buy87(pan, 10_000));
  const cases: [string, () => Promise<string>, [string, string]][] = [
    ['approved', async () => (await addCard(sw)).pan, ['000', '00']],
    ['not registered', async () => newPan(), ['111', '14']],
    ['PAN failing Luhn', async () => '5019000000000017', ['111', '14']],
    ['not activated', async () => (await addCard(sw, { status: 'registered' })).pan, ['125', '78']],
    [
      'deleted',
      async () => {
        const c = await addCard(sw);
        await sw.register.delete('bank-a', c.id);
        return c.pan;
      },
      ['118', '56'],
    ],
    ['expired', async () => (await addCard(sw, { expiry: '2401' })).pan, ['101', '54']],
    [
      'blocked: lost',
      async () => {
        const c = await addCard(sw);
        await sw.register.block('bank-a', c.id, 'lost', new Date());
        return c.pan;
      },
      ['208', '41'],
    ],
    [
      'blocked: stolen',
      async () => {
        const c = await addCard(sw);
        await sw.register.block('bank-a', c.id, 'stolen', new Date());
        return c.pan;
      },
      ['209', '43'],
    ],
    [
      'blocked: misused',
      async () => {
        const c = await addCard(sw);
        await sw.register.block('bank-a', c.id, 'misused', new Date());
        return c.pan;
      },
      ['102', '59'],
    ],
    [
      'blocked by the fraud monitoring',
      async () => {
        const c = await addCard(sw);
        await sw.modules.card.watch.block(c.id, { rule: 'test', description: 'a test', transactions: ['t1'] });
        return c.pan;
      },
      ['105', '66'],
    ],
    [
      'blocked: issuer',
      async () => {
        const c = await addCard(sw);
        await sw.register.block('bank-a', c.id, 'issuer', new Date());
        return c.pan;
      },
      ['104', '62'],
    ],
    ['insufficient funds', async () => (await addCard(sw, { balance: 5_000 })).pan, ['116', '51']],
  ];
  for (const [name, setup, expected] of cases) t.same(await bothCodes(t, s, setup, req), expected, name);
});

t.test('PIN answers: wrong PIN, tries exceeded, invalid PIN block, in both code sets', async (t) => {
  const s = await startSwitch(t);
  const card = () => addCard(s.sw).then((c) => c.pan);
  t.same(
    await bothCodes(t, s, card, (pan, d) => (d === '93' ? buy93(pan, 100, '9999') : buy87(pan, 100, '9999'))),
    ['117', '55'],
    'wrong PIN',
  );
  const pinBlocked = async () => {
    const c = await addCard(s.sw);
    for (let i = 0; i < 3; i++)
      await s.sw.register.authorize({
        pan: c.pan,
        kind: 'purchase',
        amount: 1,
        pvv: 'x',
        contactless: false,
        reserve: false,
        terminalId: 'T',
      });
    return c.pan;
  };
  t.same(
    await bothCodes(t, s, pinBlocked, (pan, d) => (d === '93' ? buy93(pan, 100) : buy87(pan, 100))),
    ['106', '75'],
    'PIN-blocked card, even with the right PIN',
  );
  const garbage = Buffer.from('00112233445566778899', 'hex').subarray(0, 8);
  t.same(
    await bothCodes(t, s, card, (pan, d) =>
      d === '93' ? buy93(pan, 100, null, { 52: garbage }) : buy87(pan, 100, null, { 52: garbage }),
    ),
    ['126', '81'],
    'invalid PIN block',
  );
});

t.test('an invalid PIN block is no try', async (t) => {
  const s = await startSwitch(t);
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw);
  const otherKey = Buffer.alloc(8, 0x55);
  for (let i = 0; i < 4; i++) t.equal((await t93.send(buy93(c.pan, 100, null, { 52: otherKey })))[39], '126');
  t.equal((await s.sw.register.state(c.id))!.pinTries, 0);
  t.equal((await t93.send(buy93(c.pan, 100)))[39], '000', 'the right PIN still works');
});

t.test(
  'precedence: deleted before expired before not activated before blocked before PIN-blocked before PIN',
  async (t) => {
    const s = await startSwitch(t);
    const { t93 } = await terminals(t, s);
    const sw = s.sw;
    const everything = await addCard(sw, { expiry: '2401', status: 'registered' });
    await sw.register.block('bank-a', everything.id, 'lost', new Date());
    t.equal(
      (await t93.send(buy93(everything.pan, 100, '0000')))[39],
      '101',
      'expired beats not activated, blocked and a wrong PIN',
    );
    await sw.register.delete('bank-a', everything.id);
    t.equal((await t93.send(buy93(everything.pan, 100, '0000')))[39], '118', 'deleted beats expired');
    const blocked = await addCard(sw);
    await sw.register.block('bank-a', blocked.id, 'stolen', new Date());
    t.equal((await t93.send(buy93(blocked.pan, 100, '0000')))[39], '209', 'blocked beats a wrong PIN');
    t.equal((await sw.register.state(blocked.id))!.pinTries, 0, 'and the wrong PIN was no try');
    const poor = await addCard(sw, { balance: 10 });
    t.equal((await t93.send(buy93(poor.pan, 100, '0000')))[39], '117', 'a wrong PIN beats insufficient funds');
  },
);

t.test('three strikes', async (t) => {
  const s = await startSwitch(t);
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw);
  const codes = async (pins: string[]) => {
    const out: string[] = [];
    for (const pin of pins) out.push((await t93.send(buy93(c.pan, 100, pin)))[39] as string);
    return out;
  };
  t.same(
    await codes(['0000', '0000', '1234']),
    ['117', '117', '000'],
    '1st and 2nd wrong, then right: approved and reset',
  );
  t.equal((await s.sw.register.state(c.id))!.pinTries, 0);
  t.same(
    await codes(['0000', '1234', '0000', '0000']),
    ['117', '000', '117', '117'],
    'the count restarts after a reset',
  );
  t.same(await codes(['0000']), ['106'], 'the 3rd wrong PIN in a row PIN-blocks');
  t.same(await codes(['0000', '1234']), ['106', '106'], 'a 4th gets 106, and so does the right PIN');
  let notices = await s.sw.relay.notices('bank-a', { card: c.id });
  t.same(
    notices.map((n) => n.type).sort(),
    ['pinBlocked', ...Array(6).fill('wrongPin')],
    'a notice per wrong try and one for the block; none for resets or refusals',
  );
  t.same(
    notices
      .filter((n) => n.type === 'wrongPin')
      .map((n) => n.tries)
      .sort(),
    [1, 1, 1, 2, 2, 3],
  );
  t.notMatch(JSON.stringify(notices), c.pan, 'no PAN in notices');
  const lifted = await s.sw.register.liftPinBlock('bank-a', c.id);
  t.same(lifted, { ok: true }, 'the issuer lifts the PIN block');
  t.same(await codes(['0000', '1234']), ['117', '000'], 'the count was cleared with the block');
  notices = await s.sw.relay.notices('bank-a', { card: c.id });
  t.equal(notices.length, 8, 'one more wrong-try notice, nothing for the lift');
  t.same(
    await s.sw.register.liftPinBlock('bank-b', c.id),
    { ok: false, status: 'forbidden', reason: 'forbidden' },
    'only the card issuer can lift it',
  );
});

t.test('the PIN try count never expires', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(t, {}, { clock });
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw);
  t.equal((await t93.send(buy93(c.pan, 100, '0000')))[39], '117');
  t.equal((await t93.send(buy93(c.pan, 100, '0000')))[39], '117');
  clock.advance(400 * 86_400_000);
  t.equal((await t93.send(buy93(c.pan, 100, '0000')))[39], '106', 'a year later the 3rd wrong PIN still blocks');
});

t.test('contactless: PIN-less up to the limit, then chip and PIN; counters and their reset', async (t) => {
  const s = await startSwitch(t);
  const { t93, t87 } = await terminals(t, s);
  const tap93 = { 22: 'C10101A00000' };
  const chip93 = { 22: 'C10101500000' };
  const c = await addCard(s.sw);
  t.equal((await t93.send(buy93(c.pan, 35_000, null, tap93)))[39], '000', '350.00 without PIN');
  t.equal((await t93.send(buy93(c.pan, 35_001, null, tap93)))[39], '112', '350.01 asks for the PIN');
  t.equal((await t93.send(buy93(c.pan, 35_001, '1234', tap93)))[39], '000', 'with the PIN at the reader: approved');
  t.match((await s.sw.register.state(c.id))!.contactless, { count: 1, sum: 35_000 }, '...the counters as they were');
  t.equal((await t93.send(buy93(c.pan, 1_000, '1234', chip93)))[39], '000', 'the chip with the PIN...');
  t.match((await s.sw.register.state(c.id))!.contactless, { count: 0, sum: 0 }, '...resets them');
  const codes: string[] = [];
  for (let i = 0; i < 6; i++) codes.push((await t93.send(buy93(c.pan, 1_000, null, tap93)))[39] as string);
  t.same(codes, ['000', '000', '000', '000', '000', '123'], 'the 6th PIN-less payment in a row: chip and PIN');
  t.equal((await t93.send(buy93(c.pan, 1_000, '1234', tap93)))[39], '123', 'a PIN at the reader does not meet it');
  t.equal(
    (await t93.send(buy93(c.pan, 40_000, '1234', tap93)))[39],
    '000',
    'over the limit the PIN at the reader does',
  );
  t.equal((await t93.send(buy93(c.pan, 1_000)))[39], '000', 'a PIN without field 22 (not a chip read)...');
  t.equal((await t93.send(buy93(c.pan, 1_000, '1234', { 22: 'C10101200000' })))[39], '000', 'or with the stripe...');
  t.equal((await t93.send(buy93(c.pan, 1_000, null, tap93)))[39], '123', '...leaves the challenge standing');
  t.equal((await t93.send(buy93(c.pan, 1_000, null, chip93)))[39], '000', 'the chip without the PIN...');
  t.equal((await t93.send(buy93(c.pan, 1_000, null, tap93)))[39], '123', '...does not meet it either');
  t.equal((await t93.send(buy93(c.pan, 1_000, '1234', chip93)))[39], '000', 'the chip with the PIN');
  t.equal((await t93.send(buy93(c.pan, 1_000, null, tap93)))[39], '000', '...resets the count');
  const d = await addCard(s.sw);
  const sums: string[] = [];
  for (const amount of [35_000, 35_000, 35_000, 7_500, 1])
    sums.push((await t93.send(buy93(d.pan, amount, null, tap93)))[39] as string);
  t.same(sums, ['000', '000', '000', '000', '123'], 'once the sum would pass 1,125.00: chip and PIN');
  const e = await addCard(s.sw);
  t.equal((await t87.send(buy87(e.pan, 35_001, null, { 22: '071' })))[39], '70', 'iso87: entry mode 07 is contactless');
  t.equal((await t87.send(buy87(e.pan, 35_001, null, { 22: '051' })))[39], '00', 'iso87: chip with signature is not');
  const in87: string[] = [];
  for (let i = 0; i < 6; i++) in87.push((await t87.send(buy87(e.pan, 1_000, null, { 22: '071' })))[39] as string);
  t.same(in87, ['00', '00', '00', '00', '00', '65'], 'iso87: chip and PIN required');
  t.equal(
    (await t87.send(buy87(e.pan, 1_000, '1234', { 22: '071' })))[39],
    '65',
    'iso87: not with the PIN at the reader',
  );
  t.equal((await t87.send(buy87(e.pan, 1_000, '1234', { 22: '051' })))[39], '00', 'iso87: entry mode 05 with the PIN');
  t.equal((await t87.send(buy87(e.pan, 1_000, null, { 22: '071' })))[39], '00', 'iso87: ...resets the count');
});

t.test('balance control: a posted purchase is held until booked, never freed by time', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(t, { register: { reservationLapseDays: 14 } }, { clock });
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw, { balance: 50_000 });
  t.equal((await t93.send(buy93(c.pan, 30_000)))[39], '000');
  t.match(await s.sw.register.state(c.id), { balance: 50_000, reserved: 0, unbooked: 30_000, available: 20_000 });
  t.equal((await t93.send(buy93(c.pan, 20_001)))[39], '116', 'the purchase counts at once');
  t.equal((await t93.send(buy93(c.pan, 20_000)))[39], '000', 'to the øre');
  t.equal((await t93.send(buy93(c.pan, 1, null, { 3: '200000' })))[39], '000', 'a refund needs no balance');
  clock.advance(14 * 86_400_000);
  t.equal((await t93.send(buy93(c.pan, 1)))[39], '116', '14 days on: money spent is not approved again');
  clock.advance(60 * 86_400_000);
  t.equal((await t93.send(buy93(c.pan, 1)))[39], '116', 'nor ever, until the issuer changes the balance');
  t.match(await s.sw.register.state(c.id), { balance: 50_000, unbooked: 50_000, available: 0 });
});

t.test('a dual-message reservation lapses after 14 days: only money never posted is freed', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(t, {}, { clock });
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw, { balance: 50_000 });
  t.equal((await t93.send(buy93(c.pan, 30_000, '1234', { 0: '1100' })))[39], '000', 'an authorization');
  t.equal((await t93.send(buy93(c.pan, 10_000, '1234', { 12: '261121100000' })))[39], '000', 'a sale');
  t.match(await s.sw.register.state(c.id), { reserved: 30_000, unbooked: 10_000, available: 10_000 });
  clock.advance(14 * 86_400_000 - 1);
  t.equal((await t93.send(buy93(c.pan, 10_001, '1234', { 12: '261121100001' })))[39], '116', 'not yet lapsed');
  clock.advance(1);
  t.match(
    await s.sw.register.state(c.id),
    { reserved: 0, unbooked: 10_000, available: 40_000 },
    'the card state no longer counts the lapsed reservation, before any request clears it',
  );
  t.equal((await t93.send(buy93(c.pan, 40_001, '1234', { 12: '261121100002' })))[39], '116', 'the sale still held');
  t.equal((await t93.send(buy93(c.pan, 40_000, '1234', { 12: '261121100003' })))[39], '000', 'the reservation freed');
  t.match(await s.sw.register.state(c.id), { balance: 50_000, reserved: 0, unbooked: 50_000, available: 0 });
});

t.test("a reservation lasts the card product's lifetime (register.products), 14 days by default", async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(
    t,
    { register: { products: { 'visa-dankort': { reservationLapseDays: 31 } } } },
    { clock },
  );
  const { t93 } = await terminals(t, s);
  const visa = await addCard(s.sw, { balance: 10_000, product: 'visa-dankort' });
  const plain = await addCard(s.sw, { balance: 10_000, product: 'dankort' });
  for (const c of [visa, plain]) t.equal((await t93.send(buy93(c.pan, 10_000, '1234', { 0: '1100' })))[39], '000');
  clock.advance(14 * 86_400_000);
  const later = { 12: '261205100000' };
  t.equal((await t93.send(buy93(plain.pan, 10_000, '1234', later)))[39], '000', 'dankort (no own setting): 14 days');
  t.equal((await t93.send(buy93(visa.pan, 1, '1234', later)))[39], '116', 'visa-dankort: still reserved at 14 days');
  clock.advance(17 * 86_400_000 - 1);
  t.equal((await t93.send(buy93(visa.pan, 1, '1234', { 12: '261222095959' })))[39], '116', 'and a moment before 31');
  clock.advance(1);
  t.equal((await t93.send(buy93(visa.pan, 10_000, '1234', { 12: '261222100000' })))[39], '000', 'lapsed at 31 days');
});

t.test('a card is valid through the last day of its expiry month, Copenhagen time', async (t) => {
  const clock = new ManualClock(new Date('2026-11-30T22:59:59Z')); // 23:59:59 in Copenhagen (CET)
  const s = await startSwitch(t, {}, { clock });
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw, { expiry: '2611' });
  t.equal((await t93.send(buy93(c.pan, 100)))[39], '000', 'last second of November');
  clock.advance(1000);
  t.equal((await t93.send(buy93(c.pan, 100)))[39], '101', 'midnight: expired');
});

t.test('register unavailable: a Redis that is gone is answered 911 / 91, not approved', async (t) => {
  const { testClient } = await import('../support/redis.js');
  const s = await startSwitch(t);
  const { t93 } = await terminals(t, s);
  const c = await addCard(s.sw);
  // A second switch on a Redis client that is then cut off.
  const { Switch } = await import('../../src/switch.js');
  const { createLogger } = await import('../../src/log/logger.js');
  const { SwitchMetrics } = await import('../../src/metrics/metrics.js');
  const redis = await testClient({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
  const down = new Switch({
    config: s.config,
    redis,
    log: createLogger('silent'),
    metrics: new SwitchMetrics({ defaultMetrics: false }),
  });
  await down.start();
  t.teardown(() => down.stop());
  redis.disconnect();
  const x = await TestTerminal.open(down.listeners[0]!.port);
  const y = await TestTerminal.open(down.listeners[1]!.port, 'iso87ascii', 'ascii4');
  t.teardown(() => (x.close(), y.close()));
  const a = await x.send(buy93(c.pan, 100));
  t.match(a, { 39: '911' });
  t.equal(a[38], undefined, 'no approval code');
  t.match(await y.send(buy87(c.pan, 100)), { 39: '91' });
  t.equal((await t93.send(buy93(c.pan, 100)))[39], '000', 'the switch with a working Redis still approves');
});
