/**
 * Issuer and block-service changes to a card, each one Lua script: the check that the caller's
 * issuer owns the card (owned.lua, the shared head) and the change (with the notice it causes,
 * written to the card's outbox) happen together or not at all. Each takes KEYS card and outbox,
 * ARGV issuer ('' for the block service, which may change any card), now (ms) and noticeId, then
 * its own; each answers { 'ok' | 'notFound' | 'forbidden' | 'conflict', detail }, parsed here
 * into a ChangeResult. Registration (register.lua) takes the card alone and the record's fields.
 */
import { defineScript } from '../../redis/scripts.js';
import type { ChangeResult } from '../card-register.js';
import type { BlockInForce, BlockResult } from '../block-history.js';

function changeResult(raw: unknown): ChangeResult {
  const [status, reason] = raw as [string, string];
  return status === 'ok'
    ? { ok: true }
    : { ok: false, status: status as 'notFound' | 'forbidden' | 'conflict', reason: reason || status };
}

const OWNED = [new URL('./owned.lua', import.meta.url)];
/** owned.lua and the block history's functions (status-at.lua). */
const OWNED_WITH_HISTORY = [...OWNED, new URL('./status-at.lua', import.meta.url)];

/** A block's answer: a ChangeResult, or the block in force when a holder's report on a blocked card was kept. */
function blockResult(raw: unknown): BlockResult {
  const [status, detail] = raw as [string, string];
  if (status === 'already') return { ok: true, alreadyBlocked: JSON.parse(detail) as BlockInForce };
  return changeResult(raw);
}
const KEYS = ['card', 'outbox'] as const;

/** Registers a card with the record's fields and values (the tail); 'conflict' when the card exists. */
export const registerScript = defineScript({
  name: 'swRegister',
  file: new URL('./register.lua', import.meta.url),
  keys: ['card'],
  args: [],
  rest: 'fields',
  reply: changeResult,
});

/** code: keyed hash of the activation code given. */
export const activateScript = defineScript({
  name: 'swActivate',
  file: new URL('./activate.lua', import.meta.url),
  include: OWNED,
  keys: KEYS,
  args: ['issuer', 'now', 'noticeId', 'code'],
  reply: changeResult,
});

/** balance: øre. */
export const setBalanceScript = defineScript({
  name: 'swSetBalance',
  file: new URL('./set-balance.lua', import.meta.url),
  include: OWNED,
  keys: KEYS,
  args: ['issuer', 'now', 'noticeId', 'balance'],
  reply: changeResult,
});

/**
 * reason: one of BLOCK_REASONS (src/card/block-history.ts); reportedAt: when the holder reported
 * it (ms; the block's own time is now); report: JSON of what the holder said ('' if none);
 * reference ('' if none); sms: the SMS receipt's text ('' if none; its time is the block's, or
 * the report's on a card already blocked: now). A block of a blocked card keeps the first
 * block; the block service's report on it is kept (block.lua).
 */
export const blockScript = defineScript({
  name: 'swBlock',
  file: new URL('./block.lua', import.meta.url),
  include: OWNED_WITH_HISTORY,
  keys: KEYS,
  args: ['issuer', 'now', 'noticeId', 'reason', 'reportedAt', 'report', 'reference', 'sms'],
  reply: blockResult,
});

/** Closes the open interval of the card's block history. */
export const liftBlockScript = defineScript({
  name: 'swLiftBlock',
  file: new URL('./lift-block.lua', import.meta.url),
  include: OWNED_WITH_HISTORY,
  keys: KEYS,
  args: ['issuer', 'now', 'noticeId'],
  reply: changeResult,
});

/**
 * Lifting a PIN block also clears the count of wrong tries and queues the PIN unblock script for
 * the chip (template, commands, size: as queue-script.lua takes them; src/card/issuer-scripts.ts).
 */
export const liftPinBlockScript = defineScript({
  name: 'swLiftPinBlock',
  file: new URL('./lift-pin-block.lua', import.meta.url),
  include: [...OWNED, new URL('./script-queue.lua', import.meta.url)],
  keys: [...KEYS, 'scripts'],
  args: ['issuer', 'now', 'noticeId', 'template', 'commands', 'size'],
  reply: changeResult,
});

export const deleteScript = defineScript({
  name: 'swDelete',
  file: new URL('./delete.lua', import.meta.url),
  include: OWNED,
  keys: KEYS,
  args: ['issuer', 'now', 'noticeId'],
  reply: changeResult,
});
