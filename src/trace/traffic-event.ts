/**
 * One exchange of a terminal's trace as the console's live traffic shows it: each message's MTI
 * and fields by number, name and value, with card data masked as describe() masks it (PAN and
 * track first 6 and last 4, PIN block, MAC and any field the dialect does not know hidden), and
 * the masked hex dump. Built only when someone watches: nothing is formatted on the answer's path.
 */
import type { Dialect, FieldSpec, IsoValue } from '../codec/index.js';
import { describeIcc, maskPan, maskSubElements, maskTrack } from '../codec/index.js';
import { type FaultNote, type TraceEntry, renderMessage } from './terminal-trace.js';

export interface ShownField {
  n: number;
  name: string;
  value: string;
}

export interface ShownMessage {
  /** null when not even the MTI could be read. */
  mti: string | null;
  fields: ShownField[];
  /** The frame in hex, card-data bytes as '**'. */
  hex: string;
  /** Why the message could not be read to its end, when it could not. */
  error?: string;
}

export interface TrafficEvent {
  /** Counts the events this switch process showed since it started: a gap means events were skipped. */
  seq: number;
  at: string;
  terminal: string;
  listener: string;
  dialect: string;
  request: ShownMessage;
  /** null: no answer was sent (a fault rule's noAnswer or close). */
  response: ShownMessage | null;
  fault?: FaultNote;
}

export function trafficEvent(seq: number, terminal: string, entry: TraceEntry, dialect: Dialect): TrafficEvent {
  const event: TrafficEvent = {
    seq,
    at: entry.at.toISOString(),
    terminal,
    listener: entry.listener,
    dialect: dialect.name,
    request: shownMessage(dialect, entry.request),
    response: entry.response === undefined ? null : shownMessage(dialect, entry.response),
  };
  if (entry.fault !== undefined) event.fault = entry.fault;
  return event;
}

export function shownMessage(dialect: Dialect, bytes: Buffer): ShownMessage {
  const { message, error } = dialect.unpackPartial(bytes);
  const fields: ShownField[] = [];
  for (const key of Object.keys(message)) {
    const n = Number(key);
    const value = message[n];
    if (n === 0 || n === 1 || value === undefined) continue;
    const spec = dialect.field(n);
    fields.push({ n, name: spec?.name ?? 'not in dialect', value: shownValue(value, spec) });
  }
  const mti = message[0];
  const shown: ShownMessage = {
    mti: typeof mti === 'string' ? mti : null,
    fields,
    hex: renderMessage(dialect, bytes).hex,
  };
  if (error !== undefined) shown.error = error.message;
  return shown;
}

/** As describe() masks a field (src/codec/describe.ts), the value itself unquoted. */
function shownValue(value: IsoValue, spec: FieldSpec | undefined): string {
  // A field the dialect does not know is treated as a secret: nothing says what it holds.
  const mask = spec?.mask ?? (spec === undefined ? 'hide' : undefined);
  if (mask === 'hide') return `[hidden, ${value.length} ${Buffer.isBuffer(value) ? 'bytes' : 'characters'}]`;
  const text = Buffer.isBuffer(value) ? value.toString('hex').toUpperCase() : value;
  if (mask === 'pan') return maskPan(text);
  if (mask === 'track') return maskTrack(text);
  if (mask === 'subElements') return maskSubElements(text, spec?.hiddenTags ?? []);
  if (mask === 'icc') return describeIcc(value);
  return text;
}
