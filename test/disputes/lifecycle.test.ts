/**
 * A dispute case after its opening (001 §26, §42), over TCP and HTTP with a fake clock against a
 * real Redis: the misuse report due by the month's last bank day, the operator's representment
 * (a redebit journalled two bank days on), the issuer's contest up to the 45th day, the
 * operator's decision (for the issuer a new chargeback on its credit date), and the notices.
 */
import t, { type Test } from 'tap';
import { subElement } from '../../src/messages/remote-data.js';
import { OPERATOR_TOKEN } from '../support/switch.js';
import { B, type Harness, READ, blockedPurchases, harness } from './support.js';

const OP = OPERATOR_TOKEN;

async function openCase(t: Test, h: Harness, reason: string, entries: string[]): Promise<string> {
  const opened = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason,
    transactions: entries.map((entry) => ({ entry })),
  });
  t.equal(opened.status, 201, `${reason} case opened`);
  return opened.body.number as string;
}

const journalled = async (h: Harness, type: string) =>
  (await h.s.sw.journal.range('0', '+')).map((e) => e.posting).filter((p) => p.type === type);

t.test(
  'represented, contested on the 45th day, decided for the issuer: redebit and chargeback journalled',
  async (t) => {
    const h = await harness(t, '2026-12-04T09:00:00Z');
    const [entry] = await blockedPurchases(t, h, ['261204090000']);
    const number = await openCase(t, h, 'thirdPartyPin', [entry!]);
    const cases = `/disputes/cases/${number}`;
    t.match((await h.api('GET', cases)).body, {
      status: 'open',
      total: 100_000,
      misuseReport: { due: '2026-12-30' }, // the 31st is New Year's Eve: banks closed
    });

    // The misuse report, on time: once.
    t.equal(
      (await h.api('POST', `${cases}/misuse-report`, undefined, B)).status,
      404,
      "another issuer's case: none to it",
    );
    const reported = await h.api('POST', `${cases}/misuse-report`);
    t.equal(reported.status, 200);
    t.same(reported.body.misuseReport, { due: '2026-12-30', reportedAt: h.clock.now().getTime() }, 'on time: not late');
    t.equal((await h.api('POST', `${cases}/misuse-report`)).status, 409, 'reported once');

    t.match((await h.api('POST', `${cases}/contest`, { text: 'no' })).body, { error: /not represented/ });
    t.equal((await h.api('POST', `${cases}/decision`, { for: 'issuer', text: 'x' }, OP)).status, 409, 'not contested');

    // Tuesday 08: the chargeback is credited; the operator represents 600 kr of the 1000 kr returned.
    h.clock.set(new Date('2026-12-08T05:30:00Z'));
    t.equal(await h.deliverAll(), 1, 'the chargeback');
    t.equal((await h.api('POST', `${cases}/representment`, { text: 'PIN used' })).status, 403, 'operators only');
    const over = await h.api('POST', `${cases}/representment`, { amount: 100_001, text: 'PIN used' }, OP);
    t.equal(over.status, 409, 'more than the case returned');
    t.match(over.body, { error: /at most the case total, 100000 øre/ });
    const represented = await h.api('POST', `${cases}/representment`, { amount: 60_000, text: 'PIN used' }, OP);
    t.equal(represented.status, 200);
    t.match(represented.body, {
      status: 'represented',
      representment: { amount: 60_000, text: 'PIN used', debitDate: '2026-12-10', contestBy: '2027-01-24' },
    });
    t.equal(represented.body.representment.redebits.length, 1, 'one redebit for the one transaction');
    t.equal((await h.api('POST', `${cases}/representment`, { text: 'again' }, OP)).status, 409, 'once per case');
    t.match((await h.api('GET', '/notices?type=disputeRepresented')).body.notices, [
      { type: 'disputeRepresented', case: number, amount: 60_000, contestBy: '2027-01-24', card: h.card.id },
    ]);
    t.equal((await h.api('POST', `${cases}/decision`, { for: 'issuer', text: 'x' }, OP)).status, 409, 'not contested');

    // Wednesday nothing; Thursday 10th the redebit, a debit of the issuer.
    h.clock.set(new Date('2026-12-09T12:00:00Z'));
    t.equal(await h.deliverAll(), 0);
    h.clock.set(new Date('2026-12-10T05:30:00Z'));
    t.equal(await h.deliverAll(), 1, 'the redebit on its day');
    const [redebit] = await journalled(h, 'redebit');
    t.match(redebit, { direction: 'D', amount: 60_000, caseNumber: number, disputeReason: 'thirdPartyPin' });
    t.equal(redebit!.id, represented.body.representment.redebits[0].id);

    // Sunday 2027-01-24, 22:00 local: the 45th day after the redebit (10 December), the last to contest.
    h.clock.set(new Date('2027-01-24T21:00:00Z'));
    t.equal((await h.api('POST', `${cases}/contest`, { text: 'the card was stolen' }, B)).status, 404);
    t.equal((await h.api('POST', `${cases}/contest`, {})).status, 400, 'a contest says why');
    const contested = await h.api('POST', `${cases}/contest`, { text: 'the card was stolen' });
    t.equal(contested.status, 200, 'contested on the 45th day');
    t.match(contested.body, { status: 'contested', contest: { text: 'the card was stolen' } });
    t.equal((await h.api('POST', `${cases}/contest`, { text: 'again' })).status, 409, 'once');

    t.equal((await h.api('POST', `${cases}/decision`, { for: 'issuer', text: 'x' })).status, 403, 'operators only');
    t.equal((await h.api('POST', `${cases}/decision`, { for: 'holder', text: 'x' }, OP)).status, 400);
    const decided = await h.api('POST', `${cases}/decision`, { for: 'issuer', text: 'stolen card' }, OP);
    t.equal(decided.status, 200);
    t.match(decided.body, {
      status: 'decided',
      decision: { for: 'issuer', text: 'stolen card', creditDate: '2027-01-26', chargebacks: [{ amount: 60_000 }] },
    });
    t.equal((await h.api('POST', `${cases}/decision`, { for: 'merchant', text: 'x' }, OP)).status, 409, 'decided once');
    t.match((await h.api('GET', '/notices?type=disputeDecided')).body.notices, [
      { type: 'disputeDecided', case: number, for: 'issuer', amount: 60_000, creditDate: '2027-01-26' },
    ]);

    // Monday the 25th nothing; Tuesday the 26th the second chargeback.
    h.clock.set(new Date('2027-01-25T12:00:00Z'));
    t.equal(await h.deliverAll(), 0);
    h.clock.set(new Date('2027-01-26T05:30:00Z'));
    t.equal(await h.deliverAll(), 1, 'the chargeback of the decision on its credit date');
    const chargebacks = await journalled(h, 'chargeback');
    t.equal(chargebacks.length, 2);
    t.match(chargebacks[1], { direction: 'C', amount: 60_000, caseNumber: number, txn: redebit!.txn });
    t.equal(chargebacks[1]!.id, decided.body.decision.chargebacks[0].id);
  },
);

