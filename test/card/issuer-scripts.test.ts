/**
 * The card's issuer scripts on a real Redis (src/card/issuer-scripts.ts and its Lua): queued by
 * the card's issuer only, taken once for a chip answer within the answer's room, results recorded
 * only on scripts sent, a failed or unanswered one queued again; the PIN block's lift queues the
 * PIN unblock. The command bytes are those of EMV 4.4 Book 3 §6.5 (CLA, INS) as
 * src/card/script-commands.ts cites them.
 */
import t from 'tap';
import { IssuerScripts, MAX_OPEN_SCRIPTS } from '../../src/card/issuer-scripts.js';
import { ManualClock } from '../../src/time/clock.js';
import { MAX_SCRIPT_BYTES, scriptCommand, templateSize } from '../../src/card/script-commands.js';
import { testRedis } from '../support/redis.js';
import { NOW, card } from '../support/card-scripts.js';

t.test('script commands: the named ones, PUT DATA, a raw APDU; sizes', async (t) => {
  t.same(scriptCommand({ command: 'pinUnblock' }), { name: 'pinUnblock', header: '84240000', data: '' });
  t.same(scriptCommand({ command: 'applicationBlock' }), { name: 'applicationBlock', header: '841E0000', data: '' });
  t.same(scriptCommand({ command: 'applicationUnblock' }), {
    name: 'applicationUnblock',
    header: '84180000',
    data: '',
  });
  t.same(scriptCommand({ command: 'putData', tag: '9f4f', value: '0a0b' }), {
    name: 'putData',
    header: '04DA9F4F',
    data: '0A0B',
  });
  t.same(scriptCommand({ command: 'putData', tag: '57', value: '' }), {
    name: 'putData',
    header: '04DA0057',
    data: '',
  });
  t.same(scriptCommand({ command: 'apdu', apdu: '8424000001ff' }), { name: 'apdu', header: '84240000', data: '01FF' });
  // 72 len | 9F18 04 id | 86 len | 84 24 00 00 | Lc | MAC (8)
  t.equal(templateSize([scriptCommand({ command: 'pinUnblock' })]), 2 + 7 + 2 + 4 + 1 + 8);
});

