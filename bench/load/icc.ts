/**
 * The chip share's field 55 (`--icc`): a chip purchase carries the card's data objects with a
 * real ARQC, as terminals/chip.ts makes them for the emulator, and the switch verifies it
 * (docs/SECURITY.md §1). Built once per template in the main thread: field 55's objects, where
 * the ATC (tag 9F36) and the ARQC (tag 9F26) values lie in the packed frame, and the data the
 * ARQC is computed over (arqcData: the same for every send of a template but for the ATC in it).
 * Per send (patchIcc, from frameFrom before the MAC): the card's next ATC, the session key for
 * it, the ARQC over the data with that ATC, both written into the frame. No TLV is decoded per
 * send; the card's master key is derived once per card, here.
 *
 * The ATC is the card's, and a card is used by every connection of every worker: one counter per
 * card in a SharedArrayBuffer, taken with Atomics.add, so no ATC is sent twice. Requests of a card
 * may still reach the switch a few out of order, which its 32-ATC window takes (chip.lua). The
 * unpredictable number (9F37) is drawn once per template, not per send: the switch does not check
 * it, and a fixed one keeps the per-send work to the cryptogram.
 */
import type { Dialect, FieldLayout, IsoMessage } from '../../src/codec/index.js';
import { type TlvInput, encodeTlv } from '../../src/codec/tlv.js';
import {
  ARQC_TAGS,
  type CryptogramVersion,
  applicationCryptogram,
  arqcData,
  cryptogramKey,
} from '../../src/crypto/emv/cryptogram.js';
import { deriveCardMasterKey } from '../../src/crypto/emv/keys.js';
import { type ChipProfile, type ChipSale, chipField, chipRequest } from '../../terminals/chip.js';

/** The bench cards' chip: the product's issuer master key, the PAN sequence number they are registered with, the cryptogram version. */
export type BenchChip = ChipProfile;

/** Field 55 of one template: its value as packed, and its ATC's and ARQC's offsets in its bytes. */
export interface IccRequest {
  field: Buffer | string;
  /** Offsets of the values of 9F36 (ATC, 2 bytes) and 9F26 (ARQC, 8 bytes) in field 55's bytes. */
  atcAt: number;
  arqcAt: number;
  /** What the ARQC is computed over, with the ATC at ATC_IN_DATA. */
  data: Buffer;
}

/** Per template with field 55: its card, where its ATC and ARQC are in the frame, what its ARQC is over. */
export interface IccTemplate {
  /** The card's number in the plan (its pools' cards in order): its key and ATC counter. */
  card: number;
  atcAt: number;
  arqcAt: number;
  data: Buffer;
}

/** Where the ATC lies in the ARQC's data: after the objects before it in ARQC_TAGS (Book 2, Table 26). */
export const ATC_IN_DATA = ARQC_TAGS.slice(
  0,
  ARQC_TAGS.findIndex(([tag]) => tag === '9F36'),
).reduce((at, [, length]) => at + length, 0);

/**
 * Field 55 of a purchase of `sale` by `chip`, as the dialect carries it (hex characters when
 * `characters`), with ATC 0 and its ARQC: patchIcc writes the real ones per send.
 */
export function iccRequest(chip: BenchChip, sale: ChipSale, characters: boolean): IccRequest {
  const { objects } = chipRequest(chip, sale, undefined, 0);
  const valueAt = (tag: string): number => {
    const k = objects.findIndex((o) => o.tag === tag);
    const object = objects[k]!;
    const value = object.value as Buffer;
    // After the objects before it and its own tag and length.
    return encodeTlv(objects.slice(0, k)).length + encodeTlv([object]).length - value.length;
  };
  const byTag = new Map(
    objects.filter((o): o is TlvInput & { value: Buffer } => Buffer.isBuffer(o.value)).map((o) => [o.tag, o.value]),
  );
  return {
    field: chipField(objects, characters),
    atcAt: valueAt('9F36'),
    arqcAt: valueAt('9F26'),
    data: arqcData(chip.version, byTag),
  };
}

/** Whether the dialect carries field 55 as characters (hex digits, two a byte), as the emulator decides it. */
export function iccInCharacters(d: Dialect): boolean {
  return d.field(55)?.encoding === 'ascii';
}

/**
 * Where field 55's value starts in a packed message (its length prefix skipped), checked against
 * the field as packed: its value ends the field.
 */
export function locateIcc(d: Dialect, body: Buffer, field: Buffer | string): number {
  const layout: FieldLayout[] = [];
  const { error } = d.unpackPartial(body, layout);
  if (error !== undefined) throw error;
  const f = layout.find((l) => l.field === 55);
  const wire = typeof field === 'string' ? Buffer.from(field, 'latin1') : field;
  const at = (f?.end ?? 0) - wire.length;
  if (f === undefined || at < f.start || !body.subarray(at, f.end).equals(wire))
    throw new Error(`template: field 55 is not where expected in dialect ${d.name}`);
  return at;
}

