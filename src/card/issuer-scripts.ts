/**
 * A card's issuer scripts (docs/SECURITY.md §2): commands for its chip the issuer queues (or the
 * register, lifting a PIN block: the PIN unblock), sent once in the card's next chip answer
 * (templates 71 / 72 in field 55), then waiting for the terminal's result (9F5B) in a later
 * request or advice; a failed one, or one whose result never came, can be queued again. Kept
 * under the card's hash tag (card:{id}:scripts), one Lua call per change
 * (scripts/issuer-scripts.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { CardId } from '../crypto/card-id.js';
import { cardKeys } from './keys.js';
import {
  type CommandRequest,
  MAX_SCRIPT_BYTES,
  type ScriptCommand,
  defaultTemplate,
  scriptCommand,
  templateSize,
} from './script-commands.js';
import { type QueueReply, queueScript, resendScript, scriptResults, takeScripts } from './scripts/issuer-scripts.js';

export type ScriptStatus = 'queued' | 'sent' | 'succeeded' | 'failed' | 'notPerformed';

export interface IssuerScript {
  /** 8 hex digits: also its script identifier (9F18). */
  id: string;
  /** 71: before the final GENERATE AC; 72: after it. */
  template: '71' | '72';
  commands: ScriptCommand[];
  /** Bytes of its template in field 55. */
  size: number;
  status: ScriptStatus;
  queuedAt: number;
  /** Who queued it: the issuer, or the register when the issuer lifted a PIN block. */
  by: 'issuer' | 'pinBlockLifted';
  /** Times sent. */
  sends: number;
  sentAt?: number;
  /** The transaction whose answer carried it last. */
  sentIn?: string;
  /** The terminal's result (9F5B): status 0 not performed, 1 failed, 2 successful; the failing command's sequence. */
  result?: { status: number; sequence: number; at: number; txn: string };
}

/** One script's result as a terminal reports it. */
export interface ReportedResult {
  id: string;
  status: number;
  sequence: number;
}

/** What an issuer queues: one or more commands, and the template (default: defaultTemplate). */
export interface ScriptRequest {
  commands: CommandRequest[];
  template?: '71' | '72';
}

/** The most scripts a card may have queued or sent and waiting for their result. */
export const MAX_OPEN_SCRIPTS = 5;

export class IssuerScripts {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  /** Queues a script for the card (its issuer's only); conflict when it would not fit in an answer or too many are open. */
  async queue(issuer: string, card: CardId, req: ScriptRequest): Promise<QueueReply> {
    const commands = req.commands.map(scriptCommand);
    const size = templateSize(commands);
    if (size > MAX_SCRIPT_BYTES)
      return {
        ok: false,
        status: 'conflict',
        reason: `the script takes ${size} bytes; a chip answer carries at most ${MAX_SCRIPT_BYTES}`,
      };
    return queueScript.run(this.redis, this.keys(card), {
      ...this.change(issuer),
      template: req.template ?? defaultTemplate(commands),
      commands: JSON.stringify(commands),
      size,
      maxOpen: MAX_OPEN_SCRIPTS,
    });
  }

  /** Queues a script sent before once more (not one queued or succeeded). */
  resend(issuer: string, card: CardId, id: string): Promise<QueueReply> {
    return resendScript.run(this.redis, this.keys(card), { ...this.change(issuer), id });
  }

  /** The card's scripts, oldest first. */
  async list(card: CardId): Promise<IssuerScript[]> {
    const all = await this.redis.hgetall(cardKeys(this.prefix, card).scripts);
    return Object.entries(all)
      .filter(([field]) => field !== 'seq')
      .map(([, json]) => JSON.parse(json) as IssuerScript)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The queued scripts that fit in a chip answer, marked sent in it (transaction txn). */
  async take(card: CardId, txn: string, maxBytes = MAX_SCRIPT_BYTES): Promise<IssuerScript[]> {
    const taken = await takeScripts.run(
      this.redis,
      { scripts: cardKeys(this.prefix, card).scripts },
      { now: this.clock.now().getTime(), txn, maxBytes },
    );
    return taken.map((json) => JSON.parse(json) as IssuerScript);
  }

  /** Records the terminal's results on the scripts sent; the number recorded. */
  record(card: CardId, txn: string, results: readonly ReportedResult[]): Promise<number> {
    return scriptResults.run(
      this.redis,
      { scripts: cardKeys(this.prefix, card).scripts },
      { now: this.clock.now().getTime(), txn, results: JSON.stringify(results) },
    );
  }

  private keys(card: CardId): { card: string; outbox: string; scripts: string } {
    const k = cardKeys(this.prefix, card);
    return { card: k.card, outbox: k.outbox, scripts: k.scripts };
  }

  private change(issuer: string): { issuer: string; now: number; noticeId: string } {
    return { issuer, now: this.clock.now().getTime(), noticeId: randomUUID() };
  }
}
