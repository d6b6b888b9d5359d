/**
 * BER-TLV as EMV uses it (EMV 4.4 Book 3, Annex B): the data objects of field 55 (ICC data) and
 * of issuer scripts. Tags are written as uppercase hex ('9F26'); a tag whose first byte has bit 6
 * set (0x20) is constructed and its value is itself TLV, decoded into `children`.
 *
 * Errors are TlvError, naming the tag (when it could be read) and the byte offset; like
 * Iso8583Error they never carry a value's bytes, since ICC data holds a track 2 equivalent.
 */

export class TlvError extends Error {
  override name = 'TlvError';

  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly tag?: string,
  ) {
    super(`${tag === undefined ? '' : `tag ${tag}: `}${reason} at offset ${offset}`);
  }
}

export interface TlvObject {
  /** Uppercase hex, e.g. '9F26'. */
  tag: string;
  value: Buffer;
  /** A constructed object's contents. */
  children?: TlvObject[];
}

/** What encodeTlv takes: a primitive object's value, or a constructed one's contents. */
export interface TlvInput {
  tag: string;
  value: Buffer | readonly TlvInput[];
}

/** BER allows longer tags; EMV's own are at most 2 bytes and proprietary ones 3 (Book 3, Annex B1). */
const MAX_TAG_BYTES = 3;

/** Decodes every object in `data`; throws TlvError at the first that cannot be read. */
export function decodeTlv(data: Buffer, base = 0): TlvObject[] {
  const out: TlvObject[] = [];
  let i = 0;
  while (i < data.length) {
    const start = i;
    const tagEnd = tagLength(data, i, base);
    const tag = data.toString('hex', i, tagEnd).toUpperCase();
    i = tagEnd;
    const [length, valueStart] = readLength(data, i, tag, base);
    if (valueStart + length > data.length) {
      throw new TlvError(`length ${length} runs past the end of the data`, base + start, tag);
    }
    const value = data.subarray(valueStart, valueStart + length);
    const object: TlvObject = { tag, value };
    if ((data[start]! & 0x20) !== 0) object.children = decodeTlv(value, base + valueStart);
    out.push(object);
    i = valueStart + length;
  }
  return out;
}

/** Where the tag starting at `i` ends: multi-byte when the low five bits of its first byte are all set. */
function tagLength(data: Buffer, i: number, base: number): number {
  let end = i + 1;
  if ((data[i]! & 0x1f) === 0x1f) {
    while (end < data.length && (data[end]! & 0x80) !== 0) end++;
    end++;
    if (end > data.length) throw new TlvError('tag runs past the end of the data', base + i);
    if (end - i > MAX_TAG_BYTES) throw new TlvError(`tag longer than ${MAX_TAG_BYTES} bytes`, base + i);
  }
  return end;
}

/** Short form (one byte below 0x80) or long form 0x81-0x83 followed by that many length bytes. */
function readLength(data: Buffer, i: number, tag: string, base: number): [number, number] {
  if (i >= data.length) throw new TlvError('no length', base + i, tag);
  const first = data[i]!;
  if (first < 0x80) return [first, i + 1];
  const count = first & 0x7f;
  if (count === 0 || count > 3) throw new TlvError(`length byte ${first.toString(16)} is not BER`, base + i, tag);
  if (i + 1 + count > data.length) throw new TlvError('length runs past the end of the data', base + i, tag);
  return [data.readUIntBE(i + 1, count), i + 1 + count];
}

/** Encodes objects in order; a constructed object's value is its children encoded. */
export function encodeTlv(objects: readonly TlvInput[]): Buffer {
  return Buffer.concat(objects.map(encodeOne));
}

function encodeOne({ tag, value }: TlvInput): Buffer {
  if (!/^([0-9A-F]{2})+$/i.test(tag) || tag.length > 2 * MAX_TAG_BYTES) throw new TlvError(`bad tag "${tag}"`, 0);
  const body = Buffer.isBuffer(value) ? value : encodeTlv(value as readonly TlvInput[]);
  return Buffer.concat([Buffer.from(tag, 'hex'), encodeLength(body.length), body]);
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n <= 0xff) return Buffer.from([0x81, n]);
  if (n <= 0xffff) return Buffer.from([0x82, n >> 8, n & 0xff]);
  throw new TlvError(`value of ${n} bytes is too long`, 0);
}

/**
 * The primitive objects by tag, constructed ones searched too (their contents, not themselves):
 * the first of a tag given twice wins, as a terminal's first answer would.
 */
export function tlvByTag(objects: readonly TlvObject[], into = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const o of objects) {
    if (o.children !== undefined) tlvByTag(o.children, into);
    else if (!into.has(o.tag)) into.set(o.tag, o.value);
  }
  return into;
}
