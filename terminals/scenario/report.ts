/**
 * Scenario results as text (a pass/fail line per step, the reasons and exchanges of a failed
 * one, masked PANs only) and as JUnit XML (a testsuite per scenario, a testcase per step).
 */
import type { ScenarioResult, StepResult } from './runner.js';

const indent = (text: string, by: string): string => text.replace(/^(?=.)/gm, by);

/** One scenario, readable. */
export function textReport(r: ScenarioResult): string {
  const lines = [
    `Scenario: ${r.name}`,
    `  file:  ${r.file}`,
    `  rule:  ${JSON.stringify(r.rule)}${r.source === undefined ? '' : ` (${r.source})`}`,
  ];
  for (const c of r.cards) lines.push(`  card:  ${c}`);
  if (r.setupError !== undefined) {
    lines.push(`  SETUP FAILED: ${r.setupError}`, '  no step was run', '');
    return lines.join('\n');
  }
  for (const s of r.steps) lines.push(stepLines(s));
  const failed = r.steps.filter((s) => !s.passed).length;
  lines.push(
    `  ${failed === 0 ? 'PASSED' : 'FAILED'}: ${r.steps.length - failed} of ${r.steps.length} steps passed (${(r.durationMs / 1000).toFixed(1)} s)`,
    '',
  );
  return lines.join('\n');
}

function stepLines(s: StepResult): string {
  const lines = [`  ${s.passed ? 'PASS' : 'FAIL'}  ${s.index}. ${s.name}`, `          ${s.did}`];
  if (s.got !== '') lines.push(`          -> ${s.got}`);
  if (!s.passed) {
    for (const f of s.failures) lines.push(`          x ${f}`);
    if (s.exchanges.length > 0)
      lines.push('          exchanges:', ...s.exchanges.map((e) => indent(e, '            ')));
  }
  return lines.join('\n');
}

/** The closing line over every scenario run. */
export function summary(results: ScenarioResult[]): string {
  const steps = results.flatMap((r) => r.steps);
  const failedSteps = steps.filter((s) => !s.passed).length;
  const setup = results.filter((r) => r.setupError !== undefined).length;
  const failed = results.filter((r) => !r.passed).length;
  return `${results.length} scenario${results.length === 1 ? '' : 's'}: ${results.length - failed} passed, ${failed} failed; ${steps.length} steps: ${steps.length - failedSteps} passed, ${failedSteps} failed${setup > 0 ? `; ${setup} could not be set up` : ''}`;
}

/** Text as XML character data or attribute value: escaped, and without the characters XML 1.0 cannot hold. */
export function xmlText(text: string): string {
  return (
    text
      // The characters XML 1.0 allows, by code point: tab, line feed and carriage return among them.
      // eslint-disable-next-line no-control-regex
      .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit XML: a testsuite per scenario, a testcase per step (failures with their reasons); a setup that failed is one testcase in error. */
export function junitXml(results: ScenarioResult[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const r of results) {
    const cases: string[] = [];
    let suiteFailures = 0;
    let suiteErrors = 0;
    if (r.setupError !== undefined) {
      suiteErrors = 1;
      cases.push(
        `    <testcase name="setup" classname="${xmlText(r.name)}" time="${seconds(r.durationMs)}">\n      <error message="${xmlText(r.setupError)}" type="setup">${xmlText(r.setupError)}</error>\n    </testcase>`,
      );
    }
    for (const s of r.steps) {
      const head = `    <testcase name="${xmlText(`${s.index}. ${s.name}`)}" classname="${xmlText(r.name)}" time="${seconds(s.durationMs)}"`;
      if (s.passed) {
        cases.push(`${head}/>`);
        continue;
      }
      suiteFailures++;
      const detail = [
        s.did,
        ...(s.got === '' ? [] : [`-> ${s.got}`]),
        ...s.failures.map((f) => `x ${f}`),
        ...s.exchanges,
      ].join('\n');
      cases.push(
        `${head}>\n      <failure message="${xmlText(s.failures.join('; '))}" type="expectation">${xmlText(detail)}</failure>\n    </testcase>`,
      );
    }
    const count = cases.length;
    tests += count;
    failures += suiteFailures;
    errors += suiteErrors;
    time += r.durationMs;
    suites.push(
      `  <testsuite name="${xmlText(r.name)}" tests="${count}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0" time="${seconds(r.durationMs)}" timestamp="${r.startedAt.toISOString().slice(0, 19)}" file="${xmlText(r.file)}">\n` +
        `    <properties>\n      <property name="rule" value="${xmlText(r.rule)}"/>${r.source === undefined ? '' : `\n      <property name="source" value="${xmlText(r.source)}"/>`}\n    </properties>\n` +
        (cases.length > 0 ? `${cases.join('\n')}\n` : '') +
        '  </testsuite>',
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="scenarios" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(time)}">\n${suites.map((s) => `${s}\n`).join('')}</testsuites>\n`;
}
