/**
 * What the fuzzer aims at: one listener per combination worth covering, so that every shipped
 * dialect and every length header is hit, with and without a TPDU. The names are the listeners'
 * names in the switch the fuzzer starts (and in the in-process test's switch).
 */
import type { ShippedDialect } from '../../src/codec/index.js';
import type { FramingSpec } from '../../src/transport/framing.js';

export interface FuzzTarget {
  listener: string;
  dialect: ShippedDialect;
  framing: FramingSpec;
}

/**
 * maxFrameSize 2048 on three of them, below what ascii4 and bcd2 headers can announce (9999), so
 * that "larger than the maximum" is reachable with every header kind.
 */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { listener: 'iso93', dialect: 'iso93ascii', framing: { header: 'binary2', tpdu: false, maxFrameSize: 2048 } },
  { listener: 'iso87', dialect: 'iso87ascii', framing: { header: 'ascii4', tpdu: false, maxFrameSize: 2048 } },
  { listener: 'iso93b', dialect: 'iso93binary', framing: { header: 'bcd2', tpdu: true, maxFrameSize: 2048 } },
  { listener: 'iso87t', dialect: 'iso87ascii', framing: { header: 'binary2', tpdu: true, maxFrameSize: 8192 } },
];

/** The connection limits of a fuzzed listener: short frame timeouts, so that stalled frames end soon. */
export interface FuzzTimeouts {
  /** A begun frame must be whole within this (the switch's frameTimeoutMs). */
  frameTimeoutMs: number;
}

/** The listeners' part of a switch config for the targets (file or test overrides alike). */
export function listenerConfigs(
  targets: readonly FuzzTarget[],
  timeouts: FuzzTimeouts,
  port: (t: FuzzTarget) => number = () => 0,
) {
  return targets.map((t) => ({
    name: t.listener,
    host: '127.0.0.1',
    port: port(t),
    dialect: t.dialect,
    framing: { ...t.framing },
    connections: {
      maxConnections: 20_000,
      maxInFlight: 64,
      idleTimeoutMs: 60_000,
      frameTimeoutMs: timeouts.frameTimeoutMs,
      // Longer than the frame timeout, so a stalled first frame is closed by the frame timeout.
      firstFrameTimeoutMs: 4 * timeouts.frameTimeoutMs,
      tcpKeepAliveMs: 60_000,
    },
  }));
}
