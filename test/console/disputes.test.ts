/**
 * The issuer's Disputes page in a real browser (Debian's chromium through playwright-core) against
 * a real switch with a fake clock: a chip and PIN purchase sent over TCP and delivered, then as
 * bank-a the card found by its number (which leaves the page), its transactions listed, one ticked
 * and checked as third-party misuse (refused while the card is not blocked, then the part over the
 * payment guarantee), a case opened and its receipt, the case found again by its number; a second
 * opening refused with the check's refusals; insufficient funds with the amount covered; a
 * vendor's menu without the page, and the API's refusal when a vendor opens it by its address.
 * The page's screenshot is kept in .tap/console-screenshots/.
 */
import t from 'tap';
import { join } from 'node:path';
import { purchase93 } from '../support/terminal.js';
import { call } from '../admin/fixtures/client.js';
import { READ } from '../disputes/support.js';
import { SHOTS, openPage, signIn } from './fixtures/browser.js';
import { startDisputeConsole } from './fixtures/disputes.js';

const VENDOR = 'test-token-vendor-disputes';
const BANK_A = 'test-token-bank-a-disputes';

const TOKENS = {
  [VENDOR]: { role: 'vendor' },
  [BANK_A]: { role: 'issuer', issuer: 'bank-a' },
} as const;

