/**
 * Steady terminal traffic for fault tests, recorded exchange by exchange: each terminal (one TCP
 * connection) owns its cards and runs one flow at a time on them, so the order of everything
 * done to a card is known and its final state can be worked out from the answers
 * (invariants.ts). Flows: PIN sales, a wrong PIN (only right after a good PIN, so that cards
 * are not PIN-blocked by the mix itself), refunds, an authorization completed with less (1100 +
 * 1220), a sale reversed by the PSAM (1200 + 1420). Advices are repeated (1221, 1421) until
 * acknowledged, as a PSAM does; a request answered 911 is, for the terminal, declined.
 */
import { randomBytes } from 'node:crypto';
import type { IsoMessage } from '../../../src/codec/index.js';
import { localTimeOf } from '../../../src/messages/transaction-data.js';
import { transactionId } from '../../../src/journal/posting.js';
import { pinBlock } from '../../support/cards.js';
import { TestTerminal } from '../../support/terminal.js';
import { type Rng, int, rng } from '../../support/random.js';

export type Flow = 'sale' | 'wrongPin' | 'refund' | 'auth' | 'completion' | 'reversal';

export interface WorkloadCard {
  pan: string;
  /** The register's card id (the key of its records). */
  id: string;
}

export interface Exchange {
  terminal: string;
  card: WorkloadCard;
  flow: Flow;
  mti: string;
  stan: string;
  /** The request's own transaction id (its record in the register). */
  txn: string;
  /** Advices: the original's transaction id. */
  original?: string;
  amount: number;
  sentAt: number;
  /** undefined: no answer within the wait (a hang). */
  answeredAt?: number;
  code?: string;
}

export interface Port {
  port: number;
  dialect: 'iso93ascii' | 'iso87ascii';
}

export interface WorkloadOptions {
  ports: Port[];
  cards: WorkloadCard[];
  terminals: number;
  seed: number;
  /** Pause between a terminal's flows: keeps the load modest on shared machines. */
  pauseMs: number;
  /** How long a request may go unanswered before it is recorded as a hang. */
  answerWaitMs: number;
  /** Terminal ids start with this (2 characters): several workloads on one Redis never share an id. */
  tag?: string;
}

const UNAVAILABLE = new Set(['911', '91']);
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The answer of a request the register could not decide: the terminal treats it as declined. */
export const isUnavailable = (code: string | undefined): boolean => code !== undefined && UNAVAILABLE.has(code);

export class Workload {
  readonly exchanges: Exchange[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly terminals: TestTerminal[] = [];

  constructor(private readonly options: WorkloadOptions) {}

  /** Opens the connections (spread over the ports) and starts every terminal's loop. */
  async start(): Promise<void> {
    const { ports, cards, terminals: n, seed } = this.options;
    const tag = this.options.tag ?? randomBytes(1).toString('hex').toUpperCase();
    for (let i = 0; i < n; i++) {
      const p = ports[i % ports.length]!;
      const term = await TestTerminal.open(p.port, p.dialect, p.dialect === 'iso87ascii' ? 'ascii4' : 'binary2');
      this.terminals.push(term);
      const own = cards.filter((_, c) => c % n === i);
      if (own.length === 0) throw new Error('fewer cards than terminals');
      const id = `R${tag.slice(0, 2)}${pad(i, 5)}`;
      this.loops.push(new TerminalLoop(this, term, id, own, p.dialect === 'iso87ascii', rng(seed + i)).run());
    }
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Stops sending new flows; an advice not yet acknowledged is still repeated until it is (at most 200 times, 100 ms apart). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    for (const t of this.terminals) t.close();
  }

  /** Sends one request and records the exchange; a request unanswered after answerWaitMs is recorded without a code. */
  async exchange(term: TestTerminal, e: Omit<Exchange, 'sentAt'>, message: IsoMessage): Promise<Exchange> {
    const x: Exchange = { ...e, sentAt: Date.now() };
    this.exchanges.push(x);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), this.options.answerWaitMs)),
    );
    const answer = await Promise.race([term.send({ ...message, 11: e.stan }), late, term.closed.then(() => undefined)]);
    clearTimeout(timer);
    if (answer !== undefined) {
      x.answeredAt = Date.now();
      x.code = String(answer[39]);
    }
    return x;
  }

  pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
  }
}

/** One terminal: flows one after the other on its own cards until the workload stops. */
class TerminalLoop {
  private stan = 0;
  /** A wrong PIN only right after a good PIN on the same card: never three in a row from the mix. */
  private readonly goodPinLast = new Set<string>();
  private readonly localTime: string;

  constructor(
    private readonly w: Workload,
    private readonly term: TestTerminal,
    private readonly id: string,
    private readonly cards: WorkloadCard[],
    private readonly iso87: boolean,
    private readonly r: Rng,
  ) {
    // One local time per terminal run; STANs make each transaction unique.
    const now = new Date();
    this.localTime = `${pad(now.getUTCFullYear() % 100, 2)}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}`;
  }

