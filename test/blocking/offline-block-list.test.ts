/**
 * The offline block list (001 §17): which cards it lists, the daily change files (a chain of
 * differences, each made once), fetching (files pile up until fetched; a new fetcher starts from
 * a full file), and the routes of the terminal operators' fetch service. Real Redis, real files,
 * a manual clock for the days; no full PAN may reach a log line or an error.
 */
import t, { type Test } from 'tap';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/time/clock.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { CardRegister, type BlockReason, type NewCard } from '../../src/card/card-register.js';
import { CardWatch, PROFILE_KEPT_MS } from '../../src/card/card-watch.js';
import {
  FETCHER_PATTERN,
  LAYOUTS,
  LAYOUT_VERSION,
  OfflineBlockList,
  RECORD_LENGTH,
  blockListFileName,
} from '../../src/blocking/offline-block-list.js';
import { newPan } from '../support/cards.js';
import { testClient, testRedis } from '../support/redis.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';

const ZONE = 'Europe/Copenhagen';
/** Local 23:59 of a day in November (CET, UTC+1): when the daily job makes the day's file. */
const endOf = (date: string): Date => new Date(`${date}T22:59:00Z`);
const THU = '2026-11-19';
const FRI = '2026-11-20';
const SAT = '2026-11-21';
const SUN = '2026-11-22';
const MON = '2026-11-23';
const TUE = '2026-11-24';

/** Every PAN a test made: none may appear in a log line or an error message. */
const allPans = new Set<string>();

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'block-list-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function logSink(): { logs: Record<string, unknown>[]; stream: Writable } {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logs, stream };
}

function noPanIn(t: Test, text: string, what: string): void {
  const found = [...allPans].filter((pan) => text.includes(pan));
  t.same(found, [], `no full PAN in ${what}`);
}

async function setup(t: Test, start = endOf(THU)) {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(start);
  const register = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, clock);
  const { logs, stream } = logSink();
  const log = createLogger('debug', stream);
  const directory = join(tempDir(t), 'block-list'); // absent: makeDaily creates it
  const list = new OfflineBlockList({ redis, prefix, register, clock, timeZone: ZONE, directory, log });
  const add = async (fields: Partial<NewCard> = {}) => {
    const pan = newPan();
    allPans.add(pan);
    const r = await register.register({
      pan,
      issuer: 'bank-a',
      product: 'dankort',
      expiry: '3012',
      pin: '1234',
      activationCode: '5678',
      account: '1',
      balance: 0,
      currency: '208',
      status: 'active',
      ...fields,
    });
    if (!r.ok) throw new Error(r.reason);
    return { pan, id: r.card, issuer: fields.issuer ?? 'bank-a' };
  };
  type Card = Awaited<ReturnType<typeof add>>;
  const watch = new CardWatch(redis, prefix, clock, PROFILE_KEPT_MS);
  const block = async (c: Card, reason: BlockReason = 'lost') => {
    if (reason === 'fraud') {
      // The fraud monitoring's reason: blocked as its rules block (an issuer cannot use it).
      const made = await watch.block(c.id, { rule: 'a-test-rule', description: 'A test rule', transactions: [] });
      if (made.status !== 'ok') throw new Error(made.status);
    } else {
      const r = await register.block(c.issuer, c.id, reason, clock.now());
      if (!r.ok) throw new Error(r.reason);
    }
    return clock.now().getTime();
  };
  const ok = async (p: Promise<{ ok: boolean }>) => t.ok((await p).ok);
  const make = async (date: string) => {
    clock.set(endOf(date));
    return list.makeDaily(date);
  };
  /** Called at the end of each test: the log lines so far hold no full PAN (and some were written). */
  const logsClean = (expectSome = true) => {
    if (expectSome) t.ok(logs.length > 0, 'something was logged');
    for (const l of logs) noPanIn(t, JSON.stringify(l), 'a log line');
  };
  return { redis, prefix, clock, register, list, directory, logs, add, block, ok, make, logsClean };
}

interface Parsed {
  header: Record<string, string>;
  records: { type: string; pan: string; reason: string; blockedAt: string; issuer: string }[];
  trailer: { added: number; removed: number };
}

