/**
 * A dispute case's later steps in a real browser (Debian's chromium through playwright-core)
 * against a real switch with a fake clock: a signature purchase sent over TCP and delivered; as
 * bank-a its nota ordered and recorded arriving signed from the transactions table, the credit
 * accounts set, the card blocked and a third-party signature case opened, its misuse reported; the
 * operator finds the case on the Dispute cases page and represents part of it; bank-a sees the
 * representment and contests; the operator decides for the issuer; both pages show it decided.
 * A vendor sees neither page. Screenshots in .tap/console-screenshots/.
 */
import t from 'tap';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { purchase93 } from '../support/terminal.js';
import { call } from '../admin/fixtures/client.js';
import { READ } from '../disputes/support.js';
import { SHOTS, openPage, signIn } from './fixtures/browser.js';
import { startDisputeConsole } from './fixtures/disputes.js';

const VENDOR = 'test-token-vendor-dispute-cases';
const BANK_A = 'test-token-bank-a-dispute-cases';
const OPERATOR = 'test-token-operator-dispute-cases';

const TOKENS = {
  [VENDOR]: { role: 'vendor' },
  [BANK_A]: { role: 'issuer', issuer: 'bank-a' },
  [OPERATOR]: { role: 'operator' },
} as const;

const WHEN = '2026-12-04 09:50:00';

async function menuOf(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents();
}

/** The case's status as shown, once it reads `want`. */
async function statusShown(c: Locator, want: string): Promise<string | null> {
  await c.locator('dd.status', { hasText: want }).waitFor();
  return c.locator('dd.status').textContent();
}

