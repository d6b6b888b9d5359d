/**
 * The conformance view of a terminal, for terminal vendors' testers (token role vendor): what the
 * switch expected of the terminal and what it did, from the terminal's trace window and the fault
 * notes in it (src/faults/conformance.ts; docs/ADMIN-API.md).
 */
import type { Dialect } from '../codec/index.js';
import type { TerminalTrace } from '../trace/terminal-trace.js';
import type { TerminalKeys } from '../crypto/terminal-keys.js';
import { DEFAULT_ANSWER_TIMEOUT_MS, conformance } from '../faults/conformance.js';
import { isOldTerminal } from '../authorization/steps/reverse-lost-answer.js';
import { MAX_DELAY_MS } from '../faults/rule.js';
import { terminalIdParam } from './api.js';
import { type Problem, invalid, shownKey } from './schemas.js';
import type { AdminRoute } from './server.js';

/** What the conformance view reads: the terminals' traces, each listener's dialect, which terminals are old ones. */
export interface TrafficView {
  trace: TerminalTrace;
  dialectOf(listener: string): Dialect;
  terminalKeys: TerminalKeys;
}

export function conformanceRoutes(sw: TrafficView): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/terminals/:id/conformance',
      access: ['vendor'],
      query: true,
      handle: ({ id }, req) => {
        const terminal = terminalIdParam(id);
        const timeoutMs = timeoutOf(new URL(req.url!, 'http://admin').searchParams);
        if (!sw.trace.has(terminal)) return { status: 404, body: { error: `no trace for terminal ${terminal}` } };
        const { entries, dropped, capacity } = sw.trace.window(terminal);
        const report = conformance({
          terminal,
          entries,
          dropped,
          capacity,
          dialectOf: (l) => sw.dialectOf(l),
          oldTerminal: isOldTerminal(sw.terminalKeys, terminal),
          timeoutMs,
        });
        return { status: 200, body: report };
      },
    },
  ];
}

/** ?timeoutMs: the terminal's answer timeout (a delayed answer at least this late counts as lost); the only parameter. */
function timeoutOf(params: URLSearchParams): number {
  const problems: Problem[] = [];
  const values = params.getAll('timeoutMs');
  for (const key of new Set(params.keys()))
    if (key !== 'timeoutMs') problems.push({ path: `/${shownKey(key)}`, message: 'is not allowed' });
  if (values.length > 1) problems.push({ path: '/timeoutMs', message: 'must be given once' });
  else if (values.length === 1 && !(/^[1-9][0-9]{0,5}$/.test(values[0]!) && Number(values[0]) <= MAX_DELAY_MS)) {
    problems.push({ path: '/timeoutMs', message: `must be a whole number of milliseconds from 1 to ${MAX_DELAY_MS}` });
  }
  if (problems.length > 0) throw invalid('query', problems);
  return values.length === 1 ? Number(values[0]) : DEFAULT_ANSWER_TIMEOUT_MS;
}
