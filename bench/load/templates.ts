/**
 * Requests pre-packed once per (mix entry, card) in the main thread, so that the workers never
 * pack: a worker copies a template, writes its connection's STAN and terminal id into it, and
 * sends it. A template is a whole frame (length header included: patching changes no length),
 * with the byte offsets of fields 11 and 41 found by unpacking it with a field layout.
 * PIN blocks are format 0 under the documented test key (docs/TEST-CARDS.md), made once per card.
 *
 * An entry with a follow-up (a completion or reversal advice, docs/PROTOCOL.md §3.4) has a second
 * template per card, sent after the first one's answer: its own STAN goes into field 11 and the
 * original's into field 56 (original MTI + STAN + local date and time), at an offset also found
 * from the layout. Fields 12 (and 13) are the same in every template of a run, so the rest of
 * field 56 is fixed: in 1993 dialects the original's field 12; in 1987 ones YYMMDDhhmmss from the
 * year of the run's start, field 13 (MMDD) and field 12 (hhmmss), which is how the switch names
 * the transaction (the year of its own date; src/messages/transaction-data.ts localTimeOf).
 * In 1987 dialects a 1993 MTI of the mix is sent as its 1987 one (1200 as 0200).
 *
 * With a MAC key (`--mac`), the chip share of the mix (entries neither contactless nor internet,
 * and their follow-ups) is packed with a placeholder MAC in field 64 (128 with a secondary
 * bitmap); frameFrom computes the retail MAC over the patched message and writes it there
 * (docs/SECURITY.md §3): the MAC covers the STAN and terminal id, so it cannot be made once.
 *
 * With a chip (`--icc`), the chip reads (inserted or contactless, x100 and x200; not their
 * follow-ups, whose cryptograms the switch does not check) carry field 55 with a real ARQC;
 * frameFrom writes the card's next ATC and the ARQC for it before the MAC, which covers field 55
 * (bench/load/icc.ts).
 */
import { type Dialect, type FieldLayout, type IsoMessage } from '../../src/codec/index.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { type FramingSpec, encodeFrame, headerSize } from '../../src/transport/framing.js';
import { type PlannedCard, expiryOf, wrongPinOf } from './cards.js';
import { remoteFields } from '../../terminals/gateway.js';
import { type FollowUp, type Mix, type MixEntry, followUpKind } from './mix.js';
import { macFieldOf, macWireSize } from '../../src/authorization/message-mac.js';
import { MAC_LENGTH, retailMac } from '../../src/crypto/retail-mac.js';
import {
  type BenchChip,
  IccBuilder,
  type IccKeys,
  type IccTemplate,
  type WireIcc,
  patchIcc,
  toWireIcc,
} from './icc.js';

/** Field 41 is ans8 in every shipped dialect; the placeholder is overwritten per connection. */
const TERMINAL_PLACEHOLDER = 'BENCH000';
const STAN_PLACEHOLDER = '000000';
/** Field 22: chip with PIN capability; position 7 (card data input mode) A = contactless chip. */
const POS_CHIP_93 = '510101511344';
const POS_CONTACTLESS_93 = '510101A11344';
/** Field 22 in 1987 dialects: entry mode 05 chip, 07 contactless chip; last digit 1 = PIN capable. */
const POS_CHIP_87 = '051';
const POS_CONTACTLESS_87 = '071';
/** Field 25 of a reversal advice (1993 dialects): 4021, timeout (the PSAM did not get the answer in time). */
export const REVERSAL_REASON = '4021';

export interface Template {
  /** Index of the mix entry it belongs to. */
  entry: number;
  /** Length header + message. */
  frame: Buffer;
  /** Offset in `frame` of field 11's first byte. */
  stanAt: number;
  /** Offset in `frame` of field 41's first byte. */
  termAt: number;
  /** Follow-up templates: offset in `frame` of the original's STAN inside field 56; -1 otherwise. */
  origStanAt: number;
  /** Index of this template's follow-up template (same card), -1 when the entry has none. */
  followUp: number;
  /** Offset in `frame` of the message's first byte and of the MAC field's, when MACed; -1 otherwise. */
  bodyAt: number;
  macAt: number;
  /** A chip purchase's field 55 (--icc): its card, ATC and ARQC offsets, ARQC data. */
  icc?: IccTemplate;
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
  origStanAt: Int32Array;
  followUp: Int32Array;
  entry: Int32Array;
  stanEncoding: StanEncoding;
  /** Per template, where its message and its MAC field begin (-1: not MACed); the key, and whether the MAC is written in hex. */
  bodyAt: Int32Array;
  macAt: Int32Array;
  mac?: TemplateMac;
  /** --icc: the cards' keys and ATC counters, and per template where its ATC and ARQC go. */
  icc?: WireIcc;
}

