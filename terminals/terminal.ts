/**
 * Terminal emulators: old PIN terminals (DKT1, DKT1+, OEM), a chip terminal with a PSAM, a
 * contactless reader, and unattended machines (a fuel pump, a ticket machine, an ATM: atm.ts),
 * each speaking to the switch as the real one does (docs/PROTOCOL.md). One Terminal object is one
 * terminal: it keeps its STAN counter, the last approved transaction it completed (old terminals,
 * field 48) and its stored reversals (PSAM terminals, ATMs) across connections, and does one
 * thing at a time.
 */
import { randomInt } from 'node:crypto';
import { type Dialect, type IsoMessage, dialect as shippedDialect } from '../src/codec/index.js';
import { type LengthHeader, LENGTH_HEADERS } from '../src/transport/framing.js';
import { type Clock, systemClock } from '../src/time/clock.js';
import { TEST_PIN_KEY, type TerminalKey } from '../src/crypto/terminal-keys.js';
import { codeSetOf } from '../src/messages/action-codes.js';
import { Link, type LinkTls, RejectedAnswer } from './link.js';
import { withVariablePinBlock } from '../src/codec/pin-block-field.js';
import { TerminalSecurity, type TerminalDukpt } from './security.js';
import { REMOTE_CHANNELS, type RemoteChannel, type RemoteSale, remoteFields, seriesOf } from './gateway.js';
import type { HolderAuthentication } from './gateway.js';
import { isCode } from './describe.js';
import {
  type Entry,
  amountField,
  lastCompletedField,
  localTime,
  localTimeFields,
  originalData,
  posData,
  track2,
  transmissionTime,
} from './fields.js';
import { CASH, type Withdrawal, withdrawCash, withdrawalProblem } from './atm.js';
import { type ChipProfile, type ChipRequest, arpcOf, chipField, chipRequest, testChipOf } from './chip.js';
import { type CardScripts, cardScripts } from './issuer-scripts.js';

export const TERMINAL_KINDS = [
  'dkt1',
  'dkt1plus',
  'oem',
  'chip',
  'contactless',
  'fuel',
  'ticket',
  'gateway',
  'atm',
] as const;

export type TerminalKind = (typeof TERMINAL_KINDS)[number];

/** Largest contactless amount the reader sends without a PIN (the switch's default rule: 350.00 DKK). */
export const CONTACTLESS_PIN_LIMIT = 35_000;

/** The expiry written into track 2 when none is given: the test cards' (docs/TEST-CARDS.md). */
export const DEFAULT_EXPIRY = '3012';

export interface TerminalOptions {
  kind: TerminalKind;
  /** Field 41, at most 8 characters. */
  terminalId: string;
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
  /** A shipped dialect: iso93ascii (default), iso87ascii (0xxx MTIs), iso93binary. */
  dialect?: string;
  /** Length header; default ascii4 for iso87ascii, else binary2. No TPDU. */
  header?: LengthHeader;
  /** PIN key; default the documented test key. Format 4 (16-byte blocks) needs pinBlock variable16. */
  pinKey?: TerminalKey;
  /** Field 52 as the listener has it: fixed8 (default) or variable16 (up to 16 bytes: format 4 fits). */
  pinBlock?: 'fixed8' | 'variable16';
  /** MAC requests (field 64 / 128) with this double-length key, and believe only answers MACed with it. */
  macKey?: Buffer;
  /** DUKPT PIN keys instead of pinKey: the vendor's BDK and the KSN of the first PIN block. */
  dukpt?: TerminalDukpt;
  /** Field 42, at most 15 characters; default MERCHANT0001. */
  merchant?: string;
  /** Local time (fields 12/13) and transmission time (field 7); default the system clock. */
  clock?: Clock;
  /** How long to wait for an answer; default 5000 ms. */
  answerTimeoutMs?: number;
  /**
   * TLS to a TLS listener: `ca` the switch's CA (PEM; default the system's), `cert` and `key` the
   * terminal's client certificate (PEM), whose subject CN must be terminalId. Absent: plain TCP.
   */
  tls?: LinkTls;
  /** The STAN of the first request, 1 to 999999; default random (a terminal's counter is anywhere in its cycle). */
  stan?: number;
  /** The card's chip, for field 55 (terminals/chip.ts); default the test cards' (testChipOf); undefined: no field 55. */
  chip?: (pan: string) => ChipProfile | undefined;
  /** The cards' issuer scripts (terminals/issuer-scripts.ts); default the process's shared cards. */
  scripts?: CardScripts;
}

