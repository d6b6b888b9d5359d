/**
 * Notas (the signed receipt of a signature purchase) ordered from the acquirer and their arrival
 * (001 §39, §41), over HTTP with a fake clock: ordered once, pending until 30 days after the order
 * and overdue from then, arrived signed or unsigned once, and what the rules make of each.
 */
import t from 'tap';
import { B, READ, harness } from './support.js';

const DAY = 86_400_000;

t.test('a nota ordered: pending for 30 days, overdue from then; unsigned and signed arrivals', async (t) => {
  // Friday 2026-12-04, 10:00 in Copenhagen: two signature purchases, and a chip and PIN one.
  const h = await harness(t, '2026-12-04T09:00:00Z');
  for (const [time, read] of [
    ['261204090000', READ.signature],
    ['261204091000', READ.signature],
    ['261204092000', READ.chipPin],
  ] as const)
    t.equal((await h.buy(200_000, time, read))[39], '000');
  t.equal(await h.deliverAll(), 3);
  const listed = async () =>
    (await h.listed('2026-12-04')).body.transactions.map((x: { nota: string }) => x.nota) as string[];
  const [first, second] = (await h.listed('2026-12-04')).body.transactions.map((x: { entry: string }) => x.entry);
  t.same(await listed(), ['none', 'none', 'none']);
  const notas = `/disputes/cards/${h.card.id}/notas`;

  const ordered = await h.api('POST', notas, { entry: first });
  t.equal(ordered.status, 201);
  const at = h.clock.now().getTime();
  t.same(ordered.body, { card: h.card.id, entry: first, orderedAt: at, dueAt: at + 30 * DAY, status: 'pending' });
  const again = await h.api('POST', notas, { entry: first });
  t.equal(again.status, 409, 'ordered once');
  t.match(again.body, { error: /ordered already/, nota: { orderedAt: at } });
  t.same(await listed(), ['pending', 'none', 'none']);

  t.equal((await h.api('POST', `${notas}/${second}/arrival`, { signed: true })).status, 409, 'not ordered: no arrival');
  t.equal((await h.api('POST', notas, { entry: first }, B)).status, 403, "another issuer's card");
  t.equal((await h.api('POST', notas, { entry: '1-0' })).status, 404, 'no posting of the card there');
  t.equal((await h.api('POST', notas, { entry: 'x' })).status, 400);
  t.equal((await h.api('POST', notas, { entry: first, signed: true })).status, 400, 'nothing else in the body');

  // One millisecond before the 30 days: still pending; at 30 days, overdue (not received, 001 §41).
  h.clock.set(new Date(at + 30 * DAY - 1));
  t.same(await listed(), ['pending', 'none', 'none'], 'pending until the 30th day');
  h.clock.set(new Date(at + 30 * DAY));
  t.same(await listed(), ['overdue', 'none', 'none'], 'overdue from the 30th day');

  const unsigned = await h.api('POST', `${notas}/${first}/arrival`, { signed: false });
  t.equal(unsigned.status, 200);
  t.match(unsigned.body, { entry: first, orderedAt: at, arrivedAt: at + 30 * DAY, signed: false, status: 'unsigned' });
  const twice = await h.api('POST', `${notas}/${first}/arrival`, { signed: true });
  t.equal(twice.status, 409, 'arrived once');
  t.match(twice.body, { error: /arrived already/, nota: { signed: false } });

  t.equal((await h.api('POST', notas, { entry: second })).status, 201);
  t.equal((await h.api('POST', `${notas}/${second}/arrival`, { signed: 'yes' })).status, 400);
  const signed = await h.api('POST', `${notas}/${second}/arrival`, { signed: true });
  t.match(signed.body, { signed: true, status: 'signed' });
  t.same(await listed(), ['unsigned', 'signed', 'none']);

  // What the rules make of them, once the card is blocked: the unsigned nota under notaNotReceived, the signed one under thirdPartySignature.
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const check = async (reason: string, entry: string) =>
    (await h.api('POST', '/disputes/checks', { card: h.card.id, reason, transactions: [{ entry }] })).body;
  t.match(await check('notaNotReceived', first), { returnable: true, total: 200_000 });
  t.match(await check('thirdPartySignature', first), {
    returnable: false,
    transactions: [{ refusal: 'notaNotReceived' }],
  });
  t.match(await check('thirdPartySignature', second), { returnable: true, total: 200_000 });
});