/** How a run MACs its chip share: the key, and whether the dialect writes field 64 in hexadecimal. */
export interface TemplateMac {
  key: Uint8Array;
  hex: boolean;
}

/** The chip share of a mix: what a card-present chip terminal sends (not contactless, not a web shop). */
export const isChip = (entry: MixEntry): boolean => !entry.contactless && entry.channel !== 'internet';

/**
 * What carries field 55 with --icc: every chip read (inserted or contactless chip; not a web shop)
 * in an x100 or x200, whatever its processing code: the switch refuses a chip read of a card with
 * chip keys without field 55 (docs/SECURITY.md §1).
 */
export const carriesIcc = (entry: MixEntry): boolean => entry.channel !== 'internet' && /^[01][12]00$/.test(entry.mti);

/**
 * The same timestamp for every template. The switch checks neither field 7 nor the local time's
 * freshness, but names each transaction by terminal, local time and STAN (so a STAN is never
 * reused on a connection during a run).
 */
function timestamps(at: Date): { f7: string; f12_93: string; f12_87: string; f13_87: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  const [yy, mm, dd, hh, mi, ss] = [
    at.getUTCFullYear() % 100,
    at.getUTCMonth() + 1,
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
  ].map(p);
  return {
    f7: `${mm}${dd}${hh}${mi}${ss}`,
    f12_93: `${yy}${mm}${dd}${hh}${mi}${ss}`,
    f12_87: `${hh}${mi}${ss}`,
    f13_87: `${mm}${dd}`,
  };
}

/** A 1987 dialect: field 12 is the time only (hhmmss), the date in field 13. */
export function is1987(d: Dialect): boolean {
  return (d.field(12)?.length ?? 12) === 6;
}

/** The MTI sent in this dialect: a 1993 MTI (1xxx) as its 1987 one (0xxx) in 1987 dialects. */
export function mtiIn(d: Dialect, mti: string): string {
  return is1987(d) && mti[0] === '1' ? `0${mti.slice(1)}` : mti;
}

/**
 * The original's local date and time as field 56 gives it, YYMMDDhhmmss: field 12 in 1993
 * dialects; in 1987 ones the year of `at`, field 13 and field 12, as the switch builds it.
 */
export function localTimeAt(at: Date): string {
  return timestamps(at).f12_93;
}

/** What every request of a run shares: card, terminal, time, merchant, currency. */
function common(d: Dialect, card: PlannedCard, at: Date, stan: string, terminal: string): IsoMessage {
  const t = timestamps(at);
  const iso87 = is1987(d);
  const message: IsoMessage = {
    2: card.pan,
    7: t.f7,
    11: stan,
    12: iso87 ? t.f12_87 : t.f12_93,
    37: t.f12_93, // retrieval reference: the same for every request of a run (not checked)
    41: terminal,
    42: 'BENCHSHOP000001',
    49: '208',
  };
  if (iso87) message[13] = t.f13_87;
  return message;
}

/** The request an entry sends for a card, as a message; `stan` and `terminal` default to placeholders. */
export function requestFor(
  d: Dialect,
  entry: MixEntry,
  card: PlannedCard,
  at: Date,
  stan = STAN_PLACEHOLDER,
  terminal = TERMINAL_PLACEHOLDER,
): IsoMessage {
  const iso87 = is1987(d);
  const message: IsoMessage = {
    ...common(d, card, at, stan, terminal),
    0: mtiIn(d, entry.mti),
    3: entry.processingCode,
    4: String(entry.amount).padStart(12, '0'),
    22: iso87
      ? entry.contactless
        ? POS_CONTACTLESS_87
        : POS_CHIP_87
      : entry.contactless
        ? POS_CONTACTLESS_93
        : POS_CHIP_93,
  };
  // A web shop's purchase: fields 14, 22, 48 (and 25 in 1987) as the gateway emulator sends them.
  if (entry.channel === 'internet')
    Object.assign(
      message,
      remoteFields({ channel: 'internet', expiry: expiryOf(card), cvc: card.cvc, authentication: 'threeDs' }, iso87),
    );
  if (entry.pin !== 'none') {
    const pin = entry.pin === 'right' ? card.pin : wrongPinOf(card.pin);
    message[52] = encryptPinBlockFormat0(pin, card.pan, TEST_PIN_KEY.key);
  }
  return message;
}

/**
 * The follow-up of an entry's request for a card (completion or reversal advice), as a message:
 * the same card, terminal, processing code, currency and local time; its own STAN, and field 56
 * naming the original by MTI, STAN (`original`) and local time. Both STANs default to placeholders.
 */
