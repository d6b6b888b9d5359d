/**
 * What the issuer and block-service routes share: the register, the notice relay, who is asking,
 * and the answers every card route gives the same way.
 */
import type { IssuerScripts } from '../card/issuer-scripts.js';
import type { Clock } from '../time/clock.js';
import type { SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { CardId } from '../crypto/card-id.js';
import type { CardRegister, ChangeResult } from '../card/card-register.js';
import type { CardState } from '../card/card-state.js';
import type { NoticeRelay } from '../notices/notice-relay.js';
import type { HolderIndex } from '../card/holder-index.js';
import type { PendingBlocks } from '../blocking/pending-blocks.js';
import type { BlockReferences } from '../blocking/block-references.js';
import type { AdminAuth } from './auth.js';
import { CARD_ID_PATTERN, invalid } from './schemas.js';
import { type AdminReply, HttpError } from './server.js';

export interface ApiContext {
  register: CardRegister;
  /** Cards by holder numbers: registration indexes them, the block service finds them. */
  holders: HolderIndex;
  /** The cards' issuer scripts. */
  scripts: IssuerScripts;
  relay: NoticeRelay;
  /** Blocks accepted while Redis was down, applied when it is back. */
  pending: PendingBlocks;
  /** The block service's reference numbers. */
  references: BlockReferences;
  auth: AdminAuth;
  config: SwitchConfig;
  clock: Clock;
  log: Logger;
}

const CARD_ID = new RegExp(CARD_ID_PATTERN);

/** The :id of a card route; 400 for anything that is not a card id (never echoed: it could be a PAN). */
export function cardIdParam(id: string | undefined): CardId {
  if (id === undefined || !CARD_ID.test(id)) {
    throw new HttpError(400, {
      error: 'not a card id: a card id is 32 lowercase hex digits (find it from a PAN with POST /cards/lookup)',
    });
  }
  return id;
}

/** Field 41 as the trace keeps it: printable ASCII, at most 8, without its trailing padding. */
export const TERMINAL_ID = /^[\x20-\x7e]{0,7}[\x21-\x7e]$/;

/**
 * The :id of a terminal route; 400 for anything field 41 cannot hold, never echoed (a PAN put in
 * the path by mistake is longer than any terminal id, so what is echoed later cannot be one).
 */
export function terminalIdParam(id: string | undefined): string {
  if (id === undefined || !TERMINAL_ID.test(id)) {
    throw new HttpError(400, {
      error:
        'not a terminal id: a terminal id (field 41) is 1 to 8 printable ASCII characters, without trailing spaces',
    });
  }
  return id;
}

export const NO_SUCH_CARD = { error: 'no such card' };

/**
 * A refused change as an answer. `hideOthers`: for routes that name a card by its PAN, another
 * issuer's card answers like an unknown one, so that a PAN cannot be probed for being registered.
 */
export function refused(result: Exclude<ChangeResult, { ok: true }>, hideOthers = false): AdminReply {
  if (result.status === 'notFound' || (hideOthers && result.status === 'forbidden'))
    return { status: 404, body: NO_SUCH_CARD };
  if (result.status === 'forbidden') return { status: 403, body: { error: 'the card belongs to another issuer' } };
  return { status: 409, body: { error: result.reason } };
}

/** The card's state after a change; the card cannot vanish (cards are never removed, only marked deleted). */
export async function stateOf(api: ApiContext, id: CardId): Promise<CardState> {
  const state = await api.register.state(id);
  if (state === undefined) throw new Error(`card ${id} vanished`);
  return state;
}

/**
 * When the holder reported the card: the time given, else now. It may lie in the past (a block
 * entered after the call, or an issuer blocking later than its customer called), never ahead of
 * the block.
 */
export function reportTime(now: Date, given: string | undefined): Date {
  const reportedAt = given === undefined ? now : new Date(given);
  if (reportedAt.getTime() > now.getTime())
    throw invalid('body', [{ path: '/reportedAt', message: 'must not be in the future' }]);
  return reportedAt;
}
