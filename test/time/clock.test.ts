import t from 'tap';
import { ManualClock, systemClock } from '../../src/time/clock.js';

t.test('the manual clock stands still until set or advanced', async (t) => {
  const c = new ManualClock(new Date('2026-11-21T09:00:00Z'));
  t.equal(c.now().toISOString(), '2026-11-21T09:00:00.000Z');
  c.advance(90_000);
  t.equal(c.now().toISOString(), '2026-11-21T09:01:30.000Z');
  c.set(new Date('2026-12-24T23:59:59Z'));
  t.equal(c.now().toISOString(), '2026-12-24T23:59:59.000Z');
  const copy = c.now();
  copy.setFullYear(2000);
  t.equal(c.now().getUTCFullYear(), 2026, 'callers cannot move it by changing the Date they got');
});

t.test('the system clock tells the time', async (t) => {
  const before = Date.now();
  const now = systemClock.now().getTime();
  t.ok(now >= before && now <= Date.now());
});
