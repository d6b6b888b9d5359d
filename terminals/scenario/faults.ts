/**
 * A step's fault rule (POST /faults, vendor token): set for the step's terminal just before its
 * action and removed right after, so it cannot touch another step.
 */
import { reasonOf } from './admin-client.js';
import type { RunContext, RunTerminal } from './context.js';
import type { FaultSpec, Step } from './steps.js';
import { StepFailure, concreteMti } from './values.js';

/**
 * Does `act` with the step's fault rule set, when it asks for one (parseScenario allows one only
 * on a terminal's step). The rule is removed after, whatever happened; a rule that never fired
 * is a failure of the step, added to `failures`.
 */
export async function withFault<T>(
  step: Step,
  t: RunTerminal | undefined,
  run: RunContext,
  failures: string[],
  act: () => Promise<T>,
): Promise<T> {
  if (step.fault === undefined || t === undefined) return act();
  const id = await installFault(step.fault, step, t, run);
  try {
    return await act();
  } finally {
    const left = await removeFault(id, run);
    if (left !== undefined) failures.push(left);
  }
}

/** Sets the fault rule for the step's terminal (and its card, when it has one); returns the rule's id. */
async function installFault(f: FaultSpec, step: Step, t: RunTerminal, run: RunContext): Promise<string> {
  const cardName = cardOf(step);
  const body: Record<string, unknown> = { terminal: t.id, kind: f.kind, times: f.times ?? 1 };
  if (cardName !== undefined) body.pan = run.card(cardName).pan;
  if (f.mti !== undefined) body.mti = concreteMti(f.mti, t.dialect);
  if (f.ms !== undefined) body.ms = f.ms;
  if (f.code !== undefined) body.code = f.code;
  if (f.script !== undefined) body.script = f.script;
  const answer = await run.admin.call('POST', '/faults', 'vendor', body);
  if (answer.status !== 201)
    throw new StepFailure(`fault rule not set: POST /faults: ${answer.status} ${reasonOf(answer)}`);
  return String(answer.body.id);
}

/** The card a purchase, refund, fuel sale or withdrawal is made with. */
function cardOf(step: Step): string | undefined {
  switch (step.action) {
    case 'purchase':
      return step.purchase.card;
    case 'refund':
      return step.refund.card;
    case 'fuel':
      return step.fuel.card;
    case 'withdraw':
      return step.withdraw.card;
    default:
      return undefined;
  }
}

/** Removes the rule if still there; a failure when it never fired. */
async function removeFault(id: string, run: RunContext): Promise<string | undefined> {
  const answer = await run.admin.call('DELETE', `/faults/${id}`, 'vendor');
  // 404: spent (it fired as often as it was set to).
  if (answer.status === 200 && answer.body.fired === 0) return 'the fault rule never fired (no request matched it)';
  return undefined;
}
