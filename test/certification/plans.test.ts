/**
 * The shipped test plans are sound data (every outcome an action code of the table, every check
 * one the checker has, MTIs a fault rule takes), and the reports say what happened.
 */
import t from 'tap';
import { ACTION_CODES } from '../../src/messages/action-codes.js';
import { TEST_PLANS } from '../../src/certification/plans.js';
import { patternsOf } from '../../src/certification/test-plan.js';
import { checkCase } from '../../src/certification/check-case.js';
import { type PlanRun, escapeMarkup, htmlReport, junitReport, summary } from '../../src/certification/report.js';

const CHECKS = ['fieldsFormatted', 'uniqueStans', 'signedOn', 'lostAnswerReversed', 'reversalRepeated'];

t.test('a plan for each terminal kind the issue names, each sound', async (t) => {
  t.same(
    TEST_PLANS.map((p) => p.kind),
    ['psam', 'dkt1', 'contactless', 'fuel'],
  );
  for (const plan of TEST_PLANS) {
    const ids = plan.cases.map((c) => c.id);
    t.equal(new Set(ids).size, ids.length, `${plan.id}: case ids unique`);
    for (const c of plan.cases) {
      t.ok(
        c.exchanges.length > 0 && c.instructions.length > 20 && /^50\d{14}\b/.test(c.card),
        `${plan.id}/${c.id}: what to do, with which card`,
      );
      for (const e of c.exchanges) {
        t.ok(
          e.outcome === undefined || Object.hasOwn(ACTION_CODES, e.outcome),
          `${plan.id}/${c.id}: ${e.outcome} is an outcome`,
        );
        for (const p of patternsOf(e)) t.match(p, /^(x|[01])\d{2}[01]$/, `${plan.id}/${c.id}: ${p} is an MTI pattern`);
      }
      for (const k of c.checks) t.ok(CHECKS.includes(k), `${plan.id}/${c.id}: check ${k}`);
      for (const f of c.faults)
        t.match(f.mti ?? 'x200', /^(x|[01])\d{2}0$/, `${plan.id}/${c.id}: a fault on a request MTI`);
      t.equal(checkCase(c, []).status, 'running', `${plan.id}/${c.id}: waits for the terminal`);
    }
  }
});

t.test('the reports: HTML escaped, JUnit counts and reasons', async (t) => {
  const plan = TEST_PLANS[0]!;
  const [a, b] = plan.cases;
  const run: PlanRun = {
    plan,
    terminal: 'T<1>',
    at: '2026-11-21T10:00:00.000Z',
    results: {
      [a!.id]: {
        status: 'pass',
        checks: [{ check: 'exchanges', status: 'pass', detail: 'ok' }],
        startedAt: '2026-11-21T09:59:00.000Z',
        finishedAt: '2026-11-21T09:59:30.000Z',
      },
      [b!.id]: {
        status: 'fail',
        checks: [{ check: 'exchanges', status: 'fail', detail: 'answered "000" & <not> 117' }],
        startedAt: '2026-11-21T09:59:40.000Z',
      },
    },
  };
  t.same(summary(run), { passed: 1, failed: 1, notDone: plan.cases.length - 2 });
  const html = htmlReport(run);
  t.match(html, 'Terminal <b>T&lt;1&gt;</b>');
  t.match(html, 'answered &quot;000&quot; &amp; &lt;not&gt; 117');
  t.notMatch(html, '<script');
  const xml = junitReport(run);
  t.match(xml, `tests="${plan.cases.length}" failures="1" skipped="${plan.cases.length - 2}"`);
  t.match(xml, `name="${escapeMarkup(a!.title)}" time="30"></testcase>`);
  t.match(xml, '<failure message="exchanges: answered &quot;000&quot; &amp; &lt;not&gt; 117">');
  t.match(xml, '<skipped message="not done"/>');
});