t.test("a dispute case's later steps: nota, misuse report, representment, contest, decision", async (t) => {
  const { s, term, card } = await startDisputeConsole(t, TOKENS);
  const api = (method: string, path: string, body?: unknown, token = BANK_A) =>
    call(s, method, path, { token, ...(body === undefined ? {} : { body }) });

  const answer = await term.send(purchase93({ 2: card.pan, 4: '000000200000', 12: '261204095000', ...READ.signature }));
  t.equal(answer[39], '000', 'a signature purchase of 2,000.00 kr approved');
  await s.sw.postings.drain();
  t.equal(
    (await s.sw.delivery.byClock()).reduce((n, d) => n + d.postings, 0),
    1,
    'delivered',
  );

  const { page, pageErrors } = await openPage(t);
  const noClearPan = async (where: string) => t.notMatch(await page.content(), card.pan, `no clear PAN: ${where}`);

  // bank-a: the nota ordered and recorded arriving, from the transactions table.
  await signIn(page, s, BANK_A);
  t.notOk((await menuOf(page)).includes('Dispute cases'), "the operator's page is not in the issuer's menu");
  await page.getByRole('link', { name: 'Disputes' }).click();
  await page.getByLabel('Card number or card id').fill(card.pan);
  await page.getByLabel('From', { exact: true }).fill('2026-12-04');
  await page.getByLabel('To', { exact: true }).fill('2026-12-04');
  await page.getByRole('button', { name: 'List transactions' }).click();
  const nota = page.locator('tr[data-entry] td.nota');
  await nota.waitFor();
  t.equal(await nota.locator('.nota-status').textContent(), 'none', 'no nota ordered');
  t.equal(await nota.getByRole('button').count(), 1, 'only the order while none is ordered');
  await page.getByRole('button', { name: `Order the nota: ${WHEN}` }).click();
  await nota.locator('.nota-status', { hasText: 'pending' }).waitFor();
  t.same(
    await nota.getByRole('button').allTextContents(),
    ['Nota arrived: signed', 'Nota arrived: unsigned'],
    'ordered: its arrival can be recorded',
  );
  const entry = (await page.locator('tr[data-entry]').getAttribute('data-entry'))!;
  const kept = await api('GET', `/disputes/cards/${card.id}/transactions?from=2026-12-04&to=2026-12-04`);
  t.equal(kept.body.transactions[0].nota, 'pending', 'the API has the order');
  await page.getByRole('button', { name: `Nota arrived signed: ${WHEN}` }).click();
  await nota.locator('.nota-status', { hasText: 'signed' }).waitFor();
  t.equal(await nota.getByRole('button').count(), 0, 'arrived: no more steps');
  const after = await api('GET', `/disputes/cards/${card.id}/transactions?from=2026-12-04&to=2026-12-04`);
  t.match(after.body.transactions[0], { entry, nota: 'signed' }, 'the API has the arrival');

  // The credit accounts: standard at first, then one chosen.
  await page.getByText('Credit accounts').click();
  const forInsufficient = page.getByLabel('Account for insufficient funds');
  await page.waitForFunction(
    () => (document.querySelector('input[name=insufficientFunds]') as HTMLInputElement).value !== '',
  );
  t.equal(await forInsufficient.inputValue(), 'standard', 'no account chosen yet');
  await page.getByLabel('Account for the other reasons').fill('12345678');
  await page.getByRole('button', { name: 'Save accounts' }).click();
  await page.getByText('The accounts are saved.').waitFor();
  t.match((await api('GET', '/disputes/accounts')).body, { insufficientFunds: 'standard', other: '12345678' }, 'kept');

  // The case: the card blocked, the whole purchase returned as third-party misuse by signature.
  t.equal((await api('POST', `/cards/${card.id}/block`, { reason: 'stolen' })).status, 200, 'blocked via the API');
  await page.getByRole('checkbox', { name: `Return the purchase of ${WHEN}` }).check();
  await page.getByRole('combobox', { name: /^Reason/ }).selectOption('thirdPartySignature');
  await page.getByRole('button', { name: 'Open case' }).click();
  const issuerCase = page.locator('.receipt');
  await issuerCase.waitFor();
  const number = (await issuerCase.locator('.case-number').textContent())!;
  t.match(number, /^D\d{8}$/, 'a case number');
  t.equal(await statusShown(issuerCase, 'open'), 'open', 'open');
  t.match(await issuerCase.textContent(), '12345678', 'credited to the account chosen');
  t.match(await issuerCase.locator('.misuse').textContent(), /^not reported, due by 2026-12-\d\d$/, 'report due');
  await issuerCase.getByRole('button', { name: 'Report misuse' }).click();
  await issuerCase.locator('.misuse', { hasText: /^reported / }).waitFor();
  t.notMatch(await page.locator('.misuse').textContent(), 'late', 'reported in time');
  t.equal(await page.getByRole('button', { name: 'Report misuse' }).count(), 0, 'reported once');
  t.equal(await page.getByRole('button', { name: 'Contest' }).count(), 0, 'nothing to contest yet');
  t.ok((await api('GET', `/disputes/cases/${number}`)).body.misuseReport.reportedAt, 'the API has the report');
  await noClearPan('the issuer page');

  // The operator: the case found and represented for 500.00 kr.
  await signIn(page, s, OPERATOR);
  t.ok((await menuOf(page)).includes('Dispute cases'), "in the operator's menu");
  await page.getByRole('link', { name: 'Dispute cases' }).click();
  await page.getByRole('heading', { name: 'Dispute cases', level: 1 }).waitFor();
  await page.getByLabel('Case number').fill(number);
  await page.getByRole('button', { name: 'Find case' }).click();
  const opCase = page.locator('.receipt');
  t.equal(await statusShown(opCase, 'open'), 'open', 'the operator sees it open');
  t.equal(await opCase.getByRole('button', { name: 'Decide' }).count(), 0, 'nothing to decide while open');
  await opCase.getByLabel('Amount to redebit (kr)').fill('500,00');
  await opCase.getByLabel('Representment: the merchant’s side').fill('The merchant holds the signed nota.');
  await opCase.getByRole('button', { name: 'Represent' }).click();
  t.equal(await statusShown(opCase, 'represented'), 'represented', 'represented');
  t.equal(await opCase.locator('.redebited').textContent(), '500.00 kr', 'the amount redebited');
  t.equal(await opCase.locator('.debit-date').textContent(), '2026-12-08', 'debited two bank days on');
  t.equal(await opCase.locator('.contest-by').textContent(), '2027-01-22', '45 days after the redebit');
  t.equal(await opCase.getByRole('button', { name: 'Represent' }).count(), 0, 'represented once');
  t.match((await api('GET', `/disputes/cases/${number}`)).body, {
    status: 'represented',
    representment: { amount: 50_000 },
  });

  // bank-a: the representment seen and contested.
  await signIn(page, s, BANK_A);
  await page.goto(`${s.adminUrl}/#disputes`);
  await page.getByLabel('Case number', { exact: true }).fill(number);
  await page.getByRole('button', { name: 'Find case' }).click();
  const found = page.locator('.receipt');
  t.equal(await statusShown(found, 'represented'), 'represented', 'the issuer sees it represented');
  t.equal(await found.locator('.representment .text').textContent(), 'The merchant holds the signed nota.');
  t.equal(await found.locator('.contest-by').textContent(), '2027-01-22', 'the last day to contest');
  await found.getByLabel(/^Contest/).fill('The holder never signed: the signature differs.');
  await found.getByRole('button', { name: 'Contest' }).click();
  t.equal(await statusShown(found, 'contested'), 'contested', 'contested');
  t.equal(await found.locator('.contest .text').textContent(), 'The holder never signed: the signature differs.');
  t.equal(await found.getByRole('button', { name: 'Contest' }).count(), 0, 'contested once');

  // The operator decides for the issuer.
  await signIn(page, s, OPERATOR);
  await page.goto(`${s.adminUrl}/#dispute-cases`);
  await page.getByLabel('Card id').fill(card.id);
  await page.getByRole('button', { name: "The card's cases" }).click();
  const decide = page.locator('.receipt');
  t.equal(await statusShown(decide, 'contested'), 'contested', "found among the card's cases, contested");
  t.match(await decide.locator('.contest').textContent(), 'the signature differs', 'with the contest');
  await decide.getByRole('combobox', { name: 'Decide' }).selectOption('issuer');
  await decide.getByLabel('Decision: why').fill('The signatures differ.');
  await decide.getByRole('button', { name: 'Decide' }).click();
  t.equal(await statusShown(decide, 'decided'), 'decided', 'decided');
  t.equal(await decide.locator('.decision .for').textContent(), 'the issuer');
  t.equal(await decide.locator('.decision-credit-date').textContent(), '2026-12-08', 'credited again two bank days on');
  t.equal(await decide.locator('form').count(), 0, 'no step after the decision');
  await noClearPan('the operator page');
  await page.screenshot({ path: join(SHOTS, '13-dispute-cases.png'), fullPage: true });
  t.match((await api('GET', `/disputes/cases/${number}`, undefined, OPERATOR)).body, {
    status: 'decided',
    decision: { for: 'issuer' },
  });

  await signIn(page, s, BANK_A);
  await page.goto(`${s.adminUrl}/#disputes`);
  await page.getByLabel('Case number', { exact: true }).fill(number);
  await page.getByRole('button', { name: 'Find case' }).click();
  const final = page.locator('.receipt');
  t.equal(await statusShown(final, 'decided'), 'decided', 'the issuer sees it decided');
  t.equal(await final.locator('.decision .text').textContent(), 'The signatures differ.');
  t.equal(await final.locator('form, button').count(), 0, 'no step left for the issuer');
  await noClearPan('the issuer page, decided');
  await page.screenshot({ path: join(SHOTS, '12-dispute-case-issuer.png'), fullPage: true });

  await signIn(page, s, VENDOR);
  const vendorMenu = await menuOf(page);
  t.notOk(vendorMenu.includes('Disputes') || vendorMenu.includes('Dispute cases'), "neither page in a vendor's menu");
  await page.goto(`${s.adminUrl}/#dispute-cases`);
  await page.getByLabel('Case number').fill(number);
  await page.getByRole('button', { name: 'Find case' }).click();
  await page.getByRole('alert').waitFor();
  t.match(await page.getByRole('alert').textContent(), /operator|issuer/, "opened by its address: the API's refusal");
  t.equal(await page.locator('.receipt').count(), 0, 'no case shown to a vendor');
  t.same(pageErrors, [], 'no script error');
});
