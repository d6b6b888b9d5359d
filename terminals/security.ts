/**
 * The emulated terminal's message security (docs/SECURITY.md §3, §4): its PIN blocks (format 0
 * under triple DES, format 4 under AES-128; a fixed key or DUKPT with a counter that advances)
 * and the retail MAC on its requests, with the answers' MAC checked.
 *
 * An emulator is not a PIN pad: for DUKPT it derives each transaction's key from the vendor's
 * BDK as the switch does, instead of keeping the future-key registers of X9.24.
 */
import type { Dialect, IsoMessage } from '../src/codec/index.js';
import { encryptPinBlockFormat0, encryptPinBlockFormat4 } from '../src/crypto/pin-block.js';
import type { TerminalKey } from '../src/crypto/terminal-keys.js';
import { dukptTransaction } from '../src/crypto/dukpt.js';
import { tdesKsnCounter } from '../src/crypto/dukpt-tdes.js';
import { aesKsnCounter } from '../src/crypto/dukpt-aes.js';
import { macStatus, packWithMac } from '../src/authorization/message-mac.js';
import { FIELD_48 } from '../src/messages/transaction-data.js';

export interface TerminalDukpt {
  algorithm: 'tdes' | 'aes128';
  bdk: Buffer;
  /** The KSN of the next PIN block: the device (initial KSN) and its counter; 10 bytes (tdes) or 12 (aes128). */
  ksn: Buffer;
}

export interface SecurityOptions {
  pinKey: TerminalKey;
  /** MAC its requests and check its answers' MAC with this double-length key. */
  macKey?: Buffer;
  dukpt?: TerminalDukpt;
  /** Whether field 52 takes 16 bytes (a listener with pinBlock variable16). */
  pin16: boolean;
}

/** Most bits a counter may have set: 10 in triple-DES DUKPT (X9.24-1), 16 in AES DUKPT (X9.24-3). */
const MAX_BITS = { tdes: 10, aes128: 16 } as const;
const COUNTER_BYTES = { tdes: 3, aes128: 4 } as const;
const COUNTER_MASK = { tdes: 0x1fffff, aes128: 0xffffffff } as const;

function bitsSet(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v >>>= 1) count += v & 1;
  return count;
}

/** The next counter with at most `max` bits set: past one with too many, add its lowest set bit (X9.24). */
export function nextCounter(counter: number, max: number): number {
  let next = counter + 1;
  while (bitsSet(next) > max) next += next & -next;
  return next;
}

export class TerminalSecurity {
  private ksn: Buffer | undefined;

  constructor(
    private readonly dialect: Dialect,
    private readonly o: SecurityOptions,
  ) {
    if (o.dukpt !== undefined) {
      const length = o.dukpt.algorithm === 'tdes' ? 10 : 12;
      if (o.dukpt.ksn.length !== length) throw new Error(`DUKPT ${o.dukpt.algorithm}: the KSN has ${length} bytes`);
      // Counter 0 names the initial key itself, never a transaction's (X9.24): a device starts at 1.
      const counter = o.dukpt.algorithm === 'tdes' ? tdesKsnCounter(o.dukpt.ksn) : aesKsnCounter(o.dukpt.ksn);
      if (counter === 0) throw new Error(`DUKPT ${o.dukpt.algorithm}: the KSN's counter must be at least 1`);
      this.ksn = Buffer.from(o.dukpt.ksn);
    }
    if (o.macKey !== undefined && o.macKey.length !== 16) throw new Error('MAC key: 16 bytes (K1 K2)');
    const format = o.dukpt === undefined ? o.pinKey.format : o.dukpt.algorithm === 'tdes' ? 0 : 4;
    if (format === 4 && !o.pin16)
      throw new Error(
        `PIN key: format 4 blocks have 16 bytes, field 52 of ${dialect.name} holds 8 (pinBlock variable16)`,
      );
  }

  /** The KSN the next PIN block will carry (DUKPT only). */
  get nextKsn(): Buffer | undefined {
    return this.ksn === undefined ? undefined : Buffer.from(this.ksn);
  }

  /** Field 52 for the PIN and, with DUKPT, the KSN (field 53; 48 sub-element 05 where 53 is n16); the counter advances. */
  addPin(message: IsoMessage, pin: string, pan: string): void {
    const d = this.o.dukpt;
    if (d === undefined || this.ksn === undefined) {
      const k = this.o.pinKey;
      message[52] = k.format === 4 ? encryptPinBlockFormat4(pin, pan, k.key) : encryptPinBlockFormat0(pin, pan, k.key);
      return;
    }
    const ksn = this.ksn;
    const { pinKey, counter } = dukptTransaction(d, ksn);
    message[52] =
      pinKey.format === 4 ? encryptPinBlockFormat4(pin, pan, pinKey.key) : encryptPinBlockFormat0(pin, pan, pinKey.key);
    pinKey.key.fill(0);
    if (this.dialect.field(53)?.kind === 'binary') message[53] = Buffer.from(ksn);
    else {
      const hex = ksn.toString('hex').toUpperCase();
      message[48] = `${typeof message[48] === 'string' ? message[48] : ''}${FIELD_48.ksn}${String(hex.length).padStart(3, '0')}${hex}`;
    }
    this.ksn = this.advance(ksn, counter, d.algorithm);
  }

  private advance(ksn: Buffer, counter: number, algorithm: 'tdes' | 'aes128'): Buffer {
    const next = nextCounter(counter, MAX_BITS[algorithm]);
    if (next > COUNTER_MASK[algorithm]) throw new Error('DUKPT: the counter is exhausted, the device needs a new key');
    const out = Buffer.from(ksn);
    const at = out.length - COUNTER_BYTES[algorithm];
    const kept = algorithm === 'tdes' ? out.readUIntBE(at, 3) & ~COUNTER_MASK.tdes & 0xffffff : 0;
    out.writeUIntBE((kept | next) >>> 0, at, COUNTER_BYTES[algorithm]);
    return out;
  }

  /** The request's bytes: MACed when the terminal has a MAC key. */
  pack(message: IsoMessage): Buffer {
    return this.o.macKey === undefined ? this.dialect.pack(message) : packWithMac(this.dialect, message, this.o.macKey);
  }

  /** Whether an answer may be believed: always without a MAC key; with one, only when its MAC is there and right. */
  accepts(body: Buffer, answer: IsoMessage): boolean {
    return this.o.macKey === undefined || macStatus(this.dialect, body, answer, this.o.macKey) === 'right';
  }
}
