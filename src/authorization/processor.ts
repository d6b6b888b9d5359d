/**
 * One request, from the bytes of a frame to the bytes of its answer: unpack, run the pipeline,
 * pack. A body that cannot be unpacked is answered with a format error when its MTI and STAN
 * could be read, else the connection is closed (nothing identifies what to answer). On a listener
 * that checks MACs (message-mac.ts) a decoded request's MAC is checked first, under the key of the
 * terminal the TLS client certificate names, else field 41's: a wrong or missing one is answered
 * 916 / 63 without the pipeline, and the answers of a MACing terminal are MACed.
 * A decoded request is shown once to the fault injector (src/faults/), when any fault rule exists.
 */
import { type Dialect, Iso8583Error, type IsoMessage } from '../codec/index.js';
import type { Clock } from '../time/clock.js';
import { delay } from '../time/timeout.js';
import type { Logger } from '../log/logger.js';
import type { SwitchMetrics } from '../metrics/metrics.js';
import type { FaultNote, TerminalTrace } from '../trace/terminal-trace.js';
import type { Answer } from '../transport/connection.js';
import { NO_PEER, type Peer } from '../transport/tls.js';
import type { FaultInjector } from '../faults/injector.js';
import type { FaultRule } from '../faults/rule.js';
import { actionCodeAnswer, corruptAnswer, spoilArpc } from './fault-answers.js';
import { type CodeSet, actionCode, codeSetOf } from '../messages/action-codes.js';
import type { RequestContext } from './context.js';
import type { Pipeline } from './pipeline.js';
import { responseMti } from './steps/respond.js';
import { logAnswer } from './answer-log.js';
import { type TlvInput, decodeTlv } from '../codec/tlv.js';
import type { MessageMacs } from './message-mac.js';

export interface ProcessorDeps {
  listener: string;
  dialect: Dialect;
  pipeline: Pipeline;
  clock: Clock;
  log: Logger;
  metrics: SwitchMetrics;
  trace: TerminalTrace;
  /** Fault rules of terminal vendors; absent: none ever apply. */
  faults?: FaultInjector;
  /** The listener's MAC checking; absent: MACs are neither checked nor added. */
  macs?: MessageMacs;
}

/** Fields a format-error answer echoes, from whatever could be read. */
const FORMAT_ERROR_ECHO = [3, 4, 7, 11, 12, 32, 41, 42];

export class RequestProcessor {
  private readonly codes: CodeSet;

  constructor(private readonly deps: ProcessorDeps) {
    this.codes = codeSetOf(deps.dialect);
  }

  /** `peer`: who the connection's TLS client certificate says the terminal is (none on plain TCP). */
  async process(body: Buffer, peer: Peer = NO_PEER): Promise<Answer> {
    const { dialect } = this.deps;
    let request: IsoMessage;
    try {
      request = dialect.unpack(body);
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
      return this.undecodable(body, peer);
    }
    const mti = request[0] as string;
    // An odd function digit (x1xx, x3xx...) is a response or acknowledgement: nothing to answer.
    if (Number(mti[2]) % 2 === 1) {
      this.deps.log.warn({ listener: this.deps.listener, mti }, 'unsolicited response ignored');
      return { kind: 'none' };
    }
    const ctx = this.context(request, mti, peer);
    // A certified terminal's messages are checked with its own key, whatever field 41 says (or
    // without one); a field 41 naming another terminal is refused later (identifyTerminal).
    const sender = peer.certificateName ?? terminalOf(request);
    const mac = this.deps.macs?.check(body, request, sender);
    if (mac !== undefined && !mac.ok) return this.macRefused(ctx, body, mac.reason, sender, mac.key);
    // With no fault rule anywhere, this costs one flag read.
    const fault = this.deps.faults?.armed === true ? await this.deps.faults.take(request, mti, sender) : undefined;
    if (fault !== undefined) return this.faulted(fault, ctx, body, mac?.key);
    await this.deps.pipeline.run(ctx);
    if (ctx.outcome === 'registerUnavailable') this.deps.metrics.redisErrors.inc();
    return this.reply(ctx.response, ctx, body, undefined, mac?.key);
  }

  /** A wrong MAC, or none where one is required: not processed; answered MAC incorrect (MACed when the terminal has a key). */
  private macRefused(
    ctx: RequestContext,
    body: Buffer,
    reason: string,
    sender: string | undefined,
    key: Buffer | undefined,
  ): Answer {
    const response = actionCodeAnswer(ctx, actionCode('macIncorrect', this.codes));
    ctx.outcome = 'macIncorrect';
    ctx.reason = reason;
    if (sender !== undefined) ctx.terminalId = sender;
    return this.reply(response, ctx, body, undefined, key);
  }