/** One request and its answer. */
export interface Exchange {
  request: IsoMessage;
  /** Absent when no answer came in time or the connection was lost. */
  response?: IsoMessage;
  timedOut: boolean;
  /** An answer came, but its MAC was missing or wrong: treated as no answer (timedOut). */
  macRejected?: IsoMessage;
  /** When the request was sent (the terminal's clock). */
  at: Date;
  /**
   * A request carrying an ARQC (field 55): the answer's ARPC (tag 91) as the card found it. 'invalid'
   * is what a card reports as issuer authentication failed (terminals/chip.ts).
   */
  arpc?: 'valid' | 'invalid' | 'absent';
}

/** What an operation came to. */
export interface Outcome {
  /** The sale (refund, sign-on, echo) stands: approved, and not called off at the till. */
  approved: boolean;
  /** Field 39 of the answer that decided (absent when none came). */
  actionCode?: string;
  /** Field 38, on approval. */
  approvalCode?: string;
  /** STAN and local time (YYMMDDhhmmss) of the transaction: with the terminal id, its id at the switch. */
  stan: string;
  localTime: string;
  timedOut: boolean;
  /** Every exchange of the operation, stored reversals sent first included. */
  exchanges: Exchange[];
  /** A PSAM terminal stored a reversal of this transaction (no answer, or signature rejected; an ATM: not all paid out). */
  reversalStored: boolean;
  /** A gateway's first payment of a series: the series the answer names (field 48 sub-element 04). */
  series?: string;
  /** An ATM's approved withdrawal: what the cash dispenser paid out (minor units). */
  dispensed?: number;
}

/** A bad option or parameter (nothing was sent). */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2_147_483_647;
const OLD_KINDS = new Set<TerminalKind>(['dkt1', 'dkt1plus', 'oem']);
const UNATTENDED = new Set<TerminalKind>(['fuel', 'ticket', 'atm']);
const PURCHASE = '000000';
const REFUND = '200000';
type ProcessingCode = typeof PURCHASE | typeof REFUND | typeof CASH;

interface Sale {
  pan: string;
  amount: number;
  pin?: string | undefined;
  entry: Entry;
  proc: ProcessingCode;
  expiry?: string | undefined;
  rejectSignature?: boolean | undefined;
  /** Field 49, ISO 4217 numeric; default '208' (DKK). The amount is in its minor units. */
  currency?: string | undefined;
  /** A gateway's remote sale: no PIN, no track; fields 14, 22, 48 (25) as gateway.ts builds them. */
  remote?: RemoteSale | undefined;
  /** The PIN was checked by the chip, offline: field 22 says PIN, no field 52 (offline advices). */
  offlinePin?: boolean | undefined;
}

/** What identifies a transaction for its completion and reversal. */
interface Original {
  card: IsoMessage;
  proc: ProcessingCode;
  mti: string;
  stan: string;
  local: string;
  /** Field 49 of the original: its advices repeat it. */
  currency: string;
}

interface StoredReversal {
  message: IsoMessage;
  sent: boolean;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new TerminalError(message);
}

const checkPan = (pan: string): void => check(/^\d{12,19}$/.test(pan), 'card number: 12 to 19 digits');
const checkAmount = (name: string, n: number, min = 1): void =>
  check(Number.isInteger(n) && n >= min && n <= 999_999_999_999, `${name}: whole øre, ${min} to 999999999999`);
const checkPin = (pin: string | undefined): void =>
  check(pin === undefined || /^\d{4,12}$/.test(pin), 'PIN: 4 to 12 digits');
const checkCurrency = (currency: string | undefined): void =>
  check(currency === undefined || /^\d{3}$/.test(currency), 'currency: an ISO 4217 numeric code, 3 digits');

const checkExpiry = (expiry: string | undefined): void =>
  check(expiry === undefined || /^\d{4}$/.test(expiry), 'expiry: YYMM');

