/**
 * The block service and the issuer's block routes over the admin API against a real switch and
 * Redis (issue #14): a holder's report on a card already blocked is kept (001 §14); only issuers
 * with a block service agreement are served (001 §14); an issuer block keeps the holder's report
 * time; the notice archive keeps lifts and deletions and is searched by card, reference, type and
 * time (000); every block reason of the card terms is accepted, kept, shown and answered (004
 * §10); the card's block history survives lifts and deletion (001 §36).
 */
import t, { type Test } from 'tap';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { actionCode } from '../../src/messages/action-codes.js';
import { smsTime } from '../../src/admin/sms.js';
import { HOLDER_REASONS } from '../../src/card/block-history.js';
import type { NewCard } from '../../src/card/card-register.js';
import { ManualClock } from '../../src/time/clock.js';
import { type TestSwitch, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { A, B, BS, ISSUERS, TOKENS, type Json, addCard, call, cardBody, startApi, stored } from './fixtures/client.js';

const report = (fields: Record<string, unknown>) => ({
  name: 'Jens Hansen',
  address: 'Nørregade 1, 1165 København K',
  bank: 'Bank A',
  reason: 'lost',
  ...fields,
});

const notices = async (s: TestSwitch, query: string, token = A): Promise<Json[]> => {
  const res = await call(s, 'GET', `/notices${query}`, { token });
  if (res.status !== 200) throw new Error(`GET /notices${query}: ${res.status} ${res.text}`);
  return res.body.notices as Json[];
};

/** A purchase with the right PIN: the answer's field 39. */
async function purchase(t: Test, s: TestSwitch, pan: string): Promise<string> {
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const answer = await term.send(purchase93({ 2: pan, 52: encryptPinBlockFormat0('1234', pan, TEST_PIN_KEY.key) }));
  return answer[39] as string;
}

/** A card of an issuer no token speaks for, straight into the register. */
async function cardOf(s: TestSwitch, issuer: string): Promise<{ pan: string; id: string }> {
  const body = cardBody() as unknown as Omit<NewCard, 'issuer'>;
  const r = await s.sw.register.register({ ...body, issuer, status: 'active' });
  if (!r.ok) throw new Error(r.reason);
  return { pan: body.pan, id: r.card };
}

t.test('item 4: a report on a card already blocked is kept, with its own reference, receipt and notice', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const reportedByBank = new Date(Date.now() - 3_600_000).toISOString();
  const block = await call(s, 'POST', `/cards/${card.id}/block`, {
    token: A,
    body: { reason: 'issuer', reportedAt: reportedByBank },
  });
  t.equal(block.status, 200);
  const blockedAt = block.body.blockedAt as string;

  const called = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000);
  const res = await call(s, 'POST', '/block-reports', {
    token: BS,
    body: report({ cardNumber: card.pan, reason: 'stolen', reportedAt: called.toISOString(), statement: 'Lommen' }),
  });
  t.equal(res.status, 200, 'not 201: no block was made');
  const body = res.body as Record<string, Json>;
  t.match(body, {
    card: card.id,
    maskedPan: card.state.maskedPan,
    issuer: 'bank-a',
    reason: 'stolen',
    reportedAt: called.toISOString(),
    alreadyBlocked: true,
    blockedAt,
    block: { reason: 'issuer', by: 'bank-a', reportedAt: reportedByBank, blockedAt },
  });
  t.match(body.reference, /^\d{10}$/, 'a reference number of its own');
  t.match(body.message, `already blocked (issuer) since ${blockedAt}`, 'the answer says since when');
  t.match(body.smsReceipt, `Bank A: kort ${card.state.maskedPan} spærret `, "the issuer's receipt text");
  t.match(body.smsReceipt, `Ref. ${body.reference}`);
  t.notMatch(res.text, card.pan, 'no PAN in the answer');

  t.match(
    await stored(s, card.id),
    { block: 'issuer', blockedAt, blockReportedAt: reportedByBank },
    'the block stands',
  );
  t.equal(await purchase(t, s, card.pan), actionCode('blockedByIssuer', 'iso93'), 'and is answered as before');

  const [kept] = await notices(s, `?reference=${body.reference}`);
  t.match(kept, {
    type: 'reportOnBlockedCard',
    card: card.id,
    reason: 'stolen',
    by: 'blockService',
    reportedAt: called.getTime(),
    reference: body.reference,
    smsReceipt: body.smsReceipt,
    report: { channel: 'blockService', name: 'Jens Hansen', statement: 'Lommen', identifiedBy: ['cardNumber'] },
    block: { reason: 'issuer', by: 'bank-a', blockedAt: Date.parse(blockedAt), reportedAt: Date.parse(reportedByBank) },
  });
  t.ok(kept.at >= Date.parse(blockedAt), 'taken after the block');
  t.equal(
    body.smsReceipt,
    `Bank A: kort ${card.state.maskedPan} spærret ${smsTime(new Date(kept.at), 'Europe/Copenhagen')}. Ref. ${body.reference}`,
    'the receipt gives the time the report was taken',
  );
  t.match(
    (await stored(s, card.id))?.blocks,
    [
      {
        reason: 'issuer',
        reports: [{ reason: 'stolen', reference: body.reference, reportedAt: called.toISOString() }],
      },
    ],
    'the report is in the block history too',
  );
});