/** Reads a file by the documented layout, checking every line's length and the trailer counts. */
function parse(t: Test, content: string): Parsed {
  t.ok(content.endsWith('\n'), 'the last line ends with a line end');
  const lines = content.slice(0, -1).split('\n');
  t.ok(
    lines.every((l) => l.length === RECORD_LENGTH),
    `every line is ${RECORD_LENGTH} characters`,
  );
  const read = (line: string): Record<string, string> => {
    const type = line[0] as keyof typeof LAYOUTS;
    const out: Record<string, string> = {};
    for (const f of LAYOUTS[type]) out[f.name] = line.slice(f.start - 1, f.start - 1 + f.width).trimEnd();
    const last = LAYOUTS[type].at(-1)!;
    t.equal(line.slice(last.start - 1 + last.width).trim(), '', 'spaces after the last field');
    return out;
  };
  const header = read(lines[0]!);
  t.equal(header.recordType, 'H');
  const trailer = read(lines.at(-1)!);
  t.equal(trailer.recordType, 'T');
  const records = lines.slice(1, -1).map(read) as unknown as Parsed['records'];
  records.forEach((r) => (r.type = (r as unknown as Record<string, string>).recordType!));
  const counts = { added: Number(trailer.added), removed: Number(trailer.removed) };
  t.same(
    counts,
    { added: records.filter((r) => r.type === 'A').length, removed: records.filter((r) => r.type === 'R').length },
    'the trailer counts the records',
  );
  t.same(
    records.map((r) => r.pan),
    records.map((r) => r.pan).sort(),
    'records sorted by PAN',
  );
  return { header, records, trailer: counts };
}

/** What an offline terminal holds after applying files in order (A puts, R takes off; a full file replaces). */
function apply(list: Map<string, string>, p: Parsed): Map<string, string> {
  const out = p.header.kind === 'FULL' ? new Map<string, string>() : new Map(list);
  for (const r of p.records) {
    if (r.type === 'A') out.set(r.pan, r.reason);
    else out.delete(r.pan);
  }
  return out;
}

t.test('full(): blocked cards of every issuer; not PIN-blocked-only, deleted or expired ones', async (t) => {
  const { redis, prefix, register, clock, list, add, block, ok, logsClean } = await setup(
    t,
    new Date('2026-11-19T10:00:00Z'),
  );
  const lost = await add();
  const lostAt = await block(lost, 'lost');
  const both = await add();
  clock.advance(60_000);
  const bothAt = await block(both, 'stolen');
  await redis.hset(register.keysOf(both.id).card, 'pinBlocked', '1', 'pinTries', '3'); // also PIN-blocked: still listed
  const otherIssuer = await add({ issuer: 'bank-b' });
  const fraudAt = await block(otherIssuer, 'fraud');
  const notActivated = await add({ status: 'registered' });
  const notActivatedAt = await block(notActivated, 'issuer');
  const lastMonth = await add({ expiry: '2611' }); // valid through 30 November
  const lastMonthAt = await block(lastMonth);

  const pinOnly = await add();
  await redis.hset(register.keysOf(pinOnly.id).card, 'pinBlocked', '1', 'pinTries', '3');
  const deleted = await add();
  await block(deleted);
  await ok(register.delete('bank-a', deleted.id));
  const expired = await add({ expiry: '2610' });
  await block(expired);
  const lifted = await add();
  await block(lifted);
  await ok(register.liftBlock('bank-a', lifted.id));
  await add(); // active, never blocked
  // Keys beside the records (reservations, outboxes) and another switch's cards under a longer prefix.
  await redis.zadd(register.keysOf(lost.id).reservations, 1, 'r1');
  await redis.set(`${prefix}card:{not-a-card-id}`, 'matched by the glob, not a card id: passed over');
  await redis.set(`${prefix}card:{${lost.id}}:t:x}`, 'a key beside a record that happens to end in }');
  const other = new CardRegister(redis, `${prefix}x:`, DEFAULT_CONFIG.register, clock);
  const otherPan = newPan();
  allPans.add(otherPan);
  await other.register({
    pan: otherPan,
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1',
    activationCode: '1',
    account: '1',
    balance: 0,
    currency: '208',
  });
  await other.block('', other.idOf(otherPan), 'lost', clock.now());

  const masked = (pan: string) => `${pan.slice(0, 6)}******${pan.slice(-4)}`;
  const expected = [
    { pan: lost.pan, maskedPan: masked(lost.pan), issuer: 'bank-a', reason: 'lost', blockedAt: lostAt },
    { pan: both.pan, maskedPan: masked(both.pan), issuer: 'bank-a', reason: 'stolen', blockedAt: bothAt },
    { pan: otherIssuer.pan, maskedPan: masked(otherIssuer.pan), issuer: 'bank-b', reason: 'fraud', blockedAt: fraudAt },
    {
      pan: notActivated.pan,
      maskedPan: masked(notActivated.pan),
      issuer: 'bank-a',
      reason: 'issuer',
      blockedAt: notActivatedAt,
    },
    { pan: lastMonth.pan, maskedPan: masked(lastMonth.pan), issuer: 'bank-a', reason: 'lost', blockedAt: lastMonthAt },
  ].sort((a, b) => (a.pan < b.pan ? -1 : 1));
  t.same(
    await list.full(),
    expected,
    'blocked (also when PIN-blocked too), any issuer, not yet activated; sorted by PAN',
  );

  clock.set(new Date('2026-11-30T22:59:59Z')); // 23:59:59 local on 30 November: still valid
  t.equal((await list.full()).length, 5);
  clock.set(new Date('2026-11-30T23:00:00Z')); // 1 December local: the 2611 card has expired
  t.same(
    (await list.full()).map((e) => e.pan),
    expected.filter((e) => e.pan !== lastMonth.pan).map((e) => e.pan),
    'an expired card is left out',
  );

  // A prefix with glob characters matches itself only.
  const odd = `${prefix}a[b]*`;
  const oddRegister = new CardRegister(redis, odd, DEFAULT_CONFIG.register, clock);
  const oddList = new OfflineBlockList({
    redis,
    prefix: odd,
    register: oddRegister,
    clock,
    timeZone: ZONE,
    directory: tempDir(t),
    log: createLogger('silent'),
  });
  t.same(await oddList.full(), [], 'no cards under that prefix: the others are not matched by its glob characters');
  const oddPan = newPan();
  allPans.add(oddPan);
  await oddRegister.register({
    pan: oddPan,
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1',
    activationCode: '1',
    account: '1',
    balance: 0,
    currency: '208',
  });
  await oddRegister.block('', oddRegister.idOf(oddPan), 'stolen', clock.now());
  t.same(
    (await oddList.full()).map((e) => e.pan),
    [oddPan],
  );
  logsClean(false);
});

