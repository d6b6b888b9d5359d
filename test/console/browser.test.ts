/**
 * The console in a real browser (Debian's chromium driven by playwright-core) against a real
 * switch: sign in; a purchase sent with the terminal CLI shows in the live traffic within two
 * seconds; a guided case run to a pass and one to a fail; a block filed at the block desk, the
 * card then refused, the notice found in the issuer's archive by its reference, and the block in
 * the card register's block history; a role that must not see a page gets no data; a delivery's
 * totals on the clearing page and its masked copy downloaded. A screenshot of each page is kept in .tap/console-screenshots/.
 */
import t from 'tap';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addCard } from '../support/cards.js';
import { OPERATOR_TOKEN, startSwitch, type TestSwitch } from '../support/switch.js';
import { localDate } from '../../src/time/local-time.js';
import { parseDelivery } from '../../src/clearing/delivery-file.js';
import { maskPan } from '../../src/codec/mask.js';
import { main } from '../../terminals/cli.js';
import { SHOTS, buildConsole, openPage, signIn } from './fixtures/browser.js';

const VENDOR = 'test-token-vendor-console';
const BANK_A = 'test-token-bank-a-console';
const BLOCK_SERVICE = 'test-token-block-service-console';

const TOKENS = {
  [VENDOR]: { role: 'vendor' },
  [BANK_A]: { role: 'issuer', issuer: 'bank-a' },
  [BLOCK_SERVICE]: { role: 'blockService' },
} as const;

/** The terminal CLI in-process (npm run terminal), as a tester would run it. */
async function terminal(s: TestSwitch, ...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main([...argv, '--port', String(s.port('iso93')), '--timeout', '1500'], {
    out: (x) => out.push(x),
    err: (x) => out.push(x),
  });
  return { code, out: out.join('') };
}

