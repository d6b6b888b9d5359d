/**
 * Scenario files (docs/SCENARIOS.md): their shape, checked with the JSON Schema next to this file
 * (scenario.schema.json) and then for what a schema cannot say (semantics.ts: names that must
 * exist, variables saved before they are used, actions a terminal kind cannot do). Every problem
 * names the file and the JSON path of the value. A parsed scenario's steps are the union of
 * steps.ts, one variant per action.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import type { LengthHeader } from '../../src/transport/framing.js';
import type { TerminalKind } from '../index.js';
import { semanticProblems } from './semantics.js';
import { type BlockReason, type Dkk, type Step, type StepFile, stepOf } from './steps.js';

export type * from './steps.js';

export interface ScenarioTerminal {
  kind: TerminalKind;
  terminalId: string;
  dialect?: string;
  header?: LengthHeader;
  answerTimeoutMs?: number;
  pinKey?: string;
  merchant?: string;
  stan?: number;
  /** Its offline mode (terminals/offline.ts): sales up to the floor limit decided by the terminal. */
  offline?: { floorLimit: Dkk };
}

export type CardStatus = 'active' | 'registered' | 'deleted' | 'notRegistered';

export interface ScenarioCard {
  status?: CardStatus;
  balance?: Dkk;
  pin?: string;
  /** Registered with the card (POST /cards `cvc`); default DEFAULT_CVC. */
  cvc?: string;
  expiry?: string;
  product?: string;
  activationCode?: string;
  block?: BlockReason;
  blockStatement?: string;
  wrongPins?: number;
  contactless?: { payments: number; amount: Dkk };
}

/** What a card has where the file says nothing (docs/SCENARIOS.md, Cards). */
export const DEFAULT_PIN = '1234';
export const DEFAULT_BALANCE = '10000.00';
export const DEFAULT_EXPIRY = '3012';
export const DEFAULT_CVC = '123';

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

/** A scenario as its file has it: each step names its action by the one key it has. */
export type ScenarioFile = Omit<Scenario, 'steps'> & { steps: StepFile[] };

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
  const json = value as ScenarioFile;
  const scenario: Scenario = { ...json, steps: json.steps.map(stepOf) };
  // A step that names a terminal its action does not use loses it in the union: the problem is found from the file's.
  const problems = semanticProblems(
    scenario,
    json.steps.map((st) => st.terminal),
  );
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
    else if (e.keyword === 'additionalProperties')
      problem = `${e.instancePath}/${String(e.params.additionalProperty)} is not allowed`;
    else if (e.keyword === 'propertyNames')
      continue; // the name's own error (pattern) follows with the description
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
