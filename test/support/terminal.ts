/**
 * A bare test terminal: a TCP client that frames and packs like a real terminal and matches
 * answers to requests by STAN (field 11), so out-of-order answers are handled.
 */
import { randomInt } from 'node:crypto';
import { type Socket, connect } from 'node:net';
import { type Dialect, type IsoMessage, dialect } from '../../src/codec/index.js';
import { FrameReader, type FramingSpec, encodeFrame } from '../../src/transport/framing.js';

let lastStan = randomInt(0, 500_000);

export class TestTerminal {
  readonly socket: Socket;
  readonly dialect: Dialect;
  private readonly reader: FrameReader;
  private readonly waiting = new Map<string, (m: IsoMessage) => void>();
  /** Every answer, in arrival order. */
  readonly received: IsoMessage[] = [];
  readonly closed: Promise<void>;

  constructor(
    port: number,
    dialectName: string,
    readonly framing: FramingSpec,
    /** A socket already connecting (a TLS one: test/support/tls.ts); default a TCP connection to port. */
    socket?: Socket,
  ) {
    this.dialect = dialect(dialectName);
    this.reader = new FrameReader(framing);
    this.socket = socket ?? connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        const m = this.dialect.unpack(frame.body);
        this.received.push(m);
        const stan = m[11] as string;
        this.waiting.get(stan)?.(m);
        this.waiting.delete(stan);
      }
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  static async open(
    port: number,
    dialectName = 'iso93ascii',
    header: FramingSpec['header'] = 'binary2',
  ): Promise<TestTerminal> {
    const t = new TestTerminal(port, dialectName, { header, tpdu: false, maxFrameSize: 8192 });
    await new Promise<void>((resolve, reject) => {
      t.socket.once('connect', resolve);
      t.socket.once('error', reject);
    });
    return t;
  }

  /**
   * STANs are shared by every test terminal of the process, as a real terminal keeps counting
   * across connections: the same terminal id, local time and STAN twice is a retransmission.
   */
  nextStan(): string {
    lastStan = (lastStan % 999999) + 1;
    return String(lastStan).padStart(6, '0');
  }

  frame(message: IsoMessage): Buffer {
    return encodeFrame(this.framing, this.dialect.pack(message));
  }

  /** Sends a request (a STAN is added when it has none) and resolves with its answer. */
  send(message: IsoMessage): Promise<IsoMessage> {
    const m = { ...message };
    m[11] ??= this.nextStan();
    const answer = this.expect(m[11] as string);
    this.socket.write(this.frame(m));
    return answer;
  }

  expect(stan: string): Promise<IsoMessage> {
    return new Promise((resolve) => this.waiting.set(stan, resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A well-formed purchase for the iso93 dialect (single message). */
export function purchase93(fields: IsoMessage = {}): IsoMessage {
  return {
    0: '1200',
    2: '5019000000000016',
    3: '000000',
    4: '000000012500',
    12: '261121101530',
    41: 'TERM0001',
    49: '208',
    ...fields,
  };
}

/** The same for iso87: field 12 is hhmmss, 13 MMDD. */
export function purchase87(fields: IsoMessage = {}): IsoMessage {
  return {
    0: '0200',
    2: '5019000000000016',
    3: '000000',
    4: '000000012500',
    12: '101530',
    13: '1121',
    41: 'TERM0001',
    49: '208',
    ...fields,
  };
}
