/** HDR histograms: the workers' encoded histograms added up equal one histogram of every value. */
import t from 'tap';
import {
  HIGHEST_US,
  encode,
  merge,
  ms,
  newHistogram,
  percentileCurve,
  recordMs,
  summarize,
} from '../../bench/load/histogram.js';
import { prng } from '../../bench/load/mix.js';

t.test('merging encoded worker histograms gives what one recorder of all values gives', async (t) => {
  const random = prng(3);
  const workers = [newHistogram(), newHistogram(), newHistogram()];
  const all = newHistogram();
  const values: number[] = [];
  for (let i = 0; i < 30_000; i++) {
    // A long-tailed latency: mostly around 1 ms, some up to a second.
    const v = -Math.log(1 - random()) * (i % 100 === 0 ? 200 : 1);
    values.push(v);
    recordMs(workers[i % 3]!, v);
    recordMs(all, v);
  }
  const merged = merge(workers.map(encode));
  t.equal(merged.totalCount, 30_000);
  // Exactly what one recorder's histogram gives once through the same encoding (a decoded
  // histogram knows its maximum to the resolution of its bucket, as any HDR histogram does).
  t.same(summarize(merged), summarize(merge([encode(all)])));
  t.ok(Math.abs(summarize(merged).max - summarize(all).max) <= summarize(all).max * 0.001);
  for (const p of [0, 50, 90, 99, 99.9, 99.99, 100])
    t.equal(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `p${p}`);
  // HDR's 3 significant digits: each percentile within 0.1 % of the exact one (and 1 µs rounding).
  values.sort((a, b) => a - b);
  const exact = values[Math.ceil(0.99 * values.length) - 1]!;
  t.ok(Math.abs(summarize(merged).p99 - exact) <= exact * 0.001 + 0.001, `p99 ${summarize(merged).p99} vs ${exact}`);
  t.equal(merge([]).totalCount, 0);
});

t.test('values are whole microseconds from 1 µs to a minute', async (t) => {
  const h = newHistogram();
  recordMs(h, 0);
  recordMs(h, 0.0004);
  recordMs(h, 1.2345);
  recordMs(h, 3_600_000);
  t.equal(h.totalCount, 4);
  t.equal(h.minNonZeroValue, 1, 'zero and sub-µs count as 1 µs');
  t.ok(h.maxValue >= HIGHEST_US && h.maxValue <= HIGHEST_US * 1.001, 'clamped to a minute');
  t.equal(h.getValueAtPercentile(75), 1235 - (1235 % 1) /* 3 digits keep 1235 */);
  t.equal(ms(1234.6), 1.235);
});

t.test('a summary in ms with µs resolution; empty is zeros', async (t) => {
  const h = newHistogram();
  for (const v of [1, 2, 3, 4, 100]) recordMs(h, v);
  const s = summarize(h);
  t.same(Object.keys(s), ['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99_9', 'max']);
  t.equal(s.count, 5);
  t.equal(s.min, 1);
  t.ok(s.p50 >= 3 && s.p50 <= 3.003, 'within the 3 significant digits');
  t.ok(Math.abs(s.mean - 22) < 0.05);
  t.ok(s.max >= 100 && s.max <= 100.1);
  t.same(summarize(newHistogram()), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0 });
});

t.test('the percentile curve: log-spaced nines, up to what the count resolves, then the maximum', async (t) => {
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 100);
  const curve = percentileCurve(h, 5);
  t.equal(curve[0]!.percentile, 0);
  t.same(curve.at(-1), { percentile: 100, ms: summarize(h).max });
  t.equal(curve.at(-2)!.percentile, 99.9, '1,000 values resolve 99.9 %, no further');
  t.ok(curve.some((p) => p.percentile === 90) && curve.some((p) => p.percentile === 99));
  for (let i = 1; i < curve.length; i++) {
    t.ok(curve[i]!.percentile > curve[i - 1]!.percentile || curve[i]!.percentile === 100);
    t.ok(curve[i]!.ms >= curve[i - 1]!.ms, 'latency never falls with the percentile');
  }
  t.equal(curve.length, 3 * 5 + 2);
  t.same(percentileCurve(newHistogram()), []);
});
