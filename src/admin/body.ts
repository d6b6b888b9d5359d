/**
 * The JSON body of an admin API request, read with a size limit. Errors never quote the body: it
 * may hold a PAN or a PIN (JSON.parse's own message would show a piece of it).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './server.js';

/** The largest body accepted: every request of the API fits in far less. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * A body a little over the limit is read on (and dropped) until it ends, because answering 413
 * and closing while the client still sends can reset the connection before the client reads the
 * answer. One announced or grown past this much is answered at once and its connection closed:
 * a client streaming without end must not keep the server reading (and dropping) for ever.
 */
const WAIT_FOR_END_BYTES = 1024 * 1024;

/** How readRaw ends for a body over the limit: read to its end (the connection stays), or cut off (it is closed). */
type TooLarge = 'tooLarge' | 'cutOff';

/** application/json, any application/…+json, with or without parameters (charset). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers['content-type'];
  // A missing type is taken as JSON (a bare `curl --data-binary`); a different one is a mistake worth naming.
  if (type !== undefined && !JSON_TYPE.test(type))
    throw new HttpError(415, { error: 'the body must be JSON (content-type: application/json)' });
  const raw = await readRaw(req, limit);
  if (typeof raw === 'string')
    throw new HttpError(
      413,
      { error: `the body is larger than ${limit} bytes` },
      raw === 'cutOff' ? { connection: 'close' } : {},
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, { error: 'the body is not UTF-8' });
  }
  if (text.trim() === '') throw new HttpError(400, { error: 'a JSON body is required' });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, { error: 'the body is not valid JSON' });
  }
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | TooLarge> {
  const declared = Number(req.headers['content-length']);
  // Announced as far too large: refused before a byte of it is read.
  if (declared > WAIT_FOR_END_BYTES) return Promise.resolve('cutOff');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A declared length over the limit is refused without keeping any of it.
    let tooLarge = declared > limit;
    let settled = false;
    const settle = (result: Buffer | TooLarge | Error) => {
      if (settled) return;
      settled = true;
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
      if (size > WAIT_FOR_END_BYTES) settle('cutOff');
    });
    req.on('end', () => settle(tooLarge ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', (e) => settle(e));
    // The client went away mid-body: nothing to answer, but the route must not wait forever.
    req.on('close', () => settle(new HttpError(400, { error: 'the body ended early' })));
  });
}
