/**
 * The test-card catalogue (src/seed/catalogue.ts, src/seed/seed.ts), its seeding, docs/TEST-CARDS.md and
 * `npm run seed` (scripts/seed.ts): every card answers as documented, in the register and over
 * the wire in both code sets, and seeding again restores every card exactly.
 */
import { CardOutboxes } from '../../src/card/outboxes.js';
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterRedis } from '../../src/redis/client.js';
import { ManualClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { ACTION_CODES, type Outcome } from '../../src/messages/action-codes.js';
import { luhnValid } from '../../src/card/luhn.js';
import { type AuthorizeResult, type BlockReason, CardRegister } from '../../src/card/card-register.js';
import { CardWatch, PROFILE_KEPT_MS } from '../../src/card/card-watch.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { PROBE_AMOUNT, TEST_CARDS } from '../../src/seed/catalogue.js';
import {
  type Probe,
  type RegisteredSetup,
  TEST_CARD_STATES,
  type TestCard,
  type TestCardState,
  wrongPinOf,
} from '../../src/seed/test-card.js';
import { SeedError, seedTestCards } from '../../src/seed/seed.js';
import { formatSummary, runSeed } from '../../scripts/seed.js';
import { deleteKeys, testRedis } from '../support/redis.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { chipField, chipRequest, testChipOf } from '../../terminals/chip.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const WITH_PIN: Probe = {
  what: '100.00 DKK, correct PIN',
  amount: PROBE_AMOUNT,
  pin: 'correct',
  contactless: false,
  chip: true,
  answer: { outcome: 'approved', iso93: '', iso87: '' },
};

/** The states the brief asks for, each of which must have a card. */
const REQUIRED_STATES: TestCardState[] = [
  'active',
  'notActivated',
  'blockedLost',
  'blockedStolen',
  'blockedByMonitoring',
  'blockedByIssuer',
  'pinBlocked',
  'deleted',
  'expired',
  'oneWrongPin',
  'twoWrongPins',
  'contactlessNearLimits',
  'lowBalance',
  'notRegistered',
  'luhnInvalid',
];

const cardIn = (state: TestCardState): TestCard => TEST_CARDS.find((c) => c.state === state)!;

async function setup(t: Test) {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(NOW);
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const notices = new CardOutboxes(redis, prefix, 'notices');
  const cards = { register, noticeOutboxes: notices, watch: new CardWatch(redis, prefix, clock, PROFILE_KEPT_MS) };
  return { redis, prefix, clock, register, notices, cards };
}

const BLOCKS: Record<BlockReason, Outcome> = {
  lost: 'blockedLost',
  stolen: 'blockedStolen',
  pinKnown: 'blockedByIssuer',
  misused: 'blockedFraud',
  copied: 'blockedFraud',
  suspected: 'blockedFraud',
  fraud: 'blockedByMonitoring',
  issuer: 'blockedByIssuer',
};
/** The register's outcome as the answer's outcome (as the authorizeCard step maps it). */
const outcomeOf = (r: AuthorizeResult): Outcome =>
  r.outcome === 'blocked' ? BLOCKS[r.detail as BlockReason] : r.outcome;

function pvvFor(register: CardRegister, tc: TestCard, p: Probe): string | undefined {
  if (p.pin === 'none') return undefined;
  return register.pvvOf(tc.pan, p.pin === 'correct' ? tc.pin : wrongPinOf(tc.pin));
}

function send(register: CardRegister, tc: TestCard, p: Probe): Promise<AuthorizeResult> {
  return register.authorize({
    pan: tc.pan,
    kind: 'purchase',
    amount: p.amount,
    pvv: pvvFor(register, tc, p),
    contactless: p.contactless,
    chip: p.chip,
    reserve: true,
    terminalId: 'TEST0001',
  });
}

/** Everything the register holds for the test cards, but the random reservation and notice ids. */
async function snapshot(register: CardRegister, redis: RegisterRedis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const tc of TEST_CARDS) {
    const k = register.keysOf(register.idOf(tc.pan));
    const reservations = await redis.zrange(k.reservations, '0', '-1', 'WITHSCORES');
    out[tc.pan] = {
      record: await redis.hgetall(k.card),
      lapses: reservations.filter((_, i) => i % 2 === 1),
      amounts: (await redis.hvals(k.reservationAmounts)).sort(),
      outbox: (await redis.lrange(k.outbox, 0, -1)).map((n) => (JSON.parse(n) as { type: string }).type),
    };
  }
  return out;
}

