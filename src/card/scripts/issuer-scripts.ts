/**
 * The card's issuer scripts (key card:{id}:scripts; src/card/issuer-scripts.ts says what a script
 * is): queueing one (the issuer's, checked by owned.lua like every issuer change), taking the queued
 * ones for a chip answer, recording the terminal's results, queueing one again. Each .lua file's
 * header says what its names mean.
 */
import { asReply, defineScript } from '../../redis/scripts.js';
import type { ChangeResult } from '../card-register.js';

const OWNED = new URL('./owned.lua', import.meta.url);
const QUEUE = new URL('./script-queue.lua', import.meta.url);

/** { 'ok', id } or a refusal, as the issuer changes answer (scripts/issuer.ts). */
export type QueueReply = { ok: true; id: string } | Extract<ChangeResult, { ok: false }>;

function queueReply(raw: unknown): QueueReply {
  const [status, detail] = raw as [string, string];
  if (status === 'ok') return { ok: true, id: detail };
  return { ok: false, status: status as 'notFound' | 'forbidden' | 'conflict', reason: detail || status };
}

export const queueScript = defineScript({
  name: 'swQueueScript',
  file: new URL('./queue-script.lua', import.meta.url),
  include: [OWNED, QUEUE],
  keys: ['card', 'outbox', 'scripts'],
  args: ['issuer', 'now', 'noticeId', 'template', 'commands', 'size', 'maxOpen'],
  reply: queueReply,
});

export const resendScript = defineScript({
  name: 'swResendScript',
  file: new URL('./resend-script.lua', import.meta.url),
  include: [OWNED],
  keys: ['card', 'outbox', 'scripts'],
  args: ['issuer', 'now', 'noticeId', 'id'],
  reply: queueReply,
});

export const takeScripts = defineScript({
  name: 'swTakeScripts',
  file: new URL('./take-scripts.lua', import.meta.url),
  keys: ['scripts'],
  args: ['now', 'txn', 'maxBytes'],
  reply: asReply<string[]>(),
});

export const scriptResults = defineScript({
  name: 'swScriptResults',
  file: new URL('./script-results.lua', import.meta.url),
  keys: ['scripts'],
  args: ['now', 'txn', 'results'],
  reply: asReply<number>(),
});