t.test('item 10: only issuers with a block service agreement; others are told whom to call', async (t) => {
  const s = await startApi(t);
  const noAgreement = await cardOf(s, 'bank-c');
  const res = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: noAgreement.pan }) });
  t.equal(res.status, 403);
  t.same(res.body, {
    error:
      'Bank C has no block service agreement: its cardholders block their cards with Bank C; call Bank C on +45 70 12 34 56',
    noAgreement: true,
    callIssuer: { issuer: 'bank-c', name: 'Bank C', phone: '+45 70 12 34 56' },
  });
  t.match(await stored(s, noAgreement.id), { block: null, blocks: [] }, 'not blocked');
  t.notMatch(res.text, noAgreement.pan);

  const unlisted = await cardOf(s, 'bank-z');
  const other = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: unlisted.pan }) });
  t.equal(other.status, 403, 'an issuer not configured has no agreement');
  t.match(other.body, { error: /call bank-z$/, callIssuer: { issuer: 'bank-z' } });
  t.notOk('phone' in other.body.callIssuer, 'no phone number made up');
  t.match(await stored(s, unlisted.id), { block: null });

  const listed = await addCard(t, s, { status: 'active' }, B);
  const ok = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: listed.pan }) });
  t.equal(ok.status, 201, 'an issuer listed without blockService: false has one');
  t.match(await stored(s, listed.id), { block: 'lost' });
});

t.test("item 11: an issuer block keeps the holder's report time", async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const called = '2026-01-10T08:15:00+01:00';
  const t0 = Date.now();
  const res = await call(s, 'POST', `/cards/${card.id}/block`, {
    token: A,
    body: { reason: 'lost', reportedAt: called, statement: 'Ringede til filialen' },
  });
  t.equal(res.status, 200);
  t.equal(res.body.blockReportedAt, '2026-01-10T07:15:00.000Z', 'the holder called then');
  t.ok(Date.parse(res.body.blockedAt) >= t0 - 5, 'the block is now');
  const [n] = await notices(s, `?card=${card.id}`);
  t.match(n, { type: 'blockRegistered', reportedAt: Date.parse(called), by: 'bank-a', report: { statement: String } });
  const later = await addCard(t, s, { status: 'active' });
  const future = await call(s, 'POST', `/cards/${later.id}/block`, {
    token: A,
    body: { reason: 'lost', reportedAt: new Date(Date.now() + 600_000).toISOString() },
  });
  t.equal(future.status, 400);
  t.same(future.body.problems, [{ path: '/reportedAt', message: 'must not be in the future' }]);
  t.match(await stored(s, later.id), { block: null });
});

t.test('item 11: the archive keeps lifts and deletions, searched by card, reference, type and time', async (t) => {
  // A second between changes: the archive is ordered by time.
  const clock = new ManualClock(new Date(Date.now() - 60_000));
  const s = await startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS }, issuers: ISSUERS },
    { clock },
  );
  const card = await addCard(t, s, { status: 'active' });
  const other = await addCard(t, s, { status: 'active' });
  const blocked = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: card.pan }) });
  const reference = blocked.body.reference as string;
  clock.advance(1000);
  await call(s, 'POST', `/cards/${other.id}/block`, { token: A, body: { reason: 'issuer' } });
  clock.advance(1000);
  const lift = await call(s, 'DELETE', `/cards/${card.id}/block`, { token: A });
  t.equal(lift.status, 200);
  clock.advance(1000);
  const del = await call(s, 'DELETE', `/cards/${card.id}`, { token: A });
  t.equal(del.status, 200);

  const own = await notices(s, `?card=${card.id}`);
  t.match(own, [
    { type: 'cardDeleted', by: 'bank-a' },
    {
      type: 'blockLifted',
      by: 'bank-a',
      blockedBy: 'blockService',
      reason: 'lost',
      reference,
      blockedAt: Date.parse(blocked.body.blockedAt),
      reportedAt: Date.parse(blocked.body.reportedAt),
    },
    { type: 'blockRegistered', reference },
  ]);
  t.notOk('block' in own[0], 'deleted without a block in force');
  t.equal(own[1].liftedAt, own[1].at);

  t.same(
    (await notices(s, `?reference=${reference}`)).map((n) => n.type),
    ['blockLifted', 'blockRegistered'],
    'by reference: the report and the lift of its block',
  );
  t.same(await notices(s, `?reference=${reference}`, B), [], "another issuer's search finds nothing");
  t.same(await notices(s, '?reference=0000000000'), []);
  t.same(
    (await notices(s, '?type=blockLifted,cardDeleted')).map((n) => [n.type, n.card]),
    [
      ['cardDeleted', card.id],
      ['blockLifted', card.id],
    ],
    'by type',
  );
  t.same(
    (await notices(s, '?type=blockRegistered')).map((n) => n.card),
    [other.id, card.id],
  );
  t.same(
    (await notices(s, `?type=blockRegistered&card=${other.id}`)).map((n) => n.card),
    [other.id],
    'type and card',
  );
  const liftedAt = new Date(own[1].at as number).toISOString();
  t.same(
    (await notices(s, `?since=${liftedAt}&type=blockLifted,blockRegistered`)).map((n) => n.type),
    ['blockLifted'],
    'type and time range',
  );
  t.same(
    (await notices(s, '?type=blockLifted,cardDeleted&limit=1')).map((n) => n.type),
    ['cardDeleted'],
    'limit',
  );
  t.same((await notices(s, '?type=wrongPin')).length, 0);
});