async function keysUnder(redis: RegisterRedis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

t.test('the catalogue has a card in every state, with valid data', async (t) => {
  t.same([...TEST_CARD_STATES].sort(), [...REQUIRED_STATES].sort(), 'the states are the documented ones');
  for (const state of REQUIRED_STATES)
    t.ok(
      TEST_CARDS.some((c) => c.state === state),
      `a card in state ${state}`,
    );
  t.equal(new Set(TEST_CARDS.map((c) => c.pan)).size, TEST_CARDS.length, 'PANs are unique');
  t.same(
    new Set(TEST_CARDS.flatMap((c) => (c.issuer ? [c.issuer] : []))),
    new Set(['bank-a', 'bank-b']),
    'two issuers',
  );
  for (const tc of TEST_CARDS) {
    t.match(tc.pan, /^5019\d{12}$/, `${tc.pan}: 16 digits starting 5019`);
    t.equal(
      luhnValid(tc.pan),
      tc.state !== 'luhnInvalid',
      `${tc.pan}: Luhn ${tc.state === 'luhnInvalid' ? 'fails' : 'holds'}`,
    );
    t.match(tc.pin, /^\d{4}$/, `${tc.pan}: 4-digit PIN`);
    t.not(wrongPinOf(tc.pin), tc.pin, `${tc.pan}: the wrong PIN is wrong`);
    t.match(tc.expiry, /^\d{2}(0[1-9]|1[0-2])$/, `${tc.pan}: expiry YYMM`);
    t.equal(tc.setup.registered, tc.issuer !== null, `${tc.pan}: registered cards have an issuer`);
    for (const a of [tc.withPin, ...tc.probes.map((p) => p.answer)]) {
      t.same({ iso93: a.iso93, iso87: a.iso87 }, ACTION_CODES[a.outcome], `${tc.pan}: ${a.outcome} codes`);
    }
  }
  t.equal(cardIn('expired').expiry, '2401');
  const cl = (cardIn('contactlessNearLimits').setup as RegisteredSetup).contactlessPayments!;
  const sum = cl.reduce((a, b) => a + b, 0);
  t.equal(cl.length, DEFAULT_CONFIG.register.contactless.maxCount - 1, 'one PIN-less payment short of the count');
  t.ok(
    sum < DEFAULT_CONFIG.register.contactless.maxSum && sum + PROBE_AMOUNT > DEFAULT_CONFIG.register.contactless.maxSum,
    'sum near 1,125.00: 100.00 more passes it',
  );
  t.equal(cardIn('lowBalance').balance, 5_000);
});

t.test('seeding puts every card into its state', async (t) => {
  const { cards, redis, register, clock } = await setup(t);
  const summary = await seedTestCards(cards, { clock });
  t.equal(summary.cards.length, TEST_CARDS.length);
  const seeded = (state: TestCardState) => summary.cards.find((c) => c.state === state)!;
  t.match(seeded('active'), { status: 'active', block: null, pinBlocked: false, pinTries: 0, available: 1_000_000 });
  t.match(seeded('notActivated'), { status: 'registered' });
  t.match(seeded('blockedLost'), { status: 'active', block: 'lost' });
  t.match(seeded('blockedStolen'), { status: 'active', block: 'stolen' });
  t.match(seeded('blockedByMonitoring'), { status: 'active', block: 'fraud' });
  t.match(
    (await register.state(seeded('blockedByMonitoring').card))?.blocks.at(-1),
    { reason: 'fraud', by: 'monitoring', rule: 'velocity-card-present' },
    'blocked the way the fraud monitoring blocks',
  );
  t.match(seeded('blockedByIssuer'), { status: 'active', block: 'issuer' });
  t.match(seeded('pinBlocked'), { status: 'active', block: null, pinBlocked: true, pinTries: 3 });
  t.match(seeded('deleted'), { status: 'deleted' });
  t.match(seeded('expired'), { status: 'active' });
  t.match(seeded('oneWrongPin'), { pinTries: 1, pinBlocked: false });
  t.match(seeded('twoWrongPins'), { pinTries: 2, pinBlocked: false });
  t.match(seeded('contactlessNearLimits'), { contactless: { count: 4, sum: 104_000 }, available: 500_000 - 104_000 });
  t.match(seeded('lowBalance'), { available: 5_000 });
  t.match(seeded('notRegistered'), { status: null });
  t.match(seeded('luhnInvalid'), { status: null });
  // Each state as the register itself tells it.
  for (const c of summary.cards)
    t.same(await register.state(c.card).then((s) => s?.status ?? null), c.status, `${c.pan}: ${c.state}`);
  const lost = (await register.state(register.idOf(cardIn('blockedLost').pan)))!;
  t.equal(
    lost.blockReportedAt,
    new Date(NOW.getTime() - 15 * 60_000).toISOString(),
    'the holder reported it 15 minutes before the block',
  );
  t.equal(lost.blockedAt, NOW.toISOString());
  // Notices of the blocks (4), the wrong PINs (pinBlocked 3 + 1 PIN block, 1, 2) and the deletion (1) were written and discarded.
  t.same(summary.notices, { written: 4 + 4 + 1 + 2 + 1, kept: false });
  for (const tc of TEST_CARDS)
    t.equal(await redis.llen(register.keysOf(register.idOf(tc.pan)).outbox), 0, `${tc.pan}: no notices left`);
});

t.test('every card answers a 100.00 DKK purchase with the correct PIN as documented', async (t) => {
  const { cards, register, clock } = await setup(t);
  await seedTestCards(cards, { clock });
  for (const tc of TEST_CARDS) {
    const r = await send(register, tc, WITH_PIN);
    t.equal(outcomeOf(r), tc.withPin.outcome, `${tc.pan} (${tc.state}): ${tc.withPin.iso93} / ${tc.withPin.iso87}`);
  }
  // The contactless card, PIN-less for 100.00: asked for the PIN (after a fresh seed: the purchase above reset it).
  await seedTestCards(cards, { clock });
  const cl = cardIn('contactlessNearLimits');
  const r = await send(register, cl, { ...WITH_PIN, pin: 'none', contactless: true });
  t.match(r, { outcome: 'chipAndPinRequired', detail: 'cumulative' });
});

t.test('every documented further purchase answers as documented, each on a freshly seeded card', async (t) => {
  const { cards, register, clock } = await setup(t);
  let probes = 0;
  for (const tc of TEST_CARDS) {
    for (const p of tc.probes) {
      await seedTestCards(cards, { clock });
      const r = await send(register, tc, p);
      t.equal(
        outcomeOf(r),
        p.answer.outcome,
        `${tc.pan} (${tc.state}), ${p.what}: ${p.answer.iso93} / ${p.answer.iso87}`,
      );
      probes++;
    }
  }
  t.ok(probes >= 10, `${probes} probes`);
});

t.test('a correct PIN resets the count of wrong PINs and the contactless counters', async (t) => {
  const { cards, register, clock } = await setup(t);
  await seedTestCards(cards, { clock });
  for (const state of ['oneWrongPin', 'twoWrongPins'] as const) {
    const tc = cardIn(state);
    const id = register.idOf(tc.pan);
    t.equal((await register.state(id))!.pinTries, state === 'oneWrongPin' ? 1 : 2);
    t.equal((await send(register, tc, WITH_PIN)).outcome, 'approved');
    t.match(await register.state(id), { pinTries: 0, pinBlocked: false }, `${state}: count reset`);
  }
  const cl = cardIn('contactlessNearLimits');
  t.equal((await send(register, cl, { ...WITH_PIN, contactless: true, chip: false })).outcome, 'chipAndPinRequired');
  t.match(
    await register.state(register.idOf(cl.pan)),
    { contactless: { count: 4, sum: 104_000 } },
    'the PIN at the contactless reader: no reset',
  );
  t.equal((await send(register, cl, WITH_PIN)).outcome, 'approved');
  t.match(
    await register.state(register.idOf(cl.pan)),
    { contactless: { count: 0, sum: 0 } },
    'chip and PIN: contactless counters reset',
  );
  // And the 2-try card's 3rd wrong PIN blocks it, with the correct PIN refused afterwards.
  await seedTestCards(cards, { clock });
  const two = cardIn('twoWrongPins');
  t.match(await send(register, two, { ...WITH_PIN, pin: 'wrong' }), { outcome: 'pinTriesExceeded', detail: '3' });
  t.equal((await send(register, two, WITH_PIN)).outcome, 'pinTriesExceeded');
});

t.test('the not-activated card activates with its documented code', async (t) => {
  const { cards, register, clock } = await setup(t);
  await seedTestCards(cards, { clock });
  const tc = cardIn('notActivated');
  const id = register.idOf(tc.pan);
  t.match(
    await register.activate('bank-a', id, '0000', tc.pan),
    { ok: false, status: 'conflict' },
    'a wrong code does not',
  );
  t.same(await register.activate(tc.issuer!, id, tc.activationCode, tc.pan), { ok: true });
  t.equal((await send(register, tc, WITH_PIN)).outcome, 'approved');
});

t.test('seeding twice, or after traffic, leaves exactly the same state', async (t) => {
  const { cards, redis, register, clock, prefix } = await setup(t);
  await seedTestCards(cards, { clock });
  const first = await snapshot(register, redis);
  const firstKeys = await keysUnder(redis, prefix);
  await seedTestCards(cards, { clock });
  t.same(await snapshot(register, redis), first, 'seeded twice');
  t.same(await keysUnder(redis, prefix), firstKeys);
  // Traffic and issuer changes meanwhile: all undone by seeding again.
  for (const tc of TEST_CARDS) {
    await send(register, tc, WITH_PIN);
    await send(register, tc, { ...WITH_PIN, pin: 'wrong' });
    await send(register, tc, { ...WITH_PIN, pin: 'none', contactless: true });
  }
  const active = cardIn('active');
  await register.block('', register.idOf(active.pan), 'lost', clock.now());
  await register.setBalance('bank-a', register.idOf(cardIn('lowBalance').pan), 99);
  await register.liftPinBlock('bank-a', register.idOf(cardIn('pinBlocked').pan));
  await register.activate('bank-a', register.idOf(cardIn('notActivated').pan), '4821', cardIn('notActivated').pan);
  // Someone registers the unregistered PAN: seeding makes it unregistered again.
  await register.register({
    pan: cardIn('notRegistered').pan,
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '1',
    account: '1',
    balance: 1,
    currency: '208',
    status: 'active',
  });
  t.not(JSON.stringify(await snapshot(register, redis)), JSON.stringify(first), 'the traffic changed the cards');
  clock.advance(60_000);
  await seedTestCards(cards, { clock });
  clock.set(NOW);
  await seedTestCards(cards, { clock });
  t.same(await snapshot(register, redis), first, 'seeded again after traffic');
  t.same(await keysUnder(redis, prefix), firstKeys, 'no key left behind');
});

t.test('notices are kept on request', async (t) => {
  const { cards, redis, register, clock } = await setup(t);
  const summary = await seedTestCards(cards, { clock, keepNotices: true, terminalId: 'SEEDTEST' });
  t.same(summary.notices, { written: 12, kept: true });
  const outbox = async (state: TestCardState) =>
    (await redis.lrange(register.keysOf(register.idOf(cardIn(state).pan)).outbox, 0, -1)).map(
      (n) => JSON.parse(n) as { type: string; terminal?: string },
    );
  t.match(await outbox('blockedLost'), [
    { type: 'blockRegistered', reason: 'lost', reference: 'TEST-LOST-0001', report: { said: /lost/i } },
  ]);
  t.match(await outbox('blockedByMonitoring'), [{ type: 'monitoringBlock' }]);
  t.match(await outbox('pinBlocked'), [
    { type: 'wrongPin', terminal: 'SEEDTEST' },
    { type: 'wrongPin' },
    { type: 'wrongPin' },
    { type: 'pinBlocked' },
  ]);
  t.match(await outbox('oneWrongPin'), [{ type: 'wrongPin', tries: 1 }]);
  t.match(await outbox('deleted'), [{ type: 'cardDeleted', by: 'bank-b' }]);
  // Seeding again starts from empty outboxes: the notices are not doubled.
  await seedTestCards(cards, { clock, keepNotices: true });
  t.equal((await outbox('pinBlocked')).length, 4);
});

t.test('seeding fails loudly when a step does not do what it should', async (t) => {
  const { cards, redis, prefix, clock } = await setup(t);
  // A register whose contactless limit is lower than the seeded payments: the seed cannot make them PIN-less.
  const strict = new CardRegister(
    redis,
    prefix,
    { ...DEFAULT_CONFIG.register, contactless: { limit: 20_000, maxCount: 5, maxSum: 112_500 } },
    clock,
  );
  await t.rejects(
    seedTestCards({ ...cards, register: strict }, { clock }),
    new SeedError(
      'seeding test card contactlessNearLimits (5019200000000061): PIN-less contactless payment 1: answered pinRequired (limit), not approved',
    ),
  );
  // The seeded card remains reachable for a re-run with the right configuration.
  t.match(await seedTestCards(cards, { clock }), { cards: TEST_CARDS.map((c) => ({ state: c.state })) });
});

t.test('docs/TEST-CARDS.md lists every card with its PIN and answers', async (t) => {
  const doc = readFileSync(new URL('../../docs/TEST-CARDS.md', import.meta.url), 'utf8');
  const lines = doc.split('\n');
  for (const tc of TEST_CARDS) {
    const row = lines.find((l) => l.startsWith(`| \`${tc.pan}\` |`));
    if (row === undefined) {
      t.fail(`${tc.pan} has no row`);
      continue;
    }
    const cells = row.split('|').map((c) => c.trim());
    t.equal(cells[2], `\`${tc.pin}\``, `${tc.pan}: PIN`);
    t.equal(cells[3], tc.issuer ?? '—', `${tc.pan}: issuer`);
    t.ok(
      row.includes(`\`${tc.withPin.iso93}\` / \`${tc.withPin.iso87}\``),
      `${tc.pan}: answer ${tc.withPin.iso93} / ${tc.withPin.iso87}`,
    );
    for (const p of tc.probes) {
      t.ok(
        lines.includes(`| \`${tc.pan}\` | ${p.what} | \`${p.answer.iso93}\` / \`${p.answer.iso87}\` |`),
        `${tc.pan}: "${p.what}" documented`,
      );
    }
  }
  for (const tc of TEST_CARDS.filter((c) => c.issuer !== null))
    t.ok(doc.includes(`| \`${tc.pan}\` | \`${tc.cvc}\` |`), `${tc.pan}: its CVC documented`);
  t.ok(doc.includes('0123456789ABCDEFFEDCBA9876543210'), 'the test PIN key');
  t.ok(doc.includes('npm run seed'));
});

/** The request a terminal would send for a probe, in either dialect. */
function request(tc: TestCard, p: Probe, dialect: 'iso93' | 'iso87'): IsoMessage {
  const fields: IsoMessage = { 2: tc.pan, 4: String(p.amount).padStart(12, '0') };
  if (p.pin !== 'none')
    fields[52] = encryptPinBlockFormat0(p.pin === 'correct' ? tc.pin : wrongPinOf(tc.pin), tc.pan, TEST_PIN_KEY.key);
  if (p.contactless) fields[22] = dialect === 'iso93' ? '000000A00000' : '071';
  if (p.chip === true) fields[22] = dialect === 'iso93' ? '000000500000' : '051';
  // A chip read (inserted or contactless) of a card with chip keys carries the chip's field 55
  // (a chip read without it is a format error): the catalogue's chip, the next ATC.
  const chip = p.chip === true || p.contactless ? testChipOf(tc.pan) : undefined;
  if (chip !== undefined) {
    const sale = { pan: tc.pan, amount: p.amount, currency: '208', date: '261121', type: '00' };
    fields[55] = chipField(chipRequest(chip, sale).objects, dialect === 'iso87');
  }
  return dialect === 'iso93' ? purchase93(fields) : purchase87(fields);
}

t.test('over the wire: every documented answer in both code sets, PIN blocks under the test key', async (t) => {
  const clock = new ManualClock(NOW);
  const { sw, port } = await startSwitch(t, {}, { clock });
  for (const [dialect, header] of [
    ['iso93', 'binary2'],
    ['iso87', 'ascii4'],
  ] as const) {
    const terminal = await TestTerminal.open(port(dialect), `${dialect}ascii`, header);
    t.teardown(() => terminal.close());
    await seedTestCards(sw.modules.card, { clock });
    for (const tc of TEST_CARDS) {
      const answer = await terminal.send(request(tc, { ...WITH_PIN }, dialect));
      t.equal(answer[39], tc.withPin[dialect], `${dialect} ${tc.pan} (${tc.state}), 100.00 with PIN`);
    }
    for (const tc of TEST_CARDS) {
      for (const p of tc.probes) {
        await seedTestCards(sw.modules.card, { clock });
        const answer = await terminal.send(request(tc, p, dialect));
        t.equal(answer[39], p.answer[dialect], `${dialect} ${tc.pan} (${tc.state}), ${p.what}`);
      }
    }
    // 'M' (contactless magnetic stripe) in 1993, '91' in 1987 count as contactless too.
    await seedTestCards(sw.modules.card, { clock });
    const cl = cardIn('contactlessNearLimits');
    const stripe = request(cl, { ...WITH_PIN, pin: 'none', contactless: true }, dialect);
    stripe[22] = dialect === 'iso93' ? '000000M00000' : '911';
    t.equal(
      (await terminal.send(stripe))[39],
      ACTION_CODES.chipAndPinRequired[dialect],
      `${dialect}: contactless stripe`,
    );
    // Remote purchases: each registered card's CVC as documented, with its expiry; the status first.
    await seedTestCards(sw.modules.card, { clock });
    for (const tc of TEST_CARDS.filter((c) => c.issuer !== null)) {
      const internet: IsoMessage = { 2: tc.pan, 4: '000000010000', 14: tc.expiry, 48: `02003${tc.cvc}03001T` };
      internet[22] = dialect === 'iso93' ? '000550S00000' : '812';
      if (dialect === 'iso87') internet[25] = '59';
      const answer = await terminal.send(dialect === 'iso93' ? purchase93(internet) : purchase87(internet));
      const want = tc.state === 'lowBalance' ? 'insufficientFunds' : tc.withPin.outcome;
      t.equal(answer[39], ACTION_CODES[want][dialect], `${dialect} ${tc.pan} (${tc.state}): internet, its CVC`);
    }
  }
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function capture() {
  let out = '';
  let err = '';
  return { out: (s: string) => void (out += s), err: (s: string) => void (err += s), text: () => ({ out, err }) };
}

t.test('npm run seed: seeds the configured Redis and prints the cards without PINs', async (t) => {
  const { url, redis, prefix } = await testRedis(t);
  const dir = mkdtempSync(join(tmpdir(), 'seed-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'switch.json');
  writeFileSync(file, JSON.stringify({ redis: { keyPrefix: prefix } }));
  const io = capture();
  t.equal(
    await runSeed({ env: { REDIS_URL: url, SWITCH_CONFIG: file }, args: [], out: io.out, err: io.err }),
    0,
    io.text().err,
  );
  const { out } = io.text();
  for (const tc of TEST_CARDS)
    t.match(
      out,
      new RegExp(`^${tc.pan}\\s+${tc.issuer ?? '-'}\\s+${tc.state}\\s.*${tc.withPin.iso93} / ${tc.withPin.iso87}`, 'm'),
      `${tc.pan} printed`,
    );
  t.match(out, `key prefix "${prefix}"`);
  t.match(out, '12 issuer notices written by the seeding were discarded');
  const tokens = new Set(out.split(/[\s|,/]+/));
  for (const tc of TEST_CARDS.filter((c) => c.setup.registered)) {
    t.notOk(tokens.has(tc.pin), `${tc.pan}: PIN not printed`);
    t.notOk(tokens.has(tc.account), `${tc.pan}: account not printed`);
  }
  // What the switch (same config) finds:
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, new ManualClock(new Date()));
  t.match(await register.state(register.idOf(cardIn('blockedStolen').pan)), { block: 'stolen' });
  t.equal(
    (
      await register.authorize({
        pan: cardIn('active').pan,
        kind: 'purchase',
        amount: 100,
        pvv: register.pvvOf(cardIn('active').pan, '1234'),
        contactless: false,
        reserve: false,
        terminalId: 'T',
      })
    ).outcome,
    'approved',
  );

  const kept = capture();
  t.equal(
    await runSeed({
      env: { REDIS_URL: url, SWITCH_CONFIG: file },
      args: ['--keep-notices'],
      out: kept.out,
      err: kept.err,
    }),
    0,
  );
  t.match(kept.text().out, '12 issuer notices written by the seeding were kept');
  t.equal(await redis.llen(register.keysOf(register.idOf(cardIn('pinBlocked').pan)).outbox), 4);
  await deleteKeys(redis, prefix);
});

t.test('npm run seed: a seeding that fails exits 1 and says where', async (t) => {
  const { url, prefix } = await testRedis(t);
  const dir = mkdtempSync(join(tmpdir(), 'seed-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'switch.json');
  // Rules under which the seeded contactless payments are not PIN-less.
  writeFileSync(file, JSON.stringify({ redis: { keyPrefix: prefix }, register: { contactless: { limit: 20_000 } } }));
  const io = capture();
  t.equal(await runSeed({ env: { REDIS_URL: url, SWITCH_CONFIG: file }, args: [], out: io.out, err: io.err }), 1);
  t.match(
    io.text().err,
    'seed: seeding test card contactlessNearLimits (5019200000000061): PIN-less contactless payment 1: answered pinRequired (limit), not approved',
  );
  t.equal(io.text().out, '');
});

t.test('npm run seed: refuses without a Redis rather than seed a private one', async (t) => {
  const io = capture();
  const probeUrl = `redis://127.0.0.1:${await closedPort()}`;
  t.equal(await runSeed({ env: {}, args: [], probeUrl, out: io.out, err: io.err }), 1);
  t.match(io.text().err, /no Redis answers on redis:\/\/127\.0\.0\.1:\d+.*vanish.*REDIS_URL=/s);
  t.equal(io.text().out, '');

  const unreachable = capture();
  t.equal(await runSeed({ env: { REDIS_URL: probeUrl }, args: [], out: unreachable.out, err: unreachable.err }), 1);
  t.match(unreachable.text().err, /seed: redis: cannot connect to/);
});

t.test('npm run seed: bad configuration or arguments exit 2', async (t) => {
  const bad = capture();
  t.equal(await runSeed({ env: { REDIS_URL: 'nope' }, args: [], out: bad.out, err: bad.err }), 2);
  t.match(bad.text().err, 'REDIS_URL is not a redis:// or rediss:// URL');
  const arg = capture();
  t.equal(await runSeed({ env: {}, args: ['--force'], out: arg.out, err: arg.err }), 2);
  t.match(arg.text().err, 'unknown argument --force');
});

t.test('the printed table', async (t) => {
  const text = formatSummary({
    cards: [
      {
        state: 'notRegistered',
        pan: '5019990000000018',
        issuer: null,
        card: 'x',
        status: null,
        block: null,
        pinBlocked: false,
        pinTries: 0,
        available: 0,
        contactless: { count: 0, sum: 0 },
        withPin: { outcome: 'notRegistered', iso93: '111', iso87: '14' },
      },
      {
        state: 'pinBlocked',
        pan: '5019100000000048',
        issuer: 'bank-a',
        card: 'y',
        status: 'active',
        block: 'lost',
        pinBlocked: true,
        pinTries: 3,
        available: 123_456,
        contactless: { count: 2, sum: 5_000 },
        withPin: { outcome: 'blockedLost', iso93: '208', iso87: '41' },
      },
    ],
    notices: { written: 0, kept: true },
  });
  t.match(text, /^PAN\s+issuer\s+state\s+in the register/);
  t.match(text, /^5019990000000018\s+-\s+notRegistered\s+not registered\s+-\s+-\s+-\s+111 \/ 14 notRegistered$/m);
  t.match(
    text,
    /^5019100000000048\s+bank-a\s+pinBlocked\s+active, blocked lost, PIN-blocked\s+3\s+2 \/ 50\.00\s+1234\.56\s+208 \/ 41 blockedLost$/m,
  );
  t.match(text, '0 issuer notices written by the seeding were kept');
});
