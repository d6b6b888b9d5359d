/** A connection's queue of follow-ups: first in, first out, growing when full, wrapping around. */
import t from 'tap';
import { FollowUpQueue } from '../../bench/load/follow-queue.js';

t.test('first in, first out, with the original STAN of each', async (t) => {
  const q = new FollowUpQueue(4);
  t.equal(q.shift(), -1, 'empty');
  q.push(10, 111);
  q.push(11, 222);
  t.equal(q.size, 2);
  t.equal(q.shift(), 10);
  t.equal(q.original, 111);
  q.push(12, 333);
  t.equal(q.shift(), 11);
  t.equal(q.original, 222);
  t.equal(q.shift(), 12);
  t.equal(q.original, 333);
  t.equal(q.size, 0);
  t.equal(q.shift(), -1);
});

t.test('when full it doubles, keeping the order across the wrap-around', async (t) => {
  const q = new FollowUpQueue(3);
  const expected: [number, number][] = [];
  let next = 0;
  const push = (): void => {
    q.push(next, 999_000 + next);
    expected.push([next, 999_000 + next]);
    next++;
  };
  // Move the head off 0 first, so that growing must unwrap the ring.
  push();
  push();
  push();
  for (let i = 0; i < 2; i++) {
    const [tpl, stan] = expected.shift()!;
    t.equal(q.shift(), tpl);
    t.equal(q.original, stan);
  }
  for (let i = 0; i < 20; i++) push();
  t.equal(q.size, 21);
  t.ok(q.capacity >= 21, `capacity ${q.capacity}`);
  const got: [number, number][] = [];
  while (q.size > 0) {
    const tpl = q.shift();
    got.push([tpl, q.original]);
  }
  t.same(got, expected);
  t.equal(new FollowUpQueue(0).capacity, 1, 'at least one');
});
