/**
 * The offline mode of unattended terminals (fuel pumps, ticket machines; terminals/README.md,
 * "Offline mode"): a sale up to the floor limit is decided by the terminal itself, against the
 * offline block list it fetched (docs/CLEARING.md, "Offline block list") and the card's expiry;
 * an approved one is stored as an offline advice (docs/PROTOCOL.md, "Offline advices") and
 * uploaded at the next online contact, or at once with uploadAdvices(): an x220 the first time,
 * x221 repeats with the same STAN and local time until the switch answers. A sale above the floor
 * limit goes online as the terminal's kind does it, after the stored advices.
 */
import { randomInt } from 'node:crypto';
import { type BlockListEntryLine, OfflineBlockListCopy } from './offline-block-list.js';
import {
  type ContactSend,
  DEFAULT_EXPIRY,
  type Exchange,
  type Outcome,
  type Terminal,
  TerminalError,
} from './terminal.js';
import type { IsoMessage } from '../src/codec/index.js';
import { isCode } from './describe.js';
import { localTime } from './fields.js';
import type { Clock } from '../src/time/clock.js';
import { systemClock } from '../src/time/clock.js';

/** The kinds with an offline mode: machines without a clerk, where a queue cannot wait for a slow line. */
export const OFFLINE_KINDS: readonly string[] = ['fuel', 'ticket'];

export interface OfflineOptions {
  /** øre: a sale up to this amount (a fuel sale's maximum) is decided offline; above it, online. */
  floorLimit: number;
  /** Where the block list is fetched: the admin API, an offlineTerminals token, the fetcher's id. */
  blockList?: { url: string; token: string; fetcher: string };
  /** The terminal's clock (its local date decides which daily files apply); default the system clock. */
  clock?: Clock;
}

/** Why the terminal itself declined a sale. */
export type OfflineDecline = 'blocked' | 'expired';

/** What a sale came to: online, the terminal's Outcome; offline, the terminal's own decision. */
export interface OfflineOutcome extends Outcome {
  /** Decided by the terminal, without asking the switch. */
  offline: boolean;
  /** Offline and declined: the card is on the block list, or expired. */
  declined?: OfflineDecline;
  /** Declined for a block: the reason's code on the list (lost, stolen, ...). */
  blockReason?: string;
}

/** An advice stored until the switch answers it. */
interface StoredAdvice {
  message: IsoMessage;
  sent: boolean;
}

/** The answers after which an advice is sent again: the switch could not process it. */
const RETRIED = ['registerUnavailable', 'systemMalfunction'] as const;

export class OfflineMode {
  /** The block list as the terminal applies it. */
  readonly blockList = new OfflineBlockListCopy();
  /** The advices answered, in the order answered (the exchange that ended each one's repeats). */
  readonly uploaded: Exchange[] = [];
  private readonly advices: StoredAdvice[] = [];
  private readonly clock: Clock;

  constructor(
    readonly terminal: Terminal,
    private readonly options: OfflineOptions,
  ) {
    if (!OFFLINE_KINDS.includes(terminal.kind))
      throw new TerminalError(`offline mode: a ${OFFLINE_KINDS.join(' or ')} terminal's, not ${terminal.kind}`);
    if (!Number.isInteger(options.floorLimit) || options.floorLimit < 0 || options.floorLimit > 999_999_999_999)
      throw new TerminalError('floor limit: whole øre, 0 to 999999999999');
    this.clock = options.clock ?? systemClock;
    terminal.onOnlineContact((send) => this.flush(send));
  }

  /** Advices stored and not yet answered. */
  get pendingAdvices(): number {
    return this.advices.length;
  }

