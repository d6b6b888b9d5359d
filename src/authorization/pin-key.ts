/**
 * The key a request's PIN block (field 52) is under (docs/SECURITY.md §4): the terminal's fixed
 * PIN key from the key file, or, for a DUKPT terminal, the key its KSN names under its vendor's
 * base derivation key. A KSN is good for one transaction: its counter is recorded as used by the
 * DUKPT device (the vendor and the KSN without its counter, whatever field 41 says: the key does
 * not depend on it; terminal-state/ksn-counters.ts) before the PIN is verified, and a counter used
 * before by another transaction, or more than 32 below the device's highest, is refused (919 /
 * 63). A retransmission of the same transaction (same terminal, local time and STAN) may bring
 * the same KSN again.
 */
import type { RequestContext } from './context.js';
import type { Outcome } from '../messages/action-codes.js';
import type { TerminalKeys } from '../crypto/terminal-keys.js';
import type { PinKey } from '../crypto/pin-block.js';
import { DukptError, type DukptTransaction, dukptTransaction } from '../crypto/dukpt.js';
import { ksnOf } from '../messages/security-data.js';
import type { KsnCounters } from '../terminal-state/ksn-counters.js';
import { registerCall } from '../redis/errors.js';

export interface PinKeyDeps {
  keys: TerminalKeys;
  ksnCounters: KsnCounters;
  /** A Redis call slower than this is answered "register unavailable". */
  timeoutMs: number;
}

export type PinKeyOutcome = { key: PinKey } | { refuse: Outcome; reason: string };

/** The PIN block's key, or why the request is refused; undefined without a PIN block. */
export async function pinKeyOf(ctx: RequestContext, txn: string, deps: PinKeyDeps): Promise<PinKeyOutcome | undefined> {
  if (!Buffer.isBuffer(ctx.request[52])) return undefined;
  const terminal = deps.keys.keyFor(ctx.terminalId);
  if (terminal.dukpt === undefined) return { key: terminal };
  const place = ksnOf(ctx.request);
  if (place === undefined) {
    // The 1993 dialects carry it in field 53 (binary); the 1987 one in field 48 (53 is n16 there).
    const field = ctx.dialect.field(53)?.kind === 'binary' ? '53' : '48.05';
    return { refuse: 'formatError', reason: `field ${field} (KSN) missing: the terminal's PIN keys are DUKPT` };
  }
  if ('unreadable' in place) return { refuse: 'formatError', reason: `field ${place.unreadable} (KSN) unreadable` };
  let transaction: DukptTransaction;
  try {
    transaction = dukptTransaction(terminal.dukpt, place.ksn);
  } catch (e) {
    if (e instanceof DukptError) return { refuse: 'formatError', reason: `field ${place.field} (KSN): ${e.message}` };
    throw e;
  }
  const use = await registerCall(
    deps.ksnCounters.use({ vendor: terminal.dukpt.name, device: transaction.device }, transaction.counter, txn),
    deps.timeoutMs,
  );
  if (use === 'reused' || use === 'stale')
    return {
      refuse: 'ksnReused',
      reason: `field ${place.field} (KSN): counter ${transaction.counter} ${use === 'reused' ? 'used before' : 'too far below the highest used'}`,
    };
  return { key: transaction.pinKey };
}
