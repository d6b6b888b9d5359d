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

/** Bytes the MAC field takes on the wire (8, or 16 where the dialect writes it in hexadecimal). */
export function macWireSize(dialect: Dialect, field: 64 | 128): number {
  const spec = dialect.field(field);
  if (spec === undefined) throw new Error(`dialect ${dialect.name} has no field ${field} for the MAC`);
  return compileField(field, spec).maxWireSize;
}

/** The message packed with its MAC (field 64 or 128) under `key`: packed once with a placeholder, MACed, packed again. */
export function packWithMac(dialect: Dialect, message: IsoMessage, key: Buffer): Buffer {
  const field = macFieldOf(message);
  const out: IsoMessage = { ...message, [field]: Buffer.alloc(MAC_LENGTH) };
  const placeholder = dialect.pack(out);
  out[field] = retailMac(key, placeholder.subarray(0, placeholder.length - macWireSize(dialect, field)));
  return dialect.pack(out);
}

/** What a message's MAC is: absent, right or wrong, against its bytes (`body`, as received) and `key`. */
export function macStatus(
  dialect: Dialect,
  body: Buffer,
  message: IsoMessage,
  key: Buffer,
): 'absent' | 'right' | 'wrong' {
  const field = macFieldOf(message);
  const mac = message[field];
  if (!Buffer.isBuffer(mac)) return 'absent';
  const data = body.subarray(0, body.length - macWireSize(dialect, field));
  return verifyRetailMac(key, data, mac) ? 'right' : 'wrong';
}

export class MessageMacs {
  constructor(
    private readonly dialect: Dialect,
    readonly mode: Exclude<MacMode, 'off'>,
    private readonly keys: TerminalKeys,
  ) {
    // A dialect without the MAC fields cannot be MACed: said at start, not at the first request.
    macWireSize(dialect, 64);
    macWireSize(dialect, 128);
  }

  /** The request's MAC against its bytes (`body`, as received) and the terminal's key. */
  check(body: Buffer, request: IsoMessage, terminal: string | undefined): MacVerdict {
    const key = this.keys.keyFor(terminal).macKey;
    const field = macFieldOf(request);
    if (!Buffer.isBuffer(request[field])) {
      if (this.mode === 'optional') return NO_MAC;
      return { ok: false, reason: `field ${field} (MAC) missing`, ...(key ? { key } : {}) };
    }
    if (key === undefined) return { ok: false, reason: `field ${field} (MAC): the terminal has no MAC key` };
    if (macStatus(this.dialect, body, request, key) !== 'right')
      return { ok: false, reason: `field ${field} (MAC) incorrect`, key };
    return { ok: true, key };
  }

  /** The answer packed with its MAC under `key`. */
  pack(response: IsoMessage, key: Buffer): Buffer {
    return packWithMac(this.dialect, response, key);
  }
}
