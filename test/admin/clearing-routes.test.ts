/**
 * A day's clearing for the console's clearing page (operators): the deliveries sealed for the
 * date with their files and postings, and the day's reconciliation once its report is written.
 * Real switch, Redis, HTTP and delivery files.
 */
import t from 'tap';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_TOKEN, type TestSwitch, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard } from '../support/cards.js';
import { findClearPans, testCardPrefixes } from '../support/pan-scan.js';
import { call, newPan } from './fixtures/client.js';
import { localDate } from '../../src/time/local-time.js';
import { maskPan } from '../../src/codec/mask.js';
import { fieldOf } from '../../src/files/fixed-width.js';
import { LAYOUTS, RECORD_LENGTH } from '../../src/clearing/delivery-file.js';

t.test("the day's deliveries and reconciliation", async (t) => {
  const s = await startSwitch(t, {
    admin: {
      host: '127.0.0.1',
      port: 0,
      tokens: { 'test-token-bank-a-clearing': { role: 'issuer', issuer: 'bank-a' } },
    },
  });
  const date = localDate(new Date(), s.config.register.timeZone);
  const day = (token = OPERATOR_TOKEN) => call(s, 'GET', `/clearing/days/${date}`, { token });
  t.same((await day()).body, { date, deliveries: [], reconciliation: null }, 'nothing delivered yet');

  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal((await term.send(purchase93()))[39], '000');
  await s.sw.delivery.deliver(date, 1);
  const r = await day();
  t.equal(r.status, 200);
  t.same(r.body.deliveries, [
    {
      number: 1,
      cutoff: r.body.deliveries[0].cutoff,
      file: `delivery-${date}-01.txt`,
      postings: 1,
      totals: {
        sections: 1,
        count: 1,
        debit: 12500,
        credit: 0,
        currencies: [{ currency: '208', count: 1, debit: 12500, credit: 0, dkkDebit: 12500, dkkCredit: 0 }],
      },
    },
  ]);
  t.match(r.body.deliveries[0].cutoff, /^\d\d:\d\d$/);

  const report = { date, clean: true, differences: [] };
  writeFileSync(join(s.config.clearing.directory, `reconciliation-${date}.json`), JSON.stringify(report));
  t.same((await day()).body.reconciliation, report, 'the report as written');

  t.equal((await day('test-token-bank-a-clearing')).status, 403, 'for operators only');
  for (const bad of ['2026-13-01', '21-11-2026', 'today', '2026-11-21x']) {
    const res = await call(s, 'GET', `/clearing/days/${bad}`, { token: OPERATOR_TOKEN });
    t.same([res.status, res.body.problems], [400, [{ path: '/date', message: 'must be a date, YYYY-MM-DD' }]], bad);
  }
});

/** The PAN prefixes of the test cards used here, for the clear-PAN scan. */
const PANS = testCardPrefixes(['5019000000000016', newPan('501912')]);

/** Which of the PANs the text holds: in a delivery record a PAN follows the currency's digits, so a scan for digit runs would miss it. */
const held = (text: string, pans: string[]) => pans.filter((p) => text.includes(p));

