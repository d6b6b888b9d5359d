/**
 * Every scenario shipped in scenarios/ runs against a real switch and passes every step: the
 * scenarios double as integration tests of the rules they show (docs/SCENARIOS.md). Once on the
 * 1993 listener, once on the 1987 one (terminals that name iso93ascii still use the 1993 one).
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../terminals/scenario/runner.js';
import { textReport } from '../../terminals/scenario/report.js';
import { runOptions, startScenarioSwitch } from './fixtures/switch.js';

const DIR = 'scenarios';
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

t.test('the shipped scenarios: one per rule a terminal can observe (docs/SCENARIOS.md lists them)', async (t) => {
  t.same(FILES, [
    'activation.json',
    'approval-and-balance.json',
    'atm-dispense-fault.json',
    'atm-partial-dispense.json',
    'atm-withdrawal-and-fee.json',
    'atm-withdrawal-limits.json',
    'balance-spent-once.json',
    'block-reasons.json',
    'blocks-take-effect-at-once.json',
    'card-status-at-purchase.json',
    'card-statuses.json',
    'chip-reversal-no-answer.json',
    'contactless-chip-and-pin.json',
    'contactless-cumulative.json',
    'contactless-limit.json',
    'dkt1-lost-answer.json',
    'foreign-currency.json',
    'internet-authentication-required.json',
    'offline-blocked-at-purchase.json',
    'pin-block-lifted-by-issuer.json',
    'pin-reset.json',
    'pin-three-strikes.json',
    'refund.json',
    'remote-card-checks.json',
    'report-on-blocked-card.json',
    'retransmission.json',
    'signature-rejected.json',
    'single-and-dual-message.json',
    'subscription-blocked.json',
    'unattended-limit.json',
  ]);
  const doc = readFileSync('docs/SCENARIOS.md', 'utf8');
  for (const f of FILES) t.ok(doc.includes(`scenarios/${f}`), `docs/SCENARIOS.md lists ${f}`);
});

for (const [listener, dialect, other] of [
  ['iso93', 'iso93ascii', { iso87ascii: 'iso87' }],
  ['iso87', 'iso87ascii', { iso93ascii: 'iso93' }],
] as const) {
  t.test(`every shipped scenario passes against a real switch (${dialect} listener)`, async (t) => {
    const s = await startScenarioSwitch(t);
    const listeners = Object.fromEntries(Object.entries(other).map(([d, l]) => [d, s.port(l)]));
    for (const f of FILES) {
      const r = await runScenario(join(DIR, f), runOptions(s, { port: s.port(listener), dialect, listeners }));
      t.equal(r.setupError, undefined, `${f}: set up`);
      t.ok(r.steps.length > 0, `${f}: has steps`);
      t.ok(r.passed, `${f}: every step passed`, r.passed ? {} : { diagnostic: true, report: textReport(r) });
      for (const step of r.steps) t.same(step.failures, [], `${f}: ${step.index}. ${step.name}`);
    }
  });
}
