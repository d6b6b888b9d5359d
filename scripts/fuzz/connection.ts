/**
 * The fuzzer's side of one TCP connection: writes whatever it is given, and hands out what the
 * switch did in order: an answer frame, a close, or nothing before a deadline.
 */
import { type Socket, connect } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { codeSetOf } from '../../src/messages/action-codes.js';
import { type IsoMessage, dialect } from '../../src/codec/index.js';
import { FrameReader, FramingError, encodeFrame } from '../../src/transport/framing.js';
import type { FuzzTarget } from './targets.js';

export type SwitchEvent =
  | { kind: 'answer'; body: Buffer }
  /** Bytes from the switch that are not a frame of the listener's framing. */
  | { kind: 'garbage'; reason: string }
  | { kind: 'close' }
  | { kind: 'timeout' };

export const HOST = '127.0.0.1';

export class FuzzConnection {
  private readonly reader: FrameReader;
  private readonly events: SwitchEvent[] = [];
  private waiter: ((e: SwitchEvent) => void) | undefined;
  private ended = false;

  private constructor(
    private readonly socket: Socket,
    readonly target: FuzzTarget,
  ) {
    // Answers are read with the listener's framing but any size: the switch's answers are not ours to limit.
    this.reader = new FrameReader({ ...target.framing, maxFrameSize: 0xffff });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Writing after the switch hung up fails (EPIPE, ECONNRESET); the close that follows is what counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.emit({ kind: 'close' });
    });
  }

  static open(port: number, target: FuzzTarget): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, HOST);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new FuzzConnection(socket, target));
      });
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      this.emit({ kind: 'garbage', reason: e.message });
      this.socket.destroy();
      return;
    }
    for (const f of frames) this.emit({ kind: 'answer', body: f.body });
  }

  private emit(e: SwitchEvent): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) waiter(e);
    else this.events.push(e);
  }

  /** Writes the bytes, cut at `cuts` into separate writes a tick apart (partial frames). */
  async write(bytes: Buffer, cuts: readonly number[] = []): Promise<void> {
    let from = 0;
    for (const cut of cuts) {
      this.send(bytes.subarray(from, cut));
      from = cut;
      await tick();
    }
    this.send(bytes.subarray(from));
  }

  send(bytes: Buffer): void {
    if (!this.ended && bytes.length > 0) this.socket.write(bytes);
  }

  /** The next thing the switch did, or a timeout after `ms`. A close is reported once, then again on every call. */
  next(ms: number): Promise<SwitchEvent> {
    const queued = this.events.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve({ kind: 'close' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ kind: 'timeout' });
      }, ms);
      this.waiter = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A TPDU for requests on TPDU listeners (the switch only swaps its addresses). */
const REQUEST_TPDU = Buffer.from([0x60, 0x00, 0x01, 0x00, 0x02]);

/** A request framed for the target, with a TPDU where the listener wants one. */
export function frameFor(target: FuzzTarget, message: IsoMessage): Buffer {
  return encodeFrame(
    target.framing,
    dialect(target.dialect).pack(message),
    target.framing.tpdu ? REQUEST_TPDU : undefined,
  );
}

/** STAN of the probe sent after a frame that must go unanswered: its answer must be the next thing back. */
export const PROBE_STAN = '999999';
/** The probe's answer MTIs: 1814 to a 1804, 0810 to an 0800. */
export const PROBE_ANSWER_MTIS: readonly string[] = ['1814', '0810'];

/** An echo test in the target's dialect (1804 / 0800), framed. */
export function probeFrame(target: FuzzTarget): Buffer {
  const echo: IsoMessage =
    codeSetOf(dialect(target.dialect)) === 'iso87'
      ? { 0: '0800', 7: '1121101530', 11: PROBE_STAN, 70: '301' }
      : { 0: '1804', 7: '1121101530', 11: PROBE_STAN, 24: '831', 41: 'FUZZPROB' };
  return frameFor(target, echo);
}

/** One request on a fresh connection: its answer, unpacked, or why there was none. */
export async function request(
  port: number,
  target: FuzzTarget,
  message: IsoMessage,
  ms: number,
): Promise<IsoMessage | string> {
  const c = await FuzzConnection.open(port, target);
  try {
    await c.write(frameFor(target, message));
    const e = await c.next(ms);
    if (e.kind !== 'answer') return e.kind === 'garbage' ? e.reason : e.kind;
    return dialect(target.dialect).unpack(e.body);
  } finally {
    c.destroy();
  }
}