t.test('a contest on the 46th day refused; a decision for the merchant; a late misuse report', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const [x, y] = await blockedPurchases(t, h, ['261204090000', '261204091000']);
  const late = await openCase(t, h, 'thirdPartyPin', [x!]);
  const merchant = await openCase(t, h, 'thirdPartyPin', [y!]);
  // Monday 7th: both represented in full (the default: the case total).
  h.clock.set(new Date('2026-12-07T10:00:00Z'));
  for (const n of [late, merchant]) {
    const r = await h.api('POST', `/disputes/cases/${n}/representment`, { text: 'signed slip' }, OP);
    t.match(r.body, { status: 'represented', representment: { amount: 100_000, contestBy: '2027-01-23' } });
  }
  h.clock.set(new Date('2027-01-23T22:59:59Z')); // 23:59:59 local on the 45th day after the redebit (9 December)
  t.equal((await h.api('POST', `/disputes/cases/${merchant}/contest`, { text: 'stolen' })).status, 200);
  h.clock.set(new Date('2027-01-23T23:00:00Z')); // midnight: the 46th day
  const refused = await h.api('POST', `/disputes/cases/${late}/contest`, { text: 'stolen' });
  t.equal(refused.status, 409, 'the 46th day');
  t.match(refused.body, { error: /the last day to contest was 2027-01-23/ });
  t.equal((await h.api('GET', `/disputes/cases/${late}`)).body.status, 'represented', 'unchanged');
  t.equal(
    (await h.api('POST', `/disputes/cases/${late}/decision`, { for: 'issuer', text: 'x' }, OP)).status,
    409,
    'no decision without a contest',
  );

  const decided = await h.api('POST', `/disputes/cases/${merchant}/decision`, { for: 'merchant', text: 'PIN' }, OP);
  t.match(decided.body, { status: 'decided', decision: { for: 'merchant', text: 'PIN' } });
  t.notOk('chargebacks' in decided.body.decision, 'the redebit stands: nothing credited');
  t.match((await h.api('GET', '/notices?type=disputeDecided')).body.notices, [
    { type: 'disputeDecided', case: merchant, for: 'merchant', amount: 100_000 },
  ]);

  // The misuse report of December, made in January: kept, late.
  const report = await h.api('POST', `/disputes/cases/${late}/misuse-report`);
  t.equal(report.status, 200);
  t.match(report.body.misuseReport, { due: '2026-12-30', late: true });
  t.equal(await h.deliverAll(), 4, 'the two chargebacks and two redebits, and nothing for the decision');
  t.equal((await journalled(h, 'redebit')).length, 2);
  t.equal((await journalled(h, 'chargeback')).length, 2, 'no chargeback for the merchant decision');
});

