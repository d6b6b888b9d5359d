/**
 * Register calls whose answer the switch never got in time (docs/OPERATIONS.md, "Redis outage"):
 * the terminal is answered 911 and treats the request as declined, so whatever the call did in
 * Redis all the same is undone once Redis answers: an approval reversed (reason 'switch'), an
 * authorization's reservation released, the postings and notices it made moved out of the
 * card's outboxes. A real Redis behind a proxy that holds replies back (a slow Redis) or drops
 * the connection (a dead one).
 */
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { transactionKey } from '../../src/card/keys.js';
import type { Posting } from '../../src/journal/posting.js';
import { CardRegister, type NewCard } from '../../src/card/card-register.js';
import { systemClock } from '../../src/time/clock.js';
import { addCard, newPan, pinBlock } from '../support/cards.js';
import { testRedisUrl } from '../support/redis.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { HoldProxy } from './support/hold-proxy.js';
import { type SwitchOn, startSwitchOn } from './support/switch-on.js';
import { outboxKeys } from './support/invariants.js';

/** Short, so that the tests wait little; what matters is that the answer came after it. */
const TIMEOUT_MS = 300;
const CARD: Omit<NewCard, 'pan'> = {
  issuer: 'bank-a',
  product: 'dankort',
  expiry: '3012',
  pin: '1234',
  activationCode: '5678',
  account: '1',
  balance: 1_000_000,
  currency: '208',
  status: 'active',
};

interface Setup {
  s: SwitchOn;
  proxy: HoldProxy;
  direct: Redis;
  term: TestTerminal;
}

async function setup(t: Test, keyFile?: string): Promise<Setup> {
  const url = await testRedisUrl();
  const proxy = await HoldProxy.start(Number(new URL(url).port));
  const direct = new Redis(url);
  t.teardown(async () => {
    await proxy.close();
    await direct.quit();
  });
  const s = await startSwitchOn(t, proxy.url, direct, TIMEOUT_MS, undefined, keyFile);
  const term = await TestTerminal.open(s.port);
  t.teardown(() => term.close());
  return { s, proxy, direct, term };
}

async function journal(s: SwitchOn): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await probe());) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const txnOf = (answer: Record<number, unknown>): string => `TERM0001-${String(answer[12])}-${String(answer[11])}`;

t.test(
  'Redis answers after the timeout: 911, then the approval it made is reversed, the reservation released, the notice delivered',
  async (t) => {
    const { s, proxy, direct, term } = await setup(t);
    const [sale, auth, wrong] = [await addCard(s.sw), await addCard(s.sw), await addCard(s.sw)];
    proxy.hold();
    const started = Date.now();
    const answers = await Promise.all([
      term.send(purchase93({ 2: sale.pan, 4: '000000004200', 52: pinBlock('1234', sale.pan) })),
      term.send(purchase93({ 0: '1100', 2: auth.pan, 4: '000000010000', 52: pinBlock('1234', auth.pan) })),
      term.send(purchase93({ 2: wrong.pan, 52: pinBlock('0000', wrong.pan) })),
    ]);
    t.same(
      answers.map((a) => a[39]),
      ['911', '911', '911'],
      'each answered "register unavailable"',
    );
    t.ok(Date.now() - started < TIMEOUT_MS + 1000, 'at the register timeout, not when Redis answered');
    const records = await Promise.all(
      answers.map((a, i) => direct.hget(transactionKey(s.prefix, [sale, auth, wrong][i]!.id, txnOf(a)), 'outcome')),
    );
    t.same(records, ['approved', 'approved', 'wrongPin'], 'Redis ran every call all the same');

    proxy.release();
    await until('the sale reversed', async () => (await journal(s)).some((p) => p.type === 'reversal'));
    await until('nothing left to settle', () => s.sw.uncertain.size === 0);
    const postings = await journal(s);
    t.match(
      postings.map((p) => [p.type, p.txn, p.amount, p.reason]),
      [
        ['purchase', txnOf(answers[0]!), 4200, undefined],
        ['reversal', txnOf(answers[0]!), 4200, 'switch'],
      ],
      "the sale: its posting, then the switch's reversal",
    );
    t.match(await s.sw.register.state(sale.id), { reserved: 0, unbooked: 0 }, "the sale's hold given back");
    t.equal(
      await direct.hget(transactionKey(s.prefix, auth.id, txnOf(answers[1]!)), 'state'),
      'reversed',
      'the authorization reversed',
    );
    t.equal((await s.sw.register.state(auth.id))!.reserved, 0, 'its reservation given back');
    t.equal(
      (await s.sw.register.state(wrong.id))!.pinTries,
      1,
      'the wrong PIN counts (the safe side: docs/OPERATIONS.md)',
    );
    t.match(
      await s.sw.relay.notices('bank-a', { card: wrong.id }),
      [{ type: 'wrongPin' }],
      "its notice reached the issuer's feed",
    );
    t.same(await outboxKeys(direct, s.prefix), [], 'no outbox left');

    const again = await term.send(purchase93({ 2: sale.pan, 52: pinBlock('1234', sale.pan) }));
    t.equal(again[39], '000', 'the switch serves again');
    t.equal((await journal(s)).filter((p) => p.type === 'reversal').length, 1, 'one reversal, no more');
  },
);