/** The run's chip keys as the workers get them: per card its master key, and the shared ATC counters. */
export interface IccKeys {
  version: CryptogramVersion;
  /** 16 bytes per card of the plan: its MK-AC (zeros for a card without a field 55 template). */
  keys: Uint8Array;
  /** Per card, how many ATCs were taken: a SharedArrayBuffer every worker adds to. */
  atc: Int32Array;
  /** Field 55 in hex characters (iso87ascii). */
  hex: boolean;
}

/**
 * The run's field 55, template by template (main thread): puts a chip purchase's field 55 into its
 * request, derives its card's master key the first time the card is seen, and finds the ATC and
 * ARQC in the packed request.
 */
export class IccBuilder {
  readonly keys: IccKeys;
  private readonly derived = new Set<number>();
  private readonly characters: boolean;

  /** `cards`: how many cards the plan has; `date`: YYMMDD, the run's local date (tag 9A). */
  constructor(
    private readonly chip: BenchChip,
    private readonly d: Dialect,
    cards: number,
    private readonly date: string,
  ) {
    this.characters = iccInCharacters(d);
    this.keys = {
      version: chip.version,
      keys: new Uint8Array(cards * 16),
      atc: new Int32Array(new SharedArrayBuffer(cards * 4)),
      hex: this.characters,
    };
  }

  /**
   * Field 55 of card number `card`'s transaction of `amount` (øre, DKK) into `message`; `type` (tag
   * 9C) is the processing code's first two digits, as the switch checks.
   */
  add(message: IsoMessage, card: number, pan: string, amount: number, type = '00'): IccRequest & { card: number } {
    if (!this.derived.has(card)) {
      this.derived.add(card);
      this.keys.keys.set(deriveCardMasterKey(this.chip.issuerMasterKey, pan, this.chip.panSequence), card * 16);
    }
    const request = iccRequest(this.chip, { pan, amount, currency: '208', date: this.date, type }, this.characters);
    message[55] = request.field;
    return { ...request, card };
  }

  /** Where the request's ATC and ARQC are in its frame: `body` packed, starting at `head` in the frame. */
  template(request: IccRequest & { card: number }, body: Buffer, head: number): IccTemplate {
    const at = head + locateIcc(this.d, body, request.field);
    const scale = this.characters ? 2 : 1;
    return {
      card: request.card,
      atcAt: at + request.atcAt * scale,
      arqcAt: at + request.arqcAt * scale,
      data: request.data,
    };
  }
}

/** What a worker receives per template: -1 in `card` for a template without field 55. */
export interface WireIcc extends IccKeys {
  card: Int32Array;
  atcAt: Int32Array;
  arqcAt: Int32Array;
  /** Per template, where its ARQC data starts in `data` (each data.length / templates with field 55 long). */
  dataAt: Int32Array;
  dataLength: number;
  data: Uint8Array;
}

/** The per-template part of WireIcc for `templates` (in their order). */
export function toWireIcc(keys: IccKeys, templates: readonly { icc?: IccTemplate }[]): WireIcc {
  const n = templates.length;
  const withIcc = templates.filter((t) => t.icc !== undefined);
  const dataLength = withIcc[0]?.icc?.data.length ?? 0;
  const wire: WireIcc = {
    ...keys,
    card: new Int32Array(n).fill(-1),
    atcAt: new Int32Array(n),
    arqcAt: new Int32Array(n),
    dataAt: new Int32Array(n),
    dataLength,
    data: new Uint8Array(withIcc.length * dataLength),
  };
  let o = 0;
  templates.forEach((t, i) => {
    if (t.icc === undefined) return;
    if (t.icc.data.length !== dataLength) throw new Error('template: ARQC data of different lengths');
    wire.card[i] = t.icc.card;
    wire.atcAt[i] = t.icc.atcAt;
    wire.arqcAt[i] = t.icc.arqcAt;
    wire.dataAt[i] = o;
    wire.data.set(t.icc.data, o);
    o += dataLength;
  });
  return wire;
}

/** Writes `value` at `at`: its bytes, or uppercase hex digits as the codec writes field 55 in characters. */
function put(out: Buffer, at: number, value: Buffer, hex: boolean): void {
  if (hex) out.write(value.toString('hex').toUpperCase(), at, 'latin1');
  else value.copy(out, at);
}

/**
 * Template i's card's next ATC (1, 2, ... 65535, then 1 again, as terminals/chip.ts counts) and
 * the ARQC for it, written into the frame `out`; nothing for a template without field 55.
 */
export function patchIcc(out: Buffer, icc: WireIcc, i: number): void {
  const card = icc.card[i]!;
  if (card < 0) return;
  const atc = Buffer.allocUnsafe(2);
  atc.writeUInt16BE((Atomics.add(icc.atc, card, 1) % 0xffff) + 1);
  const dataAt = icc.dataAt[i]!;
  const data = Buffer.from(icc.data.subarray(dataAt, dataAt + icc.dataLength));
  atc.copy(data, ATC_IN_DATA);
  const masterKey = Buffer.from(icc.keys.buffer, icc.keys.byteOffset + card * 16, 16);
  const arqc = applicationCryptogram(icc.version, cryptogramKey(icc.version, masterKey, atc), data);
  put(out, icc.atcAt[i]!, atc, icc.hex);
  put(out, icc.arqcAt[i]!, arqc, icc.hex);
}