t.test('item 12: every block reason of the card terms, kept, shown and answered', async (t) => {
  const s = await startApi(t);
  const answers: Record<string, string> = {
    lost: 'blockedLost',
    stolen: 'blockedStolen',
    pinKnown: 'blockedByIssuer',
    misused: 'blockedFraud',
    copied: 'blockedFraud',
    suspected: 'blockedFraud',
    fraud: 'blockedByMonitoring',
    issuer: 'blockedByIssuer',
  };
  for (const reason of HOLDER_REASONS) {
    const card = await addCard(t, s, { status: 'active' });
    const res = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: card.pan, reason }) });
    t.equal(res.status, 201, `block service: ${reason}`);
    t.match(res.body, { reason });
    t.match(await stored(s, card.id), { block: reason, blocks: [{ reason, by: 'blockService' }] });
    t.match(await notices(s, `?card=${card.id}`), [{ type: 'blockRegistered', reason }]);
    t.equal(await purchase(t, s, card.pan), actionCode(answers[reason] as never, 'iso93'), `answered for ${reason}`);
  }
  for (const reason of Object.keys(answers)) {
    const card = await addCard(t, s, { status: 'active' });
    if (reason === 'fraud') {
      // The fraud monitoring's reason: not the issuer's to give; the monitoring's own block is answered as the others.
      const refused = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason } });
      t.equal(refused.status, 400, "issuer API: fraud is the monitoring's");
      const made = await s.sw.modules.card.watch.block(card.id, {
        rule: 'a-test-rule',
        description: 'A test rule',
        transactions: [],
      });
      t.equal(made.status, 'ok');
      t.match(await stored(s, card.id), { block: reason, blocks: [{ reason, by: 'monitoring', rule: 'a-test-rule' }] });
      t.equal(await purchase(t, s, card.pan), actionCode(answers[reason] as never, 'iso93'), `answered for ${reason}`);
      continue;
    }
    const res = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason } });
    t.equal(res.status, 200, `issuer API: ${reason}`);
    t.match(res.body, { block: reason, blocks: [{ reason, by: 'bank-a' }] });
    t.equal(await purchase(t, s, card.pan), actionCode(answers[reason] as never, 'iso93'), `answered for ${reason}`);
  }
  for (const reason of ['fraud', 'issuer']) {
    const card = await addCard(t, s, { status: 'active' });
    const res = await call(s, 'POST', '/block-reports', { token: BS, body: report({ cardNumber: card.pan, reason }) });
    t.equal(res.status, 400, `not a holder's reason: ${reason}`);
  }
});

t.test('item 7: the block history through lifts and deletion, in the issuer API', async (t) => {
  const s = await startApi(t);
  const card = await addCard(t, s, { status: 'active' });
  const first = await call(s, 'POST', '/block-reports', {
    token: BS,
    body: report({ cardNumber: card.pan, reason: 'pinKnown' }),
  });
  await call(s, 'DELETE', `/cards/${card.id}/block`, { token: A });
  const second = await call(s, 'POST', `/cards/${card.id}/block`, { token: A, body: { reason: 'misused' } });
  await call(s, 'DELETE', `/cards/${card.id}`, { token: A });
  const view = await call(s, 'GET', `/cards/${card.id}`, { token: A });
  t.equal(view.status, 200);
  t.match(view.body, { status: 'deleted', block: 'misused' });
  t.match(view.body.blocks, [
    {
      reason: 'pinKnown',
      by: 'blockService',
      reference: first.body.reference,
      reportedAt: first.body.reportedAt,
      blockedAt: first.body.blockedAt,
      liftedAt: String,
      liftedBy: 'bank-a',
    },
    { reason: 'misused', by: 'bank-a', blockedAt: second.body.blockedAt },
  ]);
  t.equal(view.body.blocks.length, 2);
  t.notOk('liftedAt' in view.body.blocks[1], 'the block in force has no lift');
  t.equal((await call(s, 'GET', `/cards/${card.id}`, { token: B })).status, 403, "not another issuer's");
});