export function followUpFor(
  d: Dialect,
  entry: MixEntry & { then: FollowUp },
  card: PlannedCard,
  at: Date,
  stan = STAN_PLACEHOLDER,
  original = STAN_PLACEHOLDER,
  terminal = TERMINAL_PLACEHOLDER,
): IsoMessage {
  const then = entry.then;
  const amount = then.amount ?? entry.amount;
  const message: IsoMessage = {
    ...common(d, card, at, stan, terminal),
    0: mtiIn(d, then.mti),
    3: entry.processingCode,
    4: String(amount).padStart(12, '0'),
    56: `${mtiIn(d, entry.mti)}${original}${localTimeAt(at)}`,
  };
  if (!is1987(d)) {
    const same = amount === entry.amount;
    if (followUpKind(then.mti) === 'completion') message[24] = same ? '201' : '202';
    else {
      message[24] = same ? '400' : '401';
      message[25] = REVERSAL_REASON;
    }
  }
  return message;
}

function layoutOf(d: Dialect, body: Buffer): { layout: FieldLayout[]; message: IsoMessage } {
  const layout: FieldLayout[] = [];
  const { message, error } = d.unpackPartial(body, layout);
  if (error !== undefined) throw error;
  return { layout, message };
}

/**
 * Where the original's STAN starts in a packed follow-up: field 56 holds exactly 22 digits
 * (MTI 4, STAN 6, local time 12), its value ends the field, and the STAN starts 4 digits into
 * it, which in BCD (two digits a byte, no pad for an even count) is 2 bytes in.
 */
export function locateOriginalStan(d: Dialect, body: Buffer): number {
  const { layout, message } = layoutOf(d, body);
  const f = layout.find((l) => l.field === 56);
  const value = message[56];
  if (f === undefined || typeof value !== 'string' || !/^\d{22}$/.test(value))
    throw new Error(`template: field 56 is not 22 digits (original MTI, STAN, local time) in dialect ${d.name}`);
  const bcd = d.field(56)?.encoding === 'bcd';
  // The worker writes both STANs the same way (TemplateWire.stanEncoding).
  if ((bcd ? 'bcd' : 'ascii') !== stanEncoding(d))
    throw new Error(`template: fields 11 and 56 encode digits differently in dialect ${d.name}`);
  const at = f.end - (bcd ? 11 : 22) + (bcd ? 2 : 4);
  const bytes = body.subarray(at, at + (bcd ? 3 : 6));
  const found = bcd ? bytes.toString('hex') : bytes.toString('latin1');
  if (found !== value.slice(4, 10))
    throw new Error(`template: the original STAN is not where expected in field 56 (dialect ${d.name})`);
  return at;
}

