/**
 * The authorize script (authorize.lua): the whole decision for one request in one atomic Lua
 * call (the rules in their order, the three strikes, contactless limits, balance and
 * reservations), recording the transaction and, for a single-message approval, putting its
 * posting in the card's posting outbox. authorize.lua's header says what each name means.
 * On the switch's hot path: its reply is taken as Redis gives it (no parsing step).
 */
import { asReply, defineScript } from '../../redis/scripts.js';
import { POSTING_ARGS } from '../posting-args.js';

/**
 * { outcome, detail, notices written, available after (øre), approval code, posting JSON, 'repeat'
 * for a retransmission ('' otherwise), the fee's posting JSON of a withdrawal with a fee }
 */
export type AuthorizeReply = [
  outcome: string,
  detail: string,
  notices?: number,
  available?: number,
  approvalCode?: string,
  posting?: string,
  repeat?: string,
  fee?: string,
];

export const authorizeScript = defineScript({
  name: 'swAuthorize',
  file: new URL('./authorize.lua', import.meta.url),
  include: [
    new URL('./repeat.lua', import.meta.url),
    new URL('./hold.lua', import.meta.url),
    new URL('./status-at.lua', import.meta.url),
    new URL('./new-posting.lua', import.meta.url),
    new URL('./unattended.lua', import.meta.url),
    new URL('./remote.lua', import.meta.url),
    new URL('./cash.lua', import.meta.url),
    new URL('../../redis/replay-window.lua', import.meta.url),
    new URL('./chip.lua', import.meta.url),
  ],
  keys: ['card', 'reservations', 'reservationAmounts', 'outbox', 'transaction', 'posts', 'holds', 'series'],
  args: [
    'now',
    'yymm',
    'kind',
    'amount',
    'pvv',
    'contactless',
    'chip',
    'contactlessLimit',
    'contactlessMaxCount',
    'contactlessMaxSum',
    'reserve',
    'reservation',
    'lapse',
    'lapses',
    // Issue 16: an unattended machine's purchase without cardholder verification, and its limits.
    'unattended',
    'unattendedLimit',
    'unattendedLimits',
    'noticeId',
    'terminal',
    'signature',
    'message',
    'approvalCode',
    'keepFor',
    // The posting's own fields (the card record gives the rest), and whether it is an old terminal's.
    ...POSTING_ARGS,
    'track',
    // Issue 16's remote purchases: expiry, CVC, series and the holder's authentication (remote.lua).
    'remote',
    'expiry',
    'cvc',
    'unauthenticated',
    'authDefault',
    'authProducts',
    // A withdrawal's (cash.lua): the products' cash terms, the ATM's owner, abroad, the day, the fee's posting id.
    'cash',
    'atmOwner',
    'abroad',
    'day',
    'feePostingId',
    // Issue 20's chip purchases (chip.lua): the ATC, the cryptogram's verdict, the products with chip keys.
    'atc',
    'cryptogram',
    'chipProducts',
  ],
  reply: asReply<AuthorizeReply>(),
});
