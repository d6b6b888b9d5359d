/**
 * Requests pre-packed once per (mix entry, card) in the main thread, so that the workers never
 * pack: a worker copies a template, writes its connection's STAN and terminal id into it, and
 * sends it. A template is a whole frame (length header included: patching changes no length),
 * with the byte offsets of fields 11 and 41 found by unpacking it with a field layout.
 * PIN blocks are format 0 under the documented test key (docs/TEST-CARDS.md), made once per card.
 */
import { type Dialect, type FieldLayout, type IsoMessage } from '../../src/codec/index.js';
import { encryptPinBlockFormat0 } from '../../src/register/pin-block.js';
import { TEST_PIN_KEY } from '../../src/register/terminal-keys.js';
import { type FramingSpec, encodeFrame, headerSize } from '../../src/transport/framing.js';
import { type PlannedCard, wrongPinOf } from './cards.js';
import type { Mix, MixEntry } from './mix.js';

/** Field 41 is ans8 in every shipped dialect; the placeholder is overwritten per connection. */
const TERMINAL_PLACEHOLDER = 'BENCH000';
const STAN_PLACEHOLDER = '000000';
/** Field 22: chip with PIN capability; position 7 (card data input mode) A = contactless chip. */
const POS_CHIP_93 = '510101511344';
const POS_CONTACTLESS_93 = '510101A11344';
/** Field 22 in 1987 dialects: entry mode 05 chip, 07 contactless chip; last digit 1 = PIN capable. */
const POS_CHIP_87 = '051';
const POS_CONTACTLESS_87 = '071';

export interface Template {
  /** Index of the mix entry it belongs to. */
  entry: number;
  /** Length header + message. */
  frame: Buffer;
  /** Offset in `frame` of field 11's first byte. */
  stanAt: number;
  /** Offset in `frame` of field 41's first byte. */
  termAt: number;
}

/** How field 11 is written: 6 ASCII digits, or 3 packed BCD bytes (iso93binary). */
export type StanEncoding = 'ascii' | 'bcd';

/** The templates as a worker receives them: one byte block, and per template its slice and offsets. */
export interface TemplateWire {
  bytes: Uint8Array;
  start: Int32Array;
  length: Int32Array;
  stanAt: Int32Array;
  termAt: Int32Array;
  entry: Int32Array;
  stanEncoding: StanEncoding;
}

/** The same timestamp for every template: fields 7 and 12 are not checked by the switch. */
function timestamps(at: Date): { f7: string; f12_93: string; f12_87: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  const [yy, mm, dd, hh, mi, ss] = [at.getUTCFullYear() % 100, at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()].map(p);
  return { f7: `${mm}${dd}${hh}${mi}${ss}`, f12_93: `${yy}${mm}${dd}${hh}${mi}${ss}`, f12_87: `${hh}${mi}${ss}` };
}

/** The request an entry sends for a card, as a message; `stan` and `terminal` default to placeholders. */
export function requestFor(d: Dialect, entry: MixEntry, card: PlannedCard, at: Date, stan = STAN_PLACEHOLDER, terminal = TERMINAL_PLACEHOLDER): IsoMessage {
  const iso87 = (d.field(12)?.length ?? 12) === 6;
  const t = timestamps(at);
  const message: IsoMessage = {
    0: entry.mti,
    2: card.pan,
    3: entry.processingCode,
    4: String(entry.amount).padStart(12, '0'),
    7: t.f7,
    11: stan,
    12: iso87 ? t.f12_87 : t.f12_93,
    22: iso87 ? (entry.contactless ? POS_CONTACTLESS_87 : POS_CHIP_87) : entry.contactless ? POS_CONTACTLESS_93 : POS_CHIP_93,
    37: t.f12_93, // retrieval reference: the same for every request of a run (not checked)
    41: terminal,
    42: 'BENCHSHOP000001',
    49: '208',
  };
  if (entry.pin !== 'none') {
    const pin = entry.pin === 'right' ? card.pin : wrongPinOf(card.pin);
    message[52] = encryptPinBlockFormat0(pin, card.pan, TEST_PIN_KEY.key);
  }
  return message;
}