t.test(
  'daily files: the first lists adds; the next, adds and removes since; once per date; temp + rename, mode 0600',
  async (t) => {
    const { redis, prefix, register, clock, list, directory, add, block, ok, make, logsClean } = await setup(
      t,
      new Date('2026-11-19T10:00:00Z'),
    );
    const a = await add();
    const aAt = await block(a, 'lost');
    const b = await add({ issuer: 'bank-b' });
    clock.advance(3_600_000);
    await block(b, 'stolen');
    const c = await add();
    await block(c, 'fraud');
    const soon = await add({ expiry: '2611' });
    await block(soon, 'issuer');

    const day1 = await make(THU);
    const file1 = join(directory, 'block-list-2026-11-19.txt');
    t.same(day1, { date: THU, file: file1, added: 4, removed: 0, created: true });
    t.same(readdirSync(directory), ['block-list-2026-11-19.txt'], 'the file, under its name, and no temp file left');
    t.equal(statSync(file1).mode & 0o777, 0o600, 'readable by the switch only: it holds full PANs');
    t.equal(statSync(directory).mode & 0o077, 0, "a directory it creates is the switch's only");
    const text1 = readFileSync(file1, 'latin1');
    const p1 = parse(t, text1);
    t.same(p1.header, {
      recordType: 'H',
      fileId: 'BLOCKLIST',
      version: LAYOUT_VERSION,
      kind: 'DAILY',
      date: '20261119',
      effective: '20261120',
      created: '20261119235900',
    });
    t.same(
      p1.records.map((r) => [r.type, r.pan]),
      [a, b, c, soon].map((x) => ['A', x.pan]).sort((x, y) => (x[1]! < y[1]! ? -1 : 1)),
    );
    t.same(
      p1.records.find((r) => r.pan === a.pan),
      { type: 'A', recordType: 'A', pan: a.pan, reason: 'lost', blockedAt: '20261119110000', issuer: 'bank-a' },
      'local block time (CET)',
    );
    t.equal(aAt, Date.parse('2026-11-19T10:00:00Z'));
    t.match(
      p1.records.find((r) => r.pan === b.pan),
      { reason: 'stolen', blockedAt: '20261119120000', issuer: 'bank-b' },
    );

    // Changes during Friday: a lifted, b deleted, d blocked, e blocked and lifted again (never listed),
    // c lifted and blocked again for another reason (listed again with its new block).
    clock.set(new Date('2026-11-20T09:00:00Z'));
    await ok(register.liftBlock('bank-a', a.id));
    await ok(register.delete('bank-b', b.id));
    const d = await add();
    const dAt = await block(d, 'stolen');
    const e = await add();
    await block(e);
    await ok(register.liftBlock('bank-a', e.id));

    const kept = await redis.hgetall(`${prefix}{blocklist}:snapshot`);
    t.same(Object.keys(kept).sort(), [a.id, b.id, c.id, soon.id].sort(), 'the snapshot is keyed by card id');
    t.match(JSON.parse(kept[a.id]!), {
      panEnc: String,
      maskedPan: `${a.pan.slice(0, 6)}******${a.pan.slice(-4)}`,
      issuer: 'bank-a',
      reason: 'lost',
      blockedAt: aAt,
    });
    noPanIn(t, JSON.stringify(kept), 'the snapshot in Redis');
    const again = await make(THU);
    t.same(again, { ...day1, created: false }, 'the same date again: the file made');
    t.equal(readFileSync(file1, 'latin1'), text1, 'unchanged, though the register changed');
    t.same(readdirSync(directory), ['block-list-2026-11-19.txt']);

    const day2 = await make(FRI);
    t.match(day2, { date: FRI, added: 1, removed: 2, created: true });
    const p2 = parse(t, readFileSync(day2.file, 'latin1'));
    t.same(
      p2.records.map((r) => [r.type, r.pan, r.reason]),
      [
        ['R', a.pan, 'lost'],
        ['R', b.pan, 'stolen'],
        ['A', d.pan, 'stolen'],
      ].sort((x, y) => (x[1]! < y[1]! ? -1 : 1)),
      'a lift and a delete remove, a new block adds',
    );
    t.match(
      p2.records.find((r) => r.pan === a.pan),
      { blockedAt: '20261119110000', issuer: 'bank-a' },
      'a removal names the block it removes',
    );
    t.match(
      p2.records.find((r) => r.pan === d.pan),
      { blockedAt: '20261120100000' },
    );
    t.equal(dAt, Date.parse('2026-11-20T09:00:00Z'));
    t.match(p2.header, { kind: 'DAILY', date: '20261120', effective: '20261121' });

    clock.set(new Date('2026-11-21T09:00:00Z'));
    await ok(register.liftBlock('bank-a', c.id));
    await block(c, 'issuer');
    const day3 = await make(SAT);
    t.match(day3, { added: 1, removed: 0 });
    t.same(
      parse(t, readFileSync(day3.file, 'latin1')).records.map((r) => [r.type, r.pan, r.reason, r.blockedAt]),
      [['A', c.pan, 'issuer', '20261121100000']],
      'a changed block is written again',
    );

    const day4 = await make('2026-12-01');
    t.same(
      parse(t, readFileSync(day4.file, 'latin1')).records.map((r) => [r.type, r.pan]),
      [['R', soon.pan]],
      'a card expired by the day of the file is taken off',
    );
    t.match(
      await make('2026-12-02'),
      { added: 0, removed: 0, created: true },
      'a day without changes: a file with no records',
    );

    await t.rejects(
      list.makeDaily(SUN),
      /cannot make the file of 2026-11-22: the file of 2026-12-02 is made already/,
      'the chain only grows forward',
    );
    for (const bad of ['2026-11-31', '2026-1-1', '20261120', '', '9999-99-99'])
      await t.rejects(list.makeDaily(bad), /a date is 'YYYY-MM-DD'/, `refused: "${bad}"`);
    t.same(
      readdirSync(directory).sort(),
      ['2026-11-19', '2026-11-20', '2026-11-21', '2026-12-01', '2026-12-02'].map(blockListFileName),
    );
    logsClean();
  },
);

