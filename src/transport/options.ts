/** What a listener and its connections are configured with (config listeners[]: src/config/types.ts). */
import type { LengthHeader } from './framing.js';
import type { TlsSettings } from './tls.js';

export interface ConnectionLimits {
  /** Connections accepted at once on the listener; more are closed at once and counted. */
  maxConnections: number;
  /** Requests in flight on one connection; at the limit the switch stops reading from it. */
  maxInFlight: number;
  /** A connection with nothing received for this long is closed (keep-alive frames count). */
  idleTimeoutMs: number;
  /**
   * A frame whose first byte has arrived must be whole within this, or the connection is closed:
   * a client trickling bytes (a byte a second) cannot hold a slot by never finishing a frame.
   * The clock stops while the switch itself is not reading (in-flight limit, write back-pressure).
   */
  frameTimeoutMs: number;
  /**
   * A new connection must send a whole frame (a keep-alive will do) within this, or it is closed:
   * connections that open and say nothing (half-open, port scanners) give their slot back.
   */
  firstFrameTimeoutMs: number;
  /**
   * TCP keepalive: probes start after this long without traffic, so that the OS finds a peer that
   * vanished without a FIN or RST (power cut, cable pulled, NAT entry dropped); 0 turns it off.
   */
  tcpKeepAliveMs: number;
}

/** One ISO 8583 listener: where it listens, its dialect and framing, its connections' limits. */
export interface ListenerOptions {
  name: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dialect: string;
  framing: {
    header: LengthHeader;
    tpdu: boolean;
    maxFrameSize: number;
  };
  connections: ConnectionLimits;
  /** TLS on this listener; absent: plain TCP. */
  tls?: TlsSettings;
}
