/**
 * Scenario files (docs/SCENARIOS.md): their shape, checked with the JSON Schema next to this file
 * (scenario.schema.json) and then for what a schema cannot say (names that must exist, variables
 * saved before they are used, actions a terminal kind cannot do). Every problem names the file
 * and the JSON path of the value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import type { Outcome as ActionOutcome } from '../../src/messages/action-codes.js';
import type { LengthHeader } from '../../src/transport/framing.js';
import type { TerminalKind } from '../index.js';

export type Dkk = string;
export type PinEntry = 'right' | 'wrong' | string;

export interface ScenarioTerminal {
  kind: TerminalKind;
  terminalId: string;
  dialect?: string;
  header?: LengthHeader;
  answerTimeoutMs?: number;
  pinKey?: string;
  merchant?: string;
  stan?: number;
}

export type CardStatus = 'active' | 'registered' | 'deleted' | 'notRegistered';
export type BlockReason = 'lost' | 'stolen' | 'fraud' | 'issuer';

export interface ScenarioCard {
  status?: CardStatus;
  balance?: Dkk;
  pin?: string;
  expiry?: string;
  product?: string;
  activationCode?: string;
  block?: BlockReason;
  blockStatement?: string;
  wrongPins?: number;
  contactless?: { payments: number; amount: Dkk };
}

export interface PurchaseAction {
  card: string;
  amount: Dkk;
  pin?: PinEntry;
  magstripe?: boolean;
  rejectSignature?: boolean;
  expiry?: string;
}
export interface RefundAction {
  card: string;
  amount: Dkk;
  pin?: PinEntry;
  expiry?: string;
}
export interface FuelAction {
  card: string;
  pin: PinEntry;
  maximum: Dkk;
  pumped: Dkk;
}
export interface RetransmitAction {
  step: string;
  request?: string;
  repeat?: boolean;
  set?: Record<string, string>;
}
export type AdminActionName = 'block' | 'unblock' | 'liftPinBlock' | 'activate' | 'delete' | 'setBalance';
export interface AdminAction {
  action: AdminActionName;
  card: string;
  reason?: BlockReason;
  statement?: string;
  balance?: Dkk;
}
export interface FaultSpec {
  kind: 'delay' | 'noAnswer' | 'close' | 'actionCode' | 'corrupt';
  mti?: string;
  ms?: number;
  code?: string;
  times?: number | 'always';
}

export interface PostingExpectation {
  type?: 'purchase' | 'cancellation' | 'reversal' | 'refund';
  amount?: Dkk;
  direction?: 'D' | 'C';
  txn?: string;
  reason?: string;
  card?: string;
}
export interface NoticeExpectation {
  type?: 'wrongPin' | 'pinBlocked' | 'blockRegistered' | 'monitoringBlock';
  card?: string;
  tries?: number;
}
export interface CardStateExpectation {
  status?: 'registered' | 'active' | 'deleted';
  block?: BlockReason | null;
  pinBlocked?: boolean;
  pinTries?: number;
  balance?: Dkk;
  reserved?: Dkk;
  available?: Dkk;
  contactlessCount?: number;
  contactlessSum?: Dkk;
}
export interface AnswerExpectation {
  to?: string;
  mti?: string;
  present?: number[];
  absent?: number[];
  fields?: Record<string, string>;
}
export interface Expectations {
  outcome?: ActionOutcome;
  actionCode?: string;
  approved?: boolean;
  timedOut?: boolean;
  reversalStored?: boolean;
  approvalCode?: string;
  pendingReversals?: number;
  exchanges?: string[];
  answer?: AnswerExpectation;
  postings?: PostingExpectation[];
  notices?: NoticeExpectation[];
  cardState?: Record<string, CardStateExpectation>;
  status?: number;
}

export type SavedValue = 'stan' | 'localTime' | 'txn' | 'approvalCode' | 'actionCode';

export interface Step {
  name: string;
  terminal?: string;
  purchase?: PurchaseAction;
  refund?: RefundAction;
  fuel?: FuelAction;
  signOn?: true;
  echo?: true;
  sendPendingReversals?: true;
  retransmit?: RetransmitAction;
  wait?: number;
  admin?: AdminAction;
  fault?: FaultSpec;
  expect?: Expectations;
  save?: Record<string, SavedValue>;
}

export interface Scenario {
  name: string;
  rule: string;
  source?: string;
  description?: string;
  terminals: Record<string, ScenarioTerminal>;
  cards?: Record<string, ScenarioCard>;
  setupTerminal?: { terminalId?: string; pinKey?: string };
  steps: Step[];
}

/** The actions a step can do; exactly one per step. */
export const ACTIONS = ['purchase', 'refund', 'fuel', 'signOn', 'echo', 'sendPendingReversals', 'retransmit', 'wait', 'admin'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Actions a terminal does (the others: wait, admin). */
export const TERMINAL_ACTIONS = new Set<ActionName>(['purchase', 'refund', 'fuel', 'signOn', 'echo', 'sendPendingReversals', 'retransmit']);
/** Actions that make a transaction (with a STAN, local time and transaction id). */
export const TRANSACTION_ACTIONS = new Set<ActionName>(['purchase', 'refund', 'fuel', 'retransmit']);

export function actionOf(step: Step): ActionName {
  return ACTIONS.find((a) => step[a] !== undefined)!;
}

/** A scenario file that cannot be run: every problem, each naming the file and the JSON path. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
  }
}

/** The repository root: the nearest directory above this module holding package.json (compiled or not). */
function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    /* c8 ignore next */
    if (dirname(dir) === dir) throw new Error(`no package.json above ${here}`);
  }
}

