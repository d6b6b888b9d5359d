/**
 * Prometheus metrics (prom-client). Labels carry no card data and no terminal ids: only the
 * listener name, MTI and action code, whose values are few and known.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** 100 µs to 1 s: an authorization on this switch takes well under a millisecond when healthy. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class SwitchMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'switch_requests_total',
    help: 'Requests answered, by MTI and action code',
    labelNames: ['listener', 'mti', 'action_code'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'switch_request_duration_seconds',
    help: 'Time from a whole frame read to its answer written',
    labelNames: ['listener'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly openConnections = new Gauge({
    name: 'switch_open_connections',
    help: 'Terminal connections open',
    labelNames: ['listener'],
    registers: [this.registry],
  });
  readonly rejectedConnections = new Counter({
    name: 'switch_rejected_connections_total',
    help: 'Connections closed at once because the listener was at its limit',
    labelNames: ['listener'],
    registers: [this.registry],
  });
  readonly tlsHandshakeFailures = new Counter({
    name: 'switch_tls_handshake_failures_total',
    help:
      'TLS connections not served: the handshake failed (handshake, timeout) or the client certificate was refused ' +
      '(no_certificate, certificate_untrusted, certificate_expired, certificate_without_name)',
    labelNames: ['listener', 'reason'],
    registers: [this.registry],
  });
  readonly connectionTimeouts = new Counter({
    name: 'switch_connection_timeouts_total',
    help: 'Connections closed by a timeout: idle, frame (a frame not finished in time), first_frame (no frame after connecting)',
    labelNames: ['listener', 'timeout'],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'switch_in_flight_requests',
    help: 'Requests read and not yet answered',
    labelNames: ['listener'],
    registers: [this.registry],
  });
  readonly decodeErrors = new Counter({
    name: 'switch_decode_errors_total',
    help: 'Frames that could not be read: framing lost or message not unpackable',
    labelNames: ['listener', 'kind'],
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'switch_redis_errors_total',
    help: 'Register (Redis) calls that failed or timed out',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
