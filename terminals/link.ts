/**
 * A terminal's TCP connection to the switch (or TLS, with `tls`): frames and packs requests, matches answers to them
 * by STAN (field 11) and answer MTI, and resolves a request with `undefined` when its answer does
 * not come in time or the connection closes first. A closed connection is opened again by the
 * next request. Answers nobody waits for (late ones) are dropped, as a terminal drops them.
 * With message security (security.ts) requests are MACed, and an answer whose MAC is missing or
 * wrong resolves its request with a RejectedAnswer: it came, but cannot be believed.
 */
import { type Socket, connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Dialect, IsoMessage } from '../src/codec/index.js';
import { FrameReader, type FramingSpec, encodeFrame } from '../src/transport/framing.js';
import { responseMti } from '../src/authorization/steps/respond.js';

/** The switch could not be reached. */
export class ConnectError extends Error {
  override name = 'ConnectError';
}

/**
 * TLS to the switch: the CA that signed the switch's certificate (absent: the system's CAs), and
 * the terminal's own certificate and key (PEM) for a listener that asks for one.
 */
export interface LinkTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** An answer that came but whose MAC was missing or wrong. */
export class RejectedAnswer {
  constructor(readonly message: IsoMessage) {}
}

/** How requests are packed and answers believed (MACs); absent: plain packing, every answer believed. */
export interface LinkSecurity {
  pack(message: IsoMessage): Buffer;
  accepts(body: Buffer, answer: IsoMessage): boolean;
}

type Waiter = (answer: IsoMessage | RejectedAnswer | undefined) => void;

interface Connection {
  socket: Socket;
  reader: FrameReader;
  waiting: Map<string, Waiter>;
  closed: Promise<void>;
}

const keyOf = (stan: unknown, mti: unknown): string => `${String(stan)}:${String(mti)}`;

export class Link {
  private current: Connection | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly framing: FramingSpec,
    private readonly dialect: Dialect,
    private readonly tls?: LinkTls,
    private readonly security?: LinkSecurity,
  ) {}

  /** Connects unless connected; throws ConnectError when the switch cannot be reached (or its certificate is not trusted). */
  async connect(): Promise<void> {
    if (this.current !== undefined) return;
    const socket = this.open();
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once(this.tls === undefined ? 'connect' : 'secureConnect', resolve);
        socket.once('error', reject);
      });
    } catch (e) {
      socket.destroy();
      const how = this.tls === undefined ? '' : ' over TLS';
      throw new ConnectError(
        `cannot connect to ${this.host}:${this.port}${how} (${String((e as NodeJS.ErrnoException).code)})`,
      );
    }
    socket.removeAllListeners('error');
    socket.on('error', () => {}); // 'close' follows and fails what is waiting
    const c: Connection = {
      socket,
      reader: new FrameReader(this.framing),
      waiting: new Map(),
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    socket.on('data', (chunk: Buffer) => this.receive(c, chunk));
    void c.closed.then(() => {
      this.current = undefined; // only this connection can be current: a new one is opened only when none is
      for (const waiter of [...c.waiting.values()]) waiter(undefined);
    });
    this.current = c;
  }

  private open(): Socket {
    if (this.tls === undefined) return connect(this.port, this.host);
    return connectTls({
      host: this.host,
      port: this.port,
      // The server's certificate is checked against the host: a name (SNI too) or an IP address.
      ...(isIP(this.host) === 0 ? { servername: this.host } : {}),
      ...this.tls,
    });
  }

  /**
   * Sends a request and resolves with its answer, or `undefined` when none came within
   * `timeoutMs`, the connection closed before it, or the connection could not be opened again.
   */
  async request(message: IsoMessage, timeoutMs: number): Promise<IsoMessage | RejectedAnswer | undefined> {
    const frame = encodeFrame(this.framing, this.security?.pack(message) ?? this.dialect.pack(message));
    try {
      await this.connect();
    } catch {
      return undefined;
    }
    const c = this.current!;
    const key = keyOf(message[11], responseMti(String(message[0])));
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done: Waiter = (answer) => {
        clearTimeout(timer);
        c.waiting.delete(key);
        resolve(answer);
      };
      c.waiting.set(key, done);
      c.socket.write(frame);
    });
  }

  private receive(c: Connection, chunk: Buffer): void {
    let frames;
    try {
      frames = c.reader.push(chunk);
    } catch {
      c.socket.destroy(); // framing lost: nothing after it can be trusted
      return;
    }
    for (const frame of frames) {
      if (frame.body.length === 0) continue; // keep-alive
      let answer: IsoMessage;
      try {
        answer = this.dialect.unpack(frame.body);
      } catch {
        continue; // unreadable: as if it never came
      }
      const believed = this.security === undefined || this.security.accepts(frame.body, answer);
      c.waiting.get(keyOf(answer[11], answer[0]))?.(believed ? answer : new RejectedAnswer(answer));
    }
  }

  /** Closes the connection (a later request opens a new one). */
  async close(): Promise<void> {
    const c = this.current;
    if (c === undefined) return;
    c.socket.destroy();
    await c.closed;
  }
}
