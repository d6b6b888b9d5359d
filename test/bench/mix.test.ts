/** The load benchmark's traffic mix: schema and cross-checks, loading, expected codes, weighted choice. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ACTION_CODES } from '../../src/authorization/action-codes.js';
import { MIX_SCHEMA, type Mix, MixError, WeightedChoice, expectedCodes, loadMix, prng, validateMix } from '../../bench/load/mix.js';

const defaultMix = (): Mix => structuredClone(loadMix('default'));

t.test('the default mix is valid and leaves out what the switch does not do yet', async (t) => {
  const mix = defaultMix();
  t.equal(mix.name, 'default');
  t.ok(mix.entries.length >= 8);
  t.notOk(mix.entries.some((e) => ['1220', '1420', '0220', '0420'].includes(e.mti)), 'no completions or reversals (answered 902 today)');
  const kinds = new Set(mix.entries.map((e) => `${e.mti}/${e.pin}/${e.contactless}/${mix.cards[e.cards]!.state}`));
  for (const k of ['1200/right/false/active', '1100/right/false/active', '1200/wrong/false/active', '1200/none/true/active', '1200/right/false/blocked', '1200/right/false/expired']) t.ok(kinds.has(k), k);
  t.ok(mix.entries.some((e) => e.processingCode.startsWith('20')), 'refunds');
  t.same(mix.entries.find((e) => e.pin === 'wrong')!.expect.sort(), ['pinTriesExceeded', 'wrongPin']);
  t.ok(mix.entries.find((e) => e.contactless && e.pin === 'none')!.expect.includes('pinRequired'), 'the cumulative rule answers 112');
});

t.test('the schema names every outcome of the action-code table, and no other', async (t) => {
  const schema = MIX_SCHEMA as { definitions: { entry: { properties: { expect: { items: { enum: string[] } } } } } };
  t.same([...schema.definitions.entry.properties.expect.items.enum].sort(), Object.keys(ACTION_CODES).sort());
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
  t.same(e.problems, [`/entries/1/name "${mix.entries[0]!.name}" is used twice`, '/entries/2/cards "nowhere" is not a pool under /cards']);
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
  t.same(expectedCodes(blocked, 'iso93').sort(), ['102', '104', '208', '209']);
  t.same(expectedCodes(blocked, 'iso87').sort(), ['41', '43', '59', '62']);
  const entry = { ...blocked, expect: ['approved', 'reversalAccepted', 'networkAccepted'] as const };
  t.same(expectedCodes({ ...entry, expect: [...entry.expect] }, 'iso87'), ['00'], '1987 codes share 00');
  t.same(expectedCodes({ ...entry, expect: [...entry.expect] }, 'iso93'), ['000', '400', '800']);
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
  for (const bad of [[], [1, 0], [1, -1], [Infinity], [NaN]]) t.throws(() => new WeightedChoice(bad), RangeError, JSON.stringify(bad));
});

t.test('the PRNG is seeded, reproducible and uniform in [0, 1)', async (t) => {
  const a = prng(7);
  const b = prng(7);
  const xs = Array.from({ length: 1000 }, () => a());
  t.same(xs, Array.from({ length: 1000 }, () => b()));
  t.not(prng(8)(), xs[0]);
  t.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});