t.test('queue, take, results, resend', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const clock = new ManualClock(new Date(NOW));
  const scripts = new IssuerScripts(redis, prefix, clock);
  const c = await card(redis, prefix);

  t.match(await scripts.queue('bank-b', c.id, { commands: [{ command: 'pinUnblock' }] }), {
    ok: false,
    status: 'forbidden',
  });
  const none = await card(redis, prefix, { status: 'none' });
  t.match(await scripts.queue('bank-a', none.id, { commands: [{ command: 'pinUnblock' }] }), {
    ok: false,
    status: 'notFound',
  });

  const block = await scripts.queue('bank-a', c.id, { commands: [{ command: 'applicationBlock' }] });
  t.same(block, { ok: true, id: '00000001' });
  const put = await scripts.queue('bank-a', c.id, {
    commands: [{ command: 'putData', tag: '9F4F', value: '01' }, { command: 'applicationUnblock' }],
    template: '71',
  });
  t.same(put, { ok: true, id: '00000002' });
  const listed = await scripts.list(c.id);
  t.match(listed, [
    { id: '00000001', template: '71', status: 'queued', by: 'issuer', sends: 0, queuedAt: NOW },
    {
      id: '00000002',
      template: '71',
      status: 'queued',
      commands: [{ name: 'putData' }, { name: 'applicationUnblock' }],
    },
  ]);
  t.equal(listed[0]!.size, 24);

  // Room for the first only: the second waits for the next answer.
  clock.advance(1000);
  const first = await scripts.take(c.id, 'txn-1', 30);
  t.match(first, [{ id: '00000001', status: 'sent', sentIn: 'txn-1', sentAt: NOW + 1000, sends: 1 }]);
  t.equal(first.length, 1);
  t.same(await scripts.take(c.id, 'txn-1b', 10), [], 'nothing fits in 10 bytes');
  const second = await scripts.take(c.id, 'txn-2');
  t.match(second, [{ id: '00000002', sentIn: 'txn-2' }]);
  t.same(await scripts.take(c.id, 'txn-3'), [], 'each is sent once');

  // Results: the first failed at its 1st command, the second succeeded; unknown ids and repeats change nothing.
  const results = [
    { id: '00000001', status: 1, sequence: 1 },
    { id: '00000002', status: 2, sequence: 0 },
    { id: '0000FFFF', status: 2, sequence: 0 },
  ];
  t.equal(await scripts.record(c.id, 'txn-4', results), 2);
  t.equal(await scripts.record(c.id, 'txn-4', results), 0, 'a repeated advice records nothing');
  t.match(await scripts.list(c.id), [
    { id: '00000001', status: 'failed', result: { status: 1, sequence: 1, at: NOW + 1000, txn: 'txn-4' } },
    { id: '00000002', status: 'succeeded', result: { status: 2, sequence: 0 } },
  ]);

  // Resend: the failed one queued again and sent again; a succeeded one, a queued one, an unknown id refused.
  t.match(await scripts.resend('bank-b', c.id, '00000001'), { ok: false, status: 'forbidden' });
  t.same(await scripts.resend('bank-a', c.id, '00000002'), {
    ok: false,
    status: 'conflict',
    reason: 'the script succeeded: nothing to resend',
  });
  t.same(await scripts.resend('bank-a', c.id, '00000009'), { ok: false, status: 'notFound', reason: 'no such script' });
  t.same(await scripts.resend('bank-a', c.id, 'seq'), { ok: false, status: 'notFound', reason: 'no such script' });
  t.same(await scripts.resend('bank-a', c.id, '00000001'), { ok: true, id: '' });
  t.same(await scripts.resend('bank-a', c.id, '00000001'), {
    ok: false,
    status: 'conflict',
    reason: 'the script is queued already',
  });
  const again = await scripts.take(c.id, 'txn-5');
  t.match(again, [{ id: '00000001', sends: 2, sentIn: 'txn-5' }]);
  t.notOk('result' in again[0]!, 'the old result goes with the resend');
  t.equal(await scripts.record(c.id, 'txn-6', [{ id: '00000001', status: 0, sequence: 0 }]), 1);
  t.match(await scripts.list(c.id), [{ id: '00000001', status: 'notPerformed' }]);
  t.equal(await scripts.record(c.id, 'txn-7', [{ id: '00000001', status: 7, sequence: 0 }]), 0);
  // A status outside Annex A5's three, on a script sent: recorded as failed.
  await scripts.resend('bank-a', c.id, '00000001');
  await scripts.take(c.id, 'txn-8');
  t.equal(await scripts.record(c.id, 'txn-9', [{ id: '00000001', status: 7, sequence: 0 }]), 1);
  t.match(await scripts.list(c.id), [{ id: '00000001', status: 'failed' }]);
});

t.test('limits: the answer room, the scripts open', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const scripts = new IssuerScripts(redis, prefix, new ManualClock(new Date(NOW)));
  const c = await card(redis, prefix);
  const big = await scripts.queue('bank-a', c.id, {
    commands: [
      { command: 'putData', tag: '9F4F', value: 'AA'.repeat(64) },
      { command: 'putData', tag: '9F4E', value: 'BB'.repeat(40) },
    ],
  });
  t.match(big, {
    ok: false,
    status: 'conflict',
    reason: new RegExp(`a chip answer carries at most ${MAX_SCRIPT_BYTES}`),
  });
  for (let i = 0; i < MAX_OPEN_SCRIPTS; i++)
    t.match(await scripts.queue('bank-a', c.id, { commands: [{ command: 'pinUnblock' }] }), { ok: true });
  t.same(await scripts.queue('bank-a', c.id, { commands: [{ command: 'pinUnblock' }] }), {
    ok: false,
    status: 'conflict',
    reason: `the card has ${MAX_OPEN_SCRIPTS} scripts queued or waiting for their result already`,
  });
  t.equal((await scripts.take(c.id, 't', MAX_SCRIPT_BYTES)).length, 5, '5 x 24 bytes fit in 128');
  t.match(
    await scripts.queue('bank-a', c.id, { commands: [{ command: 'pinUnblock' }] }),
    { ok: false },
    'sent, no result: still open',
  );
  await scripts.record(c.id, 'r', [{ id: '00000001', status: 2, sequence: 0 }]);
  t.match(await scripts.queue('bank-a', c.id, { commands: [{ command: 'pinUnblock' }] }), { ok: true, id: '00000006' });
});
