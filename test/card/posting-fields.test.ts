/**
 * The postings the Lua scripts build (as JSON, with no TypeScript in between) have exactly the
 * fields of the Posting type (src/journal/posting.ts, POSTING_FIELDS): one of each type, made by
 * the script that makes it — purchase, refund, withdrawal and its fee by authorize.lua
 * (single-message approvals), completion by complete.lua, reversal and a fee given back by
 * reverse.lua, an offline sale by offline-advice.lua. A posting in a card's outbox may also carry
 * `track` (OutboxPosting, src/journal/posting-relay.ts; the relay strips it before the journal).
 */
import t from 'tap';
import { OPTIONAL_POSTING_FIELDS, POSTING_FIELDS, type Posting } from '../../src/journal/posting.js';
import { completeScript, reverseScript } from '../../src/card/scripts/transactions.js';
import { testRedis } from '../support/redis.js';
import { DAY, NOW, card } from '../support/card-scripts.js';

const REQUIRED = POSTING_FIELDS.filter((f) => !(OPTIONAL_POSTING_FIELDS as readonly string[]).includes(f)).sort();
/** A reversal's or cancellation's: every field but the chip's (its original had none here) and a dispute's. */
const CHIP = ['tvr', 'cvmResults', 'cvr'];
const DISPUTE = ['caseNumber', 'disputeReason', 'creditAccount'];
const ALL = POSTING_FIELDS.filter((f) => !CHIP.includes(f) && !DISPUTE.includes(f)).sort();
const fieldsOf = (json: string): string[] => Object.keys(JSON.parse(json) as object).sort();

t.test('POSTING_FIELDS lists each field once', async (t) => {
  t.equal(new Set(POSTING_FIELDS).size, POSTING_FIELDS.length);
  t.ok(
    REQUIRED.length === POSTING_FIELDS.length - 8 && REQUIRED.includes('panEnc'),
    "reverses and reason, the chip data and a dispute's case, reason and account are the optional ones",
  );
});

t.test('every posting type the scripts build has exactly the fields of Posting', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  const built = new Map<Posting['type'], string>();

  built.set('purchase', (await c.authorize({}, 'purchase'))[5]!);
  built.set(
    'refund',
    (
      await c.authorize(
        { kind: 'refund', postingType: 'refund', direction: 'C', signature: 's2', postingId: 'p2' },
        'refund',
      )
    )[5]!,
  );
  await c.authorize({ message: 'dual', signature: 's3', postingId: 'p3', reservation: 'res-3' }, 'dual');
  const completion = await completeScript.run(redis, c.onOriginal('completion', 'dual'), {
    now: NOW,
    signature: 'c',
    amount: 500,
    keepFor: DAY,
    postingId: 'p4',
    currency: '',
  });
  const reversal = await reverseScript.run(redis, c.onOriginal('reversal', 'purchase'), {
    now: NOW,
    signature: 'r',
    amount: 0,
    keepFor: DAY,
    postingId: 'p5',
    postingType: 'reversal',
    reason: '4000',
    hasOwn: '1',
    feePostingId: 'fee-back',
  });

  for (const [type, json] of built)
    t.same(fieldsOf(json), REQUIRED, `${type}: every field of Posting but reverses and reason`);
  t.same(fieldsOf(completion[5]), REQUIRED, 'completion (a purchase posting of the final amount)');
  t.equal(JSON.parse(completion[5]).type, 'purchase');
  t.same(fieldsOf(reversal[5]), ALL, 'reversal: every field of Posting, with reverses and reason');
  t.equal(JSON.parse(reversal[5]).type, 'reversal');

  const offline = await c.offline({ postingId: 'p8' });
  t.same(
    fieldsOf(offline[5]),
    REQUIRED,
    'an offline sale (offline-advice.lua): every field of Posting but reverses and reason',
  );
  t.equal(JSON.parse(offline[5]).authorization, 'offline');

  // A cash withdrawal with a fee (cash.lua): the withdrawal and its fee, and both given back.
  const cash = JSON.stringify({
    default: {
      perWithdrawal: 1000,
      perDay: 1000,
      fees: {
        own: { fixed: 0, perMille: 0, minimum: 0 },
        other: { fixed: 5, perMille: 0, minimum: 0 },
        abroad: { fixed: 0, perMille: 0, minimum: 0 },
      },
    },
    products: {},
  });
  const withdrawn = await c.authorize(
    {
      kind: 'withdrawal',
      postingType: 'withdrawal',
      pvv: 'PVV1',
      amount: 100,
      signature: 's10',
      postingId: 'p10',
      cash,
      atmOwner: 'bank-b',
      day: '2026-11-21',
      feePostingId: 'p10-fee',
    },
    'withdrawal',
  );
  t.same(fieldsOf(withdrawn[5]!), REQUIRED, 'withdrawal');
  t.same(fieldsOf(withdrawn[7]!), REQUIRED, 'its fee');
  t.match(JSON.parse(withdrawn[7]!), { type: 'fee', id: 'p10-fee', amount: 5 });
  const back = await reverseScript.run(redis, c.onOriginal('reversal3', 'withdrawal'), {
    now: NOW,
    signature: 'r3',
    amount: 0,
    keepFor: DAY,
    postingId: 'p11',
    postingType: 'reversal',
    reason: '4007',
    hasOwn: '1',
    feePostingId: 'p11-fee',
  });
  t.same(fieldsOf(back[5]), ALL, "the withdrawal's reversal");
  t.same(fieldsOf(back[7]!), ALL, 'the fee given back: with reverses and reason');
  t.match(JSON.parse(back[7]!), {
    type: 'fee',
    direction: 'C',
    id: 'p11-fee',
    reverses: 'TERM0001-261121101530-000001',
  });

  // A tracked old terminal's approval: the outbox posting carries track (only), and its reversal does not.
  const tracked = (await c.authorize({ track: '1', signature: 's6', postingId: 'p6', reserve: '0' }, 'tracked'))[5]!;
  t.same(fieldsOf(tracked), [...REQUIRED, 'track'].sort(), 'a tracked posting: track besides');
  const reversed = await reverseScript.run(redis, c.onOriginal('reversal2', 'tracked'), {
    now: NOW,
    signature: 'r2',
    amount: 0,
    keepFor: DAY,
    postingId: 'p7',
    postingType: 'cancellation',
    reason: '4000',
    hasOwn: '1',
    feePostingId: 'fee-back',
  });
  t.same(fieldsOf(reversed[5]), ALL, 'its cancellation: no track');
  // The same for every posting in the outbox, which the relay moves to the journal.
  for (const json of await redis.lrange(c.k.posts, 0, -1)) {
    t.same(
      fieldsOf(json).filter((f) => f !== 'track' && !(OPTIONAL_POSTING_FIELDS as readonly string[]).includes(f)),
      REQUIRED,
    );
  }
});

