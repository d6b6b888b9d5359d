/**
 * The offline advice script (offline-advice.lua): a sale a terminal approved offline, posted
 * once with the card's status at the purchase time, never refused for the card's status.
 * offline-advice.lua's header says what each name means.
 */
import { asReply, defineScript } from '../../redis/scripts.js';
import { POSTING_ARGS } from '../posting-args.js';

/** { outcome, detail (card status at the purchase time), notices written, 0, approval code, posting JSON, 'repeat' for a repeat } */
export type OfflineAdviceReply = [
  outcome: string,
  detail: string,
  notices: number,
  zero: number,
  approvalCode: string,
  posting: string,
  repeat?: string,
];

export const offlineAdviceScript = defineScript({
  name: 'swOfflineAdvice',
  file: new URL('./offline-advice.lua', import.meta.url),
  include: [
    new URL('./repeat.lua', import.meta.url),
    new URL('./hold.lua', import.meta.url),
    new URL('./status-at.lua', import.meta.url),
    new URL('./new-posting.lua', import.meta.url),
  ],
  keys: ['card', 'transaction', 'posts', 'holds', 'outbox'],
  args: [
    'now',
    'signature',
    'kind',
    'amount',
    'approvalCode',
    'keepFor',
    'noticeId',
    // The posting's own fields, as authorize.lua takes them (no `track`: no old terminal's request).
    ...POSTING_ARGS,
  ],
  reply: asReply<OfflineAdviceReply>(),
});
