/**
 * Framing on a TCP stream, separate from the codec: a length header (2 bytes binary big-endian,
 * 4 ASCII digits, or 2 bytes BCD) announcing the bytes that follow, then an optional 5-byte TPDU,
 * then the ISO 8583 message. The header counts the TPDU and the message. A zero length is a
 * keep-alive. A declared length above the configured maximum loses the framing: the caller must
 * close the connection, as nothing after it can be trusted to start a frame.
 */
import { readBcd, writeBcd } from '../codec/bcd.js';

export type LengthHeader = 'binary2' | 'ascii4' | 'bcd2';

export const LENGTH_HEADERS: readonly LengthHeader[] = ['binary2', 'ascii4', 'bcd2'];

export interface FramingSpec {
  header: LengthHeader;
  /** A 5-byte TPDU (protocol id + destination + source) before each message. */
  tpdu: boolean;
  /** The largest length a header may declare, in bytes. */
  maxFrameSize: number;
}

export const TPDU_SIZE = 5;

/** What a header kind can announce at most. */
export const HEADER_CAPACITY: Record<LengthHeader, number> = { binary2: 0xffff, ascii4: 9999, bcd2: 9999 };
const HEADER_SIZE: Record<LengthHeader, number> = { binary2: 2, ascii4: 4, bcd2: 2 };

export class FramingError extends Error {
  constructor(readonly reason: string) {
    super(`framing: ${reason}`);
    this.name = 'FramingError';
  }
}

export interface Frame {
  /** The TPDU when the framing has one (undefined for a keep-alive). */
  tpdu: Buffer | undefined;
  /** The message; empty for a keep-alive. */
  body: Buffer;
}

export function headerSize(header: LengthHeader): number {
  return HEADER_SIZE[header];
}

/** A whole frame: header, TPDU (when the framing has one) and body; an empty body without TPDU is a keep-alive. */
export function encodeFrame(spec: FramingSpec, body: Buffer, tpdu?: Buffer): Buffer {
  const keepAlive = body.length === 0 && tpdu === undefined;
  if (spec.tpdu && !keepAlive && tpdu?.length !== TPDU_SIZE)
    throw new FramingError(`a ${TPDU_SIZE}-byte TPDU is required`);
  const extra = spec.tpdu && !keepAlive ? TPDU_SIZE : 0;
  const len = extra + body.length;
  if (len > Math.min(spec.maxFrameSize, HEADER_CAPACITY[spec.header]))
    throw new FramingError(`length ${len} exceeds max ${spec.maxFrameSize}`);
  const hsize = HEADER_SIZE[spec.header];
  const out = Buffer.allocUnsafe(hsize + len);
  writeHeader(spec.header, len, out);
  if (extra > 0) tpdu!.copy(out, hsize);
  body.copy(out, hsize + extra);
  return out;
}

/** The answer's TPDU: the request's with destination and source swapped. */
export function replyTpdu(tpdu: Buffer): Buffer {
  return Buffer.from([tpdu[0]!, tpdu[3]!, tpdu[4]!, tpdu[1]!, tpdu[2]!]);
}

function writeHeader(header: LengthHeader, len: number, out: Buffer): void {
  if (header === 'binary2') out.writeUInt16BE(len, 0);
  else if (header === 'ascii4') out.write(String(len).padStart(4, '0'), 0, 'latin1');
  else writeBcd(String(len).padStart(4, '0'), out, 0, 'right');
}

/** The declared length, or -1 when the header is not a number. */
function readHeader(header: LengthHeader, buf: Buffer): number {
  if (header === 'binary2') return buf.readUInt16BE(0);
  if (header === 'bcd2') {
    const digits = readBcd(buf, 0, 4, 'right');
    return digits === null ? -1 : Number(digits);
  }
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Cuts a byte stream into frames, whatever the chunking: a frame split over many chunks, many
 * frames in one chunk, or both. Frames that arrive whole in one chunk are returned without a copy.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly hsize: number;

  constructor(private readonly spec: FramingSpec) {
    this.hsize = HEADER_SIZE[spec.header];
  }

  /** Bytes received but not yet returned as a frame. */
  get buffered(): number {
    return this.size;
  }

  /** Adds a chunk and returns the frames it completes; throws FramingError when framing is lost. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.size >= this.hsize) {
      const len = readHeader(this.spec.header, this.peek(this.hsize));
      if (len < 0) throw new FramingError('length header is not a number');
      if (len > this.spec.maxFrameSize)
        throw new FramingError(`declared length ${len} exceeds max ${this.spec.maxFrameSize}`);
      if (this.size < this.hsize + len) break;
      const frame = this.take(this.hsize + len).subarray(this.hsize);
      frames.push(this.split(frame));
    }
    return frames;
  }

  private split(frame: Buffer): Frame {
    if (frame.length === 0 || !this.spec.tpdu) return { tpdu: undefined, body: frame };
    if (frame.length < TPDU_SIZE) throw new FramingError(`frame of ${frame.length} bytes is shorter than its TPDU`);
    return { tpdu: frame.subarray(0, TPDU_SIZE), body: frame.subarray(TPDU_SIZE) };
  }

  /** The first n buffered bytes (n <= size), joining chunks only when they straddle. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.size -= n;
    return out;
  }
}
