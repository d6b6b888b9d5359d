/**
 * The rule file: the shipped rules pass their own check; a file is checked against the schema
 * with every problem named; a rule id used twice is refused; a changed file is read again
 * without a restart, and one that fails its check leaves the rules in force.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleBook, RuleFileError, parseRuleFile, readRuleFile } from '../../src/monitoring/rule-book.js';
import { horizonMs } from '../../src/monitoring/evaluate.js';
import { DEFAULT_SPARING } from '../../src/monitoring/holder-profile.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';

const VELOCITY: RuleFile = {
  rules: [
    {
      id: 'v',
      kind: 'velocity',
      description: 'more than 2 in 30 minutes',
      channels: ['attended'],
      windowMinutes: 30,
      maxCount: 2,
    },
  ],
};

t.test('the shipped rules: every kind once or more, checked, the longest window a day', async (t) => {
  const book = RuleBook.load();
  t.equal(book.source, 'shipped');
  t.ok(book.rules.length >= 8);
  t.same(new Set(book.rules.map((r) => r.kind)).size, 8, 'all eight kinds');
  t.equal(book.horizonMs, 1440 * 60_000, 'own-atm-over-1000 looks back a day');
  t.same(book.sparing, DEFAULT_SPARING);
});

t.test('a file that fails the schema: every problem named, with its place', async (t) => {
  const bad = {
    rules: [
      { id: 'Bad Id', kind: 'velocity', description: 'x', channels: ['attended'], windowMinutes: 0 },
      { id: 'ok', kind: 'nonsense', description: 'x', channels: ['attended'] },
    ],
    extra: 1,
  };
  const e = t.throws(() => parseRuleFile(bad, 'rules.json')) as RuleFileError;
  t.ok(e instanceof RuleFileError);
  t.equal(e.source, 'rules.json');
  t.match(e.message, /^rule file rules\.json: /);
  t.same(
    e.problems,
    [
      '/ must NOT have additional properties',
      '/rules/0/id must match pattern "^[a-z0-9][a-z0-9-]{0,47}$"',
      '/rules/0/windowMinutes must be >= 1',
      '/rules/1/kind must be one of velocity, otherBankAtm, ownAtmAmount, cardTesting, remoteFailures, impossibleTravel, firstAbroadAfterPin, contactlessBurst',
    ],
    'each mistake named once, at its place',
  );
  t.ok(
    e.problems.some((p) => p.startsWith('/rules/0')),
    'names the first rule',
  );
  t.ok(
    e.problems.some((p) => p.includes('additional')),
    'names the unknown key',
  );
});

t.test('a rule id used twice is refused', async (t) => {
  const twice = { rules: [VELOCITY.rules[0], { ...VELOCITY.rules[0] }] };
  const e = t.throws(() => parseRuleFile(twice, 'f')) as RuleFileError;
  t.same(e.problems, ["rule id 'v' is used twice"]);
});

t.test('unreadable JSON and a missing file are rule file errors', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'broken.json'), '{ "rules": [');
  t.throws(() => readRuleFile(join(dir, 'broken.json')), RuleFileError);
  t.throws(() => RuleBook.load(join(dir, 'absent.json')), RuleFileError);
});

t.test('the horizon is the longest window of any kind', async (t) => {
  t.equal(horizonMs(VELOCITY.rules), 30 * 60_000);
  t.equal(
    horizonMs([
      ...VELOCITY.rules,
      { id: 'i', kind: 'impossibleTravel', description: 'x', channels: ['atm'], minMinutes: 90 },
    ]),
    90 * 60_000,
  );
  t.equal(horizonMs([]), 60_000, 'no rules: a minute');
});

t.test('a changed file is read again; a bad change leaves the rules in force', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.json');
  await writeFile(file, JSON.stringify(VELOCITY));
  const book = RuleBook.load(file);
  t.equal(book.source, file);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger('info', sink);
  book.watch(log, 20);
  t.teardown(() => book.unwatch());
  const changed: RuleFile = {
    sparing: { minHistory: 3 },
    rules: [{ ...VELOCITY.rules[0]!, windowMinutes: 120 } as RuleFile['rules'][number]],
  };
  await writeFile(file, JSON.stringify(changed, null, 1));
  while (book.version < 1) await new Promise((r) => setTimeout(r, 10));
  t.equal(book.horizonMs, 120 * 60_000, 'the new window');
  t.equal(book.sparing.minHistory, 3, 'sparing from the file, the rest defaults');
  t.equal(book.sparing.amountFactor, DEFAULT_SPARING.amountFactor);
  await writeFile(file, JSON.stringify({ rules: [{ id: 'x' }] }));
  while (!lines.some((l) => String(l.msg).includes('not reloaded'))) await new Promise((r) => setTimeout(r, 10));
  t.equal(book.version, 1, 'not reloaded');
  t.equal(book.horizonMs, 120 * 60_000, 'the rules in force stay');
});

t.test('rules given as data are checked too, and are never reloaded', async (t) => {
  const book = RuleBook.of(VELOCITY);
  t.equal(book.source, 'given');
  book.reload();
  t.equal(book.version, 0);
  t.throws(() => RuleBook.of({ rules: [{ id: 'x' }] } as unknown as RuleFile), RuleFileError);
});

t.test('a count no card can reach is refused; a disabled rule sets no horizon', async (t) => {
  const over = { rules: [{ ...VELOCITY.rules[0]!, maxCount: 200 }] };
  const e = t.throws(() => parseRuleFile(over, 'f')) as RuleFileError;
  t.same(e.problems, ['/rules/0/maxCount must be <= 199'], 'a card keeps its last 200 transactions');
  t.ok(parseRuleFile({ rules: [{ ...VELOCITY.rules[0]!, maxCount: 199 }] }, 'f'));
  const month = {
    id: 'm',
    kind: 'velocity',
    description: 'x',
    channels: ['atm'],
    windowMinutes: 43_200,
    enabled: false,
  };
  t.equal(horizonMs([...VELOCITY.rules, month as RuleFile['rules'][number]]), 30 * 60_000);
});
