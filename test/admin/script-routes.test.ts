/**
 * The issuer script routes (docs/ADMIN-API.md, "Issuer scripts") on a real switch, Redis and HTTP:
 * queueing a script for one's own card, the card's scripts in GET /cards/{id} and
 * GET /cards/{id}/scripts, queueing a sent script again; every refusal a 4xx with its reason.
 */
import t from 'tap';
import { A, B, addCard, call, startApi } from './fixtures/client.js';

t.test('queue a script, see it on the card, resend it after a failure', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const queued = await call(s, 'POST', `/cards/${card.id}/scripts`, {
    token: A,
    body: { commands: [{ command: 'putData', tag: '9f4f', value: '0a' }, { command: 'applicationUnblock' }] },
  });
  t.equal(queued.status, 201);
  t.equal(queued.headers.get('location'), `/cards/${card.id}/scripts/00000001`);
  t.match(queued.body, {
    id: '00000001',
    template: '72',
    status: 'queued',
    by: 'issuer',
    commands: [
      { name: 'putData', header: '04DA9F4F', data: '0A' },
      { name: 'applicationUnblock', header: '84180000', data: '' },
    ],
  });
  const block = await call(s, 'POST', `/cards/${card.id}/scripts`, {
    token: A,
    body: { commands: [{ command: 'applicationBlock' }] },
  });
  t.match(block.body, { id: '00000002', template: '71' }, 'an application block goes before the final GENERATE AC');
  const raw = await call(s, 'POST', `/cards/${card.id}/scripts`, {
    token: A,
    body: { commands: [{ command: 'apdu', apdu: '8424000001FF' }], template: '71' },
  });
  t.match(raw.body, { id: '00000003', template: '71', commands: [{ name: 'apdu', header: '84240000', data: '01FF' }] });

  const view = await call(s, 'GET', `/cards/${card.id}`, { token: A });
  t.same(
    view.body.scripts.map((x: { id: string }) => x.id),
    ['00000001', '00000002', '00000003'],
    'GET /cards/{id} shows the scripts',
  );
  const list = await call(s, 'GET', `/cards/${card.id}/scripts`, { token: A });
  t.equal(list.status, 200);
  t.same(list.body.scripts, view.body.scripts);

  // Sent, then failed at the terminal: the issuer queues it again.
  await s.sw.modules.card.scripts.take(card.id, 'TERM0001-261121101530-000001');
  await s.sw.modules.card.scripts.record(card.id, 'TERM0001-261121101531-000002', [
    { id: '00000002', status: 1, sequence: 1 },
  ]);
  t.match((await call(s, 'GET', `/cards/${card.id}/scripts`, { token: A })).body.scripts[1], {
    status: 'failed',
    result: { status: 1, sequence: 1, txn: 'TERM0001-261121101531-000002' },
  });
  const resent = await call(s, 'POST', `/cards/${card.id}/scripts/00000002/resend`, { token: A });
  t.equal(resent.status, 200);
  t.match(resent.body, { id: '00000002', status: 'queued', sends: 1 });
  const again = await call(s, 'POST', `/cards/${card.id}/scripts/00000002/resend`, { token: A });
  t.same([again.status, again.body], [409, { error: 'the script is queued already' }]);
  const unknown = await call(s, 'POST', `/cards/${card.id}/scripts/0000FFFF/resend`, { token: A });
  t.same([unknown.status, unknown.body], [404, { error: 'no such script' }]);
  const lower = await call(s, 'POST', `/cards/${card.id}/scripts/seq/resend`, { token: A });
  t.same([lower.status, lower.body], [404, { error: 'no such script' }]);
});

t.test("bad bodies: 400 naming each problem; another issuer's card 403; unknown card 404", async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const post = (body: unknown, token = A, id = card.id) => call(s, 'POST', `/cards/${id}/scripts`, { token, body });
  const problems = async (body: unknown) => {
    const res = await post(body);
    t.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    return res.body.problems as { path: string; message: string }[];
  };
  t.same(await problems({}), [{ path: '/commands', message: 'is required' }]);
  t.same(await problems({ commands: [] }), [{ path: '/commands', message: 'must be a list of 1 to 4 commands' }]);
  t.match(await problems({ commands: [{ command: 'format' }] }), [
    { path: '/commands/0/command', message: /^must be one of pinUnblock, applicationBlock/ },
  ]);
  t.same(await problems({ commands: [{ command: 'putData', tag: '9F4F' }, { command: 'apdu' }] }), [
    { path: '/commands/0/value', message: 'is required' },
    { path: '/commands/1/apdu', message: 'is required' },
  ]);
  t.same(await problems({ commands: [{ command: 'pinUnblock', apdu: '84240000' }] }), [
    { path: '/commands/0/apdu', message: 'is not allowed with pinUnblock' },
  ]);
  t.match(await problems({ commands: [{ command: 'apdu', apdu: '842400' }] }), [
    { path: '/commands/0/apdu', message: /^must be a command: CLA INS P1 P2/ },
  ]);
  t.match(await problems({ commands: [{ command: 'putData', tag: '9F4', value: 'zz' }] }), [
    { path: '/commands/0/tag', message: /^must be a data object tag/ },
    { path: '/commands/0/value', message: /^must be the value: 0 to 64 bytes in hex/ },
  ]);
  t.match(await problems({ commands: [{ command: 'pinUnblock' }], template: '73' }), [
    { path: '/template', message: 'must be 71 (before the final GENERATE AC) or 72 (after it)' },
  ]);
  t.match(await problems({ commands: [{ command: 'pinUnblock', extra: 1 }] }), [
    { path: '/commands/0/extra', message: 'is not allowed' },
  ]);
  const big = await post({
    commands: [
      { command: 'putData', tag: '9F4F', value: 'AA'.repeat(64) },
      { command: 'putData', tag: '9F4E', value: 'BB'.repeat(64) },
    ],
  });
  t.same([big.status, big.body], [409, { error: 'the script takes 167 bytes; a chip answer carries at most 128' }]);

  const other = await post({ commands: [{ command: 'pinUnblock' }] }, B);
  t.same([other.status, other.body], [403, { error: 'the card belongs to another issuer' }]);
  t.same((await call(s, 'GET', `/cards/${card.id}/scripts`, { token: B })).status, 403);
  t.same((await call(s, 'POST', `/cards/${card.id}/scripts/00000001/resend`, { token: B })).status, 403);
  const none = await post({ commands: [{ command: 'pinUnblock' }] }, A, '0'.repeat(32));
  t.same([none.status, none.body], [404, { error: 'no such card' }]);
  t.same((await call(s, 'GET', `/cards/${'0'.repeat(32)}/scripts`, { token: A })).status, 404);
  t.same((await call(s, 'GET', `/cards/${card.id}/scripts`, { token: A })).body, { scripts: [] }, 'nothing queued');
});
