/**
 * The report of a guided test plan's run: an HTML page to keep (self-contained, no script) and
 * JUnit XML for a CI system (one testsuite per plan, one testcase per case; a failed case has a
 * <failure> with its reasons, a case not done is <skipped>).
 */
import type { CaseResult } from './check-case.js';
import type { TestPlan } from './test-plan.js';

export interface PlanRun {
  plan: TestPlan;
  terminal: string;
  /** By case id; a case not done has none. */
  results: Record<string, CaseResult & { startedAt: string; finishedAt?: string }>;
  /** When the report was made (ISO time). */
  at: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function summary(run: PlanRun): { passed: number; failed: number; notDone: number } {
  const statuses = run.plan.cases.map((c) => run.results[c.id]?.status);
  return {
    passed: statuses.filter((s) => s === 'pass').length,
    failed: statuses.filter((s) => s === 'fail').length,
    notDone: statuses.filter((s) => s === undefined || s === 'running').length,
  };
}

export function htmlReport(run: PlanRun): string {
  const e = escapeMarkup;
  const { passed, failed, notDone } = summary(run);
  const rows = run.plan.cases.map((c) => {
    const r = run.results[c.id];
    const status = r?.status === 'running' || r === undefined ? 'not done' : r.status;
    const details = (r?.checks ?? []).map((k) => `<li>${e(k.check)}: ${e(k.status)} — ${e(k.detail)}</li>`).join('');
    return `<tr><td>${e(c.title)}</td><td class="${e(status.replace(' ', '-'))}">${e(status)}</td><td><ul>${details}</ul></td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(run.plan.title)}: terminal ${e(run.terminal)}</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}.pass{color:#060}.fail{color:#a00}.not-done{color:#666}</style>
</head><body>
<h1>${e(run.plan.title)}</h1>
<p>Terminal <b>${e(run.terminal)}</b>, report made ${e(run.at)}: ${passed} passed, ${failed} failed, ${notDone} not done.</p>
<table><thead><tr><th>Case</th><th>Result</th><th>Checks</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}

export function junitReport(run: PlanRun): string {
  const e = escapeMarkup;
  const { failed, notDone } = summary(run);
  const cases = run.plan.cases.map((c) => {
    const r = run.results[c.id];
    const seconds = r?.finishedAt === undefined ? 0 : (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    const open = `  <testcase classname="${e(run.plan.id)}.${e(run.terminal)}" name="${e(c.title)}" time="${seconds}">`;
    if (r === undefined || r.status === 'running') return `${open}<skipped message="not done"/></testcase>`;
    if (r.status === 'pass') return `${open}</testcase>`;
    const reasons = r.checks.filter((k) => k.status === 'fail').map((k) => `${k.check}: ${k.detail}`);
    return `${open}<failure message="${e(reasons[0] ?? 'failed')}">${e(reasons.join('\n'))}</failure></testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="${e(run.plan.title)}" tests="${run.plan.cases.length}" failures="${failed}" skipped="${notDone}" timestamp="${e(run.at)}">
${cases.join('\n')}
</testsuite>
`;
}
