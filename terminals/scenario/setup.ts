/**
 * A scenario's setup: its cards registered fresh through the issuer API (a new Luhn-valid PAN
 * each run, so runs repeat), given the history they ask for with real transactions, and its
 * terminals opened. What is set up goes into the run's context as it is made: a setup that fails
 * half way still has its terminals closed and its cards shown.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { maskPan } from '../../src/codec/mask.js';
import { ACTION_CODES, type Outcome as ActionOutcome, codeSetOf } from '../../src/messages/action-codes.js';
import { OfflineMode, Terminal, type TerminalOptions } from '../index.js';
import { type AdminAnswer, AdminError, reasonOf } from './admin-client.js';
import { type RunCard, type RunContext, TerminalClock } from './context.js';
import { cardSummary } from './describe.js';
import {
  DEFAULT_BALANCE,
  DEFAULT_CVC,
  DEFAULT_EXPIRY,
  DEFAULT_PIN,
  type ScenarioCard,
  type ScenarioTerminal,
} from './scenario.js';
import { StepFailure, freshPan, ore, wrongPin } from './values.js';

const SETUP_TERMINAL = 'SCENARIO';

/** Registers the cards, then opens the terminals; each card is shown (in `shown`) once registered. */
export async function setUp(run: RunContext, shown: string[]): Promise<void> {
  for (const [name, c] of Object.entries(run.scenario.cards ?? {})) {
    const card = await register(run, name, c);
    run.cards.set(name, card);
    shown.push(`${name} ${card.maskedPan}: ${cardSummary(c)}`);
  }
  for (const [name, spec] of Object.entries(run.scenario.terminals)) await openTerminal(run, name, spec);
}

