/**
 * Structured JSON logs (pino). The switch logs masked card data only (maskPan, describe), and the
 * redaction below is the safety net for any object that carries a clear value by mistake.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys that may hold card data or secrets, wherever they appear one or two levels down. */
const SECRET_KEYS = [
  'pan',
  'track',
  'track1',
  'track2',
  'track3',
  'pin',
  'pinBlock',
  'cvc',
  'password',
  'token',
  'authorization',
];
/** ISO 8583 field numbers of card data, when a raw message object is logged. */
const CARD_FIELDS = ['2', '34', '35', '36', '45', '52', '55', '64', '96', '128'];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...CARD_FIELDS.flatMap((f) => [`message["${f}"]`, `request["${f}"]`, `response["${f}"]`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switch' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous writes: logging must never hold up an authorization.
    destination ?? pino.destination({ sync: false }),
  );
}
