/**
 * A retransmission, as a terminal makes one when it doubts its answer came: the very request
 * again (same STAN, same local time, same card data and PIN block), on a connection of its own,
 * with a new transmission time (field 7); optionally as the repeat MTI (1201 for 1200) or with
 * fields changed (to show the switch's answer to other content under the same transaction).
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { LinkTls } from '../link.js';
import type { Dialect, IsoMessage } from '../../src/codec/index.js';
import { FrameReader, type LengthHeader, encodeFrame } from '../../src/transport/framing.js';
import { responseMti } from '../../src/authorization/steps/respond.js';
import type { Exchange } from '../index.js';

export interface ResendTarget {
  host: string;
  port: number;
  dialect: Dialect;
  header: LengthHeader;
  timeoutMs: number;
  /** TLS, as the terminal's own link (terminals/link.ts). */
  tls?: LinkTls;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Field 7, MMDDhhmmss in UTC. */
function transmissionTime(at: Date): string {
  return (
    pad2(at.getUTCMonth() + 1) +
    pad2(at.getUTCDate()) +
    pad2(at.getUTCHours()) +
    pad2(at.getUTCMinutes()) +
    pad2(at.getUTCSeconds())
  );
}

/** The request as retransmitted: the repeat MTI (third digit of the function, + 1) when asked, `set` fields replaced. */
export function retransmission(
  original: IsoMessage,
  o: { repeat?: boolean | undefined; set?: Record<string, string> | undefined },
  at: Date,
): IsoMessage {
  const message: IsoMessage = { ...original, 7: transmissionTime(at) };
  if (o.repeat === true) {
    const mti = String(original[0]);
    message[0] = mti.slice(0, 3) + String(Number(mti[3]) + 1);
  }
  for (const [field, value] of Object.entries(o.set ?? {})) message[Number(field)] = value;
  return message;
}

/** Sends one request on a connection of its own and waits for its answer (matched by STAN and answer MTI) or the timeout. */
export async function resend(target: ResendTarget, request: IsoMessage, at: Date): Promise<Exchange> {
  const body = target.dialect.pack(request);
  const framing = { header: target.header, tpdu: false, maxFrameSize: 8192 };
  const socket =
    target.tls === undefined
      ? connect(target.port, target.host)
      : connectTls({ host: target.host, port: target.port, ...target.tls });
  const reader = new FrameReader(framing);
  const wanted = responseMti(String(request[0]));
  const response = await new Promise<IsoMessage | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), target.timeoutMs);
    const done = (m: IsoMessage | undefined): void => {
      clearTimeout(timer);
      resolve(m);
    };
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        return done(undefined);
      }
      for (const f of frames) {
        if (f.body.length === 0) continue;
        try {
          const m = target.dialect.unpack(f.body);
          if (m[0] === wanted && m[11] === request[11]) return done(m);
        } catch {
          // unreadable: as if it never came
        }
      }
    });
    socket.once(target.tls === undefined ? 'connect' : 'secureConnect', () => socket.write(encodeFrame(framing, body)));
  });
  socket.destroy();
  return response === undefined ? { request, timedOut: true, at } : { request, response, timedOut: false, at };
}
