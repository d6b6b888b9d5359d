/**
 * chip.lua in the card register's decision, on a real Redis: the cryptogram's verdict and the ATC
 * as CardRegister.authorize passes them (docs/SECURITY.md §1). Over TCP, with real cryptograms:
 * test/authorization/chip-cryptogram.test.ts.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import type { AuthorizeRequest } from '../../src/card/card-register.js';
import { chipArgs, chipProductsOf } from '../../src/card/chip-card.js';

t.test('the ATC moves forward on verified cryptograms only, and a failure is a notice', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { panSequence: '01' });
  const key = s.sw.register.keysOf(card.id).card;
  const buy = (atc: number, verified: boolean, extra: Partial<AuthorizeRequest> = {}) =>
    s.sw.register.authorize({
      pan: card.pan,
      kind: 'purchase',
      amount: 100,
      pvv: undefined,
      contactless: false,
      reserve: false,
      terminalId: 'TERM0001',
      cryptogram: { atc, verified },
      ...extra,
    });

  t.same(await s.sw.register.chipCardOf(card.pan), { product: 'dankort', panSequence: '01' });
  t.match(await buy(5, true), { outcome: 'approved', notices: 0 }, 'the first ATC the card shows');
  t.equal(await s.redis.hget(key, 'atc'), '5');
  t.match(await buy(9, false), { outcome: 'cryptogramFailure', detail: 'arqc', notices: 1 });
  t.equal(await s.redis.hget(key, 'atc'), '5', "a failed cryptogram's ATC is not recorded");
  t.match(await buy(5, true), { outcome: 'cryptogramFailure', detail: 'atc', notices: 1 }, 'the same ATC');
  t.match(await buy(4, true), { outcome: 'approved' }, 'a lower one not seen, within the window: it came late');
  t.match(await buy(4, true), { outcome: 'cryptogramFailure', detail: 'atc' }, 'but only once');
  t.match(await buy(6, true, { pvv: 'wrong' }), { outcome: 'wrongPin' }, 'verified, then the PIN declines');
  t.equal(await s.redis.hget(key, 'atc'), '6', 'the ATC moved all the same');
  t.match(await buy(6, true, { cryptogram: undefined }), { outcome: 'approved' }, 'not checked: no ATC rule');
  const outbox = await s.redis.lrange(s.sw.register.keysOf(card.id).outbox, 0, -1);
  const notices = outbox
    .map((n) => JSON.parse(n) as Record<string, unknown>)
    .filter((n) => n.type === 'cryptogramFailure');
  // Nothing flushed them (the authorizeCard step does): all three are in the card's outbox.
  t.match(notices, [
    { type: 'cryptogramFailure', terminal: 'TERM0001', reason: 'arqc', atc: 9 },
    { type: 'cryptogramFailure', reason: 'atc', atc: 5, lastAtc: 5 },
    { type: 'cryptogramFailure', reason: 'atc', atc: 4, lastAtc: 5 },
  ]);
  t.equal(notices.length, 3);
});

t.test('the ATC window: 32 ATCs below the highest, each taken once', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { panSequence: '01' });
  const buy = async (atc: number) =>
    (
      await s.sw.register.authorize({
        pan: card.pan,
        kind: 'purchase',
        amount: 1,
        pvv: undefined,
        contactless: false,
        reserve: false,
        terminalId: 'TERM0001',
        cryptogram: { atc, verified: true },
      })
    ).outcome;
  t.equal(await buy(40), 'approved');
  t.equal(await buy(8), 'approved', "32 below the highest: the window's oldest");
  t.equal(await buy(7), 'cryptogramFailure', '33 below: older than the window');
  t.equal(await buy(41), 'approved', 'one up: 40 is now one below, and seen');
  t.equal(await buy(40), 'cryptogramFailure');
  t.equal(await buy(39), 'approved', 'not seen yet');
  t.equal(await buy(39), 'cryptogramFailure');
  t.equal(await buy(73), 'approved', 'exactly a window up: only 41 is still in it');
  t.equal(await buy(41), 'cryptogramFailure', "41 at the window's edge, seen");
  t.equal(await buy(42), 'approved', '42 was never seen');
  t.equal(await buy(200), 'approved', 'a jump past the window forgets it');
  t.equal(await buy(199), 'approved');
  t.equal(await buy(168), 'approved', "the new window's oldest");
  t.equal(await buy(167), 'cryptogramFailure');
});

t.test('a chip read without field 55: refused for a card with chip keys, not checked without', async (t) => {
  const s = await startSwitch(t);
  const withKeys = await addCard(s.sw, { panSequence: '01' });
  const withoutKeys = await addCard(s.sw, {});
  const read = (pan: string) =>
    s.sw.register.authorize({
      pan,
      kind: 'purchase',
      amount: 100,
      pvv: undefined,
      contactless: false,
      reserve: false,
      terminalId: 'TERM0001',
      cryptogram: 'missing',
    });
  t.match(await read(withKeys.pan), { outcome: 'cryptogramFailure', detail: 'missing', notices: 1 });
  const outbox = await s.redis.lrange(s.sw.register.keysOf(withKeys.id).outbox, 0, -1);
  t.match(
    outbox.map((n) => JSON.parse(n) as Record<string, unknown>).filter((n) => n.type === 'cryptogramFailure'),
    [{ reason: 'missing', terminal: 'TERM0001' }],
  );
  t.match(await read(withoutKeys.pan), { outcome: 'approved' }, 'no PAN sequence number: no chip keys');
});

t.test('a blocked card is refused as blocked, its ATC not recorded', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { panSequence: '01' });
  await s.sw.register.block('bank-a', card.id, 'lost', new Date());
  const r = await s.sw.register.authorize({
    pan: card.pan,
    kind: 'purchase',
    amount: 100,
    pvv: undefined,
    contactless: false,
    reserve: false,
    terminalId: 'TERM0001',
    cryptogram: { atc: 3, verified: false },
  });
  t.match(r, { outcome: 'blocked', detail: 'lost' });
  t.equal(await s.redis.hget(s.sw.register.keysOf(card.id).card, 'atc'), null);
});

t.test('a card without chip keys, or not registered, has no chip', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  t.equal(await s.sw.register.chipCardOf(card.pan), undefined);
  t.equal(await s.sw.register.chipCardOf('5019990000000018'), undefined);
  t.same(chipArgs(undefined, 'dankort'), { atc: '', cryptogram: '', chipProducts: 'dankort' });
  t.same(chipArgs({ atc: 7, verified: false }, ''), { atc: 7, cryptogram: 'bad', chipProducts: '' });
  t.same(chipArgs('missing', 'a,b'), { atc: '', cryptogram: 'missing', chipProducts: 'a,b' });
  t.equal(chipProductsOf({ dankort: { ac: '00' }, other: {}, 'visa-dankort': { ac: '11' } }), 'dankort,visa-dankort');
  t.equal(chipProductsOf(undefined), '');
});
