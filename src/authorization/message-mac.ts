/**
 * The MAC on a listener's messages (docs/SECURITY.md §3): the retail MAC (ISO 9797-1 algorithm 3,
 * padding method 1) under the terminal's MAC key (the key file's `macKey`), over the packed
 * message from the MTI up to, not including, the MAC field: field 64 in a message without
 * secondary bitmap fields, field 128 in one with. Being the last field, the MAC is the message's
 * last bytes, so the MACed bytes are the body without them.
 *
 * The listener's `mac` says what is checked: off (nothing, and answers carry no MAC), optional (a
 * request carrying a MAC must carry the right one, and its answer is MACed), required (every
 * request must carry the right one; every answer to a terminal with a MAC key is MACed).
 */
import type { Dialect, IsoMessage } from '../codec/index.js';
import { compileField } from '../codec/field.js';
import { MAC_LENGTH, retailMac, verifyRetailMac } from '../crypto/retail-mac.js';
import type { TerminalKeys } from '../crypto/terminal-keys.js';

export type MacMode = 'off' | 'optional' | 'required';

/** What a request's MAC says: whether it may be processed, and the key its answer is MACed with (if any). */
export type MacVerdict = { ok: true; key?: Buffer } | { ok: false; reason: string; key?: Buffer };

const NO_MAC: MacVerdict = { ok: true };

/** Field 128 when the message has a field above 64 (a secondary bitmap), else 64. */
export function macFieldOf(message: IsoMessage): 64 | 128 {
  for (let n = 128; n > 64; n--) if (message[n] !== undefined) return 128;
  return 64;
}

export class MessageMacs {
  /** Bytes the MAC field takes on the wire (8, or 16 where the dialect writes it in hexadecimal). */
  private readonly wire: Record<64 | 128, number>;

  constructor(
    private readonly dialect: Dialect,
    readonly mode: MacMode,
    private readonly keys: TerminalKeys,
  ) {
    const size = (n: 64 | 128): number => {
      const spec = dialect.field(n);
      if (spec === undefined) throw new Error(`dialect ${dialect.name} has no field ${n} for the MAC`);
      return compileField(n, spec).maxWireSize;
    };
    this.wire = { 64: size(64), 128: size(128) };
  }

  /** The request's MAC against its bytes (`body`, as received) and the terminal's key. */
  check(body: Buffer, request: IsoMessage, terminal: string | undefined): MacVerdict {
    if (this.mode === 'off') return NO_MAC;
    const key = this.keys.keyFor(terminal).macKey;
    const field = macFieldOf(request);
    const mac = request[field];
    if (!Buffer.isBuffer(mac)) {
      if (this.mode === 'optional') return NO_MAC;
      return { ok: false, reason: `field ${field} (MAC) missing`, ...(key ? { key } : {}) };
    }
    if (key === undefined) return { ok: false, reason: `field ${field} (MAC): the terminal has no MAC key` };
    const data = body.subarray(0, body.length - this.wire[field]);
    if (!verifyRetailMac(key, data, mac)) return { ok: false, reason: `field ${field} (MAC) incorrect`, key };
    return { ok: true, key };
  }

  /** The answer packed with its MAC (field 64 or 128) under `key`. */
  pack(response: IsoMessage, key: Buffer): Buffer {
    const field = macFieldOf(response);
    const message: IsoMessage = { ...response, [field]: Buffer.alloc(MAC_LENGTH) };
    const placeholder = this.dialect.pack(message);
    message[field] = retailMac(key, placeholder.subarray(0, placeholder.length - this.wire[field]));
    return this.dialect.pack(message);
  }
}