/** A remote purchase of a gateway (terminals/gateway.ts; docs/PROTOCOL.md §3.2.4). */
export interface RemotePurchase {
  pan: string;
  amount: number;
  /** Default 'internet'. */
  channel?: RemoteChannel;
  /** Field 14, YYMM (the holder present); not sent when absent. */
  expiry?: string;
  /** The three check digits (the holder present); not sent when absent. */
  cvc?: string;
  /** Internet: the 3-D Secure or MitID result; absent: none sent. */
  authentication?: HolderAuthentication;
  /** Starts a series (subscription, stored card): the outcome's `series` names it. */
  startSeries?: boolean;
  /** A merchant's later payment of this series (no CVC, no expiry). */
  series?: string;
  /** Dual message: 1100 for `amount`, then the 1220 capture of `capture` (default the amount). */
  dual?: boolean;
  capture?: number;
  currency?: string;
}

/** Sends one request of an online contact and resolves with its exchange. */
export type ContactSend = (request: IsoMessage) => Promise<Exchange>;

/** The sale an offline advice reports (terminals/offline.ts). */
export interface OfflineSale {
  pan: string;
  amount: number;
  /** The holder entered the PIN, checked by the chip. */
  pin: boolean;
  refund?: boolean;
  /** Field 38: the terminal's own approval code. */
  approvalCode: string;
}

export class Terminal {
  readonly kind: TerminalKind;
  /** Field 41 as given. */
  readonly terminalId: string;
  readonly dialect: Dialect;
  /** Every exchange since the terminal was opened. */
  readonly exchanges: Exchange[] = [];
  /** Old terminals: field 48 sub-element 01, the STAN of the last approved transaction completed ('000000' at start). */
  lastCompletedStan = '000000';
  private readonly link: Link;
  /** Fields 41 and 42 as sent: padded with spaces to 8 and 15. */
  private readonly field41: string;
  private readonly merchant: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  /** PIN blocks (fixed key or DUKPT) and MACs. */
  readonly security: TerminalSecurity;
  private readonly iso87: boolean;
  private readonly old: boolean;
  private readonly reversals: StoredReversal[] = [];
  /** What else goes at every online contact, after the stored reversals (an offline mode's advices). */
  private readonly contactHooks: ((send: ContactSend) => Promise<void>)[] = [];
  private stan: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly chipOf: (pan: string) => ChipProfile | undefined;
  /** The cryptogram of each request sent with field 55, to check its answer's ARPC. */
  private readonly chipRequests = new WeakMap<IsoMessage, ChipRequest>();
  private readonly scripts: CardScripts;

  private constructor(o: TerminalOptions) {
    check(TERMINAL_KINDS.includes(o.kind), `kind: one of ${TERMINAL_KINDS.join(', ')}`);
    check(/^[\x20-\x7e]{1,8}$/.test(o.terminalId), 'terminal id: 1 to 8 printable ASCII characters');
    const merchant = o.merchant ?? 'MERCHANT0001';
    check(/^[\x20-\x7e]{1,15}$/.test(merchant), 'merchant: 1 to 15 printable ASCII characters');
    check(Number.isInteger(o.port) && o.port > 0 && o.port < 65536, 'port: 1 to 65535');
    const name = o.dialect ?? 'iso93ascii';
    try {
      const shipped = shippedDialect(name);
      this.dialect = o.pinBlock === 'variable16' ? withVariablePinBlock(shipped) : shipped;
    } catch (e) {
      throw new TerminalError((e as Error).message);
    }
    const header = o.header ?? (name === 'iso87ascii' ? 'ascii4' : 'binary2');
    check(LENGTH_HEADERS.includes(header), `header: one of ${LENGTH_HEADERS.join(', ')}`);
    check(o.stan === undefined || (Number.isInteger(o.stan) && o.stan >= 1 && o.stan <= 999_999), 'STAN: 1 to 999999');
    check(
      o.answerTimeoutMs === undefined || (o.answerTimeoutMs > 0 && o.answerTimeoutMs <= MAX_TIMER_MS),
      `answer timeout: 1 to ${MAX_TIMER_MS} ms`,
    );
    try {
      this.security = new TerminalSecurity(this.dialect, {
        pinKey: o.pinKey ?? TEST_PIN_KEY,
        pin16: o.pinBlock === 'variable16',
        ...(o.macKey === undefined ? {} : { macKey: o.macKey }),
        ...(o.dukpt === undefined ? {} : { dukpt: o.dukpt }),
      });
    } catch (e) {
      throw new TerminalError((e as Error).message);
    }
    this.chipOf = o.chip ?? testChipOf;
    this.scripts = o.scripts ?? cardScripts;
    this.kind = o.kind;
    this.terminalId = o.terminalId;
    this.field41 = o.terminalId.padEnd(8);
    this.merchant = merchant.padEnd(15);
    this.clock = o.clock ?? systemClock;
    this.timeoutMs = o.answerTimeoutMs ?? 5000;
    this.stan = o.stan ?? randomInt(1, 1_000_000);
    this.iso87 = codeSetOf(this.dialect) === 'iso87';
    this.old = OLD_KINDS.has(o.kind);
    const framing = { header, tpdu: false, maxFrameSize: 8192 };
    this.link = new Link(o.host ?? '127.0.0.1', o.port, framing, this.dialect, o.tls, this.security);
  }

