/**
 * The bounded cache (src/cache/two-generation-map.ts): at most `size` values, a key used at least
 * once every size / 2 new keys stays, a value is made once while it stays, a `make` that throws
 * changes nothing.
 */
import t from 'tap';
import { TwoGenerationMap } from '../../src/cache/two-generation-map.js';

t.test('bounded: the oldest generation is dropped whole', async (t) => {
  const map = new TwoGenerationMap<number>(4);
  let made = 0;
  const make = (k: string): number => {
    made++;
    return Number(k);
  };
  for (const k of ['1', '2', '3', '4', '5']) map.get(k, make);
  t.equal(made, 5);
  t.equal(map.count, 3, "'1' and '2' went with the generation '5' replaced");
  t.notOk(map.has('1'));
  t.notOk(map.has('2'));
  t.ok(map.has('3') && map.has('4') && map.has('5'));
  for (let i = 0; i < 100; i++) map.get(String(i), make);
  t.ok(map.count <= 4, `never more than the size (${map.count})`);
});

t.test('a key used once every size / 2 new keys stays, made once', async (t) => {
  const map = new TwoGenerationMap<object>(4);
  let madeHot = 0;
  const hot = map.get('hot', () => ({ n: ++madeHot }));
  for (let i = 0; i < 50; i++) {
    map.get(`cold-${i}`, () => ({}));
    t.equal(
      map.get('hot', () => ({ n: ++madeHot })),
      hot,
      `after ${i + 1} new keys`,
    );
  }
  t.equal(madeHot, 1);
  map.get('x', () => ({}));
  map.get('y', () => ({}));
  map.get('z', () => ({}));
  t.notOk(map.has('hot'), 'unused for size / 2 + 1 new keys: dropped');
});

t.test('set puts a value made elsewhere; a make that throws changes nothing; clear empties it', async (t) => {
  const map = new TwoGenerationMap<string>(8);
  map.set('a', 'first');
  map.set('a', 'second');
  t.equal(
    map.get('a', () => 'made'),
    'second',
  );
  t.equal(map.count, 1);
  t.throws(() =>
    map.get('bad', () => {
      throw new Error('no value');
    }),
  );
  t.notOk(map.has('bad'));
  t.equal(map.count, 1);
  map.clear();
  t.equal(map.count, 0);
  t.equal(
    map.get('a', () => 'made'),
    'made',
  );
});
