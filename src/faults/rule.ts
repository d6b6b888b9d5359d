/**
 * Fault rules (docs/ADMIN-API.md, "Fault injection"): what terminal vendors ask the switch to do
 * wrong, for whom, and how often. A rule names a terminal (field 41), a card, or both; a card
 * only by its card id (the keyed hash of the PAN), never the PAN.
 */
import type { CardId } from '../crypto/card-id.js';

export const FAULT_KINDS = [
  'delay',
  'noAnswer',
  'close',
  'actionCode',
  'corrupt',
  'badArpc',
  'dropMac',
  'script',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The longest delay a rule may ask for (2 minutes: beyond any terminal's answer timeout). */
export const MAX_DELAY_MS = 120_000;
/** The most bytes of scripts a rule may add (what a chip answer carries at most, src/card/script-commands.ts). */
export const MAX_FAULT_SCRIPT_BYTES = 128;
/** The most times a counted rule may fire (more: use "always"). */
export const MAX_TIMES = 1_000_000;

export interface FaultRule {
  id: string;
  /** Field 41 without its trailing spaces. */
  terminal?: string;
  /** Card id (register.idOf(pan)). */
  card?: CardId;
  /** Only requests of this MTI (exactly: 1200 does not match its repeat 1201). */
  mti?: string;
  kind: FaultKind;
  /** delay: how late the answer leaves. */
  ms?: number;
  /** actionCode: field 39 of the answer (1993 action code, or 1987 response code). */
  code?: string;
  /**
   * script: issuer script templates (71 / 72, BER-TLV, hex) added as they are to the answer's
   * field 55: the vendor's bytes, MAC and all (docs/PROTOCOL.md §7.1).
   */
  script?: string;
  times: number | 'always';
  createdAt: string;
  /** Creation order across every switch sharing the Redis: the oldest matching rule fires first. */
  seq: number;
}

/** A rule as listed: with how many times it has left and has fired. */
export interface FaultRuleState extends FaultRule {
  left: number | 'always';
  fired: number;
}

export type NewFaultRule = Omit<FaultRule, 'id' | 'createdAt' | 'seq'>;
