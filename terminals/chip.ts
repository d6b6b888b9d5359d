/**
 * The card's chip as the emulated terminals play it (docs/SECURITY.md §1): for a purchase read
 * from the chip (inserted or contactless) the terminal sends field 55 with a real ARQC, made as
 * the card makes it, and checks the ARPC (tag 91) of the answer.
 *
 * The emulator plays the card too, so it knows the card's keys: the test cards' (docs/TEST-CARDS.md,
 * "Chip data") derived from their product's shipped test key (config register.issuerMasterKeys
 * defaults). A card it does not know gets no field 55, as before chips were checked.
 *
 * The ATC lives in the card; here in this process's memory, one counter per card shared by every
 * terminal of the process, starting at 1. A second process playing the same card starts at 1
 * again and is refused as a replay, unless told where the card is (setNextAtc: the CLI's --atc)
 * or the card is seeded again (seeding clears the register's last ATC).
 */
import { randomBytes } from 'node:crypto';
import type { TlvInput } from '../src/codec/tlv.js';
import { decodeTlv, encodeTlv, tlvByTag } from '../src/codec/tlv.js';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';
import {
  type CryptogramVersion,
  applicationCryptogram,
  arqcData,
  checkIssuerAuthentication,
  cryptogramKey,
} from '../src/crypto/emv/cryptogram.js';
import { deriveCardMasterKey } from '../src/crypto/emv/keys.js';
import { iccField } from '../src/messages/icc-data.js';
import { TEST_CARDS } from '../src/seed/catalogue.js';

/** What the chip needs to make a cryptogram. */
export interface ChipProfile {
  issuerMasterKey: Buffer;
  panSequence: string;
  version: CryptogramVersion;
}

/** The test card's chip, with its product's shipped test key; undefined for a card the catalogue does not have. */
export function testChipOf(pan: string): ChipProfile | undefined {
  const card = TEST_CARDS.find((c) => c.pan === pan);
  const imk = card === undefined ? undefined : DEFAULT_CONFIG.register.issuerMasterKeys?.[card.product]?.ac;
  if (card === undefined || imk === undefined) return undefined;
  return {
    issuerMasterKey: Buffer.from(imk, 'hex'),
    panSequence: card.icc.panSequence,
    version: card.icc.cryptogramVersion,
  };
}

const counters = new Map<string, number>();

/** The card's next ATC (1, 2, ... 65535, then 1 again). */
export function nextAtc(pan: string): number {
  const atc = ((counters.get(pan) ?? 0) % 0xffff) + 1;
  counters.set(pan, atc);
  return atc;
}

/** Makes `atc` the card's next ATC (the CLI's --atc: each run is a new process, counting from 1). */
export function setNextAtc(pan: string, atc: number): void {
  counters.set(pan, atc - 1);
}

/** The ATC (tag 9F36) of the last request that carried field 55; undefined when none did. */
export function lastAtc(exchanges: readonly { request: Record<number, unknown> }[]): number | undefined {
  for (const e of [...exchanges].reverse()) {
    const field = e.request[55];
    if (field === undefined) continue;
    const bytes = typeof field === 'string' ? Buffer.from(field, 'hex') : (field as Buffer);
    return tlvByTag(decodeTlv(bytes)).get('9F36')?.readUInt16BE(0);
  }
  return undefined;
}

/** The sale as the chip sees it. */
export interface ChipSale {
  pan: string;
  /** Minor units. */
  amount: number;
  /** ISO 4217 numeric. */
  currency: string;
  /** YYMMDD, the terminal's local date. */
  date: string;
  /** EMV transaction type (tag 9C): '00' purchase, '01' cash, '20' refund. */
  type: string;
}

/** What the terminal keeps of a request's cryptogram to check the answer's ARPC. */
export interface ChipRequest {
  version: CryptogramVersion;
  key: Buffer;
  arqc: Buffer;
}