  /** Validates the options and connects; rejects with TerminalError (bad option) or ConnectError. */
  static async open(o: TerminalOptions): Promise<Terminal> {
    const t = new Terminal(o);
    await t.link.connect();
    return t;
  }

  /** PSAM terminals (chip, contactless, fuel): reversals stored and not yet acknowledged. */
  get pendingReversals(): number {
    return this.reversals.length;
  }

  /**
   * A purchase. Old terminals: 1200 from the magnetic stripe (track 2) with field 48. Chip: 1100
   * then the 1220 completion (or a 1200 from the stripe with `magstripe`); `rejectSignature`
   * (chip, no PIN) has the clerk reject the signature after the approval: a reversal with reason
   * 4351 is stored. Contactless: 1200 without PIN up to the limit, with the PIN above it, and
   * again with the PIN when the switch asks for it (pinRequired, 112 / 70); when it asks for the
   * chip and the PIN (chipAndPinRequired, 123 / 65), the card is inserted: a chip purchase with the
   * PIN (1100 + 1220; a refund a 1200). Ticket machine: the price is known, a 1200 from the chip
   * without PIN or signature (no PIN pad). Not on a fuel pump (fuel()).
   */
  async purchase(p: {
    pan: string;
    amount: number;
    pin?: string;
    magstripe?: boolean;
    rejectSignature?: boolean;
    expiry?: string;
    /** ISO 4217 numeric (field 49); default '208'. `amount` is in its minor units. */
    currency?: string;
  }): Promise<Outcome> {
    check(this.kind !== 'fuel', 'a fuel pump sells with fuel()');
    check(this.kind !== 'gateway', 'a gateway sells with remotePurchase()');
    check(this.kind !== 'atm', 'an ATM pays out cash with withdraw()');
    check(this.kind !== 'ticket' || (p.pin ?? p.magstripe) === undefined, 'a ticket machine reads the chip, no PIN');
    checkPan(p.pan);
    checkAmount('amount', p.amount);
    checkPin(p.pin);
    checkExpiry(p.expiry);
    checkCurrency(p.currency);
    if (p.rejectSignature === true)
      check(
        this.kind === 'chip' && p.pin === undefined,
        "rejectSignature: a chip terminal's signature purchase (no PIN)",
      );
    const entry: Entry =
      this.old || p.magstripe === true ? 'magstripe' : this.kind === 'contactless' ? 'contactless' : 'chip';
    const sale: Sale = {
      pan: p.pan,
      amount: p.amount,
      pin: p.pin,
      entry,
      proc: PURCHASE,
      expiry: p.expiry,
      rejectSignature: p.rejectSignature,
      currency: p.currency,
    };
    return this.operate((op) =>
      entry === 'chip' && this.kind !== 'ticket'
        ? this.dual(op, sale, p.amount)
        : entry === 'contactless'
          ? this.contactless(op, sale)
          : this.single(op, sale),
    );
  }

