/**
 * What a scenario run has set up and seen, shared by its parts (setup, act, faults, activity,
 * check, describe): the admin API, this run's cards and terminals, and what each step observed.
 */
import type { Dialect } from '../../src/codec/index.js';
import type { LengthHeader } from '../../src/transport/framing.js';
import type { Clock } from '../../src/time/clock.js';
import type { Exchange, LinkTls, OfflineMode, Terminal } from '../index.js';
import { AdminClient } from './admin-client.js';
import type { RunOptions } from './runner.js';
import type { Scenario, ScenarioTerminal } from './scenario.js';
import type { TerminalStep } from './steps.js';
import { StepFailure } from './values.js';

/** A card of this run. */
export interface RunCard {
  name: string;
  pan: string;
  pin: string;
  /** The three check digits and the expiry, for remote purchases. */
  cvc: string;
  expiry: string;
  activationCode: string;
  /** Card id; absent for a card never registered. */
  id?: string;
  maskedPan: string;
}

/** A terminal's clock: the runner's, set off by `offsetMs` for a step that asks for it (purchase.clockOffsetMs). */
export class TerminalClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export interface RunTerminal {
  name: string;
  spec: ScenarioTerminal;
  /** Field 41 without padding, as postings and notices name it. */
  id: string;
  terminal: Terminal;
  host: string;
  port: number;
  header: LengthHeader;
  dialect: Dialect;
  timeoutMs: number;
  clock: TerminalClock;
  /** Its offline mode, when the scenario gives it one. */
  offline?: OfflineMode;
  /** TLS to the switch (RunOptions.tls): a retransmission's own connection uses it too. */
  tls?: LinkTls;
}

/** What a step observed. */
export interface Observed {
  terminal?: RunTerminal;
  exchanges: Exchange[];
  actionCode?: string;
  approvalCode?: string;
  approved?: boolean;
  timedOut?: boolean;
  reversalStored?: boolean;
  stan?: string;
  localTime?: string;
  txn?: string;
  pendingReversals?: number;
  /** Decided by the terminal's offline mode, and the advices it keeps. */
  offline?: boolean;
  pendingAdvices?: number;
  /** Admin and report steps: the HTTP status, the reason of a refusal, the answer's body, who answered. */
  status?: number;
  reason?: string;
  body?: Record<string, unknown>;
  api?: string;
  /** A report step: the block service's reference number. */
  reference?: string;
  /** A remote step that started a series: the series the switch named (the first's transaction id). */
  series?: string;
}

export class RunContext {
  readonly admin: AdminClient;
  readonly cards = new Map<string, RunCard>();
  readonly terminals = new Map<string, RunTerminal>();
  /** Terminals that made the cards' history (setup.ts): closed with the scenario's own. */
  readonly setupTerminals: Terminal[] = [];
  /** What each step that ran observed, by step name: a retransmission resends its original's request. */
  readonly observed = new Map<string, Observed>();
  /** The dialect of options.port. */
  readonly baseDialect: string;

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions,
  ) {
    this.admin = new AdminClient(options.admin, {
      issuer: options.issuerToken,
      vendor: options.vendorToken,
      blockService: options.blockServiceToken,
    });
    this.baseDialect = options.dialect ?? 'iso93ascii';
  }

  /** A card of the scenario by name: parseScenario has checked that every card a step names exists. */
  card(name: string): RunCard {
    return this.cards.get(name)!;
  }

  /** The name of this run's card with that id, for failures that show another card's activity. */
  cardNameOf(id: string): string {
    return [...this.cards.values()].find((c) => c.id === id)?.name ?? 'another card';
  }

  /** The step's terminal: named, or the only one; a retransmission's is its original's. */
  terminalOf(step: TerminalStep): RunTerminal {
    if (step.action === 'retransmit') {
      const t = this.observed.get(step.retransmit.step)?.terminal;
      if (t === undefined)
        throw new StepFailure(`step ${JSON.stringify(step.retransmit.step)} did not run: nothing to retransmit`);
      return t;
    }
    return step.terminal === undefined ? [...this.terminals.values()][0]! : this.terminals.get(step.terminal)!;
  }

  async close(): Promise<void> {
    for (const t of [...this.terminals.values()].map((r) => r.terminal).concat(this.setupTerminals)) await t.close();
  }
}
