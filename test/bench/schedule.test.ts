/** The open-loop schedule: planned send times for a rate, whatever the answers do. */
import t from 'tap';
import { OpenLoopSchedule } from '../../bench/load/schedule.js';

t.test('requests are evenly spaced over the run and dealt to the connections in turn', async (t) => {
  const s = new OpenLoopSchedule(1000, 4, 10_000);
  t.equal(s.gapMs, 1);
  // Request i of the run is at start + i ms and goes to connection i mod 4.
  t.equal(s.at(0, 0), 10_000);
  t.equal(s.at(1, 0), 10_001);
  t.equal(s.at(3, 0), 10_003);
  t.equal(s.at(0, 1), 10_004);
  t.equal(s.at(2, 5), 10_022);
  const all = [];
  for (let c = 0; c < 4; c++) for (let k = 0; k < 250; k++) all.push(s.at(c, k));
  all.sort((a, b) => a - b);
  t.same(
    all,
    Array.from({ length: 1000 }, (_, i) => 10_000 + i),
    'one request every ms, none twice',
  );
});

t.test('each connection sends every C / rate seconds', async (t) => {
  const s = new OpenLoopSchedule(200, 4, 0);
  for (const c of [0, 1, 2, 3]) for (const k of [0, 1, 10, 399]) t.equal(s.at(c, k + 1) - s.at(c, k), 20);
});

t.test('how many are planned before a time, per connection and for the run', async (t) => {
  const s = new OpenLoopSchedule(200, 4, 1000);
  t.equal(s.countBefore(0, 0), 0);
  t.equal(s.countBefore(0, 1000), 0, 'the first is at the start, not before it');
  t.equal(s.countBefore(0, 1000.001), 1);
  t.equal(s.countBefore(1, 1005), 0);
  t.equal(s.countBefore(1, 1005.5), 1);
  t.equal(s.countBefore(3, 1000 + 2000), 100);
  // A 2 s window at 200/s holds 400 requests, wherever it starts.
  t.equal(s.plannedIn(1000, 3000), 400);
  t.equal(s.plannedIn(1002.5, 3002.5), 400);
  t.equal(s.plannedIn(1000, 1000), 0);
  const fractional = new OpenLoopSchedule(333.3, 7, 0);
  t.equal(fractional.plannedIn(0, 30_000), Math.ceil(333.3 * 30));
});

t.test('a rate and a connection count are required', async (t) => {
  for (const [rate, c] of [
    [0, 1],
    [-5, 1],
    [Infinity, 1],
    [NaN, 1],
    [10, 0],
    [10, 1.5],
  ] as const)
    t.throws(() => new OpenLoopSchedule(rate, c, 0), RangeError, `${rate} ${c}`);
});
