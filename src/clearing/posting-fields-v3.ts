/**
 * The posting fields delivery layout 3 added (src/journal/posting.ts LAYOUT_3_FIELDS, issue 16):
 * the channel, an internet purchase's holder authentication, a stored card's series and who
 * started the purchase, and whether it was approved online or offline. A posting journalled
 * before layout 3 shows them blank (docs/CLEARING.md, "Postings from before layout 3").
 */
import type {
  Authentication,
  Authorization,
  Channel,
  InitiatedBy,
  JournalPosting,
  Posting,
} from '../journal/posting.js';
import type { RecordFields } from '../files/fixed-width.js';

type V3 = Pick<Posting, 'channel' | 'authentication' | 'initiatedBy' | 'series' | 'authorization'>;

/** What a delivery shows of a posting's layout 3 fields: those not blank. */
export type DeliveredV3 = Partial<V3>;

/** The layout 3 fields of a PO record, as text; blank where a posting from before layout 3 has none. */
export function v3Values(p: JournalPosting): Record<keyof V3, string> {
  return {
    channel: p.channel ?? '',
    authentication: p.authentication ?? '',
    initiatedBy: p.initiatedBy ?? '',
    series: p.series ?? '',
    authorization: p.authorization ?? '',
  };
}

/** The layout 3 fields of a PO record read back; blank ones are left out. */
export function parseV3(f: RecordFields): DeliveredV3 {
  const out: DeliveredV3 = {};
  const channel = f.text('channel');
  if (channel !== '') out.channel = channel as Channel;
  const authentication = f.text('authentication');
  if (authentication !== '') out.authentication = authentication as Authentication;
  const initiatedBy = f.text('initiatedBy');
  if (initiatedBy !== '') out.initiatedBy = initiatedBy as InitiatedBy;
  const series = f.text('series');
  if (series !== '') out.series = series;
  const authorization = f.text('authorization');
  if (authorization !== '') out.authorization = authorization as Authorization;
  return out;
}
