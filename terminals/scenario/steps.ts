/**
 * A scenario's steps: what each action is given, what a step may expect and save, and the step
 * itself as a union with one variant per action, told apart by `action`.
 *
 * In the file a step names its action by the one key it has (`"purchase": {…}`, `"echo": true`);
 * stepOf() adds `action` and keeps that key, so a variant's value sits at the same JSON path as in
 * the file (`/steps/3/purchase/card`) and problems and variables keep naming the file's paths.
 */
import type { Outcome as ActionOutcome } from '../../src/messages/action-codes.js';

export type Dkk = string;
export type PinEntry = 'right' | 'wrong' | string;
/** src/card/block-history.ts BLOCK_REASONS (the scenario runner is a client: it does not import the switch). */
export type BlockReason = 'lost' | 'stolen' | 'pinKnown' | 'misused' | 'copied' | 'suspected' | 'fraud' | 'issuer';
/** The reasons a cardholder gives the block service (src/admin/schemas.ts HOLDER_REASONS). */
export type HolderReason = 'lost' | 'stolen' | 'pinKnown' | 'misused' | 'copied' | 'suspected';

export interface PurchaseAction {
  card: string;
  amount: Dkk;
  pin?: PinEntry;
  magstripe?: boolean;
  rejectSignature?: boolean;
  expiry?: string;
  /** ISO 4217 numeric (field 49); `amount` is then in that currency, two decimals. */
  currency?: string;
  /** The terminal's clock set this many ms off for the purchase (fields 7, 12): -2000 is 2 s behind. */
  clockOffsetMs?: number;
}
/** A gateway's remote purchase (terminals/gateway.ts): the card's face checked, or a series' later payment. */
export interface RemoteAction {
  card: string;
  amount: Dkk;
  /** Default internet. */
  channel?: 'internet' | 'mailOrder' | 'phoneOrder';
  /** Field 14: default the card's expiry; 'none' sends none. */
  expiry?: string;
  /** 'right' (default) the card's CVC, 'wrong' another, 'none' none sent, or 3 digits. */
  cvc?: string;
  /** Internet: the 3-D Secure or MitID result; none sent when absent. */
  authentication?: 'threeDs' | 'mitId' | 'attempted' | 'notAuthenticated';
  /** The first payment of a series: save its `series`. */
  startSeries?: boolean;
  /** A merchant's later payment of this series (a ${variable}): no CVC, no expiry. */
  series?: string;
  /** 1100 and its 1220 capture (of `capture`, default the amount) instead of a 1200. */
  dual?: boolean;
  capture?: Dkk;
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
/** An ATM's cash withdrawal (terminals/atm.ts): the PIN always; what the dispenser pays out. */
export interface WithdrawAction {
  card: string;
  amount: Dkk;
  pin: PinEntry;
  /** ISO 4217 numeric (field 49); `amount` is then in that currency, two decimals. */
  currency?: string;
  /** Field 19, the ATM's country (ISO 3166 numeric). */
  country?: string;
  /** What the dispenser pays out after an approval: default all; "0.00" a dispense fault; less a partial dispense. */
  dispensed?: Dkk;
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
/** A cardholder's report at the block service (POST /block-reports), found by the card's number. */
export interface ReportAction {
  card: string;
  reason: HolderReason;
  statement?: string;
  /** When the holder called, ISO 8601 with an offset; default when the switch takes the report. */
  reportedAt?: string;
}
export interface FaultSpec {
  kind: 'delay' | 'noAnswer' | 'close' | 'actionCode' | 'corrupt' | 'badArpc' | 'dropMac' | 'script';
  mti?: string;
  ms?: number;
  code?: string;
  /** kind script: issuer script templates in hex (docs/PROTOCOL.md §7.1). */
  script?: string;
  times?: number | 'always';
}

export interface PostingExpectation {
  type?: 'purchase' | 'cancellation' | 'reversal' | 'refund' | 'withdrawal' | 'fee';
  amount?: Dkk;
  direction?: 'D' | 'C';
  txn?: string;
  reason?: string;
  card?: string;
  /** The amount as the terminal sent it (in originalCurrency, two decimals). */
  originalAmount?: Dkk;
  originalCurrency?: string;
  /** The card's status at the purchase time: active, deleted or blocked:<reason>. */
  cardStatus?: string;
  /** How the holder approved (src/journal/posting.ts Verification): 'none' at an unattended machine without PIN. */
  verification?: string;
  /** Remote purchases (docs/CLEARING.md): the channel, the holder's authentication, who started it, its series. */
  channel?: 'attended' | 'unattended' | 'atm' | 'internet' | 'mailOrder' | 'phoneOrder';
  authentication?: 'threeDs' | 'mitId' | 'attempted' | 'notAuthenticated' | 'none' | '';
  initiatedBy?: 'holder' | 'merchant';
  series?: string;
  /** Approved by the switch (online) or by the terminal (offline). */
  authorization?: 'online' | 'offline';
}
export type NoticeType =
  | 'wrongPin'
  | 'pinBlocked'
  | 'blockRegistered'
  | 'monitoringBlock'
  | 'reportOnBlockedCard'
  | 'blockLifted'
  | 'cardDeleted'
  | 'offlineOnBlockedCard'
  | 'cryptogramFailure';
export interface NoticeExpectation {
  type?: NoticeType;
  card?: string;
  tries?: number;
  /** The reason the notice carries: the block's, or the one the holder gave in a report. */
  reason?: BlockReason;
  /** The block service's reference number (a report's notice, the lift of a reported block). */
  reference?: string;
}
export interface CardStateExpectation {
  status?: 'registered' | 'active' | 'deleted';
  block?: BlockReason | null;
  pinBlocked?: boolean;
  pinTries?: number;
  balance?: Dkk;
  reserved?: Dkk;
  unbooked?: Dkk;
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
/** What an admin or block service answer's JSON body holds; names may be dotted paths (`block.reason`). */
export interface BodyExpectation {
  present?: string[];
  absent?: string[];
  fields?: Record<string, string | number | boolean | null>;
}
export interface Expectations {
  outcome?: ActionOutcome;
  actionCode?: string;
  approved?: boolean;
  /** Decided by the terminal itself (its offline mode), without asking the switch. */
  offline?: boolean;
  timedOut?: boolean;
  reversalStored?: boolean;
  approvalCode?: string;
  pendingReversals?: number;
  /** Offline advices the terminal keeps, not yet answered. */
  pendingAdvices?: number;
  exchanges?: string[];
  answer?: AnswerExpectation;
  postings?: PostingExpectation[];
  notices?: NoticeExpectation[];
  cardState?: Record<string, CardStateExpectation>;
  status?: number;
  body?: BodyExpectation;
}

export type SavedValue = 'stan' | 'localTime' | 'txn' | 'approvalCode' | 'actionCode' | 'reference' | 'series';

/** What every step has, whatever its action. */
interface StepBase {
  name: string;
  fault?: FaultSpec;
  expect?: Expectations;
  save?: Record<string, SavedValue>;
}

/** A step one of the scenario's terminals does: the one it names, or the only one. */
interface OwnTerminal extends StepBase {
  terminal?: string;
}

export interface PurchaseStep extends OwnTerminal {
  action: 'purchase';
  purchase: PurchaseAction;
}
export interface RemoteStep extends OwnTerminal {
  action: 'remote';
  remote: RemoteAction;
}
export interface RefundStep extends OwnTerminal {
  action: 'refund';
  refund: RefundAction;
}
export interface FuelStep extends OwnTerminal {
  action: 'fuel';
  fuel: FuelAction;
}
export interface WithdrawStep extends OwnTerminal {
  action: 'withdraw';
  withdraw: WithdrawAction;
}
export interface SignOnStep extends OwnTerminal {
  action: 'signOn';
  signOn: true;
}
export interface EchoStep extends OwnTerminal {
  action: 'echo';
  echo: true;
}
export interface SendPendingReversalsStep extends OwnTerminal {
  action: 'sendPendingReversals';
  sendPendingReversals: true;
}
/** A terminal with an offline mode fetches the offline block list files it has not had. */
export interface FetchBlockListStep extends OwnTerminal {
  action: 'fetchBlockList';
  fetchBlockList: true;
}
/** A terminal with an offline mode sends its stored advices now. */
export interface UploadAdvicesStep extends OwnTerminal {
  action: 'uploadAdvices';
  uploadAdvices: true;
}
/** Done on its original's terminal, so it names none. */
export interface RetransmitStep extends StepBase {
  action: 'retransmit';
  retransmit: RetransmitAction;
}
export interface WaitStep extends StepBase {
  action: 'wait';
  /** Milliseconds. */
  wait: number;
}
/** A call to the issuer API: no terminal. */
export interface AdminStep extends StepBase {
  action: 'admin';
  admin: AdminAction;
}
/** A cardholder's report to the block service: no terminal. */
export interface ReportStep extends StepBase {
  action: 'report';
  report: ReportAction;
}

export type Step =
  | PurchaseStep
  | RemoteStep
  | RefundStep
  | FuelStep
  | WithdrawStep
  | SignOnStep
  | EchoStep
  | SendPendingReversalsStep
  | FetchBlockListStep
  | UploadAdvicesStep
  | RetransmitStep
  | WaitStep
  | AdminStep
  | ReportStep;
export type ActionName = Step['action'];
export type StepOf<A extends ActionName> = Extract<Step, { action: A }>;

/** Steps that send to the switch, from a terminal of their own or (a retransmission) their original's. */
export type TerminalStep =
  | PurchaseStep
  | RemoteStep
  | RefundStep
  | FuelStep
  | WithdrawStep
  | SignOnStep
  | EchoStep
  | SendPendingReversalsStep
  | FetchBlockListStep
  | UploadAdvicesStep
  | RetransmitStep;
export type TerminalAction = TerminalStep['action'];

interface ActionKind {
  /** Whose terminal the step uses: its own, its original's (a retransmission), or none. */
  terminal: 'own' | 'original' | 'none';
  /** Whether it makes a transaction, with a STAN, a local time and a transaction id. */
  transaction: boolean;
}

// A Record over every action: the compiler asks for a new action's kind here. `terminal: 'none'`
// exactly for the steps outside TerminalStep: usesTerminal() narrows by it.
const KINDS: Record<ActionName, ActionKind> = {
  purchase: { terminal: 'own', transaction: true },
  remote: { terminal: 'own', transaction: true },
  refund: { terminal: 'own', transaction: true },
  fuel: { terminal: 'own', transaction: true },
  withdraw: { terminal: 'own', transaction: true },
  signOn: { terminal: 'own', transaction: false },
  echo: { terminal: 'own', transaction: false },
  sendPendingReversals: { terminal: 'own', transaction: false },
  fetchBlockList: { terminal: 'own', transaction: false },
  uploadAdvices: { terminal: 'own', transaction: false },
  retransmit: { terminal: 'original', transaction: true },
  wait: { terminal: 'none', transaction: false },
  admin: { terminal: 'none', transaction: false },
  report: { terminal: 'none', transaction: false },
};

/** The actions a step can do; exactly one per step. */
export const ACTIONS = Object.keys(KINDS) as ActionName[];

export function usesTerminal(step: Step): step is TerminalStep {
  return KINDS[step.action].terminal !== 'none';
}

export function hasOwnTerminal(action: ActionName): boolean {
  return KINDS[action].terminal === 'own';
}

export function makesTransaction(action: ActionName): boolean {
  return KINDS[action].transaction;
}

/** A step as the file has it: the action is the one of ACTIONS present (the schema lets exactly one through). */
export type StepFile = StepBase & { terminal?: string } & { [A in ActionName]?: unknown };

/** The step of a file that passed the schema, with its action named; a terminal only where the action has its own. */
export function stepOf(file: StepFile): Step {
  const action = ACTIONS.find((a) => file[a] !== undefined)!;
  const { terminal: _, ...withoutTerminal } = file;
  // The schema has checked the action's value, so the file's step is the variant.
  return { action, ...(hasOwnTerminal(action) ? file : withoutTerminal) } as Step;
}