/** The schema stays in the source tree (the build does not copy it): read from there, compiled or not. */
export const SCHEMA_FILE = join(repositoryRoot(), 'terminals', 'scenario', 'scenario.schema.json');
export const SCENARIO_SCHEMA = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;

// verbose: each error carries the schema node it failed in (parentSchema), whose description says what the value must be.
const ajv = new Ajv({ allErrors: true, verbose: true });
const checkSchema = ajv.compile(SCENARIO_SCHEMA);

/** The scenario in `text` (the content of `file`), or a ScenarioError listing every problem. */
export function parseScenario(file: string, text: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (!checkSchema(value)) throw new ScenarioError(file, schemaProblems(checkSchema.errors ?? []));
  const scenario = value as Scenario;
  const problems = semanticProblems(scenario);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return scenario;
}

/** Reads and checks a scenario file. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, [`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return parseScenario(file, text);
}

function schemaProblems(errors: ErrorObject[]): string[] {
  const out: string[] = [];
  for (const e of errors) {
    // The branches of a oneOf / anyOf: the oneOf's or anyOf's own description says it better.
    if (/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue;
    const path = e.instancePath || '/';
    let problem: string;
    if (e.keyword === 'required') problem = `${e.instancePath}/${String(e.params.missingProperty)} is required`;
    else if (e.keyword === 'additionalProperties') problem = `${e.instancePath}/${String(e.params.additionalProperty)} is not allowed`;
    else if (e.keyword === 'propertyNames') continue; // the name's own error (pattern) follows with the description
    else if (e.propertyName !== undefined) problem = `${path}/${e.propertyName} (a name): ${descriptionOf(e)}`;
    else problem = `${path} ${descriptionOf(e)}`;
    if (!out.includes(problem)) out.push(problem);
  }
  return out;
}

/** The description of the schema node holding the failed keyword; every node that can fail has one (the schema test checks). */
function descriptionOf(e: ErrorObject): string {
  const d = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : `${e.message ?? 'is invalid'}`;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const STEP_VALUES = new Set(['stan', 'localTime', 'txn', 'approvalCode', 'actionCode']);

/** Every `${name}` in the strings of a value, with the JSON path of the string. */
function variablesIn(value: unknown, path: string, out: { name: string; path: string }[] = []): { name: string; path: string }[] {
  if (typeof value === 'string') for (const m of value.matchAll(VARIABLE)) out.push({ name: m[1]!, path });
  else if (Array.isArray(value)) value.forEach((v, i) => variablesIn(v, `${path}/${i}`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) variablesIn(v, `${path}/${k}`, out);
  return out;
}

/** "a wait step", "an echo step". */
const aStep = (action: string): string => `${/^[aeiou]/.test(action) ? 'an' : 'a'} ${action} step`;

/** What the schema cannot check: references, variables, and actions a terminal kind cannot do. */
function semanticProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const cards = s.cards ?? {};
  const terminalNames = Object.keys(s.terminals);
  const saved = new Set<string>();
  const stepNames = new Map<string, number>();
  const cardRef = (name: string | undefined, path: string): void => {
    if (name !== undefined && !Object.hasOwn(cards, name)) problems.push(`${path}: no card named ${JSON.stringify(name)} in /cards`);
  };
  for (const [name, c] of Object.entries(cards)) {
    const history = c.wrongPins !== undefined || c.contactless !== undefined;
    if (history && ((c.status ?? 'active') !== 'active' || c.block !== undefined)) {
      problems.push(`/cards/${name}: wrongPins and contactless are made with real transactions: the card must be active and not blocked`);
    }
    if (c.blockStatement !== undefined && c.block === undefined) problems.push(`/cards/${name}/blockStatement: only with block`);
    if (c.status === 'notRegistered' && Object.keys(c).some((k) => k !== 'status' && k !== 'pin' && k !== 'expiry')) {
      problems.push(`/cards/${name}: a card that is not registered has only status, pin and expiry`);
    }
  }
  s.steps.forEach((step, i) => {
    const at = `/steps/${i}`;
    const action = actionOf(step);
    if (stepNames.has(step.name)) problems.push(`${at}/name: ${JSON.stringify(step.name)} is the name of step ${stepNames.get(step.name)! + 1} too`);
    stepNames.set(step.name, i);
    // The terminal: named, or the only one.
    let terminal: ScenarioTerminal | undefined;
    if (TERMINAL_ACTIONS.has(action) && action !== 'retransmit') {
      if (step.terminal !== undefined) {
        terminal = s.terminals[step.terminal];
        if (terminal === undefined) problems.push(`${at}/terminal: no terminal named ${JSON.stringify(step.terminal)} in /terminals`);
      } else if (terminalNames.length === 1) terminal = s.terminals[terminalNames[0]!];
      else problems.push(`${at}/terminal is required: the scenario has ${terminalNames.length} terminals`);
    } else if (step.terminal !== undefined) {
      problems.push(`${at}/terminal: ${aStep(action)} ${action === 'retransmit' ? "uses its original's terminal" : 'uses no terminal'}`);
    }
    if (step.purchase !== undefined) cardRef(step.purchase.card, `${at}/purchase/card`);
    if (step.refund !== undefined) cardRef(step.refund.card, `${at}/refund/card`);
    if (step.fuel !== undefined) cardRef(step.fuel.card, `${at}/fuel/card`);
    if (step.admin !== undefined) {
      cardRef(step.admin.card, `${at}/admin/card`);
      if (cards[step.admin.card]?.status === 'notRegistered') problems.push(`${at}/admin/card: the card is not registered: the issuer API cannot reach it`);
      const a = step.admin;
      if ((a.action === 'block') !== (a.reason !== undefined)) problems.push(`${at}/admin/reason: ${a.action === 'block' ? 'is required to block' : 'only to block'}`);
      if (a.statement !== undefined && a.action !== 'block') problems.push(`${at}/admin/statement: only to block`);
      if ((a.action === 'setBalance') !== (a.balance !== undefined)) problems.push(`${at}/admin/balance: ${a.action === 'setBalance' ? 'is required by setBalance' : 'only with setBalance'}`);
    }
    if (terminal !== undefined) {
      if (action === 'fuel' && terminal.kind !== 'fuel') problems.push(`${at}/fuel: only a fuel terminal sells fuel (${step.terminal ?? terminalNames[0]} is ${terminal.kind})`);
      if ((action === 'purchase' || action === 'refund') && terminal.kind === 'fuel') problems.push(`${at}/${action}: a fuel pump only sells fuel`);
      if (step.purchase?.rejectSignature === true && (terminal.kind !== 'chip' || step.purchase.pin !== undefined)) {
        problems.push(`${at}/purchase/rejectSignature: only for a chip terminal's signature purchase (no PIN)`);
      }
    }
    if (step.retransmit !== undefined) {
      const original = stepNames.get(step.retransmit.step);
      if (original === undefined || original >= i) problems.push(`${at}/retransmit/step: no earlier step named ${JSON.stringify(step.retransmit.step)}`);
      else if (!TERMINAL_ACTIONS.has(actionOf(s.steps[original]!))) problems.push(`${at}/retransmit/step: step ${JSON.stringify(step.retransmit.step)} sent nothing`);
    }
    if (step.fault !== undefined) {
      const f = step.fault;
      if (!TERMINAL_ACTIONS.has(action)) problems.push(`${at}/fault: only before a terminal's action`);
      if ((f.kind === 'delay') !== (f.ms !== undefined)) problems.push(`${at}/fault/ms: ${f.kind === 'delay' ? 'is required by kind delay' : 'only with kind delay'}`);
      if ((f.kind === 'actionCode') !== (f.code !== undefined)) problems.push(`${at}/fault/code: ${f.kind === 'actionCode' ? 'is required by kind actionCode' : 'only with kind actionCode'}`);
    }
    const e = step.expect ?? {};
    const answerKeys = ['outcome', 'actionCode', 'approved', 'timedOut', 'reversalStored', 'approvalCode', 'exchanges', 'answer', 'pendingReversals'] as const;
    if (!TERMINAL_ACTIONS.has(action)) for (const k of answerKeys) if (e[k] !== undefined) problems.push(`${at}/expect/${k}: ${aStep(action)} sends nothing to the switch`);
    if (e.outcome !== undefined && e.actionCode !== undefined) problems.push(`${at}/expect: outcome or actionCode, not both`);
    if (e.status !== undefined && action !== 'admin') problems.push(`${at}/expect/status: only for admin steps`);
    e.postings?.forEach((p, j) => cardRef(p.card, `${at}/expect/postings/${j}/card`));
    e.notices?.forEach((n, j) => cardRef(n.card, `${at}/expect/notices/${j}/card`));
    for (const name of Object.keys(e.cardState ?? {})) {
      cardRef(name, `${at}/expect/cardState/${name}`);
      if (cards[name]?.status === 'notRegistered') problems.push(`${at}/expect/cardState/${name}: the card is not registered: it has no state`);
    }
    // Variables: saved by an earlier step; this.* (the step's own transaction) in its expectations only.
    const { expect, save, ...doing } = step;
    for (const v of variablesIn(doing, at)) if (!saved.has(v.name)) problems.push(`${v.path}: \${${v.name}} is not saved by an earlier step`);
    for (const v of variablesIn(expect, `${at}/expect`)) {
      const own = /^this\.(.+)$/.exec(v.name);
      if (own !== null) {
        if (!STEP_VALUES.has(own[1]!)) problems.push(`${v.path}: \${${v.name}}: this. is followed by one of ${[...STEP_VALUES].join(', ')}`);
        else if (!TRANSACTION_ACTIONS.has(action) && own[1] !== 'actionCode') problems.push(`${v.path}: \${${v.name}}: ${aStep(action)} makes no transaction`);
      } else if (!saved.has(v.name)) problems.push(`${v.path}: \${${v.name}} is not saved by an earlier step`);
    }
    for (const [name, what] of Object.entries(save ?? {})) {
      if (!TERMINAL_ACTIONS.has(action)) problems.push(`${at}/save/${name}: ${aStep(action)} has no ${what}`);
      else if (what !== 'actionCode' && !TRANSACTION_ACTIONS.has(action)) problems.push(`${at}/save/${name}: ${aStep(action)} makes no transaction (it has no ${what})`);
      saved.add(name);
    }
  });
  return problems;
}