t.test('makeDaily: one maker at a time; a failed write leaves no temp file and nothing made', async (t) => {
  const { list, directory, add, block, make, redis, prefix, logsClean } = await setup(t);
  await block(await add());
  const results = await Promise.allSettled([list.makeDaily(THU), list.makeDaily(THU)]);
  t.same(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const failed = results.find((r) => r.status === 'rejected');
  t.match(failed?.reason, { message: /another daily file is being made/ });
  t.match(await make(THU), { created: false, added: 1 }, 'the lock is released after');

  // The directory cannot be written: the error comes out, the day is not made, the lock is released.
  rmSync(directory, { recursive: true });
  writeFileSync(directory, 'a file where the directory belongs');
  await t.rejects(make(FRI), { code: 'EEXIST' });
  t.equal(await redis.zcard(`${prefix}{blocklist}:days`), 1, 'Friday is not made');
  rmSync(directory);
  // The rename fails (a directory has the file's name): the temp file is removed, nothing is made.
  mkdirSync(join(directory, blockListFileName(FRI)), { recursive: true });
  await t.rejects(make(FRI), { code: /^(EISDIR|EEXIST|ENOTEMPTY|EPERM)$/ });
  t.same(readdirSync(directory), [blockListFileName(FRI)], 'no temp file left');
  t.equal(await redis.zcard(`${prefix}{blocklist}:days`), 1, 'Friday is not made');
  rmSync(directory, { recursive: true });
  t.match(await make(FRI), { created: true, added: 0 }, 'made once the directory is back');
  t.same(readdirSync(directory), [blockListFileName(FRI)], 'no temp file');

  // A card key of the wrong type: the error comes out rather than a list without that card.
  await redis.set(`${prefix}card:{${'f'.repeat(32)}}`, 'not a hash');
  await t.rejects(make(SAT), /WRONGTYPE/);
  await t.rejects(list.full(), /WRONGTYPE/);
  logsClean();
});

t.test(
  "fetch: files pile up until fetched (a Monday fetch gets Friday's, Saturday's and Sunday's); each fetcher on its own",
  async (t) => {
    const { register, list, directory, add, block, ok, make, clock, logsClean } = await setup(t, endOf(THU));
    t.same(await list.fetch('early'), [], 'a first fetch before any file: nothing yet');
    const a = await add();
    await block(a);
    await make(THU);
    const thursday = await list.fetch('op-1');
    t.match(
      thursday,
      [{ date: THU, kind: 'full' }],
      "a new fetcher's first fetch: the full list as of the latest daily file",
    );
    t.same(await list.fetch('op-2'), thursday, 'another new fetcher: the same');
    t.same(await list.fetch('op-1'), [], 'then nothing until the next file');
    t.same(apply(new Map(), parse(t, thursday[0]!.content)), new Map([[a.pan, 'lost']]));

    const b = await add();
    clock.set(new Date('2026-11-20T08:00:00Z'));
    await block(b);
    await make(FRI);
    clock.set(new Date('2026-11-21T08:00:00Z'));
    await ok(register.liftBlock('bank-a', a.id));
    await make(SAT);
    const c = await add({ issuer: 'bank-b' });
    clock.set(new Date('2026-11-22T08:00:00Z'));
    await block(c, 'fraud');
    await make(SUN);

    clock.set(new Date(`${MON}T06:00:00Z`));
    const monday = await list.fetch('op-1');
    t.same(
      monday.map((f) => [f.date, f.kind]),
      [
        [FRI, 'daily'],
        [SAT, 'daily'],
        [SUN, 'daily'],
      ],
      'three files, oldest first',
    );
    for (const f of monday)
      t.equal(
        f.content,
        readFileSync(join(directory, blockListFileName(f.date)), 'latin1'),
        `${f.date}: the file as written`,
      );
    t.same(await list.fetch('op-1'), [], 'a second fetch: none');
    t.same(await list.fetch('op-2'), monday, 'the other fetcher gets them too');
    t.same(await list.fetch('op-2'), []);

    const terminal = [thursday[0]!, ...monday].reduce(
      (held, f) => apply(held, parse(t, f.content)),
      new Map<string, string>(),
    );
    t.same(
      terminal,
      new Map([
        [b.pan, 'lost'],
        [c.pan, 'fraud'],
      ]),
      'a terminal applying them holds the blocked cards',
    );
    const late = await list.fetch('op-3');
    t.match(
      late,
      [{ date: SUN, kind: 'full' }],
      'a fetcher first seen on Monday starts from the full list as of Sunday',
    );
    t.same(apply(new Map(), parse(t, late[0]!.content)), terminal, '...which is what the others hold');
    const early = await list.fetch('early');
    t.same(
      early.map((f) => f.date),
      [THU, FRI, SAT, SUN],
      'a fetcher started before the first file gets every file',
    );
    t.same(
      early.reduce((held, f) => apply(held, parse(t, f.content)), new Map<string, string>()),
      terminal,
    );

    // A file gone from the directory: the fetch fails, naming the date, and marks nothing.
    await make(MON);
    const file = join(directory, blockListFileName(MON));
    renameSync(file, `${file}.away`);
    await t.rejects(list.fetch('op-1'), /the file of 2026-11-23 cannot be read from .* \(ENOENT\)/);
    renameSync(`${file}.away`, file);
    t.same(
      (await list.fetch('op-1')).map((f) => f.date),
      [MON],
      'handed out once it is back',
    );

    // Two fetches at once by one fetcher: each file goes out once.
    await make(TUE);
    const both = await Promise.all([list.fetch('op-2'), list.fetch('op-2')]);
    t.same(
      both.flat().map((f) => f.date),
      [MON, TUE],
    );
    const firsts = await Promise.all([list.fetch('op-4'), list.fetch('op-4')]);
    t.same(
      firsts.flat().map((f) => [f.date, f.kind]),
      [[TUE, 'full']],
      'two first fetches at once: one full file',
    );

    for (const bad of ['', 'a b', 'x'.repeat(65), '../x', 'ø']) {
      t.notOk(FETCHER_PATTERN.test(bad));
      await t.rejects(list.fetch(bad), /a fetcher id is 1 to 64 of/, `refused: "${bad}"`);
    }
    logsClean();
  },
);

t.test(
  'fullFile(): the list as the daily files leave it, dated with the latest; not what was blocked since',
  async (t) => {
    const { list, add, block, make, clock, logsClean } = await setup(t);
    const empty = parse(t, await list.fullFile());
    t.same(
      empty.header,
      {
        recordType: 'H',
        fileId: 'BLOCKLIST',
        version: LAYOUT_VERSION,
        kind: 'FULL',
        date: '',
        effective: '',
        created: '20261119235900',
      },
      'before any daily file: empty, undated',
    );
    t.same(await list.fullFileDated(), { date: null, content: await list.fullFile() });
    const a = await add();
    await block(a, 'stolen');
    t.same(empty.records, []);
    await make(THU);
    clock.set(new Date(`${FRI}T09:00:00Z`));
    await block(await add()); // after Thursday's file: in full(), not yet in the full file
    const full = parse(t, await list.fullFile());
    t.match(full.header, { kind: 'FULL', date: '20261119', effective: '20261120', created: '20261120100000' });
    t.same(
      full.records.map((r) => [r.type, r.pan, r.reason]),
      [['A', a.pan, 'stolen']],
    );
    t.same(full.trailer, { added: 1, removed: 0 });
    t.equal((await list.full()).length, 2);
    t.match(await list.fullFileDated(), { date: THU });
    logsClean();
  },
);

t.test('cards that cannot be listed: no PAN in the error or the log', async (t) => {
  const { redis, prefix, register, list, add, block, make, logs, logsClean } = await setup(t);
  const noPan = await add();
  await block(noPan);
  await redis.hdel(register.keysOf(noPan.id).card, 'panEnc');
  const good = await add();
  await block(good);
  t.same(
    (await list.full()).map((e) => e.pan),
    [good.pan],
    'a record without an encrypted PAN is left out',
  );
  t.match(
    logs.find((l) => l.level === 50),
    { card: noPan.id, msg: /no encrypted PAN and is left out/ },
    '...loudly, naming the card id',
  );

  const garbled = await add();
  await block(garbled);
  await redis.hset(register.keysOf(garbled.id).card, 'panEnc', register.cipher.encrypt(`${good.pan}x`));
  const err1 = await make(THU).catch((e: Error) => e);
  t.match(err1, { message: `offline block list: the PAN of card ${garbled.id} is not 12 to 19 digits` });
  noPanIn(t, String((err1 as Error).message), 'the error');
  await redis.hset(
    register.keysOf(garbled.id).card,
    'panEnc',
    Buffer.from('not made under this key, not at all').toString('base64'),
  );
  const err2 = await list.full().catch((e: Error) => e);
  t.match(err2, {
    message: `offline block list: the PAN of card ${garbled.id} cannot be decrypted (another data key?)`,
  });
  t.equal(await redis.zcard(`${prefix}{blocklist}:days`), 0, 'no file was made');
  logsClean();
});

t.test('the documented layout is the layout (the section is found in whichever docs/*.md holds it)', async (t) => {
  const sections = readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(join('docs', f), 'utf8'))
    .flatMap((text) => {
      const start = text.startsWith('## Offline block list\n') ? 0 : text.indexOf('\n## Offline block list\n');
      if (start === -1) return [];
      const next = text.indexOf('\n## ', start + 1);
      return [text.slice(start, next === -1 ? undefined : next)];
    })
    .filter((section) => section.includes('### File layout')); // not a placeholder pointing here
  t.equal(sections.length, 1, 'one document has the section with the layout');
  const section = sections[0] ?? '';
  t.match(section, `every line **${RECORD_LENGTH} characters**`);
  t.match(section, `Layout version\n\`${LAYOUT_VERSION}\``);
  const table = (title: string): [number, number, string][] => {
    const at = section.indexOf(title);
    t.not(at, -1, `a table after "${title}"`);
    const rows = section.slice(at).split('\n\n')[1]!.split('\n').slice(2);
    return rows.flatMap((row) => {
      const m = /^\| (\d+)(?:-(\d+))? \| (\d+) \| `(\w+)` \|/.exec(row);
      if (m === null) return [];
      t.equal(Number(m[2] ?? m[1]) - Number(m[1]) + 1, Number(m[3]), `${m[4]}: columns and width agree`);
      return [[Number(m[1]), Number(m[3]), m[4]!] as [number, number, string]];
    });
  };
  const code = (type: keyof typeof LAYOUTS) => LAYOUTS[type].map((f) => [f.start, f.width, f.name]);
  t.same(table('Header (`H`)'), code('H'));
  t.same(table('Entry (`A` put on the list'), code('A'));
  t.same(code('R'), code('A'));
  t.same(table('Trailer (`T`)'), code('T'));
  const example = /Example[^\n]*\n\n```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const padded = example
    .split('\n')
    .slice(0, -1)
    .map((l) => `${l.padEnd(RECORD_LENGTH, ' ')}\n`)
    .join('');
  t.match(
    parse(t, padded),
    { header: { fileId: 'BLOCKLIST', kind: 'DAILY', version: LAYOUT_VERSION }, trailer: { added: 1, removed: 2 } },
    'the example follows the layout',
  );
});

// ---------------------------------------------------------------------------------------------
// The routes

const OT = 'test-token-offline-terminals';
const A = 'test-token-bank-a';
const BS = 'test-token-block-service';
const TOKENS = {
  [OT]: { role: 'offlineTerminals' },
  [A]: { role: 'issuer', issuer: 'bank-a' },
  [BS]: { role: 'blockService' },
} as const;

async function startApi(t: Test): Promise<TestSwitch & { dir: string }> {
  const dir = tempDir(t);
  const s = await startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS }, clearing: { blockList: { directory: dir } } },
    { clock: new ManualClock(endOf(THU)) },
  );
  return { ...s, dir };
}

async function get(s: TestSwitch, path: string, token?: string) {
  const res = await fetch(`${s.adminUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON as it comes back, looked into with t.match
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as any };
}

t.test(
  'routes: 401 without a known token, 403 for issuer and block-service tokens, and the offline token only here',
  async (t) => {
    const s = await startApi(t);
    for (const path of ['/offline-block-list/changes?fetcher=op-1', '/offline-block-list/full']) {
      for (const token of [undefined, 'not-a-configured-token']) {
        const res = await get(s, path, token);
        t.equal(res.status, 401, `${path}, ${token ?? 'no token'}`);
        t.match(res.headers.get('www-authenticate'), /^Bearer realm="switch-admin"/);
      }
      for (const token of [A, BS]) {
        const res = await get(s, path, token);
        t.equal(res.status, 403, `${path}, ${token}`);
        t.match(res.body, {
          error:
            /^this route is for the offline terminals' fetch service; (an issuer's|the block service's) token cannot use it$/,
        });
      }
    }
    const cards = await get(s, `/cards/${'0'.repeat(32)}`, OT);
    t.equal(cards.status, 403, 'the offline token on an issuer route');
    t.same(cards.body, {
      error: "this route is for issuers; the offline terminals' fetch service's token cannot use it",
    });
    const report = await fetch(`${s.adminUrl}/block-reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OT}`, 'content-type': 'application/json' },
      body: '{}',
    });
    t.equal(report.status, 403, "and on the block service's route");
    t.same(await report.json(), {
      error: "this route is for the block service; the offline terminals' fetch service's token cannot use it",
    });
    t.same(
      (await get(s, `/cards/${'0'.repeat(32)}`, BS)).body,
      { error: "this route is for issuers; the block service's token cannot use it" },
      "the block service's message as before",
    );
  },
);

