/**
 * The issuer's credit accounts for disputes (001 §27), over HTTP against a real Redis: one for
 * insufficient funds, one for every other reason, 'standard' for one not chosen; a case takes the
 * account of its reason's kind when it is opened, and its chargeback is journalled to it.
 */
import t from 'tap';
import { OPERATOR_TOKEN } from '../support/switch.js';
import { B, READ, harness } from './support.js';

t.test('a case is credited to the account its reason names, standard when none is chosen', async (t) => {
  // Friday 2026-12-04, 10:00 in Copenhagen: three chip and PIN purchases over the guarantee.
  const h = await harness(t, '2026-12-04T09:00:00Z');
  for (const time of ['261204090000', '261204091000', '261204092000'])
    t.equal((await h.buy(250_000, time, READ.chipPin))[39], '000');
  t.equal(await h.deliverAll(), 3);
  const [first, second, third] = (await h.listed('2026-12-04')).body.transactions.map(
    (x: { entry: string }) => x.entry,
  );
  const open = async (reason: string, entry: string) =>
    h.api('POST', '/disputes/cases', { card: h.card.id, reason, transactions: [{ entry }] });

  const none = await h.api('GET', '/disputes/accounts');
  t.equal(none.status, 200);
  t.same(none.body, { issuer: 'bank-a', insufficientFunds: 'standard', other: 'standard' }, 'none chosen yet');
  const before = await open('insufficientFunds', first);
  t.equal(before.status, 201);
  t.equal(before.body.account, 'standard', 'a case before any choice: the standard account');

  const put = await h.api('PUT', '/disputes/accounts', { insufficientFunds: '40001234567890', other: '5000987654' });
  t.equal(put.status, 200);
  t.same(put.body, { issuer: 'bank-a', insufficientFunds: '40001234567890', other: '5000987654' });
  t.same((await h.api('GET', '/disputes/accounts')).body, put.body, 'kept');
  t.same(
    (await h.api('GET', '/disputes/accounts', undefined, B)).body,
    { issuer: 'bank-b', insufficientFunds: 'standard', other: 'standard' },
    "each issuer its own: bank-b's are not bank-a's",
  );

  const funds = await open('insufficientFunds', second);
  t.match(funds.body, { reason: 'insufficientFunds', account: '40001234567890' });
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  const misuse = await open('thirdPartyPin', third);
  t.match(misuse.body, { reason: 'thirdPartyPin', account: '5000987654' });
  t.equal(
    (await h.api('GET', `/disputes/cases/${before.body.number}`)).body.account,
    'standard',
    'a case keeps the account it was opened with',
  );

  // Tuesday: the three chargebacks are journalled, each to its case's account.
  h.clock.set(new Date('2026-12-08T05:30:00Z'));
  t.equal(await h.deliverAll(), 3);
  const credited = (await h.s.sw.journal.range('0', '+'))
    .map((e) => e.posting)
    .filter((p) => p.type === 'chargeback')
    .map((p) => [p.caseNumber, p.creditAccount]);
  t.same(
    credited.sort(),
    [
      [before.body.number, 'standard'],
      [funds.body.number, '40001234567890'],
      [misuse.body.number, '5000987654'],
    ].sort(),
  );

  const back = await h.api('PUT', '/disputes/accounts', { other: '5000987654' });
  t.same(back.body, { issuer: 'bank-a', insufficientFunds: 'standard', other: '5000987654' }, 'one left out: standard');
  const standard = await h.api('PUT', '/disputes/accounts', { other: 'standard' });
  t.same(standard.body, { issuer: 'bank-a', insufficientFunds: 'standard', other: 'standard' }, 'both standard again');
  t.same((await h.api('GET', '/disputes/accounts')).body, standard.body);
});

t.test('accounts: 4 to 20 digits, nothing else; issuers only', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  for (const body of [
    { other: '123' },
    { other: '1'.repeat(21) },
    { insufficientFunds: '12 34' },
    { iban: '12345' },
    [],
  ]) {
    const r = await h.api('PUT', '/disputes/accounts', body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.ok(r.body.problems.length > 0, 'naming the problem');
  }
  t.same((await h.api('GET', '/disputes/accounts')).body.other, 'standard', 'nothing kept of a refused body');
  t.equal((await h.api('GET', '/disputes/accounts', undefined, OPERATOR_TOKEN)).status, 403, 'an operator has none');
});
