/**
 * Field 55, ICC system related data: the chip's data objects as BER-TLV (src/codec/tlv.ts). The
 * 1993 dialects carry the bytes; iso87ascii's field 55 is characters (ans..999), so there the
 * bytes are written as hex digits, two per byte (docs/PROTOCOL.md, "Field 55").
 */
import type { IsoMessage } from '../codec/index.js';
import { TlvError, type TlvObject, decodeTlv, tlvByTag } from '../codec/tlv.js';

/** Field 55's objects and the primitive ones by tag; undefined without field 55. */
export interface IccData {
  objects: TlvObject[];
  byTag: Map<string, Buffer>;
}

/** Why field 55 could not be read: the refusal's reason, naming the tag and offset when known. */
export class IccDataError extends Error {
  override name = 'IccDataError';
}

/** Field 55 read once per request, however many steps ask (the request object is the key). */
const read = new WeakMap<IsoMessage, IccData>();

export function iccDataOf(request: IsoMessage): IccData | undefined {
  const v = request[55];
  if (v === undefined) return undefined;
  const known = read.get(request);
  if (known !== undefined) return known;
  const bytes = typeof v === 'string' ? hexBytes(v) : v;
  try {
    const objects = decodeTlv(bytes);
    const icc = { objects, byTag: tlvByTag(objects) };
    read.set(request, icc);
    return icc;
  } catch (e) {
    if (e instanceof TlvError) throw new IccDataError(`field 55: ${e.message}`);
    throw e;
  }
}

function hexBytes(v: string): Buffer {
  if (!/^([0-9A-Fa-f]{2})*$/.test(v)) throw new IccDataError('field 55: not an even number of hex digits');
  return Buffer.from(v, 'hex');
}

/** Field 55 as a dialect carries it: the bytes, or hex digits in a character field. */
export function iccField(bytes: Buffer, characters: boolean): Buffer | string {
  return characters ? bytes.toString('hex').toUpperCase() : bytes;
}
