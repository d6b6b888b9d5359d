/**
 * The switch's live traffic (GET /traffic, server-sent events) read with fetch, which can send the
 * token (EventSource cannot). One connection for the whole console, opened while anyone listens,
 * opened again a second after it drops.
 */
import type { TrafficEvent } from '../../src/trace/traffic-event.js';
import { ApiError, session } from './api.js';

export type { TrafficEvent };
type Listener = (event: TrafficEvent) => void;
type StatusListener = (status: string) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<StatusListener>();
let controller: AbortController | undefined;
let status = 'not connected';

export function onTraffic(listener: Listener): () => void {
  listeners.add(listener);
  if (controller === undefined) connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  };
}

export function onStatus(listener: StatusListener): () => void {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

export function disconnect(): void {
  controller?.abort();
  controller = undefined;
  setStatus('not connected');
}

function setStatus(s: string): void {
  status = s;
  for (const l of statusListeners) l(s);
}

function connect(): void {
  const mine = new AbortController();
  controller = mine;
  void read(mine).then((reason) => {
    if (controller !== mine) return;
    setStatus(reason);
    // Refused (401, 403): asking again gives the same answer.
    if (!reason.startsWith('refused')) setTimeout(() => controller === mine && connect(), 1000);
  });
}

async function read(mine: AbortController): Promise<string> {
  try {
    const res = await fetch('/traffic', {
      headers: { authorization: `Bearer ${session()?.token ?? ''}` },
      signal: mine.signal,
    });
    if (!res.ok) return `refused: ${new ApiError(res.status, (await res.json()) as ApiError['body']).message}`;
    setStatus('live');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'disconnected: reconnecting';
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (data) {
          const event = JSON.parse(data[1]!) as TrafficEvent;
          for (const l of listeners) l(event);
        }
      }
    }
  } catch {
    return mine.signal.aborted ? 'not connected' : 'disconnected: reconnecting';
  }
}