t.test(
  'the connection breaks with the call in flight after Redis ran it: reversed once Redis is reachable again',
  async (t) => {
    const { s, proxy, direct, term } = await setup(t);
    const card = await addCard(s.sw);
    proxy.hold();
    const answer = term.send(
      purchase93({ 2: card.pan, 4: '000000003000', 11: '000777', 52: pinBlock('1234', card.pan) }),
    );
    const key = transactionKey(s.prefix, card.id, 'TERM0001-261121101530-000777');
    await until('Redis ran the call', async () => (await direct.hget(key, 'outcome')) === 'approved');
    proxy.cut();
    t.equal((await answer)[39], '911', 'answered 911');
    await until('the call failed and waits to be settled', () => s.sw.uncertain.size === 1);

    // While Redis cannot be reached nothing is sent: a request is answered at once, and never runs later.
    const other = await addCardDirect(direct, s);
    const before = Date.now();
    const refused = await term.send(purchase93({ 2: other.pan, 11: '000778', 52: pinBlock('1234', other.pan) }));
    t.equal(refused[39], '911', 'a request while the connection is down: 911');
    t.ok(Date.now() - before < TIMEOUT_MS, 'at once, without waiting for the timeout');
    t.equal((await journal(s).catch(() => [])).length, 0);

    proxy.restore();
    await until('settled', () => s.sw.uncertain.size === 0);
    const postings = await journal(s);
    t.same(
      postings.map((p) => [p.type, p.amount]),
      [
        ['purchase', 3000],
        ['reversal', 3000],
      ],
      'the approval nobody saw: posted and reversed',
    );
    t.match(await s.sw.register.state(card.id), { reserved: 0, unbooked: 0 });
    t.equal(
      await direct.exists(transactionKey(s.prefix, other.id, 'TERM0001-261121101530-000778')),
      0,
      'the request refused at once never ran',
    );
    t.equal((await term.send(purchase93({ 2: card.pan, 52: pinBlock('1234', card.pan) })))[39], '000', 'serving again');
  },
);

t.test(
  'Redis freezes right after deciding a wrong PIN: the answer does not wait for the notice to be moved',
  async (t) => {
    const { s, proxy, term } = await setup(t);
    const card = await addCard(s.sw);
    // The decision's reply gets through; the notice flush that follows it (LRANGE of the outbox) hangs.
    proxy.holdWhenSent('lrange');
    const started = Date.now();
    const late = new Promise<undefined>((resolve) => setTimeout(resolve, TIMEOUT_MS + 2000));
    const answer = await Promise.race([term.send(purchase93({ 2: card.pan, 52: pinBlock('0000', card.pan) })), late]);
    t.equal(answer?.[39], '117', 'wrong PIN, as decided');
    t.ok(
      Date.now() - started < TIMEOUT_MS + 700,
      `answered after ${Date.now() - started} ms, not when Redis came back`,
    );
    proxy.release();
    await until(
      'the notice reached the feed',
      async () => (await s.sw.relay.notices('bank-a', { card: card.id })).length === 1,
    );
    t.pass('the notice was moved once Redis answered');
  },
);

t.test(
  'the connection is lost between journaling a posting and clearing it from the outbox: the relay sweeps it once Redis is back',
  async (t) => {
    const { s, proxy, direct, term } = await setup(t);
    const card = await addCard(s.sw);
    proxy.cutWhenSent('lrem');
    t.equal((await term.send(purchase93({ 2: card.pan, 52: pinBlock('1234', card.pan) })))[39], '000');
    await until('the relay journaled it', async () => (await direct.xlen(s.sw.journal.stream)) === 1);
    proxy.restore();
    // The relay failed (the pipeline that clears the outbox did), so its sweep runs (every 5 s).
    await until('the outbox emptied', async () => (await outboxKeys(direct, s.prefix)).length === 0, 15_000);
    t.equal((await journal(s)).length, 1, 'journaled once');
  },
);

/** A card registered through the test's own connection (the switch's is down). */
async function addCardDirect(direct: Redis, s: SwitchOn): Promise<{ pan: string; id: string }> {
  const pan = newPan();
  const r = await new CardRegister(direct, s.prefix, s.config.register, systemClock).register({ ...CARD, pan });
  return { pan, id: r.card };
}

t.test('an ATM withdrawal answered 911: the switch reverses it and gives its fee back', async (t) => {
  const { s, proxy, term } = await setup(t, 'config/terminal-keys.example.json');
  const card = await addCard(s.sw);
  proxy.hold();
  // ATM00002 is bank-b's: a bank-a card pays the other bank's fee.
  const answer = await term.send(
    purchase93({ 2: card.pan, 3: '010000', 4: '000000020000', 41: 'ATM00002', 52: pinBlock('1234', card.pan) }),
  );
  t.equal(answer[39], '911');
  proxy.release();
  await until('the withdrawal reversed', async () => (await journal(s)).length === 4);
  await until('nothing left to settle', () => s.sw.uncertain.size === 0);
  const txn = `ATM00002-${String(answer[12])}-${String(answer[11])}`;
  t.match(
    (await journal(s)).map((p) => [p.type, p.direction, p.txn, p.amount, p.reason]),
    [
      ['withdrawal', 'D', txn, 20_000, undefined],
      ['fee', 'D', txn, 500, undefined],
      ['reversal', 'C', txn, 20_000, 'switch'],
      ['fee', 'C', txn, 500, 'switch'],
    ],
  );
  t.match(await s.sw.register.state(card.id), { unbooked: 0 }, 'both holds given back');
});
