/**
 * The one timeout helper: the promise's outcome when in time, onTimeout's when not, onError for
 * failures, and never a timer left running once the race is decided (real timers, no fakes).
 */
import t from 'tap';
import { delay, noValue, withTimeout } from '../../src/time/timeout.js';

/** Timers alive in this process now (Node's own count of active handles). */
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

t.test('in time: the promise value, and the timer is cleared at once', async (t) => {
  const before = timers();
  t.equal(await withTimeout(Promise.resolve('answer'), 60_000, () => 'late'), 'answer');
  t.equal(timers(), before, 'no timer left behind (a minute-long one would keep the process alive)');
  await t.rejects(
    withTimeout(Promise.reject(new Error('refused')), 60_000, noValue),
    { message: 'refused' },
    'a failure in time passes through',
  );
  t.equal(timers(), before, 'nor after a failure');
});

t.test('too late: what onTimeout gives, or throws; it is told the limit', async (t) => {
  const never = new Promise<string>(() => {});
  const seen: number[] = [];
  t.equal(await withTimeout(never, 20, (ms) => (seen.push(ms), 'late')), 'late');
  t.same(seen, [20], 'onTimeout gets the limit');
  t.equal(await withTimeout(never, 5, noValue), undefined, 'noValue: the wait just ends');
  await t.rejects(
    withTimeout(never, 5, (ms) => {
      throw new Error(`no answer within ${ms} ms`);
    }),
    { message: 'no answer within 5 ms' },
  );
});

t.test("onError: every failure, the promise's or onTimeout's, becomes what it makes of it", async (t) => {
  const wrap = (e: unknown): never => {
    throw new Error(`wrapped: ${(e as Error).message}`);
  };
  const tooSlow = (ms: number): never => {
    throw new Error(`slower than ${ms} ms`);
  };
  await t.rejects(withTimeout(Promise.reject(new Error('refused')), 1000, tooSlow, wrap), {
    message: 'wrapped: refused',
  });
  await t.rejects(withTimeout(new Promise(() => {}), 5, tooSlow, wrap), { message: 'wrapped: slower than 5 ms' });
  t.equal(
    await withTimeout(
      Promise.reject(new Error('x')),
      1000,
      () => 'late',
      () => 'fallback',
    ),
    'fallback',
    'or a value instead',
  );
  t.equal(await withTimeout(Promise.resolve(1), 1000, tooSlow, wrap), 1, 'success untouched');
});

t.test('the promise itself is not cancelled: its late outcome is still there for whoever holds it', async (t) => {
  let settle!: (v: string) => void;
  const slow = new Promise<string>((resolve) => (settle = resolve));
  t.equal(await withTimeout(slow, 5, () => 'gave up'), 'gave up');
  settle('done after all');
  t.equal(await slow, 'done after all');
});

t.test('delay waits at least its time', async (t) => {
  const start = performance.now();
  await delay(30);
  t.ok(performance.now() - start >= 29, 'about 30 ms or more');
});