t.test(
  "routes: GET /offline-block-list/changes and /full for the offline terminals' token; 400 for a bad fetcher",
  async (t) => {
    const s = await startApi(t);
    const pans: string[] = [];
    for (const issuer of ['bank-a', 'bank-b']) {
      const pan = newPan();
      allPans.add(pan);
      pans.push(pan);
      await s.sw.register.register({
        pan,
        issuer,
        product: 'dankort',
        expiry: '3012',
        pin: '1234',
        activationCode: '1',
        account: '1',
        balance: 0,
        currency: '208',
        status: 'active',
      });
      await s.sw.register.block(issuer, s.sw.register.idOf(pan), 'stolen', new Date());
    }
    // The daily job's instance: another object over the same Redis keys and directory.
    const redis = await testClient();
    t.teardown(() => redis.quit());
    const job = new OfflineBlockList({
      redis,
      prefix: s.config.redis.keyPrefix,
      register: s.sw.register,
      clock: new ManualClock(endOf(THU)),
      timeZone: s.config.register.timeZone,
      directory: s.dir,
      log: createLogger('silent'),
    });

    const first = await get(s, '/offline-block-list/changes?fetcher=op-1', OT);
    t.equal(first.status, 200);
    t.same(first.body, { files: [] }, 'no daily file yet');
    t.match(first.headers.get('content-type'), /^application\/json/);
    t.equal(first.headers.get('cache-control'), 'no-store');
    const none = await get(s, '/offline-block-list/full', OT);
    t.equal(none.status, 200);
    t.same(none.body, { date: null, kind: 'full', content: none.body.content });
    t.match(none.body.content, /^HBLOCKLIST01FULL {5}/, 'a header without a date');

    await job.makeDaily(THU);
    const changes = await get(s, '/offline-block-list/changes?fetcher=op-1', OT);
    t.equal(changes.status, 200);
    t.same(changes.body, {
      files: [{ date: THU, kind: 'daily', content: readFileSync(join(s.dir, blockListFileName(THU)), 'latin1') }],
    });
    for (const pan of pans)
      t.match(changes.body.files[0].content, `A${pan}`, "every issuer's blocked card, with its PAN");
    t.same((await get(s, '/offline-block-list/changes?fetcher=op-1', OT)).body, { files: [] }, 'fetched once');
    const full = await get(s, '/offline-block-list/full', OT);
    t.equal(full.status, 200);
    t.same({ date: full.body.date, kind: full.body.kind }, { date: THU, kind: 'full' });
    for (const pan of pans) t.match(full.body.content, `A${pan}`);

    const bad: [string, unknown][] = [
      ['', [{ path: '/fetcher', message: 'is required' }]],
      ['?fetcher=', [{ path: '/fetcher', message: 'must be a fetcher id: 1 to 64 of A-Z a-z 0-9 . _ -' }]],
      ['?fetcher=a%20b', [{ path: '/fetcher', message: /must be a fetcher id/ }]],
      [`?fetcher=${'x'.repeat(65)}`, [{ path: '/fetcher', message: /must be a fetcher id/ }]],
      ['?fetcher=..%2Fx', [{ path: '/fetcher', message: /must be a fetcher id/ }]],
      ['?fetcher=a&fetcher=b', [{ path: '/fetcher', message: 'must be given once' }]],
      ['?fetcher=a&since=2026-11-19', [{ path: '/since', message: 'is not allowed' }]],
      [`?fetcher=a&${pans[0]}=1`, [{ path: '/(an unknown property)', message: 'is not allowed' }]],
    ];
    for (const [query, problems] of bad) {
      const res = await get(s, `/offline-block-list/changes${query}`, OT);
      t.equal(res.status, 400, query || 'no query');
      t.match(res.body, { error: 'invalid request query', problems });
      noPanIn(t, res.text, 'a 400 answer');
    }
    const fullQuery = await get(s, '/offline-block-list/full?fetcher=op-1', OT);
    t.equal(fullQuery.status, 400, '/full takes no parameters');
    t.match(fullQuery.body, { problems: [{ path: '/fetcher', message: 'is not allowed' }] });
    t.same(
      (await get(s, '/offline-block-list/changes?fetcher=op-2', OT)).body.files.map((f: { kind: string }) => f.kind),
      ['full'],
      'a new fetcher starts from the full list',
    );

    t.equal(
      (
        await fetch(`${s.adminUrl}/offline-block-list/changes?fetcher=op-1`, {
          method: 'POST',
          headers: { authorization: `Bearer ${OT}` },
        })
      ).status,
      405,
    );
    for (const l of s.logs) noPanIn(t, JSON.stringify(l), 'a switch log line');
    t.ok(
      s.logs.some((l) => /daily files handed out/.test(String(l.msg))),
      'fetches are logged (without PANs)',
    );
  },
);

t.test('config: an offlineTerminals token names no issuer', async (t) => {
  const dir = tempDir(t);
  const file = (tokens: unknown): string => {
    const path = join(dir, `${Math.random()}.json`);
    writeFileSync(path, JSON.stringify({ admin: { tokens } }));
    return path;
  };
  t.same(loadConfig({ file: file({ [OT]: { role: 'offlineTerminals' } }), env: {} }).admin.tokens, {
    [OT]: { role: 'offlineTerminals' },
  });
  t.throws(
    () => loadConfig({ file: file({ [OT]: { role: 'offlineTerminals', issuer: 'bank-a' } }), env: {} }),
    ConfigError,
    'with an issuer: refused',
  );
  t.throws(
    () => loadConfig({ file: file({ [OT]: { role: 'offlineTerminal' } }), env: {} }),
    ConfigError,
    'an unknown role: refused',
  );
});
