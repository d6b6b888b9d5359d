/**
 * The channel the card is used in (docs/PROTOCOL.md, "Channels"): the scheme's rules differ per
 * channel (cash at ATMs, remote purchases, unattended machines), and a posting keeps it (a
 * dispute for a remote sale depends on it). Read from the processing code, the terminal's model
 * in the key file and the point-of-service fields.
 */
import type { IsoMessage } from '../codec/index.js';
import type { CodeSet } from './action-codes.js';
import type { Channel } from '../journal/posting.js';
import { environmentOf } from './card-data.js';

/**
 * 1993 field 22 position 5, cardholder presence: '2' mail order, '3' telephone order, '5'
 * electronic order (internet); '4' (standing order) is a merchant's later payment of a series,
 * whose channel is the series' (internet unless the request says otherwise).
 */
const PRESENCE93: Record<string, Channel> = { '2': 'mailOrder', '3': 'phoneOrder', '4': 'internet', '5': 'internet' };

/** 1987 field 25, POS condition code: '08' mail or telephone order, '59' electronic commerce. */
const CONDITION87: Record<string, Channel> = { '08': 'mailOrder', '59': 'internet' };

/** The models in the key file that are machines without a clerk. */
const UNATTENDED_MODELS = new Set(['fuel', 'ticket']);

export function channelOf(request: IsoMessage, codes: CodeSet, model: string | undefined): Channel {
  if (String(request[3] ?? '').startsWith('01')) return 'atm';
  const remote = remoteChannelOf(request, codes);
  if (remote !== undefined) return remote;
  // A purchase at an ATM: the ATM's channel (a remote request names itself first, whatever the key file says).
  if (model === 'atm') return 'atm';
  if ((model !== undefined && UNATTENDED_MODELS.has(model)) || environmentOf(request, codes) === 'unattended')
    return 'unattended';
  return 'attended';
}

function remoteChannelOf(request: IsoMessage, codes: CodeSet): Channel | undefined {
  const pos = request[22];
  if (codes === 'iso93') {
    if (typeof pos !== 'string') return undefined;
    return PRESENCE93[pos[4] ?? ''] ?? (pos[6] === 'S' ? 'internet' : undefined);
  }
  const condition = request[25];
  if (typeof condition === 'string' && CONDITION87[condition] !== undefined) return CONDITION87[condition];
  return typeof pos === 'string' && pos.startsWith('81') ? 'internet' : undefined;
}