  /** A refund: single message 1200 with processing code 20 (old terminals from the stripe, chip from the chip, contactless as a purchase). */
  async refund(p: { pan: string; amount: number; pin?: string; expiry?: string }): Promise<Outcome> {
    check(!UNATTENDED.has(this.kind), 'an unattended machine makes no refunds');
    check(this.kind !== 'gateway', 'the gateway emulator makes purchases only');
    checkPan(p.pan);
    checkAmount('amount', p.amount);
    checkPin(p.pin);
    checkExpiry(p.expiry);
    const entry: Entry = this.old ? 'magstripe' : this.kind === 'contactless' ? 'contactless' : 'chip';
    const sale: Sale = { pan: p.pan, amount: p.amount, pin: p.pin, entry, proc: REFUND, expiry: p.expiry };
    return this.operate((op) => (entry === 'contactless' ? this.contactless(op, sale) : this.single(op, sale)));
  }

  /** Fuel pump: 1100 authorises `maximum` with the PIN, then the 1220 completion posts `pumped` (1 to maximum). */
  async fuel(p: { pan: string; pin: string; maximum: number; pumped: number }): Promise<Outcome> {
    check(this.kind === 'fuel', "fuel() is a fuel pump's");
    checkPan(p.pan);
    check(/^\d{4,12}$/.test(p.pin), 'PIN: 4 to 12 digits');
    checkAmount('maximum', p.maximum);
    check(Number.isInteger(p.pumped) && p.pumped >= 1 && p.pumped <= p.maximum, 'pumped: whole øre, 1 to the maximum');
    const sale: Sale = { pan: p.pan, amount: p.maximum, pin: p.pin, entry: 'chip', proc: PURCHASE };
    return this.operate((op) => this.dual(op, sale, p.pumped));
  }

  /**
   * A gateway's remote purchase: internet, mail or phone order, the holder present (expiry, CVC,
   * for internet the holder's authentication; `startSeries` begins a series) or a merchant's later
   * payment of a series (`series`: no CVC, no expiry). A 1200, or with `dual` the 1100 and its
   * 1220 capture. No answer: a reversal is stored (4021), as a PSAM terminal does.
   */
  async remotePurchase(p: RemotePurchase): Promise<Outcome> {
    check(this.kind === 'gateway', "remotePurchase() is a gateway's");
    checkPan(p.pan);
    checkAmount('amount', p.amount);
    checkExpiry(p.expiry);
    checkCurrency(p.currency);
    check(p.channel === undefined || REMOTE_CHANNELS.includes(p.channel), `channel: ${REMOTE_CHANNELS.join(', ')}`);
    check(p.cvc === undefined || /^\d{3}$/.test(p.cvc), 'CVC: 3 digits');
    check(p.series === undefined || /^[\x20-\x7e]{1,99}$/.test(p.series), 'series: 1 to 99 printable characters');
    check(p.series === undefined || p.startSeries !== true, 'a payment starts a series or belongs to one, not both');
    const capture = p.capture ?? p.amount;
    check(p.capture === undefined || p.dual === true, 'capture: dual message only');
    check(Number.isInteger(capture) && capture >= 1 && capture <= p.amount, 'capture: whole øre, 1 to the amount');
    const remote: RemoteSale = {
      channel: p.channel ?? 'internet',
      expiry: p.expiry,
      cvc: p.cvc,
      authentication: p.authentication,
      startSeries: p.startSeries,
      series: p.series,
    };
    const sale: Sale = { pan: p.pan, amount: p.amount, entry: 'chip', proc: PURCHASE, currency: p.currency, remote };
    return this.operate(async (op) => {
      const outcome = p.dual === true ? await this.dual(op, sale, capture) : await this.single(op, sale);
      // The series is named by the answer to the first request (the 1100 or the 1200).
      const series = seriesOf(op.find((e) => e.request[11] === outcome.stan)?.response);
      return series === undefined ? outcome : { ...outcome, series };
    });
  }