/** Øre as the console shows kroner (console/src/dom.ts). */
const kroner = (ore: number) =>
  (ore / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

t.test('the console in a browser', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const consoleDir = t.testdir({});
  await buildConsole(consoleDir);
  const s = await startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS }, issuers: { 'bank-a': { blockService: true } } },
    { consoleDir },
  );
  const { page, pageErrors } = await openPage(t);

  await t.test('sign-in refuses an unknown token, takes a known one', async (t) => {
    await page.goto(`${s.adminUrl}/`);
    await shot(page, '01-sign-in');
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown token' }).waitFor();
    await signIn(page, s, VENDOR);
    t.equal(await page.getByText('Signed in as terminal vendor').count(), 1);
    const menu = await page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents();
    t.same(menu, ['Live traffic', 'Terminals', 'Test plans', 'Faults'], "a vendor's pages: no card register");
  });

  await t.test('a purchase from the terminal CLI shows in the live traffic within two seconds', async (t) => {
    await page.goto(`${s.adminUrl}/#traffic`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // The row must appear within two seconds of the purchase being sent (the requirement).
    const purchase = terminal(
      s,
      'purchase',
      '--type',
      'chip',
      '--card',
      '5019000000000016',
      '--amount',
      '125.00',
      '--pin',
      '1234',
      '--terminal',
      'CLI00001',
    );
    const rows = page.locator('.scroll > table > tbody > tr');
    // A chip terminal's purchase: the authorization (1100), then its completion (1220).
    const row = rows.filter({ hasText: 'CLI00001' }).filter({ hasText: '1100' });
    await row.waitFor({ timeout: 2000 });
    const r = await purchase;
    t.equal(r.code, 0, r.out);
    t.match(await row.textContent(), /501900\*{6}0016/, 'the card masked');
    t.notMatch(await page.content(), '5019000000000016', 'no clear PAN on the page');
    await row.click();
    const detail = page.locator('.detail');
    await detail.getByText('Primary Account number').first().waitFor();
    t.match(await detail.textContent(), /Request: 1100[\s\S]*Answer: 1110/);
    await rows.filter({ hasText: '1220' }).waitFor();
    await page.getByLabel('Terminal').fill('NOSUCH');
    t.equal(await rows.count(), 0, 'the terminal filter hides them');
    await page.getByLabel('Terminal').fill('');
    await page.getByRole('button', { name: 'Pause' }).click();
    await terminal(s, 'echo', '--type', 'chip', '--terminal', 'CLI00001');
    await page.getByText(/paused: 1 new exchange/).waitFor();
    t.equal(await rows.count(), 2, 'paused: the echo is held');
    await page.getByRole('button', { name: 'Resume' }).click();
    t.equal(await rows.count(), 3, 'resumed: shown');
    await shot(page, '02-live-traffic');
    await page.goto(`${s.adminUrl}/#terminals`);
    await page.locator('tbody tr').filter({ hasText: 'CLI00001' }).waitFor();
    await shot(page, '03-terminals');
  });

  await t.test('a guided case run to a pass, another to a fail, and the report', async (t) => {
    const failCard = await addCard(s.sw, { pin: '2222' });
    await page.goto(`${s.adminUrl}/#plans`);
    await page.getByLabel('Plan').selectOption('chip-psam');
    await page.getByLabel('Terminal id (field 41)').fill('CERT0001');
    await page.getByRole('button', { name: 'Start plan' }).click();
    const wrongPin = page.locator('li[data-case="wrong-pin-three-times"]');
    await wrongPin.getByRole('button', { name: 'Start case' }).click();
    await wrongPin.locator('.badge', { hasText: 'running' }).waitFor();
    for (let i = 0; i < 3; i++) {
      const r = await terminal(
        s,
        'purchase',
        '--type',
        'chip',
        '--card',
        '5019000000000016',
        '--amount',
        '10.00',
        '--pin',
        '9999',
        '--terminal',
        'CERT0001',
      );
      t.equal(r.code, 1, 'declined');
    }
    await wrongPin.locator('.badge', { hasText: 'pass' }).waitFor({ timeout: 2000 });
    t.match(await wrongPin.textContent(), /exchanges: pass/);

    const blocked = page.locator('li[data-case="blocked-card"]');
    await blocked.getByRole('button', { name: 'Start case' }).click();
    // The case wants a card reported lost; an active card is approved instead.
    const r = await terminal(
      s,
      'purchase',
      '--type',
      'chip',
      '--card',
      failCard.pan,
      '--amount',
      '10.00',
      '--pin',
      '2222',
      '--terminal',
      'CERT0001',
    );
    t.equal(r.code, 0);
    await blocked.locator('.badge', { hasText: 'fail' }).waitFor({ timeout: 2000 });
    t.match(await blocked.textContent(), /was answered 000; expected x100 or x200 answered blockedLost/);
    t.match(await page.locator('.summary').textContent(), /1 passed, 1 failed, 4 not done/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JUnit XML' }).click();
    const xml = await (await download).createReadStream();
    let text = '';
    for await (const chunk of xml) text += String(chunk);
    t.match(text, /<testsuite name="Chip terminal with a PSAM" tests="6" failures="1" skipped="4"/);
    t.match(text, /<failure message="exchanges: request 1 \(1100 STAN \d{6}\) was answered 000/);
    await shot(page, '04-test-plan');
  });

  await t.test('the block desk blocks a card, the terminal is refused, the archive finds the reference', async (t) => {
    const card = await addCard(s.sw);
    await signIn(page, s, BLOCK_SERVICE);
    t.same(await page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents(), ['Block desk']);
    await page.getByLabel('Name').fill('Jens Hansen');
    await page.getByLabel('Address').fill('Nørregade 1, 1165 København K');
    await page.getByLabel('Bank or branch').fill('Bank A, Nørreport');
    await page.getByLabel('Card number').fill(card.pan);
    await page.getByLabel('Lost or stolen').selectOption('stolen');
    await page.getByLabel('What they said').fill('Tasken blev stjålet i toget');
    await page.getByRole('button', { name: 'Block the card' }).click();
    await page.getByRole('heading', { name: 'Card blocked' }).waitFor();
    const reference = (await page.locator('.reference strong').textContent())!;
    t.match(reference, /^\d{10}$/);
    t.match(await page.locator('.sms').textContent(), new RegExp(`spærret.*${reference}`));
    await shot(page, '05-block-desk');

    const refused = await terminal(
      s,
      'purchase',
      '--type',
      'chip',
      '--card',
      card.pan,
      '--amount',
      '10.00',
      '--pin',
      '1234',
      '--terminal',
      'CLI00001',
    );
    t.equal(refused.code, 1, 'the card is refused');
    t.match(refused.out, /209/);

    await signIn(page, s, BANK_A);
    await page.goto(`${s.adminUrl}/#archive`);
    await page.getByLabel('Reference number').fill(reference);
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('tbody tr').filter({ hasText: reference });
    await rows.first().waitFor();
    t.equal(await page.locator('.scroll tbody tr').count(), 1, 'one notice has that reference');
    await rows.first().click();
    await page.getByText('Tasken blev stjålet i toget').waitFor();
    t.match(await page.locator('.detail').textContent(), /Blocked: stolen[\s\S]*Jens Hansen/);
    await shot(page, '06-archive');

    await page.goto(`${s.adminUrl}/#cards`);
    await page.getByLabel('Card number or card id').fill(card.pan);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Lift the block' }).waitFor();
    t.match(await page.locator('table.state').textContent(), /Blockstolen/);
    // The block history from the card state: who blocked, the reference, both times, in force.
    const block = page.locator('table.blocks tbody tr');
    t.equal(await block.count(), 1, 'one block in the history');
    const cells = await block.locator('td').allTextContents();
    t.same([cells[0], cells[1], cells[2], cells[5]], ['stolen', 'block service', reference, 'in force']);
    t.notOk(
      cells.some((c) => c.includes(card.pan)),
      'no clear PAN in the history',
    );
    t.match(
      await page.getByRole('table').filter({ hasText: 'Unbooked' }).textContent(),
      /Available.*balance − reserved − unbooked/,
    );
    await shot(page, '07-card-register');
    await page.getByRole('button', { name: 'Lift the block' }).click();
    await page.getByText('Block lifted.').waitFor();
    // The page reads the card again after the lift: wait for that, not for a fixed time.
    const lifted = block.locator('td').nth(5);
    await lifted.filter({ hasText: /by bank-a$/ }).waitFor();
    t.match(await lifted.textContent(), /by bank-a$/, 'the history shows the lift and who lifted');
    t.equal(
      (
        await terminal(
          s,
          'purchase',
          '--type',
          'chip',
          '--card',
          card.pan,
          '--amount',
          '10.00',
          '--pin',
          '1234',
          '--terminal',
          'CLI00001',
        )
      ).code,
      0,
      'approved again',
    );
  });

  await t.test('a role that must not see a page gets no data', async (t) => {
    await page.goto(`${s.adminUrl}/#traffic`);
    await page
      .getByRole('status')
      .filter({ hasText: /refused: this route is for operators and terminal vendors/ })
      .waitFor();
    await terminal(s, 'echo', '--type', 'chip', '--terminal', 'CLI00001');
    t.equal(await page.locator('tbody tr').count(), 0, 'an issuer sees no traffic');
    await page.goto(`${s.adminUrl}/#terminals`);
    await page.getByRole('alert').filter({ hasText: 'this route is for operators and terminal vendors' }).waitFor();
    t.notMatch(await page.content(), 'CLI00001');
    await shot(page, '08-refused');
    await signIn(page, s, VENDOR);
    await page.goto(`${s.adminUrl}/#archive`);
    await page.getByRole('alert').filter({ hasText: 'this route is for issuers' }).waitFor();
    t.equal(await page.locator('tbody tr').count(), 0, 'a vendor sees no notices');
  });

  await t.test("a vendor's fault rules; an operator's clearing day", async (t) => {
    await page.goto(`${s.adminUrl}/#faults`);
    await page.getByLabel('Terminal (field 41)').fill('FAULT001');
    await page.getByLabel('Kind').selectOption('delay');
    await page.getByLabel('Delay (ms)').fill('250');
    await page.getByRole('button', { name: 'Set rule' }).click();
    const rule = page.locator('tbody tr').filter({ hasText: 'FAULT001' });
    await rule.waitFor();
    t.match(await rule.textContent(), /delay 250 ms/);
    t.equal((await s.sw.faults.list()).length, 1, 'the rule is set in the switch');
    await shot(page, '09-faults');
    await rule.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No fault rule is set.').waitFor();

    await signIn(page, s, OPERATOR_TOKEN);
    t.same(await page.getByRole('navigation', { name: 'pages' }).getByRole('link').allTextContents(), [
      'Live traffic',
      'Terminals',
      'Clearing',
      'Dispute cases',
    ]);
    const date = localDate(new Date(), s.config.register.timeZone);
    await s.sw.delivery.deliver(date, 1);
    await page.goto(`${s.adminUrl}/#clearing`);
    await page.getByLabel('Business date').fill(date);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText(`delivery-${date}-01.txt`).waitFor();
    await page.getByText('Not reconciled yet').waitFor();
    // The totals the file states, and its copy with every PAN masked.
    const file = readFileSync(join(s.config.clearing.directory, `delivery-${date}-01.txt`), 'latin1');
    const written = parseDelivery(file);
    const pans = [...new Set(written.sections.flatMap((x) => x.postings.map((p) => p.pan)))];
    t.ok(pans.length >= 2, 'the delivery holds postings of several cards');
    const row = page.locator('tr[data-delivery="1"]');
    const cells = await row.locator('td').allTextContents();
    t.same(cells.slice(3, 6), [
      String(written.trailer.count),
      kroner(written.trailer.debit),
      kroner(written.trailer.credit),
    ]);
    t.match(cells[6], /^208: \d+ postings, debit/);
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: 'Download (PANs masked)' }).click();
    const saved = await download;
    t.equal(saved.suggestedFilename(), `delivery-${date}-01-masked.txt`);
    let copy = '';
    for await (const chunk of await saved.createReadStream()) copy += (chunk as Buffer).toString('latin1');
    t.equal(copy.length, file.length, 'the same layout, record for record');
    t.same(
      pans.filter((p) => copy.includes(p)),
      [],
      'no full PAN in the copy',
    );
    t.same(
      pans.filter((p) => !copy.includes(maskPan(p))),
      [],
      'every PAN there masked',
    );
    await page.locator('tr[data-file="block-list-full.txt"]').waitFor();
    await shot(page, '10-clearing');
  });

  t.same(pageErrors, [], 'no script error on any page');
});