  /**
   * A request a fault rule fired for. close: hang up unprocessed. actionCode: answer with the
   * rule's code without the pipeline (nothing reserved or posted). delay, noAnswer, corrupt: the
   * request is processed as usual (an approval posts), then its answer leaves late, never, or
   * damaged. badArpc: processed as usual, the answer's ARPC (tag 91) made wrong. dropMac:
   * processed as usual, its answer leaves without its MAC. script: processed as usual, its answer's
   * field 55 carrying the rule's issuer scripts. The trace notes the fault.
   */
  private async faulted(fault: FaultRule, ctx: RequestContext, body: Buffer, macKey?: Buffer): Promise<Answer> {
    const note: FaultNote = { kind: fault.kind, rule: fault.id };
    this.deps.log.info(
      {
        listener: this.deps.listener,
        mti: ctx.mti,
        terminal: terminalOf(ctx.request),
        rule: fault.id,
        fault: fault.kind,
      },
      'fault injected',
    );
    if (fault.kind === 'close') {
      const terminal = terminalOf(ctx.request);
      if (terminal !== undefined) this.deps.trace.record(terminal, this.deps.listener, body, undefined, note);
      return { kind: 'close', reason: `fault rule ${fault.id}` };
    }
    if (fault.kind === 'actionCode') {
      const response = actionCodeAnswer(ctx, fault.code!);
      return this.reply(response, ctx, body, { ...note, actionCode: response[39] as string }, macKey);
    }
    // The vendor's scripts, as they are, beside whatever the chip's answer holds (respond packs them).
    if (fault.kind === 'script') ctx.iccAnswer.push(...scriptTemplates(fault.script!));
    await this.deps.pipeline.run(ctx);
    if (fault.kind === 'badArpc') spoilArpc(ctx);
    const answer = this.reply(
      ctx.response,
      ctx,
      body,
      {
        ...note,
        ...(fault.kind === 'delay' ? { ms: fault.ms! } : {}),
        actionCode: ctx.response[39] as string,
      },
      macKey,
    );
    if (fault.kind === 'delay') await delay(fault.ms!);
    return answer;
  }

  private context(request: IsoMessage, mti: string, peer: Peer): RequestContext {
    return {
      ...(peer.certificateName === undefined ? {} : { certifiedTerminal: peer.certificateName }),
      request,
      mti,
      route: this.deps.pipeline.route(mti, request),
      dialect: this.deps.dialect,
      codes: this.codes,
      listener: this.deps.listener,
      receivedAt: this.deps.clock.now(),
      log: this.deps.log,
      response: {},
      iccAnswer: [],
    };
  }

  private reply(
    response: IsoMessage,
    ctx: Pick<RequestContext, 'mti' | 'terminalId' | 'certifiedTerminal' | 'reason' | 'outcome'> & {
      request?: IsoMessage;
    },
    requestBody: Buffer,
    fault?: FaultNote,
    macKey?: Buffer,
  ): Answer {
    const code = response[39] as string;
    const sent = fault?.kind !== 'noAnswer';
    // Requests answered: one whose answer a fault withheld is not.
    if (sent) this.deps.metrics.requests.inc({ listener: this.deps.listener, mti: ctx.mti, action_code: code });
    logAnswer(this.deps.log, this.deps.listener, ctx, code);
    // The MAC is left out for the dropMac fault, so that a terminal's check of it can be tested.
    let body =
      macKey !== undefined && fault?.kind !== 'dropMac'
        ? this.deps.macs!.pack(response, macKey)
        : this.deps.dialect.pack(response);
    if (fault?.kind === 'corrupt') body = corruptAnswer(this.deps.dialect, body);
    // A refusal before identifyTerminal (a format error, an unknown MTI) is still the certified terminal's.
    const terminal = ctx.terminalId ?? ctx.certifiedTerminal ?? terminalOf(response);
    if (terminal !== undefined)
      this.deps.trace.record(terminal, this.deps.listener, requestBody, sent ? body : undefined, fault);
    return sent ? { kind: 'reply', body } : { kind: 'none' };
  }

  /** Framing was intact but the message was not: a format error when MTI and STAN were read. */
  private undecodable(body: Buffer, peer: Peer): Answer {
    const { message, error } = this.deps.dialect.unpackPartial(body);
    const mti = message[0];
    const stan = message[11];
    this.deps.metrics.decodeErrors.inc({ listener: this.deps.listener, kind: 'message' });
    this.deps.log.warn({ listener: this.deps.listener, err: error?.message }, 'message could not be unpacked');
    if (typeof mti !== 'string' || typeof stan !== 'string' || Number(mti[2]) % 2 === 1) {
      return { kind: 'close', reason: `unreadable message: ${error?.message ?? 'unknown'}` };
    }
    const response: IsoMessage = {};
    for (const n of FORMAT_ERROR_ECHO) if (message[n] !== undefined) response[n] = message[n]!;
    response[0] = responseMti(mti);
    response[39] = actionCode('formatError', this.codes);
    // On a connection whose client certificate names the terminal, traced as that terminal's.
    const terminalId = peer.certificateName ?? (typeof message[41] === 'string' ? message[41].trimEnd() : undefined);
    return this.reply(
      response,
      { mti, terminalId, reason: error?.message ?? 'format error', outcome: 'formatError' },
      body,
    );
  }
}

/** Field 41 without its padding, when the message has one. */
function terminalOf(message: IsoMessage): string | undefined {
  const id = message[41];
  return typeof id === 'string' ? id.trimEnd() : undefined;
}

/** A script rule's templates as answer objects: each template's contents kept as the vendor wrote them. */
function scriptTemplates(hex: string): TlvInput[] {
  return decodeTlv(Buffer.from(hex, 'hex')).map((o) => ({ tag: o.tag, value: o.value }));
}
