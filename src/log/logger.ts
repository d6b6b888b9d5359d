/**
 * Structured logs (pino): JSON lines, or readable lines (pino-pretty) when the output is a
 * terminal, so a person running `npm start` reads them and a collector still parses them. The
 * switch logs masked card data only (maskPan, describe), and the redaction below is the safety
 * net for any object that carries a clear value by mistake; it applies before either format.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

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
/** ISO 8583 field numbers of card data, when a raw message object is logged (48 may hold a CVC). */
const CARD_FIELDS = ['2', '34', '35', '36', '45', '48', '52', '55', '64', '96', '128'];

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
    destination ?? defaultDestination(),
  );
}

/** LOG_FORMAT=json or pretty forces one; otherwise readable on a terminal, JSON elsewhere. */
export function logFormat(env: NodeJS.ProcessEnv, isTerminal: boolean): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTerminal ? 'pretty' : 'json';
}

function defaultDestination(): DestinationStream {
  // Asynchronous writes: logging must never hold up an authorization.
  if (logFormat(process.env, process.stdout.isTTY === true) === 'json') return pino.destination({ sync: false });
  return pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,service',
    sync: false,
  });
}
