/**
 * The fraud monitoring's scripts on a card (src/card/card-watch.ts): recording a transaction in
 * the card's recent transactions and holder profile, the monitoring's block, and the issuer's
 * verdict on that block. Each .lua file's header says what its names mean.
 */
import { asReply, defineScript } from '../../redis/scripts.js';

export const watchScript = defineScript({
  name: 'swWatch',
  file: new URL('./watch.lua', import.meta.url),
  keys: ['card', 'recent', 'profile'],
  args: ['now', 'horizon', 'tx', 'maxRecent', 'keepProfile', 'maxFields', 'read'],
  reply: asReply<[issuer: string, block: string, entries: string[], from: number, to: number]>(),
});

export const monitoringBlockScript = defineScript({
  name: 'swMonitoringBlock',
  file: new URL('./monitoring-block.lua', import.meta.url),
  include: [new URL('./owned.lua', import.meta.url), new URL('./status-at.lua', import.meta.url)],
  keys: ['card', 'outbox'],
  args: ['issuer', 'now', 'noticeId', 'rule', 'description', 'transactions'],
  reply: asReply<[string, string]>(),
});

/** The issuer's verdict on a monitoring block (monitoring-feedback.lua). */
export const monitoringFeedbackScript = defineScript({
  name: 'swMonitoringFeedback',
  file: new URL('./monitoring-feedback.lua', import.meta.url),
  include: [new URL('./owned.lua', import.meta.url), new URL('./status-at.lua', import.meta.url)],
  keys: ['card', 'outbox'],
  args: ['issuer', 'now', 'noticeId', 'blockedAt', 'verdict', 'text'],
  reply: asReply<[string, string, string?, string?]>(),
});