t.test('misuse reports only for the reasons that need one (001 §40, §42)', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z', { cvc: '123' });
  const mailOrder = { 22: '000520100000', 14: '3012', 48: subElement('02', '123') };
  t.equal((await h.buy(50_000, '261204090000', mailOrder))[39], '000');
  t.equal((await h.buy(250_000, '261204091000', READ.chipPin))[39], '000');
  t.equal(await h.deliverAll(), 2);
  const [remote, chip] = (await h.listed('2026-12-04')).body.transactions.map((x: { entry: string }) => x.entry);
  const funds = await openCase(t, h, 'insufficientFunds', [chip]);
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const opened = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason: 'thirdPartyRemote',
    transactions: [{ entry: remote }],
  });
  t.equal(opened.status, 201);
  t.notOk('misuseReport' in opened.body, 'a remote sale needs no report');
  const r = await h.api('POST', `/disputes/cases/${opened.body.number}/misuse-report`);
  t.equal(r.status, 409);
  t.match(r.body, { error: /remote sales need no misuse report.*001 §40/ });
  const f = await h.api('POST', `/disputes/cases/${funds}/misuse-report`);
  t.equal(f.status, 409);
  t.match(f.body, { error: /insufficientFunds needs no misuse report/ });
  t.equal((await h.api('POST', '/disputes/cases/D99999999/misuse-report')).status, 404);
  t.equal((await h.api('POST', '/disputes/cases/D99999999/representment', { text: 'x' }, OP)).status, 404);
});

t.test('two representments of a case at once: one is made, one redebit goes out', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const [entry] = await blockedPurchases(t, h, ['261204090000']);
  const number = await openCase(t, h, 'thirdPartyPin', [entry!]);
  const answers = await Promise.all(
    [40_000, 50_000, 60_000].map((amount) =>
      h.api('POST', `/disputes/cases/${number}/representment`, { amount, text: 'PIN used' }, OP),
    ),
  );
  t.same(answers.map((a) => a.status).sort(), [200, 409, 409]);
  const made = answers.find((a) => a.status === 200)!.body.representment;
  t.same((await h.api('GET', `/disputes/cases/${number}`)).body.representment, made, 'the one made is kept');
  h.clock.set(new Date('2026-12-10T05:30:00Z'));
  t.equal(await h.deliverAll(), 2, 'the chargeback and one redebit');
  t.same(
    (await journalled(h, 'redebit')).map((p) => p.amount),
    [made.amount],
  );
});
