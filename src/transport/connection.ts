/**
 * One terminal connection: frames in, answers out. Requests run concurrently and are answered
 * as each finishes, so a slow one does not hold back the others (answers may leave out of
 * order; terminals match them by STAN). At most maxInFlight requests run at once; frames read
 * beyond that wait in a queue, and while anything waits (or the socket's write buffer is full)
 * the socket is not read, so a terminal can never make the switch buffer without bound.
 *
 * Three clocks free the slot of a client that holds it without using it: the idle timeout
 * (nothing received), the frame timeout (a frame begun and not finished: a byte-a-second
 * trickle), and the first-frame timeout (connected and never sent a whole frame). TCP keepalive
 * lets the OS find peers that vanished without a FIN.
 */
import type { Socket } from 'node:net';
import type { ConnectionLimits } from './options.js';
import type { Logger } from '../log/logger.js';
import { type Frame, FrameReader, FramingError, type FramingSpec, encodeFrame, replyTpdu } from './framing.js';
import { noValue, withTimeout } from '../time/timeout.js';

/** What the switch does with a request: answer it, say nothing (a response sent to us), or hang up. */
export type Answer = { kind: 'reply'; body: Buffer } | { kind: 'none' } | { kind: 'close'; reason: string };

export type ConnectionTimeout = 'idle' | 'frame' | 'first_frame';

export interface ConnectionHooks {
  handle(body: Buffer): Promise<Answer>;
  /** Called once per answered request with its time from frame read to answer queued. */
  answered(seconds: number): void;
  inFlightChanged(delta: number): void;
  framingLost(reason: string): void;
  timedOut(kind: ConnectionTimeout): void;
  closed(connection: TerminalConnection): void;
}

export class TerminalConnection {
  private readonly reader: FrameReader;
  /** Frames read but not yet started: one socket chunk can hold many. */
  private readonly queue: Frame[] = [];
  private inFlight = 0;
  private writeBlocked = false;
  private draining = false;
  private closed = false;
  private idleResolve: (() => void) | undefined;
  /** Runs while a frame is begun and the switch is reading; see updateFrameTimer(). */
  private frameTimer: NodeJS.Timeout | undefined;
  /** Runs from connect until the first whole frame. */
  private firstFrameTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly framing: FramingSpec,
    private readonly limits: ConnectionLimits,
    private readonly hooks: ConnectionHooks,
    private readonly log: Logger,
  ) {
    this.reader = new FrameReader(framing);
    socket.setNoDelay(true);
    // The OS counts the keepalive delay in whole seconds, and at least one.
    if (limits.tcpKeepAliveMs > 0) socket.setKeepAlive(true, Math.max(limits.tcpKeepAliveMs, 1000));
    socket.setTimeout(limits.idleTimeoutMs);
    this.firstFrameTimer = this.timer(limits.firstFrameTimeoutMs, 'first_frame', 'no whole frame since connecting');
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.dispatch();
    });
    socket.on('timeout', () => this.timedOut('idle', 'idle timeout'));
    socket.on('error', (err) => this.log.debug({ err: err.message, remote: this.remote }, 'connection error'));
    socket.on('close', () => this.onClose());
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      this.hooks.framingLost(e.reason);
      this.close(e.message);
      return;
    }
    if (frames.length > 0) this.framesArrived();
    for (const frame of frames) if (frame.body.length > 0) this.queue.push(frame);
    this.dispatch();
  }

  /** A whole frame (a keep-alive too) proves the client alive; the frame after it has its own clock. */
  private framesArrived(): void {
    clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = undefined;
    clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  /**
   * The frame clock runs only while part of a frame is buffered and the switch is reading: while
   * it is not (in-flight limit, back-pressure, shutdown), the rest may be waiting in the kernel,
   * which is not the client's fault. It restarts in full when reading resumes.
   */
  private updateFrameTimer(reading: boolean): void {
    const running = this.frameTimer !== undefined;
    const due = reading && this.reader.buffered > 0;
    if (due && !running)
      this.frameTimer = this.timer(this.limits.frameTimeoutMs, 'frame', 'frame not finished in time');
    else if (!due && running) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
    }
  }

  private timer(ms: number, kind: ConnectionTimeout, reason: string): NodeJS.Timeout {
    return setTimeout(() => this.timedOut(kind, reason), ms).unref();
  }

  private timedOut(kind: ConnectionTimeout, reason: string): void {
    // Two clocks may run out in one timer pass, before the close of the first has been seen.
    if (this.closed || this.socket.destroyed) return;
    this.hooks.timedOut(kind);
    this.close(reason);
  }

  /** Starts queued requests while there is room, then decides whether to read more. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.limits.maxInFlight && !this.writeBlocked && !this.closed) {
      void this.serve(this.queue.shift()!);
    }
    this.updateFlow();
  }

  private async serve(frame: Frame): Promise<void> {
    const started = process.hrtime.bigint();
    this.changeInFlight(1);
    try {
      const answer = await this.hooks.handle(frame.body);
      if (answer.kind === 'close') return this.close(answer.reason);
      if (answer.kind === 'reply') {
        this.write(
          encodeFrame(this.framing, answer.body, frame.tpdu === undefined ? undefined : replyTpdu(frame.tpdu)),
        );
        this.hooks.answered(Number(process.hrtime.bigint() - started) / 1e9);
      }
    } catch (e) {
      // The processor answers every request it can; reaching here is a bug, not the client's doing.
      this.log.error({ err: e, remote: this.remote }, 'request failed');
      this.close('internal error');
    } finally {
      this.changeInFlight(-1);
    }
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    if (!this.socket.write(frame)) {
      this.writeBlocked = true;
      this.updateFlow();
    }
  }

  private changeInFlight(delta: number): void {
    this.inFlight += delta;
    this.hooks.inFlightChanged(delta);
    if (delta < 0) this.dispatch();
    if (this.inFlight === 0 && this.queue.length === 0) this.idleResolve?.();
  }

  /** Reading runs only while nothing waits, there is room for another request, and the socket can take answers. */
  private updateFlow(): void {
    if (this.closed) return;
    const stop =
      this.draining || this.writeBlocked || this.queue.length > 0 || this.inFlight >= this.limits.maxInFlight;
    if (stop && !this.socket.isPaused()) this.socket.pause();
    else if (!stop && this.socket.isPaused()) this.socket.resume();
    this.updateFrameTimer(!stop);
  }

  /**
   * Graceful end: read nothing more, answer what was read, flush, close. Resolves when closed.
   * Requests still in flight after `deadline` ms are abandoned and the socket destroyed.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    this.updateFlow();
    if (this.inFlight > 0 || this.queue.length > 0) {
      const idle = new Promise<void>((resolve) => (this.idleResolve = resolve));
      await withTimeout(idle, deadlineMs, noValue);
    }
    await this.end();
  }

  private end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      // end() flushes what was written; destroy after a grace period if the peer never reads it.
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
  }

  close(reason: string): void {
    if (this.closed) return;
    this.log.info({ remote: this.remote, reason }, 'closing connection');
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.firstFrameTimer);
    clearTimeout(this.frameTimer);
    this.idleResolve?.();
    this.hooks.closed(this);
  }
}
