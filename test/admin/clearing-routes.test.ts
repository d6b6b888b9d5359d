/**
 * A day's clearing for the console's clearing page (operators): the deliveries sealed for the
 * date with their files and postings, and the day's reconciliation once its report is written.
 * Real switch, Redis, HTTP and delivery files.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_TOKEN, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { call } from './fixtures/client.js';
import { localDate } from '../../src/time/local-time.js';

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
    { number: 1, cutoff: r.body.deliveries[0].cutoff, file: `delivery-${date}-01.txt`, postings: 1 },
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
