/**
 * The live traffic of every terminal, for the console: each exchange the trace records, rendered
 * once (masked, src/trace/traffic-event.ts) and handed to every subscriber. The trace tells the
 * feed on the answer's path; the feed only queues there and renders on the next turn of the event
 * loop, and watches the trace only while someone subscribes.
 */
import type { Dialect } from '../codec/index.js';
import type { TerminalTrace, TraceEntry } from './terminal-trace.js';
import { type TrafficEvent, trafficEvent } from './traffic-event.js';

export type TrafficSubscriber = (event: TrafficEvent) => void;

/** Exchanges queued for rendering at most: past it (a burst nobody could read live) the oldest are skipped. */
const MAX_QUEUED = 2000;

export class TrafficFeed {
  private readonly subscribers = new Set<TrafficSubscriber>();
  private queue: { terminal: string; entry: TraceEntry }[] = [];
  private unwatch: (() => void) | undefined;
  private scheduled = false;
  private seq = 0;

  constructor(
    private readonly trace: TerminalTrace,
    private readonly dialectOf: (listener: string) => Dialect,
  ) {}

  /** Calls `subscriber` with every exchange from now on, until the returned function is called. */
  subscribe(subscriber: TrafficSubscriber): () => void {
    this.subscribers.add(subscriber);
    this.unwatch ??= this.trace.watch((terminal, entry) => this.enqueue(terminal, entry));
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.unwatch !== undefined) {
        this.unwatch();
        this.unwatch = undefined;
        this.queue = [];
      }
    };
  }

  private enqueue(terminal: string, entry: TraceEntry): void {
    this.seq++;
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    this.queue.push({ terminal, entry });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    // seq of the first queued exchange: the counter ran on while they waited.
    let seq = this.seq - queued.length + 1;
    for (const { terminal, entry } of queued) {
      const event = trafficEvent(seq++, terminal, entry, this.dialectOf(entry.listener));
      for (const subscriber of this.subscribers) subscriber(event);
    }
  }
}