/** A masked copy as downloaded: status, headers, and the text as the bytes decode in Latin-1. */
async function download(s: TestSwitch, path: string, token = OPERATOR_TOKEN) {
  const res = await fetch(`${s.adminUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
  return { status: res.status, headers: res.headers, text };
}

t.test("each delivery's totals, and a copy of its file with every PAN masked", async (t) => {
  const s = await startSwitch(t);
  const date = localDate(new Date(), s.config.register.timeZone);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal((await term.send(purchase93()))[39], '000');
  t.equal((await term.send(purchase93({ 2: card.pan, 4: '000000004000', 11: '000002' })))[39], '000');
  t.equal(
    (await term.send({ ...purchase93({ 3: '200000', 2: card.pan, 4: '000000001000', 11: '000003' }) }))[39],
    '000',
  );
  const { file } = (await s.sw.delivery.deliver(date, 1))[0]!;
  const original = readFileSync(join(s.config.clearing.directory, file), 'latin1');
  t.same(held(original, ['5019000000000016', card.pan]), ['5019000000000016', card.pan], 'the file holds full PANs');

  const day = await call(s, 'GET', `/clearing/days/${date}`, { token: OPERATOR_TOKEN });
  t.same(day.body.deliveries[0].totals, {
    sections: 1,
    count: 3,
    debit: 12500 + 4000,
    credit: 1000,
    currencies: [{ currency: '208', count: 3, debit: 16500, credit: 1000, dkkDebit: 16500, dkkCredit: 1000 }],
  });
  t.same(findClearPans(day.text, PANS), [], 'no clear PAN in the day');

  const copy = await download(s, `/clearing/deliveries/${file}/masked`);
  t.equal(copy.status, 200);
  t.equal(copy.headers.get('content-type'), 'text/plain; charset=iso-8859-1');
  t.equal(copy.headers.get('content-disposition'), `attachment; filename="${file.replace('.txt', '-masked.txt')}"`);
  t.equal(copy.headers.get('cache-control'), 'no-store');
  t.same(held(copy.text, ['5019000000000016', card.pan]), [], 'no clear PAN in the copy');
  // Record for record the same, but for the pan column of the posting records (columns 95-113).
  const [was, is] = [original.split('\n'), copy.text.split('\n')];
  t.equal(is.length, was.length);
  const pan = fieldOf(LAYOUTS.PO, 'pan');
  const cut = (line: string) => line.slice(0, pan.start - 1) + line.slice(pan.start - 1 + pan.width);
  t.same(is.map(cut), was.map(cut), 'every other column as written');
  const masked = is.filter((l) => l.startsWith('PO')).map((l) => l.slice(pan.start - 1, pan.start - 1 + pan.width));
  t.same(masked.sort(), [maskPan(card.pan), maskPan(card.pan), '501900******0016'].map((p) => p.padEnd(19)).sort());
  t.ok(
    is.every((l) => l === '' || l.length === RECORD_LENGTH),
    `every record ${RECORD_LENGTH} characters`,
  );

  const damaged = join(s.config.clearing.directory, file);
  writeFileSync(damaged, original.slice(0, (RECORD_LENGTH + 1) * 3), 'latin1');
  const shown = (await call(s, 'GET', `/clearing/days/${date}`, { token: OPERATOR_TOKEN })).body.deliveries[0];
  t.same(
    [shown.totals, shown.problem],
    [
      null,
      'the delivery file does not follow the layout: line 4: the file ends where a posting record or a currency total or a section trailer belongs: it is truncated',
    ],
  );
  const refused = await call(s, 'GET', `/clearing/deliveries/${file}/masked`, { token: OPERATOR_TOKEN });
  t.equal(refused.status, 500, 'a damaged file is not masked by guesswork');
  t.match(refused.body, { error: /^the delivery file does not follow the layout: line 4/ });
  rmSync(damaged);
  t.match((await call(s, 'GET', `/clearing/days/${date}`, { token: OPERATOR_TOKEN })).body.deliveries[0], {
    totals: null,
    problem: 'the file is not in the clearing directory',
  });
  t.equal((await call(s, 'GET', `/clearing/deliveries/${file}/masked`, { token: OPERATOR_TOKEN })).status, 404);
});

t.test('a delivery copy is read only under a name the ledger recorded: no path climbs out', async (t) => {
  const s = await startSwitch(t, {
    admin: { host: '127.0.0.1', port: 0, tokens: { 'test-token-offline-clearing': { role: 'offlineTerminals' } } },
  });
  const date = localDate(new Date(), s.config.register.timeZone);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal((await term.send(purchase93()))[39], '000');
  const { file } = (await s.sw.delivery.deliver(date, 1))[0]!;
  const dir = s.config.clearing.directory;
  // A file of a delivery's name that the ledger never recorded, and one outside the directory.
  const text = readFileSync(join(dir, file), 'latin1');
  writeFileSync(join(dir, `delivery-${date}-02.txt`), text, 'latin1');
  writeFileSync(join(dir, '..', `delivery-${date}-01.txt`), text, 'latin1');
  for (const name of [
    `delivery-${date}-02.txt`,
    `delivery-${date}-00.txt`,
    `delivery-2026-02-30-01.txt`,
    `..%2Fdelivery-${date}-01.txt`,
    `..%2F..%2F..%2Fetc%2Fpasswd`,
    `%2E%2E%2F${file}`,
    `${file}%00`,
    `reconciliation-${date}.json`,
    file.replace('.txt', '.TXT'),
  ]) {
    const res = await call(s, 'GET', `/clearing/deliveries/${name}/masked`, { token: OPERATOR_TOKEN });
    t.equal(res.status, 404, name);
    t.same(findClearPans(res.text, PANS), [], 'nothing of a file');
  }
  t.equal((await call(s, 'GET', `/clearing/deliveries/..%2F${file}/masked`, { token: OPERATOR_TOKEN })).status, 404);
  t.equal((await call(s, 'GET', `/clearing/deliveries/${file}/masked`, { token: OPERATOR_TOKEN })).status, 200);
  const offline = await call(s, 'GET', `/clearing/deliveries/${file}/masked`, { token: 'test-token-offline-clearing' });
  t.equal(offline.status, 403, "not even the fetch service's token: for operators only");
});

t.test("the offline block list's files: listed, and copies with every PAN masked", async (t) => {
  const s = await startSwitch(t);
  const list = () => call(s, 'GET', '/offline-block-list/files', { token: OPERATOR_TOKEN });
  t.same((await list()).body, {
    files: [],
    total: 0,
    full: { file: 'block-list-full.txt', date: null, kind: 'full', cards: 0 },
  });
  const empty = await download(s, '/offline-block-list/files/block-list-full.txt/masked');
  t.equal(empty.status, 200, 'the full list before any daily file');
  t.equal(empty.headers.get('content-disposition'), 'attachment; filename="block-list-full-masked.txt"');
  t.match(empty.text, /^HBLOCKLIST01FULL /);

  const [lost, stolen] = [await addCard(s.sw), await addCard(s.sw)];
  for (const [c, reason] of [
    [lost, 'lost'],
    [stolen, 'stolen'],
  ] as const)
    t.ok((await s.sw.register.block('bank-a', c.id, reason, new Date())).ok);
  const date = localDate(new Date(), s.config.register.timeZone);
  t.match(await s.sw.blockList.makeDaily(date), { added: 2, removed: 0 });
  const original = readFileSync(join(s.config.clearing.blockList.directory, `block-list-${date}.txt`), 'latin1');
  t.same(findClearPans(original, PANS).sort(), [lost.pan, stolen.pan].sort(), 'the file holds full PANs');

  const listed = await list();
  t.match(listed.body, {
    files: [{ file: `block-list-${date}.txt`, date, kind: 'daily', cards: 2, added: 2, removed: 0, madeAt: String }],
    total: 1,
    full: { file: 'block-list-full.txt', date, kind: 'full', cards: 2 },
  });
  t.equal(listed.body.files.length, 1);

  const daily = await download(s, `/offline-block-list/files/block-list-${date}.txt/masked`);
  t.equal(daily.status, 200);
  t.equal(daily.headers.get('content-disposition'), `attachment; filename="block-list-${date}-masked.txt"`);
  t.same(findClearPans(daily.text, PANS), [], 'no clear PAN in the copy');
  const mask = (text: string) =>
    text.replace(
      /^([AR])(\d{6})(\d+)(\d{4})/gm,
      (_, type: string, a, mid: string, b) => `${type}${a}${'*'.repeat(mid.length)}${b}`,
    );
  t.equal(daily.text, mask(original), 'the same records, the PANs masked');
  t.match(daily.text, new RegExp(`^A${maskPan(lost.pan).replaceAll('*', '\\*')} +lost`, 'm'));

  const full = await download(s, '/offline-block-list/files/block-list-full.txt/masked');
  t.equal(full.headers.get('content-disposition'), `attachment; filename="block-list-full-${date}-masked.txt"`);
  t.same(findClearPans(full.text, PANS), []);
  t.equal(full.text.split('\n').filter((l) => l.startsWith('A')).length, 2);

  // A damaged file (a PAN with a letter in it) is refused, not masked by guesswork.
  const path = join(s.config.clearing.blockList.directory, `block-list-${date}.txt`);
  writeFileSync(path, original.replace(lost.pan, `${lost.pan.slice(0, 8)}X${lost.pan.slice(9)}`), 'latin1');
  const damaged = await call(s, 'GET', `/offline-block-list/files/block-list-${date}.txt/masked`, {
    token: OPERATOR_TOKEN,
  });
  t.match(
    [damaged.status, damaged.body.error],
    [500, /^the block list file does not follow the layout: line \d, field pan/],
  );
  t.same(held(damaged.text, [stolen.pan, lost.pan.slice(9)]), [], 'no PAN, nor any part after the damage');
  writeFileSync(path, original, 'latin1');

  writeFileSync(join(s.config.clearing.blockList.directory, 'block-list-2026-01-01.txt'), original, 'latin1');
  for (const name of [
    'block-list-2026-01-01.txt',
    `..%2Fblock-list-${date}.txt`,
    `block-list-${date}.txt%2F..`,
    'block-list-full',
    `block-list-${date}`,
    `block-list-${date.replaceAll('-', '')}.txt`,
  ]) {
    const res = await call(s, 'GET', `/offline-block-list/files/${name}/masked`, { token: OPERATOR_TOKEN });
    t.equal(res.status, 404, name);
    t.same(findClearPans(res.text, PANS), []);
  }
});