  async run(): Promise<void> {
    while (!this.w.stopped && !this.term.socket.destroyed) {
      const card = this.cards[int(this.r, 0, this.cards.length - 1)]!;
      await this.flow(card);
      await this.w.pause();
    }
  }

  private async flow(card: WorkloadCard): Promise<void> {
    const roll = this.r();
    if (roll < 0.12 && this.goodPinLast.has(card.id)) return void (await this.sale(card, 'wrongPin'));
    if (roll < 0.2 && !this.iso87) return void (await this.sale(card, 'refund'));
    if (roll < 0.35 && !this.iso87) return this.authAndComplete(card);
    if (roll < 0.45 && !this.iso87) return this.saleAndReverse(card);
    await this.sale(card, 'sale');
  }

  private nextStan(): string {
    this.stan = (this.stan % 999_999) + 1;
    return pad(this.stan, 6);
  }

  /** Fields 12 (and 13) as this terminal's dialect carries its local time. */
  private timeFields(): IsoMessage {
    return this.iso87 ? { 12: this.localTime.slice(6), 13: this.localTime.slice(2, 6) } : { 12: this.localTime };
  }

  private txnOf(stan: string): string {
    const local = this.iso87
      ? localTimeOf({ 12: this.localTime.slice(6), 13: this.localTime.slice(2, 6) }, new Date())
      : this.localTime;
    return transactionId(this.id, local, stan);
  }

  private async request(
    card: WorkloadCard,
    flow: Flow,
    mti: string,
    amount: number,
    extra: IsoMessage,
    original?: string,
  ): Promise<Exchange> {
    const stan = typeof extra[11] === 'string' ? extra[11] : this.nextStan();
    const m: IsoMessage = {
      0: mti,
      2: card.pan,
      3: flow === 'refund' ? '200000' : '000000',
      4: pad(amount, 12),
      41: this.id,
      49: '208',
      ...this.timeFields(),
      ...extra,
    };
    return this.w.exchange(
      this.term,
      { terminal: this.id, card, flow, mti, stan, txn: this.txnOf(stan), amount, ...(original ? { original } : {}) },
      m,
    );
  }

  private async sale(
    card: WorkloadCard,
    flow: 'sale' | 'wrongPin' | 'refund',
    mti = this.iso87 ? '0200' : '1200',
  ): Promise<Exchange> {
    const amount = flow === 'refund' ? int(this.r, 100, 2000) : int(this.r, 100, 9999);
    const pin: IsoMessage = flow === 'refund' ? {} : { 52: pinBlock(flow === 'wrongPin' ? '0000' : '1234', card.pan) };
    const x = await this.request(card, flow, mti, amount, pin);
    if (flow === 'sale' && x.code !== undefined && (x.code === '000' || x.code === '00')) this.goodPinLast.add(card.id);
    else if (flow !== 'refund') this.goodPinLast.delete(card.id);
    return x;
  }

  /** Fuel-style: authorise 100.00, complete with what was "pumped". */
  private async authAndComplete(card: WorkloadCard): Promise<void> {
    const auth = await this.request(card, 'auth', '1100', 10_000, { 52: pinBlock('1234', card.pan) });
    if (auth.code === '000') this.goodPinLast.add(card.id);
    else return void this.goodPinLast.delete(card.id);
    const amount = int(this.r, 1000, 10_000);
    await this.advice(
      card,
      'completion',
      '1220',
      amount,
      { 24: '202', 56: `1100${auth.stan}${this.localTime}` },
      auth.txn,
    );
  }

  /** A PIN sale the PSAM then reverses in full. */
  private async saleAndReverse(card: WorkloadCard): Promise<void> {
    const sale = await this.sale(card, 'sale');
    if (sale.code !== '000') return;
    await this.advice(
      card,
      'reversal',
      '1420',
      sale.amount,
      { 24: '400', 25: '4021', 56: `1200${sale.stan}${this.localTime}` },
      sale.txn,
    );
  }

  /**
   * An advice, repeated with the same STAN (1221 / 1421) until acknowledged, as a terminal does;
   * also after the workload is told to stop: an advice is never left half done.
   */
  private async advice(
    card: WorkloadCard,
    flow: 'completion' | 'reversal',
    mti: string,
    amount: number,
    extra: IsoMessage,
    original: string,
  ): Promise<void> {
    const stan = this.nextStan();
    let x = await this.request(card, flow, mti, amount, { ...extra, 11: stan }, original);
    for (
      let repeat = 0;
      (x.code === undefined || isUnavailable(x.code)) && repeat < 200 && !this.term.socket.destroyed;
      repeat++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      x = await this.request(card, flow, `${mti.slice(0, 3)}1`, amount, { ...extra, 11: stan }, original);
    }
  }
}
