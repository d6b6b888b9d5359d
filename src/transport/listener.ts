/**
 * A TCP listener speaking one dialect with one framing. It owns its connections: accepts up to
 * the connection limit (more are closed at once and counted), and drains them on shutdown.
 * Connections over the limit are shed by Node itself (server.maxConnections): closed as soon as
 * accepted, before any per-connection state exists, so a flood costs an accept and a close each.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { listen } from './listen.js';
import type { ListenerOptions } from './options.js';
import type { Logger } from '../log/logger.js';
import type { SwitchMetrics } from '../metrics/metrics.js';
import { type Answer, TerminalConnection } from './connection.js';

/** During a flood, one warning per this long (with the count) instead of a log line per connection. */
export const SHED_LOG_INTERVAL_MS = 10_000;

export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<TerminalConnection>();
  private listening = false;
  /** Connections shed since the last warning, and when that was. */
  private shed = { count: 0, loggedAt: -Infinity };

  constructor(
    readonly config: ListenerOptions,
    private readonly handle: (body: Buffer) => Promise<Answer>,
    private readonly metrics: SwitchMetrics,
    private readonly log: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
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
    await listen(this.server, this.config.port, this.config.host, `listener ${this.name}`);
    this.listening = true;
    this.log.info(
      {
        listener: this.name,
        host: this.config.host,
        port: this.port,
        dialect: this.config.dialect,
        framing: this.config.framing,
      },
      'listening',
    );
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

  private accept(socket: Socket): void {
    const labels = { listener: this.name };
    const connection = new TerminalConnection(
      socket,
      this.config.framing,
      this.config.connections,
      {
        handle: this.handle,
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
    await closed;
  }
}
