/**
 * What the schema cannot check in a scenario: names that must exist (cards, terminals, earlier
 * steps), variables saved before they are used, and what an action or a terminal kind cannot do.
 * Each problem names the JSON path of the value. A step's problems come in a fixed order: name,
 * terminal, action, fault, expectations, variables, saved values.
 */
import { OFFLINE_KINDS } from '../offline.js';
import type { Scenario, ScenarioCard, ScenarioTerminal } from './scenario.js';
import { ore } from './values.js';
import {
  type ActionName,
  type Expectations,
  type Step,
  type StepOf,
  hasOwnTerminal,
  makesTransaction,
  usesTerminal,
} from './steps.js';

/**
 * The problems of a scenario that passed the schema. `named` is the terminal each step names in
 * the file: a step whose action uses no terminal of its own has none in the union.
 */
export function semanticProblems(s: Scenario, named: readonly (string | undefined)[]): string[] {
  const checks = new Checks(s);
  checks.checkCards();
  checks.checkTerminals();
  s.steps.forEach((step, i) => checks.checkStep(step, i, named[i]));
  return checks.problems;
}

/** A step's own terminal, found by its name or as the scenario's only one. */
interface NamedTerminal {
  name: string;
  spec: ScenarioTerminal;
}

/** What an action's rules are given besides the step. */
interface StepAt {
  checks: Checks;
  /** The step's JSON path, /steps/i. */
  at: string;
  index: number;
  terminal: NamedTerminal | undefined;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const STEP_VALUES = new Set(['stan', 'localTime', 'txn', 'approvalCode', 'actionCode', 'reference']);
/** Expectations about the switch's answer: a step that sends nothing cannot have them. */
const ANSWER_KEYS = [
  'outcome',
  'actionCode',
  'approved',
  'timedOut',
  'reversalStored',
  'approvalCode',
  'exchanges',
  'answer',
  'pendingReversals',
  'offline',
  'pendingAdvices',
] as const;

/** "a wait step", "an echo step". */
const aStep = (action: string): string => `${/^[aeiou]/.test(action) ? 'an' : 'a'} ${action} step`;

/** Every `${name}` in the strings of a value, with the JSON path of the string. */
function variablesIn(
  value: unknown,
  path: string,
  out: { name: string; path: string }[] = [],
): { name: string; path: string }[] {
  if (typeof value === 'string') for (const m of value.matchAll(VARIABLE)) out.push({ name: m[1]!, path });
  else if (Array.isArray(value)) value.forEach((v, i) => variablesIn(v, `${path}/${i}`, out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) variablesIn(v, `${path}/${k}`, out);
  return out;
}

class Checks {
  readonly problems: string[] = [];
  private readonly cardSpecs: Record<string, ScenarioCard>;
  /** Each step name so far, with the index of the last step of that name. */
  private readonly stepNames = new Map<string, number>();
  /** Variables saved by the steps so far. */
  private readonly saved = new Set<string>();

  constructor(private readonly s: Scenario) {
    this.cardSpecs = s.cards ?? {};
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  cardRef(name: string | undefined, path: string): void {
    if (name !== undefined && !Object.hasOwn(this.cardSpecs, name))
      this.problem(`${path}: no card named ${JSON.stringify(name)} in /cards`);
  }

  cardSpec(name: string): ScenarioCard | undefined {
    return this.cardSpecs[name];
  }

  /** The earlier step of that name, if there is one. */
  earlierStep(name: string, index: number): Step | undefined {
    const i = this.stepNames.get(name);
    return i === undefined || i >= index ? undefined : this.s.steps[i];
  }

  checkCards(): void {
    for (const [name, c] of Object.entries(this.cardSpecs)) {
      const history = c.wrongPins !== undefined || c.contactless !== undefined;
      if (history && ((c.status ?? 'active') !== 'active' || c.block !== undefined)) {
        this.problem(
          `/cards/${name}: wrongPins and contactless are made with real transactions: the card must be active and not blocked`,
        );
      }
      if (c.blockStatement !== undefined && c.block === undefined)
        this.problem(`/cards/${name}/blockStatement: only with block`);
      if (c.status === 'notRegistered' && Object.keys(c).some((k) => k !== 'status' && k !== 'pin' && k !== 'expiry')) {
        this.problem(`/cards/${name}: a card that is not registered has only status, pin and expiry`);
      }
    }
  }

  /** Only a fuel pump (or, later, a ticket machine) has an offline mode. */
  checkTerminals(): void {
    for (const [name, t] of Object.entries(this.s.terminals))
      if (t.offline !== undefined && !OFFLINE_KINDS.includes(t.kind))
        this.problem(`/terminals/${name}/offline: only a ${OFFLINE_KINDS.join(' or ')} terminal has an offline mode`);
  }

  checkStep(step: Step, index: number, named: string | undefined): void {
    const at = `/steps/${index}`;
    const earlier = this.stepNames.get(step.name);
    if (earlier !== undefined)
      this.problem(`${at}/name: ${JSON.stringify(step.name)} is the name of step ${earlier + 1} too`);
    this.stepNames.set(step.name, index);
    const terminal = this.terminal(step.action, named, at);
    actionRules(step, { checks: this, at, index, terminal });
    this.fault(step, at);
    this.expectations(step, step.expect ?? {}, at);
    this.variables(step, at);
    this.saves(step, at);
  }

  /** The step's own terminal: the one named, or the only one. A step without one of its own names none. */
  private terminal(action: ActionName, named: string | undefined, at: string): NamedTerminal | undefined {
    if (!hasOwnTerminal(action)) {
      if (named !== undefined)
        this.problem(
          `${at}/terminal: ${aStep(action)} ${action === 'retransmit' ? "uses its original's terminal" : 'uses no terminal'}`,
        );
      return undefined;
    }
    const names = Object.keys(this.s.terminals);
    const name = named ?? (names.length === 1 ? names[0]! : undefined);
    if (name === undefined) {
      this.problem(`${at}/terminal is required: the scenario has ${names.length} terminals`);
      return undefined;
    }
    const spec = this.s.terminals[name];
    if (spec === undefined) this.problem(`${at}/terminal: no terminal named ${JSON.stringify(name)} in /terminals`);
    return spec === undefined ? undefined : { name, spec };
  }

  private fault(step: Step, at: string): void {
    const f = step.fault;
    if (f === undefined) return;
    if (!usesTerminal(step)) this.problem(`${at}/fault: only before a terminal's action`);
    if ((f.kind === 'delay') !== (f.ms !== undefined))
      this.problem(`${at}/fault/ms: ${f.kind === 'delay' ? 'is required by kind delay' : 'only with kind delay'}`);
    if ((f.kind === 'actionCode') !== (f.code !== undefined))
      this.problem(
        `${at}/fault/code: ${f.kind === 'actionCode' ? 'is required by kind actionCode' : 'only with kind actionCode'}`,
      );
    if ((f.kind === 'script') !== (f.script !== undefined))
      this.problem(
        `${at}/fault/script: ${f.kind === 'script' ? 'is required by kind script' : 'only with kind script'}`,
      );
  }

  private expectations(step: Step, e: Expectations, at: string): void {
    if (!usesTerminal(step))
      for (const k of ANSWER_KEYS)
        if (e[k] !== undefined) this.problem(`${at}/expect/${k}: ${aStep(step.action)} sends nothing to the switch`);
    if (e.outcome !== undefined && e.actionCode !== undefined)
      this.problem(`${at}/expect: outcome or actionCode, not both`);
    const api = step.action === 'admin' || step.action === 'report';
    if (e.status !== undefined && !api) this.problem(`${at}/expect/status: only for admin and report steps`);
    if (e.body !== undefined && !api) this.problem(`${at}/expect/body: only for admin and report steps`);
    e.postings?.forEach((p, j) => this.cardRef(p.card, `${at}/expect/postings/${j}/card`));
    e.notices?.forEach((n, j) => this.cardRef(n.card, `${at}/expect/notices/${j}/card`));
    for (const name of Object.keys(e.cardState ?? {})) {
      this.cardRef(name, `${at}/expect/cardState/${name}`);
      if (this.cardSpec(name)?.status === 'notRegistered')
        this.problem(`${at}/expect/cardState/${name}: the card is not registered: it has no state`);
    }
  }

  /** Variables: saved by an earlier step; this.* (the step's own transaction) in its expectations only. */
  private variables(step: Step, at: string): void {
    const { expect, save: _, ...doing } = step;
    for (const v of variablesIn(doing, at))
      if (!this.saved.has(v.name)) this.problem(`${v.path}: \${${v.name}} is not saved by an earlier step`);
    for (const v of variablesIn(expect, `${at}/expect`)) {
      const own = /^this\.(.+)$/.exec(v.name);
      if (own === null) {
        if (!this.saved.has(v.name)) this.problem(`${v.path}: \${${v.name}} is not saved by an earlier step`);
      } else if (!STEP_VALUES.has(own[1]!))
        this.problem(`${v.path}: \${${v.name}}: this. is followed by one of ${[...STEP_VALUES].join(', ')}`);
      else if (own[1] === 'reference') {
        if (step.action !== 'report') this.problem(`${v.path}: \${${v.name}}: only a report step has a reference`);
      } else if (!makesTransaction(step.action) && own[1] !== 'actionCode')
        this.problem(`${v.path}: \${${v.name}}: ${aStep(step.action)} makes no transaction`);
    }
  }

  private saves(step: Step, at: string): void {
    for (const [name, what] of Object.entries(step.save ?? {})) {
      if (what === 'reference') {
        if (step.action !== 'report')
          this.problem(`${at}/save/${name}: ${aStep(step.action)} has no reference (a report step has)`);
      } else if (what === 'series') {
        if (step.action !== 'remote' || step.remote.startSeries !== true)
          this.problem(`${at}/save/${name}: only a remote step that starts a series has one`);
      } else if (!usesTerminal(step)) this.problem(`${at}/save/${name}: ${aStep(step.action)} has no ${what}`);
      else if (what !== 'actionCode' && !makesTransaction(step.action))
        this.problem(`${at}/save/${name}: ${aStep(step.action)} makes no transaction (it has no ${what})`);
      this.saved.add(name);
    }
  }
}

// --- the rules of each action ------------------------------------------------------------------

/**
 * Purchases and refunds are sold at a counter: a fuel pump sells only fuel; a ticket machine
 * sells from the chip without a PIN (it has no PIN pad) and makes no refunds; an ATM only pays
 * out cash.
 */
function notAtPump(action: 'purchase' | 'refund', x: StepAt, pinOrStripe: boolean): void {
  if (x.terminal?.spec.kind === 'fuel') x.checks.problem(`${x.at}/${action}: a fuel pump only sells fuel`);
  if (x.terminal?.spec.kind === 'ticket' && (action === 'refund' || pinOrStripe))
    x.checks.problem(`${x.at}/${action}: a ticket machine sells from the chip without a PIN, and makes no refunds`);
  if (x.terminal?.spec.kind === 'gateway')
    x.checks.problem(`${x.at}/${action}: a gateway sells by remote purchase (the remote action)`);
  if (x.terminal?.spec.kind === 'atm') x.checks.problem(`${x.at}/${action}: an ATM only pays out cash (withdraw)`);
}

const noRules = (): void => {};

/** Fetching the block list and uploading advices need a terminal with an offline mode. */
function offlineTerminal(action: 'fetchBlockList' | 'uploadAdvices', x: StepAt): void {
  if (x.terminal !== undefined && x.terminal.spec.offline === undefined)
    x.checks.problem(
      `${x.at}/${action}: ${x.terminal.name} has no offline mode (/terminals/${x.terminal.name}/offline)`,
    );
}

// A mapped type over every action: the compiler asks for a new action's rules here.
const RULES: { [A in ActionName]: (step: StepOf<A>, x: StepAt) => void } = {
  purchase: ({ purchase: p }, x) => {
    x.checks.cardRef(p.card, `${x.at}/purchase/card`);
    notAtPump('purchase', x, p.pin !== undefined || p.magstripe === true);
    if (
      p.rejectSignature === true &&
      x.terminal !== undefined &&
      (x.terminal.spec.kind !== 'chip' || p.pin !== undefined)
    ) {
      x.checks.problem(`${x.at}/purchase/rejectSignature: only for a chip terminal's signature purchase (no PIN)`);
    }
  },
  remote: ({ remote: r }, x) => {
    x.checks.cardRef(r.card, `${x.at}/remote/card`);
    if (x.terminal !== undefined && x.terminal.spec.kind !== 'gateway')
      x.checks.problem(
        `${x.at}/remote: only a gateway makes remote purchases (${x.terminal.name} is ${x.terminal.spec.kind})`,
      );
    if (r.series !== undefined && r.startSeries === true)
      x.checks.problem(`${x.at}/remote/series: a payment starts a series or belongs to one, not both`);
    if (r.capture !== undefined && r.dual !== true) x.checks.problem(`${x.at}/remote/capture: only with dual`);
  },
  refund: ({ refund }, x) => {
    x.checks.cardRef(refund.card, `${x.at}/refund/card`);
    notAtPump('refund', x, true);
  },
  fuel: ({ fuel }, x) => {
    x.checks.cardRef(fuel.card, `${x.at}/fuel/card`);
    if (x.terminal !== undefined && x.terminal.spec.kind !== 'fuel')
      x.checks.problem(`${x.at}/fuel: only a fuel terminal sells fuel (${x.terminal.name} is ${x.terminal.spec.kind})`);
  },
  withdraw: ({ withdraw: w }, x) => {
    x.checks.cardRef(w.card, `${x.at}/withdraw/card`);
    if (x.terminal !== undefined && x.terminal.spec.kind !== 'atm')
      x.checks.problem(`${x.at}/withdraw: only an ATM pays out cash (${x.terminal.name} is ${x.terminal.spec.kind})`);
    if (w.dispensed !== undefined && ore(w.dispensed) > ore(w.amount))
      x.checks.problem(`${x.at}/withdraw/dispensed: more than the amount`);
  },
  signOn: noRules,
  echo: noRules,
  sendPendingReversals: noRules,
  fetchBlockList: (_, x) => offlineTerminal('fetchBlockList', x),
  uploadAdvices: (_, x) => offlineTerminal('uploadAdvices', x),
  retransmit: ({ retransmit: r }, x) => {
    const original = x.checks.earlierStep(r.step, x.index);
    if (original === undefined)
      x.checks.problem(`${x.at}/retransmit/step: no earlier step named ${JSON.stringify(r.step)}`);
    else if (!usesTerminal(original))
      x.checks.problem(`${x.at}/retransmit/step: step ${JSON.stringify(r.step)} sent nothing`);
  },
  wait: noRules,
  admin: ({ admin: a }, x) => {
    x.checks.cardRef(a.card, `${x.at}/admin/card`);
    if (x.checks.cardSpec(a.card)?.status === 'notRegistered')
      x.checks.problem(`${x.at}/admin/card: the card is not registered: the issuer API cannot reach it`);
    if ((a.action === 'block') !== (a.reason !== undefined))
      x.checks.problem(`${x.at}/admin/reason: ${a.action === 'block' ? 'is required to block' : 'only to block'}`);
    if (a.statement !== undefined && a.action !== 'block') x.checks.problem(`${x.at}/admin/statement: only to block`);
    if ((a.action === 'setBalance') !== (a.balance !== undefined))
      x.checks.problem(
        `${x.at}/admin/balance: ${a.action === 'setBalance' ? 'is required by setBalance' : 'only with setBalance'}`,
      );
  },
  // A card never registered may be reported too: the block service finds no card (404).
  report: ({ report: r }, x) => x.checks.cardRef(r.card, `${x.at}/report/card`),
};

function actionRules<A extends ActionName>(step: StepOf<A>, x: StepAt): void {
  RULES[step.action](step, x);
}
