/**
 * What the disputes cost (issue 18), against a real Redis on this machine:
 *
 * 1. Booking a delivery: the card's statement (one ZADD per posting in book.lua) against the same
 *    script without it (the baseline, made from the shipped book.lua in this run), in alternating
 *    rounds, as µs per posting booked.
 * 2. An issuer's listing of a card's transactions for a month, and a check of 1 and 20 of them,
 *    for cards with 100, 1,000 and 10,000 delivered postings, as median ms and as a ratio to
 *    reading the card's state (CardRegister.state, the issuer API's GET /cards/:id) in the same run.
 *
 *   npm run bench:disputes [-- --json bench/results/disputes.json]
 *
 * The keys are under a prefix of their own, removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { ManualClock } from '../src/time/clock.js';
import { createLogger } from '../src/log/logger.js';
import { createModules } from '../src/modules.js';
import type { Posting } from '../src/journal/posting.js';
import { cardKeys } from '../src/card/keys.js';
import { luhnCheckDigit } from '../src/card/luhn.js';
import { machine } from './support/machine.js';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const NOW = new Date('2026-12-04T09:00:00Z');
const DAY = 86_400_000;
const PREFIX = `bench-disputes-${process.pid}:`;

const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
await redis.connect();
const config = loadConfig({ env: {}, overrides: { redis: { keyPrefix: PREFIX }, monitoring: { enabled: false } } });
const clock = new ManualClock(NOW);
const modules = createModules({ config, redis, clock, log: createLogger('silent') });
const { register } = modules.card;

let serial = 0;
async function newCard(): Promise<{ id: string; pan: string }> {
  const body = `50190${String(++serial).padStart(10, '0')}`;
  const full = body + luhnCheckDigit(body);
  const r = await register.register({
    pan: full,
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '1234',
    account: '1234567890',
    balance: 100_000_000,
    currency: '208',
    status: 'active',
  });
  if (!r.ok) throw new Error(r.reason);
  return { id: r.card, pan: full };
}

/** A delivered purchase's posting of the card, at `at` ms. */
function purchase(card: { id: string; pan: string }, at: number, n: number): Posting {
  const local = new Date(at + 3_600_000).toISOString();
  const localTime =
    local.slice(2, 4) +
    local.slice(5, 7) +
    local.slice(8, 10) +
    local.slice(11, 13) +
    local.slice(14, 16) +
    local.slice(17, 19);
  const stan = String(n % 1_000_000).padStart(6, '0');
  return {
    id: randomUUID(),
    txn: `BENCH001-${localTime}-${stan}`,
    type: 'purchase',
    direction: 'D',
    amount: 10_000 + (n % 500) * 100,
    currency: '208',
    originalAmount: 10_000,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    card: card.id,
    maskedPan: `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`,
    panEnc: register.cipher.encrypt(card.pan),
    issuer: 'bank-a',
    terminal: 'BENCH001',
    merchant: `M${n % 40}`,
    stan,
    localTime,
    purchasedAt: at,
    receivedAt: at,
    authorizedAt: at,
    merchantName: 'Bench shop',
    merchantCity: 'Aarhus',
    mcc: '5411',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'attended',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    approvalCode: '123456',
    cardStatus: 'active',
  };
}

/** Journals and books `count` purchases of the card over the 60 days before NOW. */
async function deliver(card: { id: string; pan: string }, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, k) =>
      purchase(card, NOW.getTime() - 60 * DAY + Math.floor(((i + k) * 60 * DAY) / count), i + k),
    );
    const before = await modules.journal.journal.lastId();
    await modules.journal.journal.append(
      batch.map((p) => JSON.stringify(p)),
      NOW.getTime(),
    );
    await modules.card.booking.book(await modules.journal.journal.range(before, '+'));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(times: number, run: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ms);
}

/** 1. Booking: the shipped book.lua against itself without the statement's ZADD. */
async function booking(): Promise<{ withStatement: number; without: number; ratio: number }> {
  const source = readFileSync(new URL('../src/card/scripts/book.lua', import.meta.url), 'utf8');
  const baseline = source.replace(/^\s*redis\.call\('ZADD', K_statement.*$/m, '');
  if (baseline === source) throw new Error('book.lua: the statement line was not found');
  const prelude = `local K_card, K_holds, K_booked, K_statement = KEYS[1], KEYS[2], KEYS[3], KEYS[4]\nlocal A_now, A_keepFor = ARGV[1], ARGV[2]\nlocal R_postings = 3\n`;
  const shas = {
    withStatement: (await redis.script('LOAD', prelude + source)) as string,
    without: (await redis.script('LOAD', prelude + baseline)) as string,
  };
  const perPosting = { withStatement: [] as number[], without: [] as number[] };
  const card = await newCard();
  const k = cardKeys(PREFIX, card.id);
  for (let round = 0; round < 10; round++) {
    const order = round % 2 === 0 ? (['withStatement', 'without'] as const) : (['without', 'withStatement'] as const);
    for (const which of order) {
      const args: (string | number)[] = [NOW.getTime(), 30 * DAY];
      for (let i = 0; i < 20_000; i++) args.push(`${which}-${round}-${i}`, 'D', 1, `${round}-${i}`, NOW.getTime() - i);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < args.length - 2; i += 500 * 5)
        await redis.evalsha(
          shas[which],
          4,
          k.card,
          k.holds,
          k.booked,
          k.statement,
          ...args.slice(0, 2),
          ...args.slice(2 + i, 2 + i + 500 * 5),
        );
      perPosting[which].push(Number(process.hrtime.bigint() - t0) / 1e3 / 20_000);
      await redis.del(k.booked, k.statement);
    }
  }
  const withStatement = median(perPosting.withStatement);
  const without = median(perPosting.without);
  return { withStatement, without, ratio: withStatement / without };
}

/** 2. Listing and checking a card's transactions. */
async function listing(count: number) {
  const card = await newCard();
  await deliver(card, count);
  const { disputes } = modules.disputes;
  const state = await timed(50, () => register.state(card.id));
  const list = await timed(20, () => disputes.transactions('bank-a', card.id, '2026-11-04', '2026-12-04'));
  const listed = await disputes.transactions('bank-a', card.id, '2026-11-04', '2026-12-04');
  if (!listed.ok) throw new Error('not listed');
  const pick = (n: number) => listed.transactions.slice(0, n).map((t) => ({ entry: t.entry }));
  const check1 = await timed(20, () =>
    disputes.check('bank-a', { card: card.id, reason: 'duplicate', transactions: pick(1) }),
  );
  const check20 = await timed(20, () =>
    disputes.check('bank-a', { card: card.id, reason: 'duplicate', transactions: pick(20) }),
  );
  return {
    postings: count,
    listed: listed.transactions.length,
    stateMs: state,
    listMs: list,
    check1Ms: check1,
    check20Ms: check20,
    listToState: list / state,
  };
}

try {
  const result = {
    machine: machine(),
    at: new Date().toISOString(),
    booking: await booking(),
    listing: [await listing(100), await listing(1_000), await listing(10_000)],
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json !== undefined) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  }
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