  /**
   * An ATM's cash withdrawal with the PIN (atm.ts): 1200 processing code 01, then what the
   * dispenser pays out; a dispense fault or a partial dispense sends its reversal advice at once.
   */
  async withdraw(w: Withdrawal): Promise<Outcome> {
    check(this.kind === 'atm', "withdraw() is an ATM's");
    checkPan(w.pan);
    checkAmount('amount', w.amount);
    check(/^\d{4,12}$/.test(w.pin), 'PIN: 4 to 12 digits');
    checkCurrency(w.currency);
    const problem = withdrawalProblem(w);
    check(problem === undefined, problem ?? '');
    return this.operate((op) =>
      withdrawCash(w, {
        request: (r) => this.financial('200', { ...r, entry: 'chip', proc: CASH }),
        send: (m) => this.send(op, m),
        settle: (e, original) => this.settle(op, e, original, w.amount, false),
        reverse: async (original, amount, reason, partial) => {
          this.storeReversal(original, amount, reason, partial);
          await this.flush(op);
        },
      }),
    );
  }

  /** Network management sign-on: 1804 function code 801 (1987: 0800, field 70 001). */
  signOn(): Promise<Outcome> {
    return this.operate((op) => this.network(op, this.iso87 ? '001' : '801'));
  }

  /** Echo test: 1804 function code 831 (1987: 0800, field 70 301). */
  echo(): Promise<Outcome> {
    return this.operate((op) => this.network(op, this.iso87 ? '301' : '831'));
  }

  /**
   * PSAM terminals: sends the stored reversals now (1420, then 1421 repeats), as before every
   * request; then what an offline mode stored (terminals/offline.ts). An online contact with
   * nothing else.
   */
  sendPendingReversals(): Promise<Exchange[]> {
    return this.serially(async () => {
      const op: Exchange[] = [];
      await this.link.connect();
      await this.flush(op);
      return op;
    });
  }

  /** terminals/offline.ts: `hook` sends what it keeps at every online contact, after the stored reversals. */
  onOnlineContact(hook: (send: ContactSend) => Promise<void>): void {
    this.contactHooks.push(hook);
  }

  /**
   * terminals/offline.ts: the offline advice (x220 without field 56) of a sale the terminal
   * approved offline, built now: the financial request's fields with a STAN and local time of
   * its own, read from the chip; in 1993 dialects function code 200 (field 24) and reason 1004,
   * terminal processed (field 25); field 38 the terminal's approval code. A PIN was checked
   * offline by the chip: field 22 says so, and there is no field 52.
   */
  offlineAdvice(sale: OfflineSale): { message: IsoMessage; stan: string; localTime: string } {
    const { message, original } = this.financial('220', {
      pan: sale.pan,
      amount: sale.amount,
      entry: 'chip',
      proc: sale.refund === true ? REFUND : PURCHASE,
      offlinePin: sale.pin,
    });
    if (!this.iso87) Object.assign(message, { 24: '200', 25: '1004' });
    message[38] = sale.approvalCode;
    return { message, stan: original.stan, localTime: original.local };
  }

  /** Closes the connection; a later request opens a new one. */
  async close(): Promise<void> {
    await this.link.close();
  }

  // --- flows ---------------------------------------------------------------------------------