/** Dankort's AID for a CCD chip, Visa's for Visa's cryptogram versions. */
const AID: Record<CryptogramVersion, string> = {
  ccd5: 'A0000001211010',
  visaCvn10: 'A0000000031010',
  visaCvn18: 'A0000000031010',
};

/**
 * The IAD the chip sends: Visa format (length 06, DKI 01, CVN, CVR 03 A0 00 00), or CCD format A
 * (length 0F, CCI A5, DKI 01, CVR A0 00 00 00 00, 8 counter bytes, then 0F and 15 bytes).
 */
function issuerApplicationData(version: CryptogramVersion): Buffer {
  if (version === 'ccd5')
    return Buffer.concat([
      Buffer.from('0FA501A000000000', 'hex'),
      Buffer.alloc(8),
      Buffer.from([0x0f]),
      Buffer.alloc(15),
    ]);
  return Buffer.from(`0601${version === 'visaCvn10' ? '0A' : '12'}03A00000`, 'hex');
}

const bcd = (digits: string, bytes: number): Buffer => Buffer.from(digits.padStart(bytes * 2, '0'), 'hex');

/** Field 55's objects for the sale, with the ARQC, and what checks the answer; `counter` the ATC (default the card's next). */
export function chipRequest(
  chip: ChipProfile,
  sale: ChipSale,
  unpredictable: Buffer = randomBytes(4),
  counter: number = nextAtc(sale.pan),
): { objects: TlvInput[]; request: ChipRequest } {
  const atc = Buffer.alloc(2);
  atc.writeUInt16BE(counter);
  const terminal: Record<string, Buffer> = {
    '9F02': bcd(String(sale.amount), 6),
    '9F03': bcd('0', 6),
    '9F1A': bcd('208', 2), // Denmark
    '95': Buffer.alloc(5),
    '5F2A': bcd(sale.currency, 2),
    '9A': bcd(sale.date, 3),
    '9C': bcd(sale.type, 1),
    '9F37': unpredictable,
    '82': Buffer.from('1800', 'hex'),
    '9F36': atc,
    '9F10': issuerApplicationData(chip.version),
  };
  const byTag = new Map(Object.entries(terminal));
  const key = cryptogramKey(chip.version, deriveCardMasterKey(chip.issuerMasterKey, sale.pan, chip.panSequence), atc);
  const arqc = applicationCryptogram(chip.version, key, arqcData(chip.version, byTag));
  const objects: TlvInput[] = [
    { tag: '9F26', value: arqc },
    { tag: '9F27', value: Buffer.from([0x80]) }, // cryptogram information data: an ARQC
    ...Object.entries(terminal).map(([tag, value]) => ({ tag, value })),
    { tag: '5F34', value: bcd(chip.panSequence, 1) },
    { tag: '84', value: Buffer.from(AID[chip.version], 'hex') },
  ];
  return { objects, request: { version: chip.version, key, arqc } };
}

/** Field 55 of a request, as the dialect carries it. */
export function chipField(objects: TlvInput[], characters: boolean): Buffer | string {
  return iccField(encodeTlv(objects), characters);
}

/**
 * The answer's issuer authentication as the card finds it: 'valid' (the ARPC is the issuer's),
 * 'invalid' (tag 91 there but wrong, or field 55 unreadable), 'absent' (no tag 91).
 */
export function arpcOf(request: ChipRequest, field55: unknown): 'valid' | 'invalid' | 'absent' {
  if (field55 === undefined) return 'absent';
  let tag91: Buffer | undefined;
  try {
    const bytes = typeof field55 === 'string' ? Buffer.from(field55, 'hex') : (field55 as Buffer);
    tag91 = tlvByTag(decodeTlv(bytes)).get('91');
  } catch {
    return 'invalid';
  }
  if (tag91 === undefined) return 'absent';
  return checkIssuerAuthentication(request.version, request.key, request.arqc, tag91).valid ? 'valid' : 'invalid';
}