t.test('a dispute on the Disputes page, from the listing to the receipt', async (t) => {
  const { s, term, card } = await startDisputeConsole(t, TOKENS);
  const api = (method: string, path: string, body?: unknown) =>
    call(s, method, path, { token: BANK_A, ...(body === undefined ? {} : { body }) });

  const answer = await term.send(purchase93({ 2: card.pan, 4: '000000250000', 12: '261204095000', ...READ.chipPin }));
  t.equal(answer[39], '000', 'a purchase of 2,500.00 kr approved');
  await s.sw.postings.drain();
  const delivered = await s.sw.delivery.byClock();
  t.equal(
    delivered.reduce((n, d) => n + d.postings, 0),
    1,
    'delivered: on the statement',
  );

  const { page, pageErrors } = await openPage(t);

  await signIn(page, s, BANK_A);
  const menu = await page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents();
  t.ok(menu.includes('Disputes'), "in the issuer's menu");
  await page.getByRole('link', { name: 'Disputes' }).click();
  await page.getByRole('heading', { name: 'Disputes', level: 1 }).waitFor();

  await page.getByLabel('Card number or card id').fill(card.pan);
  await page.getByLabel('From', { exact: true }).fill('2026-12-04');
  await page.getByLabel('To', { exact: true }).fill('2026-12-04');
  await page.getByRole('button', { name: 'List transactions' }).click();
  const rows = page.locator('tr[data-entry]');
  await rows.first().waitFor();
  t.equal(await rows.count(), 1, 'the one delivered transaction');
  const row = await rows.first().textContent();
  t.match(row, `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`, 'the card masked');
  t.match(row, '2026-12-04 09:50:00', "the terminal's local time");
  t.match(row, '2,500.00', 'the amount in kroner');
  t.match(row, 'chip / pinOffline (guarantee 1,500.00)', 'read and approved, and the guarantee');
  t.match(row, 'active', 'the status at purchase');
  t.equal(await page.getByLabel('Card number or card id').inputValue(), card.id, 'the card number replaced by the id');
  t.notMatch(await page.content(), card.pan, 'no clear PAN in the page');

  await page.getByRole('checkbox', { name: 'Return the purchase of 2026-12-04 09:50:00' }).check();
  // Insufficient funds: the column for what the account covered; the part over both is returnable.
  await page.getByRole('combobox', { name: /^Reason/ }).selectOption('insufficientFunds');
  const covered = page.getByLabel('Covered by the account (kr): 2026-12-04 09:50:00');
  await covered.fill('2000');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.check').getByText('allowed (guarantee chipPin: 1,500.00)').waitFor();
  t.equal(await page.locator('.check td.max').textContent(), '500.00', '2,500.00 less the 2,000.00 covered');
  await page.getByRole('combobox', { name: /^Reason/ }).selectOption('thirdPartyPin');
  t.ok(await page.locator('td.extra input').isDisabled(), 'no extra amount for third-party misuse');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.check').getByText('refused: cardNotBlocked').waitFor();
  t.match(await page.locator('.check').textContent(), 'no case can be opened', 'the card is not blocked yet');

  t.equal((await api('POST', `/cards/${card.id}/block`, { reason: 'stolen' })).status, 200, 'blocked via the API');
  const amount = page.getByLabel('Amount to return: 2026-12-04 09:50:00');
  await amount.fill('1.000,00');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'no thousands separator' }).waitFor();
  t.equal(await page.locator('.check').count(), 0, 'an amount the page cannot read is not sent');
  await amount.fill('999,5');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.check').getByText('Every transaction can be returned: 999.50 kr in all.').waitFor();
  t.pass('a decimal comma is read: 999.50 kr asked and allowed');
  // More than the most that can be returned: refused with the maximum.
  await page.getByLabel('Amount to return: 2026-12-04 09:50:00').fill('1500');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.check').getByText('refused: amountOverMax').waitFor();
  t.equal(await page.locator('.check td.max').textContent(), '1,000.00', 'the maximum is shown with the refusal');
  await page.getByLabel('Amount to return: 2026-12-04 09:50:00').fill('');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.locator('.check').getByText('allowed (guarantee chipPin: 1,500.00)').waitFor();
  t.equal(
    await page.locator('.check td.max').textContent(),
    '1,000.00',
    'the most: 2,500.00 less the chip and PIN guarantee 1,500.00',
  );
  t.match(
    await page.locator('.check').textContent(),
    'Every transaction can be returned: 1,000.00 kr in all.',
    'the total',
  );

  await page.getByRole('button', { name: 'Open case' }).click();
  const receipt = page.locator('.receipt');
  await receipt.waitFor();
  const number = (await receipt.locator('.case-number').textContent())!;
  t.match(number, /^D\d{8}$/, 'a case number');
  t.equal(await receipt.locator('.credit-date').textContent(), '2026-12-08', 'credited two bank days on');
  t.equal(await receipt.locator('.total').textContent(), '1,000.00 kr', 'the total returned');
  t.match(await receipt.locator('tbody tr').textContent(), /2,500\.00\s*1,000\.00/, 'the transaction and the return');
  t.match(
    await receipt.locator('tbody tr').textContent(),
    /^2026-12-04 09:50:00/,
    "the purchase at the terminal's time, as the listing shows it",
  );
  const kept = await api('GET', `/disputes/cases/${number}`);
  t.equal(kept.status, 200, 'the API knows the case by the number the receipt shows');
  t.match(kept.body, { number, total: 100_000, reason: 'thirdPartyPin', card: card.id }, 'the same case');
  await page.screenshot({ path: join(SHOTS, '11-disputes.png'), fullPage: true });

  await page.getByRole('button', { name: 'Open case' }).click();
  await page.getByRole('alert').filter({ hasText: 'not every transaction can be returned' }).waitFor();
  await page.locator('.check').getByText('refused: returnedAlready').waitFor();
  t.equal(await page.locator('.receipt').count(), 0, 'no second receipt');

  await page.getByLabel('Case number', { exact: true }).fill(number);
  await page.getByRole('button', { name: 'Find case' }).click();
  await page.getByRole('heading', { name: `Case ${number}` }).waitFor();
  t.match(
    await page.locator('.receipt').textContent(),
    'Tredjemandsmisbrug PIN terminal (thirdPartyPin)',
    'found by its number, with the reason',
  );
  await page.getByLabel('Case number', { exact: true }).fill('D99999999');
  await page.getByRole('button', { name: 'Find case' }).click();
  await page.getByRole('alert').filter({ hasText: 'no such case' }).waitFor();
  await page.getByRole('button', { name: "The card's cases" }).click();
  await page.getByRole('heading', { name: `Case ${number}` }).waitFor();
  t.notMatch(await page.content(), card.pan, 'still no clear PAN in the page');

  await signIn(page, s, VENDOR);
  const vendorMenu = await page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents();
  t.notOk(vendorMenu.includes('Disputes'), "not in a vendor's menu");
  await page.goto(`${s.adminUrl}/#disputes`);
  await page.getByLabel('Card number or card id').fill(card.id);
  await page.getByRole('button', { name: 'List transactions' }).click();
  await page.getByRole('alert').filter({ hasText: 'this route is for issuers' }).waitFor();
  t.equal(await page.locator('tr[data-entry]').count(), 0, 'opened by its address: the refusal, no transaction');
  t.same(pageErrors, [], 'no script error');
});