  /**
   * Fetches the block list files not fetched yet (GET /offline-block-list/changes: the first
   * time one full file, then the daily change files, oldest first) and takes them in: a full file
   * replaces the list at once, a daily file applies on its effective date (the next morning).
   * Resolves with the number of files.
   */
  async fetchBlockList(): Promise<number> {
    const source = this.options.blockList;
    if (source === undefined) throw new TerminalError('offline mode: no block list source (url, token, fetcher)');
    const url = `${source.url.replace(/\/+$/, '')}/offline-block-list/changes?fetcher=${encodeURIComponent(source.fetcher)}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${source.token}` } });
    const body = (await res.json()) as { files?: { content: string }[]; error?: string };
    if (!res.ok || body.files === undefined)
      throw new TerminalError(`block list fetch: ${res.status} ${body.error ?? 'no files in the answer'}`);
    for (const f of body.files) this.blockList.take(f.content);
    return body.files.length;
  }

  /** A ticket machine's sale (or any kind's purchase()): offline up to the floor limit. */
  async purchase(p: { pan: string; amount: number; pin?: string; expiry?: string }): Promise<OfflineOutcome> {
    if (p.amount > this.options.floorLimit) return online(await this.terminal.purchase(p));
    return this.offline(p.pan, p.amount, p.pin !== undefined, p.expiry);
  }

  /**
   * A fuel pump's sale: offline when the maximum is within the floor limit (the advice posts the
   * amount pumped), else online (1100 for the maximum, 1220 for the amount pumped).
   */
  async fuel(p: {
    pan: string;
    pin: string;
    maximum: number;
    pumped: number;
    expiry?: string;
  }): Promise<OfflineOutcome> {
    if (p.maximum > this.options.floorLimit) return online(await this.terminal.fuel(p));
    if (!Number.isInteger(p.pumped) || p.pumped < 1 || p.pumped > p.maximum)
      throw new TerminalError('pumped: whole øre, 1 to the maximum');
    return this.offline(p.pan, p.pumped, true, p.expiry);
  }

  /** The stored advices (and the terminal's stored reversals, first), sent now: an online contact. */
  uploadAdvices(): Promise<Exchange[]> {
    return this.terminal.sendPendingReversals();
  }

  private offline(pan: string, amount: number, pin: boolean, expiry = DEFAULT_EXPIRY): OfflineOutcome {
    const now = this.clock.now();
    const local = localTime(now);
    const listed = this.blockList.lookup(pan, local);
    const declined = (why: OfflineDecline, entry?: BlockListEntryLine): OfflineOutcome => ({
      approved: false,
      offline: true,
      declined: why,
      ...(entry ? { blockReason: entry.reason } : {}),
      stan: '',
      localTime: local,
      timedOut: false,
      exchanges: [],
      reversalStored: false,
    });
    if (listed !== undefined) return declined('blocked', listed);
    // Valid through the last day of the expiry month (YYMM against the terminal's YYMM).
    if (!/^\d{4}$/.test(expiry)) throw new TerminalError('expiry: YYMM');
    if (expiry < local.slice(0, 4)) return declined('expired');
    const approvalCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const advice = this.terminal.offlineAdvice({ pan, amount, pin, approvalCode });
    this.advices.push({ message: advice.message, sent: false });
    return {
      approved: true,
      offline: true,
      approvalCode,
      stan: advice.stan,
      localTime: advice.localTime,
      timedOut: false,
      exchanges: [],
      reversalStored: false,
    };
  }

  /** Each stored advice once, oldest first: x220 the first time, x221 after; kept until the switch answers it. */
  private async flush(send: ContactSend): Promise<void> {
    for (const a of [...this.advices]) {
      const mti = String(a.message[0]);
      const e = await send({ ...a.message, 0: a.sent ? `${mti.slice(0, 3)}1` : mti });
      a.sent = true;
      const code = e.response?.[39];
      if (code === undefined || RETRIED.some((o) => isCode(code, o, this.terminal.dialect))) continue;
      this.advices.splice(this.advices.indexOf(a), 1);
      this.uploaded.push(e);
    }
  }
}

function online(o: Outcome): OfflineOutcome {
  return { ...o, offline: false };
}
