/**
 * A posting template as the authorize script's arguments (authorize.lua, "the posting's own
 * fields"): one string or number each, no JSON on the switch's hot path. Without a template
 * (seeding, tests of the rules) every one is empty: nothing is posted then.
 */
import type { PostingTemplate } from './card-register.js';

/** The names of those arguments (new-posting.lua reads them), shared by authorize.lua and offline-advice.lua. */
export const POSTING_ARGS = [
  'postingId',
  'txn',
  'postingType',
  'direction',
  'currency',
  'postingTerminal',
  'merchant',
  'stan',
  'localTime',
  'receivedAt',
  'originalAmount',
  'originalCurrency',
  'originalExponent',
  'rate',
  'purchasedAt',
  'merchantName',
  'merchantCity',
  'mcc',
  'entryMode',
  'verification',
  'terminalKind',
  'channel',
  'authentication',
  'initiatedBy',
  'series',
  'authorization',
  // Issue 20: a chip transaction's TVR, CVM results and CVR ('' none: the posting then lacks them).
  'tvr',
  'cvmResults',
  'cvr',
] as const;

export function postingArgs(p: PostingTemplate | undefined) {
  return {
    postingId: p?.id ?? '',
    txn: p?.txn ?? '',
    postingType: p?.type ?? '',
    direction: p?.direction ?? '',
    currency: p?.currency ?? '',
    postingTerminal: p?.terminal ?? '',
    merchant: p?.merchant ?? '',
    stan: p?.stan ?? '',
    localTime: p?.localTime ?? '',
    receivedAt: p?.receivedAt ?? 0,
    track: p?.track === 1 ? '1' : '',
    originalAmount: p?.originalAmount ?? 0,
    originalCurrency: p?.originalCurrency ?? '',
    originalExponent: p?.originalExponent ?? 0,
    rate: p?.rate ?? 0,
    purchasedAt: p?.purchasedAt ?? 0,
    merchantName: p?.merchantName ?? '',
    merchantCity: p?.merchantCity ?? '',
    mcc: p?.mcc ?? '',
    entryMode: p?.entryMode ?? '',
    verification: p?.verification ?? '',
    terminalKind: p?.terminalKind ?? '',
    channel: p?.channel ?? '',
    authentication: p?.authentication ?? '',
    initiatedBy: p?.initiatedBy ?? '',
    series: p?.series ?? '',
    authorization: p?.authorization ?? '',
    tvr: p?.tvr ?? '',
    cvmResults: p?.cvmResults ?? '',
    cvr: p?.cvr ?? '',
  };
}
