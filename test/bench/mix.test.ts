/** The load benchmark's traffic mix: schema and cross-checks, loading, expected codes, weighted choice. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ACTION_CODES } from '../../src/messages/action-codes.js';
import {
  MIX_SCHEMA,
  type Mix,
  MixError,
  WeightedChoice,
  expectedCodes,
  followUpKind,
  loadMix,
  mixRows,
  prng,
  rowIndexes,
  validateMix,
  withCardScale,
} from '../../bench/load/mix.js';

const defaultMix = (): Mix => structuredClone(loadMix('default'));

t.test('the default mix is valid, with completions and reversals as follow-ups', async (t) => {
  const mix = defaultMix();
  t.equal(mix.name, 'default');
  t.ok(mix.entries.length >= 8);
  t.notOk(
    mix.entries.some((e) => ['1220', '1420', '0220', '0420'].includes(e.mti)),
    'advices only as follow-ups (they name an earlier request)',
  );
  const fuel = mix.entries.find((e) => e.name === 'fuel-completion')!;
  t.match(fuel, {
    mti: '1100',
    cards: 'active',
    pin: 'right',
    expect: ['approved'],
    then: { mti: '1220', expect: ['approved'] },
  });
  t.ok(fuel.then!.amount! < fuel.amount, 'completed with less than authorized');
  const psam = mix.entries.find((e) => e.name === 'psam-reversal')!;
  t.match(psam, {
    mti: '1200',
    processingCode: '000000',
    cards: 'active',
    pin: 'right',
    expect: ['approved'],
    then: { mti: '1420', expect: ['reversalAccepted'] },
  });
  t.equal(psam.then!.amount, undefined, 'a full reversal');
  t.same(
    mix.entries.filter((e) => e.then !== undefined).map((e) => [e.name, e.weight]),
    [
      ['fuel-completion', 6],
      ['psam-reversal', 4],
    ],
  );
  const kinds = new Set(mix.entries.map((e) => `${e.mti}/${e.pin}/${e.contactless}/${mix.cards[e.cards]!.state}`));
  for (const k of [
    '1200/right/false/active',
    '1100/right/false/active',
    '1200/wrong/false/active',
    '1200/none/true/active',
    '1200/right/false/blocked',
    '1200/right/false/expired',
  ])
    t.ok(kinds.has(k), k);
  t.ok(
    mix.entries.some((e) => e.processingCode.startsWith('20')),
    'refunds',
  );
  t.same(mix.entries.find((e) => e.pin === 'wrong')!.expect.sort(), ['pinTriesExceeded', 'wrongPin']);
  t.ok(
    mix.entries.find((e) => e.contactless && e.pin === 'none')!.expect.includes('chipAndPinRequired'),
    'the cumulative rule answers 123',
  );
});

t.test('the schema names every outcome of the action-code table, and no other', async (t) => {
  const schema = MIX_SCHEMA as {
    definitions: {
      outcome: { enum: string[] };
      entry: { properties: { expect: { items: { $ref: string } } } };
      followUp: { properties: { expect: { items: { $ref: string } } } };
    };
  };
  t.same([...schema.definitions.outcome.enum].sort(), Object.keys(ACTION_CODES).sort());
  t.equal(schema.definitions.entry.properties.expect.items.$ref, '#/definitions/outcome');
  t.equal(schema.definitions.followUp.properties.expect.items.$ref, '#/definitions/outcome');
});

t.test('follow-ups: the schema, and which may follow which', async (t) => {
  const withThen = (i: number, then: unknown, mti?: string): unknown => {
    const mix = defaultMix() as unknown as { entries: Record<string, unknown>[] };
    mix.entries[i]!.then = then;
    if (mti !== undefined) mix.entries[i]!.mti = mti;
    return mix;
  };
  t.doesNotThrow(
    () => validateMix(withThen(0, { mti: '1420', expect: ['reversalAccepted'], amount: 100 })),
    'a partial reversal of a sale',
  );
  t.doesNotThrow(
    () => validateMix(withThen(1, { mti: '0420', expect: ['reversalAccepted'] })),
    'a reversal of an authorization',
  );
  t.doesNotThrow(() => validateMix(withThen(1, { mti: '0220', expect: ['approved'] }, '0100')), '1987 MTIs');
  const problems = (mix: unknown): string => (t.throws(() => validateMix(mix), MixError) as MixError).message;
  t.match(
    problems(withThen(0, { mti: '1220', expect: ['approved'] })),
    /\/entries\/0\/then: a completion \(1220\) cannot follow a 1200/,
  );
  t.match(
    problems(withThen(0, { mti: '1420', expect: ['reversalAccepted'] }, '1804')),
    /a reversal \(1420\) cannot follow a 1804/,
  );
  t.match(problems(withThen(0, { mti: '1200', expect: ['approved'] })), /\/entries\/0\/then\/mti must match pattern/);
  t.match(
    problems(withThen(0, { mti: '1420', expect: ['reversed'] })),
    /\/entries\/0\/then\/expect\/0 must be equal to one of the allowed values/,
  );
  t.match(problems(withThen(0, { mti: '1420' })), /\/entries\/0\/then must have required property 'expect'/);
  t.match(
    problems(withThen(0, { mti: '1420', expect: ['reversalAccepted'], amount: -1 })),
    /\/entries\/0\/then\/amount/,
  );
  t.match(
    problems(withThen(0, { mti: '1420', expect: ['reversalAccepted'], reason: '4000' })),
    /\/entries\/0\/then must NOT have additional properties/,
  );
  t.equal(followUpKind('1220'), 'completion');
  t.equal(followUpKind('0220'), 'completion');
  t.equal(followUpKind('1420'), 'reversal');
});

t.test('rows: each entry, then its follow-up', async (t) => {
  const mix = defaultMix();
  const rows = mixRows(mix.entries);
  t.equal(rows.length, mix.entries.length + 2);
  const fuel = mix.entries.findIndex((e) => e.name === 'fuel-completion');
  const at = rows.findIndex((r) => r.name === 'fuel-completion');
  t.same(rows[at + 1], {
    name: 'fuel-completion then',
    weight: 6,
    mti: '1220',
    expect: ['approved'],
    entry: fuel,
    followUp: true,
  });
  t.match(rows[at], { name: 'fuel-completion', mti: '1100', entry: fuel, followUp: false });
  t.same(
    rows.filter((r) => !r.followUp).map((r) => r.entry),
    mix.entries.map((_, i) => i),
  );
  const { entryRow, followRow } = rowIndexes(mix.entries);
  t.same(
    entryRow.map((r) => rows[r]!.name),
    mix.entries.map((e) => e.name),
  );
  t.same(
    followRow.map((r) => (r < 0 ? null : rows[r]!.name)),
    mix.entries.map((e) => (e.then ? `${e.name} then` : null)),
  );
  t.same(expectedCodes(rows[at + 3]!, 'iso93'), ['400'], 'psam-reversal then');
  t.same(expectedCodes(rows[at + 3]!, 'iso87'), ['00']);
});

t.test('schema problems are all reported at once', async (t) => {
  const mix = defaultMix() as unknown as { entries: Record<string, unknown>[]; cards: Record<string, unknown> };
  mix.entries[0]!.pin = 'maybe';
  mix.entries[1]!.weight = 0;
  delete mix.entries[2]!.expect;
  mix.entries[3]!.expect = ['approvedish'];
  mix.entries[4]!.mti = '1210';
  mix.cards.active = { count: 0, state: 'active' };
  const e = t.throws(() => validateMix(mix)) as MixError;
  t.type(e, MixError);
  t.ok(e.problems.length >= 6, e.message);
  t.match(e.message, /\/entries\/0\/pin/);
  t.match(e.message, /\/entries\/1\/weight/);
  t.match(e.message, /\/entries\/2 must have required property 'expect'/);
  t.match(e.message, /\/entries\/4\/mti/);
  t.match(e.message, /\/cards\/active\/count/);
  t.throws(() => validateMix('nope'), MixError);
  t.throws(() => validateMix({ name: 'x', cards: {}, entries: [] }), /must NOT have fewer/);
});

t.test('what a schema cannot check: unique names and defined pools', async (t) => {
  const mix = defaultMix();
  mix.entries[1]!.name = mix.entries[0]!.name;
  mix.entries[2]!.cards = 'nowhere';
  const e = t.throws(() => validateMix(mix)) as MixError;
  t.same(e.problems, [
    `/entries/1/name "${mix.entries[0]!.name}" is used twice`,
    '/entries/2/cards "nowhere" is not a pool under /cards',
  ]);
  const inherited = defaultMix();
  inherited.entries[0]!.cards = 'toString';
  t.throws(() => validateMix(inherited), /"toString" is not a pool/, 'only own keys of /cards are pools');
});

t.test('a mix by name, by relative or absolute path; unreadable and non-JSON files', async (t) => {
  const dir = t.testdir({ 'mine.json': JSON.stringify({ ...defaultMix(), name: 'mine' }), 'broken.json': '{ nope' });
  t.equal(loadMix(join(dir, 'mine.json')).name, 'mine');
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  t.equal(loadMix('./mine.json').name, 'mine');
  t.equal(loadMix('mine.json').name, 'mine', 'a name ending in .json is a path');
  t.throws(() => loadMix('broken.json'), /is not JSON/);
  t.throws(() => loadMix('no-such-mix'), /cannot read .*bench\/mixes\/no-such-mix\.json: ENOENT/);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad' }));
  t.throws(() => loadMix('./bad.json'), /required property 'cards'/);
});

t.test('expected outcomes become the action codes of the listener, without duplicates', async (t) => {
  const mix = defaultMix();
  const blocked = mix.entries.find((e) => e.name === 'blocked')!;
  t.same(expectedCodes(blocked, 'iso93').sort(), ['102', '104', '105', '208', '209']);
  t.same(expectedCodes(blocked, 'iso87').sort(), ['41', '43', '59', '62', '66']);
  const entry = { ...blocked, expect: ['approved', 'reversalAccepted', 'networkAccepted'] as const };
  t.same(expectedCodes({ ...entry, expect: [...entry.expect] }, 'iso87'), ['00'], '1987 codes share 00');
  t.same(expectedCodes({ ...entry, expect: [...entry.expect] }, 'iso93'), ['000', '400', '800']);
});

t.test('--card-scale: every pool that many times as large, nothing else changed', async (t) => {
  const mix = defaultMix();
  const scaled = withCardScale(mix, 20);
  for (const [name, pool] of Object.entries(mix.cards)) t.equal(scaled.cards[name]!.count, pool.count * 20, name);
  t.same(scaled.entries, mix.entries);
  t.same(withCardScale(mix, 1), mix);
  t.throws(() => withCardScale(mix, 0), RangeError);
  t.throws(() => withCardScale(mix, 2.5), RangeError);
});

t.test('the weighted choice picks in proportion to the weights', async (t) => {
  const c = new WeightedChoice([1, 2, 7]);
  t.equal(c.pick(0), 0);
  t.equal(c.pick(0.0999), 0);
  t.equal(c.pick(0.1), 1);
  t.equal(c.pick(0.2999), 1);
  t.equal(c.pick(0.3), 2);
  t.equal(c.pick(0.999999), 2);
  t.equal(new WeightedChoice([5]).pick(0.5), 0);
  const random = prng(42);
  const counts = [0, 0, 0];
  const n = 200_000;
  for (let i = 0; i < n; i++) counts[c.pick(random())]!++;
  t.ok(Math.abs(counts[0]! / n - 0.1) < 0.005, `${counts[0]}`);
  t.ok(Math.abs(counts[1]! / n - 0.2) < 0.005, `${counts[1]}`);
  t.ok(Math.abs(counts[2]! / n - 0.7) < 0.005, `${counts[2]}`);
  for (const bad of [[], [1, 0], [1, -1], [Infinity], [NaN]])
    t.throws(() => new WeightedChoice(bad), RangeError, JSON.stringify(bad));
});

t.test('the PRNG is seeded, reproducible and uniform in [0, 1)', async (t) => {
  const a = prng(7);
  const b = prng(7);
  const xs = Array.from({ length: 1000 }, () => a());
  t.same(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  t.not(prng(8)(), xs[0]);
  t.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

t.test('an internet entry has no PIN and is not contactless', async (t) => {
  const internet = (over: Record<string, unknown>): unknown => {
    const mix = defaultMix() as unknown as { entries: Record<string, unknown>[] };
    Object.assign(mix.entries[0]!, { channel: 'internet', pin: 'none', contactless: false }, over);
    return mix;
  };
  t.doesNotThrow(() => validateMix(internet({})));
  for (const over of [{ pin: 'right' }, { contactless: true }])
    t.match(
      (t.throws(() => validateMix(internet(over)), MixError) as MixError).message,
      /\/entries\/0: an internet purchase has no PIN and is not contactless/,
    );
  t.throws(() => validateMix(internet({ channel: 'atm' })), MixError, 'internet is the one channel an entry names');
});
