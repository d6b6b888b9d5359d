/**
 * The last N messages of each terminal, for the trace API. Frames are kept as bytes and rendered
 * (hex and described, card data masked) only when someone reads the trace: nothing is formatted
 * on the authorization path. An exchange a fault rule changed (src/faults/) carries a note of the
 * fault; one whose answer was never sent (noAnswer, close) has no response.
 */
import { type Dialect, type FieldLayout, hiddenSubElements } from '../codec/index.js';
import type { Clock } from '../time/clock.js';

/** What a fault rule did to an exchange: no card data, no terminal id. */
export interface FaultNote {
  kind: 'delay' | 'noAnswer' | 'close' | 'actionCode' | 'corrupt' | 'badArpc' | 'dropMac' | 'script';
  /** The rule's id. */
  rule: string;
  /** delay: how late the answer left. */
  ms?: number;
  /** The action code the switch decided (delay, noAnswer, corrupt, script) or was told to send (actionCode). */
  actionCode?: string;
}

export interface TraceEntry {
  at: Date;
  listener: string;
  request: Buffer;
  /** The bytes sent (corrupted ones included); undefined when nothing was sent. */
  response: Buffer | undefined;
  fault?: FaultNote;
}

interface Ring {
  entries: TraceEntry[];
  /** Entries pushed out of the window: when above 0, the terminal's earlier traffic is unknown. */
  dropped: number;
}

export interface RenderedMessage {
  hex: string;
  described: string;
}

export interface RenderedExchange {
  at: string;
  listener: string;
  request: RenderedMessage;
  /** null: no answer was sent (a fault rule's noAnswer or close). */
  response: RenderedMessage | null;
  fault?: FaultNote;
}

/** Told of every exchange as it is recorded (the console's live traffic); gets the entry as kept. */
export type TraceWatcher = (terminal: string, entry: TraceEntry) => void;

export class TerminalTrace {
  private readonly terminals = new Map<string, Ring>();
  private readonly watchers = new Set<TraceWatcher>();

  constructor(
    private readonly perTerminal: number,
    private readonly clock: Clock,
    /** Terminals remembered at most; the one traced longest ago is forgotten first. */
    private readonly maxTerminals = 10_000,
  ) {}

  record(terminal: string, listener: string, request: Buffer, response: Buffer | undefined, fault?: FaultNote): void {
    let ring = this.terminals.get(terminal);
    if (ring === undefined) {
      if (this.terminals.size >= this.maxTerminals) this.terminals.delete(this.terminals.keys().next().value!);
      ring = { entries: [], dropped: 0 };
      this.terminals.set(terminal, ring);
    }
    // Copies of their own: the request may be a view of a socket chunk, and both may sit in
    // Node's shared 8 KiB allocation pool, which one kept buffer keeps alive whole.
    const entry: TraceEntry = {
      at: this.clock.now(),
      listener,
      request: unpooled(request),
      response: response && unpooled(response),
    };
    if (fault !== undefined) entry.fault = fault;
    ring.entries.push(entry);
    if (ring.entries.length > this.perTerminal) {
      ring.entries.shift();
      ring.dropped++;
    }
    for (const watch of this.watchers) watch(terminal, entry);
  }

  /**
   * Calls `watch` with every exchange recorded from now on, until the returned function is called.
   * Watchers run on the answer's path, before the answer is sent: they must only queue their work,
   * and must not throw.
   */
  watch(watch: TraceWatcher): () => void {
    this.watchers.add(watch);
    return () => this.watchers.delete(watch);
  }

  has(terminal: string): boolean {
    return this.terminals.has(terminal);
  }

  /** The terminals traced, oldest first. */
  terminalIds(): string[] {
    return [...this.terminals.keys()];
  }

  /** The terminal's entries as kept, oldest first (for the conformance view), and how many fell out of the window. */
  window(terminal: string): { entries: readonly TraceEntry[]; dropped: number; capacity: number } {
    const ring = this.terminals.get(terminal);
    return { entries: ring?.entries ?? [], dropped: ring?.dropped ?? 0, capacity: this.perTerminal };
  }

  /** Newest last, rendered with each listener's dialect; card data masked. */
  render(terminal: string, dialectOf: (listener: string) => Dialect): RenderedExchange[] {
    return (this.terminals.get(terminal)?.entries ?? []).map((x) => {
      const dialect = dialectOf(x.listener);
      const rendered: RenderedExchange = {
        at: x.at.toISOString(),
        listener: x.listener,
        request: renderMessage(dialect, x.request),
        response: x.response === undefined ? null : renderMessage(dialect, x.response),
      };
      if (x.fault !== undefined) rendered.fault = x.fault;
      return rendered;
    });
  }
}

/**
 * The hex dump shows the frame with the bytes of every card-data field (PAN, track, PIN block,
 * MAC, ICC data) and of field 48's CVC replaced by '**', so that a dump pasted into a ticket carries no card data.
 * Bytes after an unreadable field are masked too: nothing says what they hold.
 */
export function renderMessage(dialect: Dialect, bytes: Buffer): RenderedMessage {
  const layout: FieldLayout[] = [];
  const { message, error } = dialect.unpackPartial(bytes, layout);
  const described =
    dialect.describe(message) + (error === undefined ? '' : `\n(unreadable from here: ${error.message})`);
  const pairs = bytes.toString('hex').toUpperCase().match(/../g) ?? [];
  const mask = (from: number, to: number): void => {
    for (let i = from; i < to; i++) pairs[i] = '**';
  };
  for (const { field, start, end } of layout) {
    const spec = dialect.field(field);
    const value = message[field];
    if (spec?.mask === 'subElements' && typeof value === 'string') {
      // Only the secret sub-elements' values (the CVC), which end the field's bytes (one a character).
      const at = end - value.length;
      for (const [from, to] of hiddenSubElements(value, spec.hiddenTags ?? [])) mask(at + from, at + to);
    } else if (spec?.mask !== undefined) mask(start, end);
  }
  if (error !== undefined) mask(layout.at(-1)?.end ?? 0, bytes.length);
  return { hex: pairs.join(''), described };
}

/** A copy in memory of its own (never a slice of the shared pool): a kept trace entry pins only its own bytes. */
function unpooled(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