  /** One operation at a time, as a terminal does: connect, send stored reversals, then the operation. */
  private operate(flow: (op: Exchange[]) => Promise<Outcome>): Promise<Outcome> {
    return this.serially(async () => {
      await this.link.connect();
      const op: Exchange[] = [];
      await this.flush(op);
      return flow(op);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const p = this.queue.then(work);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Single message: 1200 authorises and posts. */
  private async single(op: Exchange[], s: Sale): Promise<Outcome> {
    const { message, original } = this.financial('200', s);
    return this.settle(op, await this.send(op, message), original, s.amount, s.rejectSignature === true);
  }

  /** Dual message: 1100 authorises `s.amount`, the 1220 completion posts `final`. */
  private async dual(op: Exchange[], s: Sale, final: number): Promise<Outcome> {
    const { message, original } = this.financial('100', s);
    const auth = await this.send(op, message);
    if (!this.approved(auth)) return this.settle(op, auth, original, s.amount, false);
    const completion = this.advice('220', original, final);
    if (!this.iso87) completion[24] = final === s.amount ? '201' : '202';
    return this.settle(op, await this.send(op, completion), original, final, s.rejectSignature === true);
  }

  /**
   * Without PIN up to the limit; with the PIN above it, or when the switch asks for it. Asked for
   * the chip and the PIN, the holder inserts the card: read from the chip, with the PIN.
   */
  private async contactless(op: Exchange[], s: Sale): Promise<Outcome> {
    const upfront = s.pin !== undefined && s.amount > CONTACTLESS_PIN_LIMIT;
    const first = await this.single(op, { ...s, pin: upfront ? s.pin : undefined });
    if (s.pin === undefined) return first;
    if (isCode(first.actionCode, 'chipAndPinRequired', this.dialect)) {
      const inserted: Sale = { ...s, entry: 'chip' };
      return s.proc === REFUND ? this.single(op, inserted) : this.dual(op, inserted, s.amount);
    }
    if (!upfront && isCode(first.actionCode, 'pinRequired', this.dialect)) return this.single(op, s);
    return first;
  }

  private async network(op: Exchange[], code: string): Promise<Outcome> {
    const local = localTime(this.clock.now());
    const stan = this.nextStan();
    const message: IsoMessage = this.iso87
      ? { 0: '0800', 11: stan, ...localTimeFields(local, true), 41: this.field41, 70: code }
      : { 0: '1804', 11: stan, 12: local, 24: code, 41: this.field41 };
    const e = await this.send(op, message);
    return this.outcome(op, e, stan, local, isCode(e.response?.[39], 'networkAccepted', this.dialect), false);
  }

  /**
   * The answer (or none) to a sale's last request: an old terminal notes an approval as
   * completed; a PSAM terminal stores a reversal when no answer came (4021) or when the clerk
   * rejects the signature after an approval (4351).
   */
  private settle(op: Exchange[], e: Exchange, original: Original, amount: number, rejectSignature: boolean): Outcome {
    const approved = this.approved(e);
    let reversal: string | undefined;
    if (e.timedOut && !this.old) reversal = '4021';
    else if (approved && this.old) this.lastCompletedStan = original.stan;
    else if (approved && rejectSignature) reversal = '4351';
    if (reversal !== undefined) this.storeReversal(original, amount, reversal);
    return this.outcome(
      op,
      e,
      original.stan,
      original.local,
      approved && reversal === undefined,
      reversal !== undefined,
    );
  }

  private outcome(
    op: Exchange[],
    e: Exchange,
    stan: string,
    local: string,
    approved: boolean,
    reversalStored: boolean,
  ): Outcome {
    const o: Outcome = { approved, stan, localTime: local, timedOut: e.timedOut, exchanges: op, reversalStored };
    if (e.response?.[39] !== undefined) o.actionCode = String(e.response[39]);
    if (this.approved(e) && e.response?.[38] !== undefined) o.approvalCode = String(e.response[38]);
    return o;
  }

  // --- messages ------------------------------------------------------------------------------

  private financial(fn: '100' | '200' | '220', s: Sale): { message: IsoMessage; original: Original } {
    const local = localTime(this.clock.now());
    const stan = this.nextStan();
    const card: IsoMessage =
      s.entry === 'magstripe' && s.remote === undefined
        ? { 35: track2(s.pan, s.expiry ?? DEFAULT_EXPIRY) }
        : { 2: s.pan };
    const capability: Entry = this.old ? 'magstripe' : this.kind === 'contactless' ? 'contactless' : 'chip';
    const noPinPad = this.kind === 'ticket';
    const message: IsoMessage = {
      0: this.mti(fn),
      ...card,
      3: s.proc,
      4: amountField(s.amount),
      11: stan,
      ...localTimeFields(local, this.iso87),
      22: posData(
        {
          entry: s.entry,
          pin: s.pin !== undefined || s.offlinePin === true,
          unattended: UNATTENDED.has(this.kind),
          capability,
          noPinPad,
        },
        this.iso87,
      ),
      41: this.field41,
      42: this.merchant,
      49: s.currency ?? '208',
    };
    if (this.old) message[48] = lastCompletedField(this.lastCompletedStan);
    if (s.remote !== undefined) Object.assign(message, remoteFields(s.remote, this.iso87));
    if (s.pin !== undefined) this.security.addPin(message, s.pin, s.pan);
    if (fn !== '220' && s.entry !== 'magstripe' && s.remote === undefined) this.addChip(message, s, local);
    return { message, original: { card, proc: s.proc, mti: this.mti(fn), stan, local, currency: s.currency ?? '208' } };
  }

  /** Field 55 with the card's ARQC, for a card whose chip the terminal knows. */
  private addChip(message: IsoMessage, s: Sale, local: string): void {
    const chip = this.chipOf(s.pan);
    if (chip === undefined) return;
    const type = s.proc === REFUND ? '20' : s.proc === CASH ? '01' : '00';
    const sale = { pan: s.pan, amount: s.amount, currency: s.currency ?? '208', date: local.slice(0, 6), type };
    const { objects, request } = chipRequest(chip, sale);
    message[55] = chipField(objects, this.dialect.field(55)?.encoding === 'ascii');
    this.chipRequests.set(message, request);
  }

  /** A completion (x220) or reversal (x420) advice naming its original in field 56; a STAN of its own. */
  private advice(fn: '220' | '420', original: Original, amount: number): IsoMessage {
    return {
      0: this.mti(fn),
      ...original.card,
      3: original.proc,
      4: amountField(amount),
      11: this.nextStan(),
      ...localTimeFields(localTime(this.clock.now()), this.iso87),
      41: this.field41,
      42: this.merchant,
      49: original.currency,
      56: originalData(original.mti, original.stan, original.local),
    };
  }

  /**
   * A reversal advice, kept until the switch acknowledges it; its STAN and local time stay the same
   * in every repeat. `partial`: of `amount` only (an ATM's partial dispense).
   */
  private storeReversal(original: Original, amount: number, reason: string, partial = false): void {
    const message = this.advice('420', original, amount);
    // 1993 only: function code 400 (full reversal) or 401 (partial) and the reason; 1987 has neither field.
    if (!this.iso87) Object.assign(message, { 24: partial ? '401' : '400', 25: reason });
    this.reversals.push({ message, sent: false });
  }

  /** Each stored reversal once, in the order stored: 1420 the first time, 1421 after; kept until acknowledged (400 / 00). */
  private async flush(op: Exchange[]): Promise<void> {
    for (const r of [...this.reversals]) {
      const e = await this.send(op, { ...r.message, 0: this.mti(r.sent ? '421' : '420') });
      r.sent = true;
      if (isCode(e.response?.[39], 'reversalAccepted', this.dialect))
        this.reversals.splice(this.reversals.indexOf(r), 1);
    }
    for (const hook of this.contactHooks) await hook((request) => this.send(op, request));
  }

  private async send(op: Exchange[], request: IsoMessage): Promise<Exchange> {
    const at = this.clock.now();
    request[7] = transmissionTime(at);
    // The card's issuer script results (9F5B) ride on its next request or advice; the answer's scripts run on the card.
    this.scripts.report(request, this.dialect.field(55)?.encoding === 'ascii');
    const response = await this.link.request(request, this.timeoutMs);
    // An answer whose MAC the terminal refused is not given to the card.
    if (!(response instanceof RejectedAnswer)) this.scripts.absorb(request, response);
    const e: Exchange =
      response === undefined
        ? { request, timedOut: true, at }
        : response instanceof RejectedAnswer
          ? { request, timedOut: true, macRejected: response.message, at }
          : { request, response, timedOut: false, at };
    const chip = this.chipRequests.get(request);
    if (chip !== undefined && e.response !== undefined) e.arpc = arpcOf(chip, e.response[55]);
    op.push(e);
    this.exchanges.push(e);
    return e;
  }

  private approved(e: Exchange): boolean {
    return isCode(e.response?.[39], 'approved', this.dialect);
  }

  /** 1993 MTIs (1xxx) in 1993 dialects, 1987 ones (0xxx) in 1987 dialects. */
  private mti(fn: string): string {
    return (this.iso87 ? '0' : '1') + fn;
  }

  /** 000001 ... 999999, then 000001 again. */
  private nextStan(): string {
    const s = this.stan;
    this.stan = (s % 999_999) + 1;
    return String(s).padStart(6, '0');
  }
}