/** Where fields 11 and 41 start in a packed message, found by unpacking it with a layout. */
export function locateFields(d: Dialect, body: Buffer): { stanAt: number; termAt: number } {
  const layout: FieldLayout[] = [];
  const { error } = d.unpackPartial(body, layout);
  if (error !== undefined) throw error;
  const at = (field: number, size: number): number => {
    const f = layout.find((l) => l.field === field);
    if (f === undefined || f.end - f.start !== size) throw new Error(`template: field ${field} is not a fixed ${size}-byte field in dialect ${d.name}`);
    return f.start;
  };
  return { stanAt: at(11, stanEncoding(d) === 'bcd' ? 3 : 6), termAt: at(41, 8) };
}

export function stanEncoding(d: Dialect): StanEncoding {
  return d.field(11)?.encoding === 'bcd' ? 'bcd' : 'ascii';
}

/** Writes a STAN (0..999999) into 6 ASCII digits or 3 BCD bytes at `at`, as packing it would. */
export function patchStan(buf: Buffer, at: number, stan: number, encoding: StanEncoding): void {
  if (encoding === 'ascii') {
    for (let i = 5; i >= 0; i--) {
      buf[at + i] = 48 + (stan % 10);
      stan = Math.floor(stan / 10);
    }
  } else {
    for (let i = 2; i >= 0; i--) {
      const low = stan % 10;
      const high = Math.floor(stan / 10) % 10;
      buf[at + i] = (high << 4) | low;
      stan = Math.floor(stan / 100);
    }
  }
}

/** Terminal id of the n-th connection of a run: 'B' and 7 digits, so STANs never collide across connections. */
export function terminalIdOf(n: number): string {
  if (!(n >= 0 && n < 1e7)) throw new RangeError(`connection ${n} out of range`);
  return `B${String(n).padStart(7, '0')}`;
}

/** Every (entry, card) template of a mix, in entry order; `byEntry[i]` lists entry i's templates. */
export function buildTemplates(d: Dialect, framing: FramingSpec, mix: Mix, cards: Map<string, PlannedCard[]>, at: Date): { templates: Template[]; byEntry: number[][] } {
  const templates: Template[] = [];
  const byEntry: number[][] = [];
  const head = headerSize(framing.header) + (framing.tpdu ? 5 : 0);
  mix.entries.forEach((entry, e) => {
    const mine: number[] = [];
    for (const card of cards.get(entry.cards) ?? []) {
      const body = d.pack(requestFor(d, entry, card, at));
      const { stanAt, termAt } = locateFields(d, body);
      const tpdu = framing.tpdu ? Buffer.from([0x60, 0, 1, 0, 0]) : undefined;
      mine.push(templates.length);
      templates.push({ entry: e, frame: encodeFrame(framing, body, tpdu), stanAt: head + stanAt, termAt: head + termAt });
    }
    byEntry.push(mine);
  });
  return { templates, byEntry };
}

/** One contiguous block for postMessage: far cheaper to clone than thousands of small Buffers. */
export function toWire(templates: Template[], encoding: StanEncoding): TemplateWire {
  const n = templates.length;
  const wire: TemplateWire = {
    bytes: new Uint8Array(templates.reduce((s, t) => s + t.frame.length, 0)),
    start: new Int32Array(n),
    length: new Int32Array(n),
    stanAt: new Int32Array(n),
    termAt: new Int32Array(n),
    entry: new Int32Array(n),
    stanEncoding: encoding,
  };
  let o = 0;
  templates.forEach((t, i) => {
    wire.bytes.set(t.frame, o);
    wire.start[i] = o;
    wire.length[i] = t.frame.length;
    wire.stanAt[i] = t.stanAt;
    wire.termAt[i] = t.termAt;
    wire.entry[i] = t.entry;
    o += t.frame.length;
  });
  return wire;
}

/** A fresh frame from template i of the wire block, with this STAN and terminal id: what a worker sends. */
export function frameFrom(wire: TemplateWire, i: number, stan: number, terminal: Buffer): Buffer {
  const start = wire.start[i]!;
  const len = wire.length[i]!;
  const out = Buffer.allocUnsafe(len);
  out.set(wire.bytes.subarray(start, start + len));
  patchStan(out, wire.stanAt[i]!, stan, wire.stanEncoding);
  terminal.copy(out, wire.termAt[i]!);
  return out;
}
