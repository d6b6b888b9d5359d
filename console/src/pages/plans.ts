/**
 * Guided test plans (docs/CONSOLE.md, "Guided test plans"): the tester picks a plan and the
 * terminal id, does each case on the real terminal, and the page checks the terminal's messages
 * as they arrive (src/certification/check-case.ts). A case passes when every check passes, fails
 * at the first failed check, and when the tester finishes it, fails on whatever was not seen. The
 * case's fault rules are set when it starts and removed when it ends. The report is HTML or JUnit XML.
 */
import { del, post } from '../api.js';
import { download, fill, field, h, message } from '../dom.js';
import type { Page } from '../page.js';
import { type TrafficEvent, onTraffic } from '../traffic-stream.js';
import { TEST_PLANS } from '../../../src/certification/plans.js';
import type { CaseFault, TestCase, TestPlan } from '../../../src/certification/test-plan.js';
import { type CaseResult, checkCase } from '../../../src/certification/check-case.js';
import { type PlanRun, htmlReport, junitReport, summary } from '../../../src/certification/report.js';
import { terminalsSeen } from './terminals.js';

type Result = PlanRun['results'][string];

interface Running {
  testCase: TestCase;
  events: TrafficEvent[];
  rules: string[];
  startedAt: string;
}

/** A plan's "x200" is 0200 and 1200: a rule for each (the terminal sends one of them); the other is removed unfired. */
export function faultRules(fault: CaseFault, terminal: string): Record<string, unknown>[] {
  const mtis = fault.mti?.startsWith('x') ? ['0', '1'].map((v) => v + fault.mti!.slice(1)) : [fault.mti];
  return mtis.map((mti) => {
    const rule: Record<string, unknown> = { ...fault, terminal };
    if (mti === undefined) delete rule.mti;
    else rule.mti = mti;
    return rule;
  });
}

export const plansPage: Page = {
  id: 'plans',
  title: 'Test plans',
  roles: ['vendor'],
  render(root) {
    const planSelect = h(
      'select',
      { name: 'plan' },
      TEST_PLANS.map((p) => h('option', { value: p.id }, `${p.title} (${p.cases.length} cases)`)),
    );
    const terminal = h('input', { name: 'terminal', maxlength: '8', list: 'seen-terminals', required: true });
    const seen = h('datalist', { id: 'seen-terminals' });
    terminalsSeen().then(
      (ts) =>
        fill(
          seen,
          ts.map((t) => h('option', { value: t.terminal })),
        ),
      () => undefined,
    );
    const out = h('div');
    let stopRun: (() => void) | undefined;
    const begin = (e: Event) => {
      e.preventDefault();
      stopRun?.();
      const plan = TEST_PLANS.find((p) => p.id === planSelect.value)!;
      stopRun = runPlan(out, plan, terminal.value.trim());
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: begin },
        field('Plan', planSelect),
        field('Terminal id (field 41)', terminal, 'the terminal under test'),
        seen,
        h('button', { type: 'submit' }, 'Start plan'),
      ),
      out,
    );
    return () => stopRun?.();
  },
};

function runPlan(out: HTMLElement, plan: TestPlan, terminal: string): () => void {
  const run: PlanRun = { plan, terminal, results: {}, at: '' };
  let running: Running | undefined;
  const note = h('div', { 'aria-live': 'polite' });
  const summaryLine = h('p', { class: 'summary', role: 'status' });
  const list = h('ol', { class: 'cases' });

  const end = async (result: CaseResult) => {
    const r = running!;
    running = undefined;
    run.results[r.testCase.id] = { ...result, startedAt: r.startedAt, finishedAt: new Date().toISOString() };
    // A one-shot rule that fired is gone already (404): nothing to undo.
    await Promise.allSettled(r.rules.map((id) => del(`/faults/${encodeURIComponent(id)}`)));
    draw();
  };
  const evaluate = (finished: boolean) => {
    if (running === undefined) return;
    const result = checkCase(running.testCase, running.events, finished);
    run.results[running.testCase.id] = { ...result, startedAt: running.startedAt };
    if (result.status !== 'running') void end(result);
    else draw();
  };
  const start = async (testCase: TestCase) => {
    fill(note);
    const rules: string[] = [];
    try {
      for (const fault of testCase.faults)
        for (const rule of faultRules(fault, terminal))
          rules.push(((await post('/faults', rule)) as { id: string }).id);
    } catch (e) {
      await Promise.allSettled(rules.map((id) => del(`/faults/${encodeURIComponent(id)}`)));
      fill(note, message(`The case's fault rules could not be set: ${(e as Error).message}`));
      return;
    }
    running = { testCase, events: [], rules, startedAt: new Date().toISOString() };
    evaluate(false);
  };
  const stop = onTraffic((e) => {
    if (running === undefined || e.terminal !== terminal) return;
    running.events.push(e);
    evaluate(false);
  });

  const draw = () => {
    const s = summary(run);
    fill(
      list,
      plan.cases.map((c) =>
        caseItem(c, run.results[c.id], running?.testCase === c, running !== undefined, {
          start: () => void start(c),
          finish: () => evaluate(true),
        }),
      ),
    );
    const stamp = () => ({ ...run, at: new Date().toISOString() });
    fill(
      summaryLine,
      `${s.passed} passed, ${s.failed} failed, ${s.notDone} not done`,
      h(
        'button',
        { type: 'button', onclick: () => download(`${plan.id}-${terminal}.html`, 'text/html', htmlReport(stamp())) },
        'Download report (HTML)',
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => download(`${plan.id}-${terminal}.xml`, 'application/xml', junitReport(stamp())),
        },
        'Download JUnit XML',
      ),
    );
  };
  fill(out, h('h2', {}, `${plan.title}: terminal ${terminal}`), h('p', {}, plan.description), summaryLine, note, list);
  draw();
  return () => {
    stop();
    if (running !== undefined) void end(checkCase(running.testCase, running.events, true));
  };
}

function caseItem(
  c: TestCase,
  result: Result | undefined,
  isRunning: boolean,
  busy: boolean,
  act: { start: () => void; finish: () => void },
): HTMLElement {
  const status = isRunning ? 'running' : result === undefined ? 'not done' : result.status;
  return h(
    'li',
    { class: `case ${status.replace(' ', '-')}`, 'data-case': c.id },
    h('h3', {}, c.title, ' ', h('span', { class: `badge ${status.replace(' ', '-')}` }, status)),
    h('p', {}, h('strong', {}, 'Card: '), c.card),
    h('p', {}, c.instructions),
    c.faults.length > 0
      ? h(
          'p',
          {},
          h('strong', {}, 'The switch applies: '),
          c.faults.map((f) => `${f.kind}${f.mti ? ` on ${f.mti}` : ''}`).join(', '),
        )
      : null,
    isRunning
      ? h('button', { type: 'button', onclick: act.finish }, 'Finish case')
      : h('button', { type: 'button', onclick: act.start, disabled: busy }, result ? 'Run again' : 'Start case'),
    result
      ? h(
          'ul',
          { class: 'checks' },
          result.checks.map((k) => h('li', { class: k.status }, `${k.check}: ${k.status} — ${k.detail}`)),
        )
      : null,
  );
}
