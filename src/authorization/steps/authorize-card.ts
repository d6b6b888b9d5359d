/**
 * Card checks, PIN, contactless rules and balance: one call to the card register, which decides
 * all of it atomically in Redis (src/register/scripts/authorize.ts). Here: read the card and
 * the PIN block, call, and turn the register's outcome into the answer.
 */
import type { Step } from '../pipeline.js';
import { RegisterUnavailableError } from '../pipeline.js';
import { refuse } from '../context.js';
import type { Outcome } from '../action-codes.js';
import { isContactless, panOf } from '../card-data.js';
import { luhnValid } from '../../register/card-id.js';
import type { BlockReason, CardRegister, RegisterOutcome } from '../../register/card-register.js';
import type { NoticeRelay } from '../../register/notice-relay.js';
import type { TerminalKeys } from '../../register/terminal-keys.js';
import { verifyPinBlock } from '../../register/pin-verification.js';

export interface AuthorizeCardDeps {
  register: CardRegister;
  relay: NoticeRelay;
  keys: TerminalKeys;
  /** The register's secret, keying PIN verification values. */
  secret: Buffer;
  /** A register call slower than this is answered "register unavailable". */
  timeoutMs: number;
}

const BLOCKS: Record<BlockReason, Outcome> = { lost: 'blockedLost', stolen: 'blockedStolen', fraud: 'blockedFraud', issuer: 'blockedByIssuer' };

function outcomeOf(outcome: RegisterOutcome, detail: string): Outcome {
  return outcome === 'blocked' ? BLOCKS[detail as BlockReason] : outcome;
}

export function authorizeCard(deps: AuthorizeCardDeps): Step {
  return {
    name: 'authorizeCard',
    async run(ctx) {
      const pan = panOf(ctx.request);
      if (pan === undefined || !luhnValid(pan)) return refuse(ctx, 'notRegistered', 'PAN missing or failing Luhn');
      let pvv: string | undefined;
      const block = ctx.request[52];
      if (Buffer.isBuffer(block)) {
        const verified = verifyPinBlock(block, pan, deps.keys.keyFor(ctx.terminalId), deps.secret);
        pvv = verified.ok ? verified.pvv : 'invalid';
      }
      const result = await withTimeout(
        deps.register.authorize({
          pan,
          kind: String(ctx.request[3]).startsWith('20') ? 'refund' : 'purchase',
          amount: Number(ctx.request[4]),
          pvv,
          contactless: isContactless(ctx.request, ctx.codes),
          reserve: true,
          terminalId: ctx.terminalId ?? '',
        }),
        deps.timeoutMs,
      );
      if (result.notices > 0) await deps.relay.flushQuietly(result.card);
      if (result.outcome === 'approved') {
        ctx.outcome = 'approved';
        return;
      }
      refuse(ctx, outcomeOf(result.outcome, result.detail), `register: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}`);
    },
  };
}

/** The register's answer, or RegisterUnavailableError when Redis fails or is too slow. */
async function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RegisterUnavailableError(`no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([call, late]);
  } catch (e) {
    if (e instanceof RegisterUnavailableError) throw e;
    throw new RegisterUnavailableError((e as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
