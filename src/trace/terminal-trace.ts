/**
 * The last N messages of each terminal, for the trace API. Frames are kept as bytes and rendered
 * (hex and described, card data masked) only when someone reads the trace: nothing is formatted
 * on the authorization path.
 */
import type { Dialect, FieldLayout } from '../codec/index.js';
import type { Clock } from '../clock.js';

interface Exchange {
  at: Date;
  listener: string;
  request: Buffer;
  response: Buffer;
}

export interface RenderedMessage {
  hex: string;
  described: string;
}

export interface RenderedExchange {
  at: string;
  listener: string;
  request: RenderedMessage;
  response: RenderedMessage;
}

export class TerminalTrace {
  private readonly terminals = new Map<string, Exchange[]>();

  constructor(
    private readonly perTerminal: number,
    private readonly clock: Clock,
    /** Terminals remembered at most; the one traced longest ago is forgotten first. */
    private readonly maxTerminals = 10_000,
  ) {}

  record(terminal: string, listener: string, request: Buffer, response: Buffer): void {
    let ring = this.terminals.get(terminal);
    if (ring === undefined) {
      if (this.terminals.size >= this.maxTerminals) this.terminals.delete(this.terminals.keys().next().value!);
      ring = [];
      this.terminals.set(terminal, ring);
    }
    // A copy: the request may be a view of a socket chunk that would otherwise be kept alive.
    ring.push({ at: this.clock.now(), listener, request: Buffer.from(request), response });
    if (ring.length > this.perTerminal) ring.shift();
  }

  has(terminal: string): boolean {
    return this.terminals.has(terminal);
  }

  /** Newest last, rendered with each listener's dialect; card data masked. */
  render(terminal: string, dialectOf: (listener: string) => Dialect): RenderedExchange[] {
    return (this.terminals.get(terminal) ?? []).map((x) => {
      const dialect = dialectOf(x.listener);
      return { at: x.at.toISOString(), listener: x.listener, request: renderMessage(dialect, x.request), response: renderMessage(dialect, x.response) };
    });
  }
}

/**
 * The hex dump shows the frame with the bytes of every card-data field (PAN, track, PIN block,
 * MAC, ICC data) replaced by '**', so that a dump pasted into a ticket carries no card data.
 * Bytes after an unreadable field are masked too: nothing says what they hold.
 */
export function renderMessage(dialect: Dialect, bytes: Buffer): RenderedMessage {
  const layout: FieldLayout[] = [];
  const { message, error } = dialect.unpackPartial(bytes, layout);
  const described = dialect.describe(message) + (error === undefined ? '' : `\n(unreadable from here: ${error.message})`);
  const pairs = bytes.toString('hex').toUpperCase().match(/../g) ?? [];
  const mask = (from: number, to: number): void => {
    for (let i = from; i < to; i++) pairs[i] = '**';
  };
  for (const { field, start, end } of layout) if (dialect.field(field)?.mask !== undefined) mask(start, end);
  if (error !== undefined) mask(layout.at(-1)?.end ?? 0, bytes.length);
  return { hex: pairs.join(''), described };
}