async function openTerminal(run: RunContext, name: string, spec: ScenarioTerminal): Promise<void> {
  const o = run.options;
  const d = spec.dialect ?? run.baseDialect;
  const own = d === run.baseDialect;
  // runProblems has checked that a listener is given for every other dialect.
  const port = own ? o.port : o.listeners![d]!;
  const clock = new TerminalClock();
  const options: TerminalOptions = {
    kind: spec.kind,
    terminalId: spec.terminalId,
    host: o.host ?? '127.0.0.1',
    port,
    dialect: d,
    clock,
  };
  const header = spec.header ?? (own ? o.header : undefined);
  if (header !== undefined) options.header = header;
  if (spec.answerTimeoutMs !== undefined) options.answerTimeoutMs = spec.answerTimeoutMs;
  if (spec.pinKey !== undefined) options.pinKey = { format: 0, key: Buffer.from(spec.pinKey, 'hex') };
  if (spec.merchant !== undefined) options.merchant = spec.merchant;
  if (spec.stan !== undefined) options.stan = spec.stan;
  if (o.tls !== undefined) options.tls = o.tls;
  const terminal = await Terminal.open(options);
  const token = o.offlineTerminalsToken;
  // A fetcher of its own per run: its first fetch is the full list (docs/CLEARING.md, "Fetching").
  const fetcher = `scenario-${spec.terminalId.trim()}-${randomUUID().slice(0, 8)}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const offline =
    spec.offline === undefined
      ? undefined
      : new OfflineMode(terminal, {
          floorLimit: ore(spec.offline.floorLimit),
          clock,
          ...(token === undefined ? {} : { blockList: { url: o.admin, token, fetcher } }),
        });
  run.terminals.set(name, {
    name,
    spec,
    id: spec.terminalId,
    terminal,
    host: options.host!,
    port,
    header: header ?? (d === 'iso87ascii' ? 'ascii4' : 'binary2'),
    dialect: terminal.dialect,
    timeoutMs: spec.answerTimeoutMs ?? 5000,
    clock,
    ...(o.tls === undefined ? {} : { tls: o.tls }),
    ...(offline === undefined ? {} : { offline }),
  });
}

/** Registers a fresh card in the state asked for (or only makes up a PAN, for a card never registered). */
async function register(run: RunContext, name: string, c: ScenarioCard): Promise<RunCard> {
  const pin = c.pin ?? DEFAULT_PIN;
  const face = { cvc: c.cvc ?? DEFAULT_CVC, expiry: c.expiry ?? DEFAULT_EXPIRY };
  if (c.status === 'notRegistered') {
    const pan = freshPan();
    return { name, pan, pin, ...face, maskedPan: maskPan(pan), activationCode: '' };
  }
  const activationCode = c.activationCode ?? String(randomInt(0, 10_000)).padStart(4, '0');
  const { pan, answer } = await postCard(run, c, pin, activationCode);
  if (answer.status !== 201) throw new AdminError(`card ${name}: POST /cards: ${answer.status} ${reasonOf(answer)}`);
  const card: RunCard = {
    name,
    pan,
    pin,
    ...face,
    activationCode,
    id: String(answer.body.card),
    maskedPan: String(answer.body.maskedPan),
  };
  if (c.status === 'deleted') await run.admin.must('DELETE', `/cards/${card.id}`, 'issuer');
  if (c.block !== undefined)
    await run.admin.must('POST', `/cards/${card.id}/block`, 'issuer', {
      reason: c.block,
      ...(c.blockStatement === undefined ? {} : { statement: c.blockStatement }),
    });
  if (c.wrongPins !== undefined) await makeWrongPins(run, card, c.wrongPins);
  if (c.contactless !== undefined) await makeContactless(run, card, c.contactless);
  return card;
}

/** POST /cards with a fresh PAN; another PAN when that one is taken. */
async function postCard(
  run: RunContext,
  c: ScenarioCard,
  pin: string,
  activationCode: string,
): Promise<{ pan: string; answer: AdminAnswer }> {
  let pan: string;
  let answer: AdminAnswer;
  // A fresh random PAN is taken only by a one-in-ten-billion chance: try another then.
  for (let attempt = 0; ; attempt++) {
    pan = freshPan();
    answer = await run.admin.call('POST', '/cards', 'issuer', {
      pan,
      product: c.product ?? 'dankort',
      expiry: c.expiry ?? DEFAULT_EXPIRY,
      pin,
      cvc: c.cvc ?? DEFAULT_CVC,
      activationCode,
      account: String(randomInt(1_000_000_000, 10_000_000_000)),
      balance: ore(c.balance ?? DEFAULT_BALANCE),
      currency: '208',
      status: c.status === 'registered' ? 'registered' : 'active',
    });
    if (answer.status !== 409 || attempt >= 3) break;
  }
  return { pan, answer };
}

/** Wrong PINs in a row, made at a chip terminal; each must be answered as such. */
async function makeWrongPins(run: RunContext, card: RunCard, count: number): Promise<void> {
  const t = await setupTerminal(run, 'chip');
  for (let i = 1; i <= count; i++) {
    const o = await t.purchase({ pan: card.pan, amount: 100, pin: wrongPin(card.pin) });
    const want: ActionOutcome = i < 3 ? 'wrongPin' : 'pinTriesExceeded';
    if (o.actionCode !== ACTION_CODES[want][codeSetOf(t.dialect)])
      throw new StepFailure(
        `card ${card.name}: wrong PIN ${i} was answered ${o.actionCode ?? 'not at all'}, not ${want}`,
      );
  }
}

/** Contactless payments, made at a contactless terminal; each must be approved. */
async function makeContactless(
  run: RunContext,
  card: RunCard,
  history: { payments: number; amount: string },
): Promise<void> {
  const t = await setupTerminal(run, 'contactless');
  for (let i = 1; i <= history.payments; i++) {
    const o = await t.purchase({ pan: card.pan, amount: ore(history.amount) });
    if (!o.approved)
      throw new StepFailure(
        `card ${card.name}: contactless payment ${i} was answered ${o.actionCode ?? 'not at all'}, not approved`,
      );
  }
}

/** The terminal that makes cards' history (wrong PINs, contactless payments): not one of the scenario's. */
async function setupTerminal(run: RunContext, kind: 'chip' | 'contactless'): Promise<Terminal> {
  const o = run.options;
  const setup = run.scenario.setupTerminal ?? {};
  const options: TerminalOptions = {
    kind,
    terminalId: setup.terminalId ?? SETUP_TERMINAL,
    host: o.host ?? '127.0.0.1',
    port: o.port,
    dialect: run.baseDialect,
  };
  if (o.header !== undefined) options.header = o.header;
  if (setup.pinKey !== undefined) options.pinKey = { format: 0, key: Buffer.from(setup.pinKey, 'hex') };
  if (o.tls !== undefined) options.tls = o.tls;
  const t = await Terminal.open(options);
  run.setupTerminals.push(t);
  return t;
}
