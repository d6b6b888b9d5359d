/**
 * A TCP listener speaking one dialect with one framing, over plain TCP or TLS (tls.ts). It owns its
 * connections: accepts up to the connection limit (more are closed at once and counted), and
 * drains them on shutdown. Connections over the limit are shed by Node itself
 * (server.maxConnections): closed as soon as accepted, before any per-connection state exists, so
 * a flood costs an accept and a close each. A TLS connection is served once its handshake is done
 * and its client certificate (when asked for) is accepted; a failed one is counted and closed.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type TLSSocket, type Server as TlsServer, createServer as createTlsServer } from 'node:tls';
import { ListenError, listen } from './listen.js';
import type { ListenerOptions } from './options.js';
import type { Logger } from '../log/logger.js';
import type { SwitchMetrics } from '../metrics/metrics.js';
import { type Answer, TerminalConnection } from './connection.js';
import {
  type HandshakeFailure,
  NO_PEER,
  type Peer,
  checkPeer,
  clientErrorKind,
  secureContextOf,
  serverOptions,
} from './tls.js';

/** During a flood, one warning per this long (with the count) instead of a log line per connection. */
export const SHED_LOG_INTERVAL_MS = 10_000;

export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<TerminalConnection>();
  private listening = false;
  /** Connections shed since the last warning, and when that was. */
  private shed = { count: 0, loggedAt: -Infinity };
  /** TLS: handshakes failed since the last warning, and when that was. */
  private failedHandshakes = { count: 0, loggedAt: -Infinity };
  /**
   * TLS: every TCP connection until it closes. At shutdown, once the served ones are drained, those
   * left are still in their handshake, and are closed.
   */
  private readonly handshaking = new Set<Socket>();

  constructor(
    readonly config: ListenerOptions,
    /** `peer`: who the connection's client certificate proves the terminal to be (TLS). */
    private readonly handle: (body: Buffer, peer: Peer) => Promise<Answer>,
    private readonly metrics: SwitchMetrics,
    private readonly log: Logger,
  ) {
    const tls = config.tls;
    if (tls === undefined) this.server = createServer({ noDelay: true }, (socket) => this.accept(socket, NO_PEER));
    else {
      // A client must finish its handshake as soon as it must send its first frame.
      const server = createTlsServer({ noDelay: true, ...serverOptions(tls, config.connections.firstFrameTimeoutMs) });
      server.on('secureConnection', (socket: TLSSocket) => this.secured(socket));
      server.on('tlsClientError', (e: NodeJS.ErrnoException, socket: TLSSocket) => {
        this.handshakeFailed(clientErrorKind(e), e.code);
        // Node leaves a socket whose handshake timed out open: closed here, whatever failed.
        socket.destroy();
      });
      server.on('connection', (raw: Socket) => {
        this.handshaking.add(raw);
        raw.once('close', () => this.handshaking.delete(raw));
      });
      this.server = server;
    }
    this.server.maxConnections = config.connections.maxConnections;
    this.server.on('drop', () => this.onShed());
  }

  get name(): string {
    return this.config.name;
  }

  get isListening(): boolean {
    return this.listening;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    const what = `listener ${this.name}`;
    if (this.config.tls !== undefined) {
      const context = await secureContextOf(this.config.tls, what);
      try {
        (this.server as TlsServer).setSecureContext(context);
      } catch (e) {
        // OpenSSL's reason (a key that does not match, not PEM): no byte of the files is in it.
        throw new ListenError(`${what}: tls.certificate or tls.key not usable: ${(e as Error).message}`);
      }
    }
    await listen(this.server, this.config.port, this.config.host, what);
    this.listening = true;
    this.log.info(
      {
        listener: this.name,
        host: this.config.host,
        port: this.port,
        dialect: this.config.dialect,
        framing: this.config.framing,
        tls: this.config.tls === undefined ? false : (this.config.tls.clientCertificates ?? 'off'),
      },
      'listening',
    );
  }

  /** A finished handshake: served when the client certificate (if asked for) is accepted. */
  private secured(socket: TLSSocket): void {
    const checked = checkPeer(socket, this.config.tls?.clientCertificates ?? 'off');
    if ('failure' in checked) {
      this.handshakeFailed(checked.failure, checked.detail);
      socket.destroy();
      return;
    }
    this.accept(socket, checked.peer);
  }

  /**
   * Counts every failed handshake (switch_tls_handshake_failures_total, by reason); warns at most
   * once per SHED_LOG_INTERVAL_MS, with the count since the last warning, so that a client
   * retrying in a loop (or a scanner) cannot flood the log.
   */
  private handshakeFailed(reason: HandshakeFailure, detail: string | undefined): void {
    this.metrics.tlsHandshakeFailures.inc({ listener: this.name, reason });
    this.failedHandshakes.count++;
    const now = performance.now();
    if (now - this.failedHandshakes.loggedAt < SHED_LOG_INTERVAL_MS) return;
    this.log.warn(
      { listener: this.name, reason, detail, failed: this.failedHandshakes.count },
      'TLS connection refused',
    );
    this.failedHandshakes = { count: 0, loggedAt: now };
  }

  /** Counts every shed connection; warns at most once per SHED_LOG_INTERVAL_MS so a flood cannot flood the log. */
  private onShed(): void {
    this.metrics.rejectedConnections.inc({ listener: this.name });
    this.shed.count++;
    const now = performance.now();
    if (now - this.shed.loggedAt < SHED_LOG_INTERVAL_MS) return;
    this.log.warn(
      { listener: this.name, limit: this.config.connections.maxConnections, shed: this.shed.count },
      'connections refused: listener at its connection limit',
    );
    this.shed = { count: 0, loggedAt: now };
  }

  private accept(socket: Socket, peer: Peer): void {
    const labels = { listener: this.name };
    const connection = new TerminalConnection(
      socket,
      this.config.framing,
      this.config.connections,
      {
        handle: (body) => this.handle(body, peer),
        answered: (seconds) => this.metrics.latency.observe(labels, seconds),
        inFlightChanged: (delta) => this.metrics.inFlight.inc(labels, delta),
        timedOut: (kind) => this.metrics.connectionTimeouts.inc({ ...labels, timeout: kind }),
        framingLost: (reason) => {
          this.metrics.decodeErrors.inc({ ...labels, kind: 'framing' });
          this.log.warn({ listener: this.name, reason }, 'framing lost');
        },
        closed: (c) => {
          this.connections.delete(c);
          this.metrics.openConnections.dec(labels);
        },
      },
      this.log,
    );
    this.connections.add(connection);
    this.metrics.openConnections.inc(labels);
  }

  /** Stops accepting, answers what every connection already read, then closes them. */
  async stop(deadlineMs: number): Promise<void> {
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drain(deadlineMs)));
    // TLS: what is left are connections still in their handshake when the drain began (served
    // ones closed above), and any whose handshake finished during the drain: closed unserved.
    for (const raw of this.handshaking) raw.destroy();
    await closed;
  }
}