/** Where fields 11 and 41 start in a packed message, found by unpacking it with a layout. */
export function locateFields(d: Dialect, body: Buffer): { stanAt: number; termAt: number } {
  const { layout } = layoutOf(d, body);
  const at = (field: number, size: number): number => {
    const f = layout.find((l) => l.field === field);
    if (f === undefined || f.end - f.start !== size)
      throw new Error(`template: field ${field} is not a fixed ${size}-byte field in dialect ${d.name}`);
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

/**
 * Every (entry, card) template of a mix, in entry order, each followed by its follow-up template
 * when the entry has one; `byEntry[i]` lists entry i's templates (not the follow-ups, which are
 * only sent after their original).
 */
export function buildTemplates(
  d: Dialect,
  framing: FramingSpec,
  mix: Mix,
  cards: Map<string, PlannedCard[]>,
  at: Date,
  macKey?: Buffer,
  chip?: BenchChip,
): { templates: Template[]; byEntry: number[][]; mac?: TemplateMac; icc?: IccKeys } {
  const templates: Template[] = [];
  const cardNumber = new Map([...cards.values()].flat().map((c, n) => [c, n]));
  const icc = chip === undefined ? undefined : new IccBuilder(chip, d, cardNumber.size, localTimeAt(at).slice(0, 6));
  const byEntry: number[][] = [];
  const head = headerSize(framing.header) + (framing.tpdu ? 5 : 0);
  const frame = (body: Buffer): Buffer =>
    encodeFrame(framing, body, framing.tpdu ? Buffer.from([0x60, 0, 1, 0, 0]) : undefined);
  // A MACed message is packed with a placeholder MAC, its last field: frameFrom MACs it per send.
  const pack = (entry: MixEntry, message: IsoMessage): { body: Buffer; macAt: number } => {
    if (macKey === undefined || !isChip(entry)) return { body: d.pack(message), macAt: -1 };
    const field = macFieldOf(message);
    const body = d.pack({ ...message, [field]: Buffer.alloc(MAC_LENGTH) });
    return { body, macAt: head + body.length - macWireSize(d, field) };
  };
  mix.entries.forEach((entry, e) => {
    const mine: number[] = [];
    for (const card of cards.get(entry.cards) ?? []) {
      const request = requestFor(d, entry, card, at);
      const chipData =
        icc !== undefined && carriesIcc(entry)
          ? icc.add(request, cardNumber.get(card)!, card.pan, entry.amount, entry.processingCode.slice(0, 2))
          : undefined;
      const { body, macAt } = pack(entry, request);
      const { stanAt, termAt } = locateFields(d, body);
      const i = templates.length;
      mine.push(i);
      templates.push({
        entry: e,
        frame: frame(body),
        stanAt: head + stanAt,
        termAt: head + termAt,
        origStanAt: -1,
        followUp: -1,
        bodyAt: head,
        macAt,
        ...(chipData === undefined ? {} : { icc: icc!.template(chipData, body, head) }),
      });
      if (entry.then !== undefined) {
        const { body: next, macAt: nextMacAt } = pack(entry, followUpFor(d, { ...entry, then: entry.then }, card, at));
        const f = locateFields(d, next);
        templates[i]!.followUp = templates.length;
        templates.push({
          entry: e,
          frame: frame(next),
          stanAt: head + f.stanAt,
          termAt: head + f.termAt,
          origStanAt: head + locateOriginalStan(d, next),
          followUp: -1,
          bodyAt: head,
          macAt: nextMacAt,
        });
      }
    }
    byEntry.push(mine);
  });
  return {
    templates,
    byEntry,
    ...(macKey === undefined ? {} : { mac: { key: Uint8Array.from(macKey), hex: d.field(64)?.encoding === 'hex' } }),
    ...(icc === undefined ? {} : { icc: icc.keys }),
  };
}

/** One contiguous block for postMessage: far cheaper to clone than thousands of small Buffers. */
export function toWire(templates: Template[], encoding: StanEncoding, mac?: TemplateMac, icc?: IccKeys): TemplateWire {
  const n = templates.length;
  const wire: TemplateWire = {
    bytes: new Uint8Array(templates.reduce((s, t) => s + t.frame.length, 0)),
    start: new Int32Array(n),
    length: new Int32Array(n),
    stanAt: new Int32Array(n),
    termAt: new Int32Array(n),
    origStanAt: new Int32Array(n),
    followUp: new Int32Array(n),
    entry: new Int32Array(n),
    stanEncoding: encoding,
    bodyAt: new Int32Array(n),
    macAt: new Int32Array(n),
    ...(mac === undefined ? {} : { mac }),
    ...(icc === undefined ? {} : { icc: toWireIcc(icc, templates) }),
  };
  let o = 0;
  templates.forEach((t, i) => {
    wire.bytes.set(t.frame, o);
    wire.start[i] = o;
    wire.length[i] = t.frame.length;
    wire.stanAt[i] = t.stanAt;
    wire.termAt[i] = t.termAt;
    wire.origStanAt[i] = t.origStanAt;
    wire.followUp[i] = t.followUp;
    wire.entry[i] = t.entry;
    wire.bodyAt[i] = t.bodyAt;
    wire.macAt[i] = t.macAt;
    o += t.frame.length;
  });
  return wire;
}

/**
 * A fresh frame from template i of the wire block, with this STAN and terminal id: what a worker
 * sends. A follow-up template also needs the STAN of its original (for field 56).
 */
export function frameFrom(wire: TemplateWire, i: number, stan: number, terminal: Buffer, original = -1): Buffer {
  const start = wire.start[i]!;
  const len = wire.length[i]!;
  const out = Buffer.allocUnsafe(len);
  out.set(wire.bytes.subarray(start, start + len));
  patchStan(out, wire.stanAt[i]!, stan, wire.stanEncoding);
  terminal.copy(out, wire.termAt[i]!);
  const origAt = wire.origStanAt[i]!;
  if (origAt >= 0) {
    if (original < 0) throw new RangeError(`template ${i} is a follow-up: it needs its original's STAN`);
    patchStan(out, origAt, original, wire.stanEncoding);
  }
  // Before the MAC, which covers field 55.
  if (wire.icc !== undefined) patchIcc(out, wire.icc, i);
  const macAt = wire.macAt[i]!;
  if (macAt >= 0) {
    if (wire.mac === undefined) throw new RangeError(`template ${i} is MACed: the wire needs the MAC key`);
    const mac = retailMac(Buffer.from(wire.mac.key), out.subarray(wire.bodyAt[i]!, macAt));
    // The codec writes a hex binary field as uppercase hexadecimal characters.
    if (wire.mac.hex) out.write(mac.toString('hex').toUpperCase(), macAt, 'latin1');
    else mac.copy(out, macAt);
  }
  return out;
}