t.test("a chip transaction's TVR, CVM results and CVR: in its posting, its completion's, its record", async (t) => {
  const { redis, prefix } = await testRedis(t);
  const c = await card(redis, prefix);
  const chip = { tvr: '8000048000', cvmResults: '420302', cvr: '03A0A000' };
  const posted = await c.authorize({ ...chip, signature: 'c1', postingId: 'c1' }, 'chip');
  t.same(fieldsOf(posted[5]!), [...REQUIRED, ...CHIP].sort(), 'every field of Posting, the chip data besides');
  t.match(JSON.parse(posted[5]!), chip);
  t.match(JSON.parse((await redis.hget(c.txn('chip'), 'posting'))!), chip, 'the record keeps the posting');
  t.match(await redis.hgetall(c.txn('chip')), { tvr: '8000048000', cvm: '420302', cvr: '03A0A000' });

  await c.authorize({ ...chip, message: 'dual', signature: 'c2', postingId: 'c2', reservation: 'r2' }, 'dual');
  const completion = await completeScript.run(redis, c.onOriginal('completion', 'dual'), {
    now: NOW,
    signature: 'c3',
    amount: 500,
    keepFor: DAY,
    postingId: 'c3',
    currency: '',
  });
  t.match(JSON.parse(completion[5]), chip, "a completion's posting keeps its authorization's");

  // Declined (wrong PIN): no posting, the record keeps them all the same.
  const declined = await c.authorize({ tvr: '0000800000', pvv: 'WRONG', signature: 'c4', postingId: 'c4' }, 'declined');
  t.equal(declined[0], 'wrongPin');
  t.match(await redis.hgetall(c.txn('declined')), { outcome: 'wrongPin', tvr: '0000800000', cvm: '', cvr: '' });
  // Only one of them: the posting has that one.
  const one = await c.offline({ cvr: '03A00000', postingId: 'c5' });
  t.same(fieldsOf(one[5]), [...REQUIRED, 'cvr'].sort(), 'an offline advice with a CVR only');
  await c.authorize({ signature: 'c6', postingId: 'c6' }, 'plain');
  const plain = await redis.hgetall(c.txn('plain'));
  t.equal(plain.outcome, 'approved');
  t.notOk('tvr' in plain, 'no chip data: the record has none');
});
