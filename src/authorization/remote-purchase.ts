/**
 * A remote purchase (internet, mail and phone order; docs/SCHEME.md, "Remote purchases"): what
 * the card register is asked to check, and what the posting keeps. The holder present gives the
 * expiry and the CVC (and, on the internet, is authenticated by 3-D Secure or MitID); a stored
 * card's later payment, started by the merchant, names its series instead (no CVC then). The
 * CVC is turned into its keyed verification value here, at once: the clear CVC goes no further.
 */
import type { PostingTemplate } from '../card/card-register.js';
import type { RemoteChecks } from '../card/remote-args.js';
import { REMOTE_CHANNELS, SERIES_START, remoteDataOf, subElement } from '../messages/remote-data.js';
import { FIELD_48 } from '../messages/transaction-data.js';
import type { RequestContext } from './context.js';

/**
 * For a remote purchase: the checks, with the posting's authentication, initiatedBy and series
 * filled in; undefined for any other request (refunds too: a merchant's refund needs no CVC); a
 * string saying which field is malformed when field 48 cannot be read.
 */
export function remotePurchase(
  ctx: RequestContext,
  posting: PostingTemplate,
  cvcValueOf: (cvc: string) => string,
): RemoteChecks | string | undefined {
  if (posting.type !== 'purchase' || !REMOTE_CHANNELS.has(posting.channel)) return undefined;
  const data = remoteDataOf(ctx.request);
  if ('unreadable' in data) return data.unreadable;
  // A series is the merchant's: without field 42 any merchant could charge it by naming its id.
  if (data.series !== undefined && posting.merchant === '')
    return 'field 42 (card acceptor id) is required to start or use a series (field 48 sub-element 04)';
  const internet = posting.channel === 'internet';
  if (internet) posting.authentication = data.authentication;
  if (data.series !== undefined && data.series !== SERIES_START) {
    posting.initiatedBy = 'merchant';
    posting.series = data.series;
    return { initiatedBy: 'merchant', expiry: undefined, cvc: undefined, unauthenticated: false };
  }
  // The first of a series is its own series: the merchant's later payments name its transaction id.
  if (data.series === SERIES_START) posting.series = posting.txn;
  return {
    initiatedBy: 'holder',
    expiry: data.expiry,
    cvc: data.cvc === undefined ? undefined : cvcValueOf(data.cvc),
    unauthenticated: internet && (data.authentication === 'none' || data.authentication === 'notAuthenticated'),
  };
}

/** The approval of a series' first purchase names the series in field 48 sub-element 04 (its transaction id). */
export function answerSeries(ctx: RequestContext, posting: PostingTemplate): void {
  if (ctx.outcome === 'approved' && posting.initiatedBy === 'holder' && posting.series !== '')
    ctx.response[48] = subElement(FIELD_48.series, posting.series);
}
