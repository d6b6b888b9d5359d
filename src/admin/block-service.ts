/**
 * The block service's route: a cardholder calls (24/7) to report a card lost or stolen, and the
 * service posts the report. The switch finds the card, blocks it with both times (when the holder
 * called, which liability turns on, and when the block was registered), hands the report to the
 * card's issuer as a notice, and returns a reference number and the SMS receipt the issuer chose
 * for that card product.
 */
import { type CardId } from '../crypto/card-id.js';
import { newReference } from '../blocking/block-references.js';
import type { CardState } from '../card/card-register.js';
import { type ApiContext, refused, stateOf } from './api.js';
import { readJsonBody } from './body.js';
import { type BlockReportBody, invalid, validate } from './schemas.js';
import { HttpError, type AdminRoute } from './server.js';
import { renderSms, smsTemplate, smsTime } from './sms.js';
import { isRedisUnavailable } from '../redis/errors.js';

export function blockServiceRoutes(api: ApiContext): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/block-reports',
      access: ['blockService'],
      handle: async (_, req) => {
        const report = validate('blockReport', await readJsonBody(req));
        const now = api.clock.now();
        const reportedAt = report.reportedAt === undefined ? now : new Date(report.reportedAt);
        // The report time may lie in the past (a block entered after the call), never ahead of the block.
        if (reportedAt.getTime() > now.getTime())
          throw invalid('body', [{ path: '/reportedAt', message: 'must not be in the future' }]);
        let found: CardState;
        try {
          found = await findCard(api, report);
        } catch (e) {
          // Redis down: with the card number the card is known without it; keep the block for later.
          if (!isRedisUnavailable(e) || report.cardNumber === undefined) throw e;
          return acceptForLater(api, api.register.idOf(report.cardNumber), report, reportedAt);
        }
        const reference = await api.references.reserve(found.card);
        const result = await api.register.block(
          '',
          found.card,
          report.reason,
          reportedAt,
          holderSaid(report),
          reference,
        );
        if (!result.ok) {
          await api.references.release(reference);
          return refused(result);
        }
        await api.relay.flushQuietly(found.card);
        const state = await stateOf(api, found.card);
        // As the register recorded them; the fallbacks only matter if the block was lifted meanwhile.
        const blockedAt = state.blockedAt ?? now.toISOString();
        const smsReceipt = renderSms(smsTemplate(api.config.issuers, state.issuer, state.product), {
          reference,
          maskedPan: state.maskedPan,
          time: smsTime(new Date(blockedAt), api.config.register.timeZone),
        });
        api.log.info(
          { card: state.card, issuer: state.issuer, reference, reason: report.reason },
          'card blocked on a holder report',
        );
        return {
          status: 201,
          body: {
            reference,
            card: state.card,
            maskedPan: state.maskedPan,
            issuer: state.issuer,
            reportedAt: state.blockReportedAt ?? reportedAt.toISOString(),
            blockedAt,
            smsReceipt,
          },
        };
      },
    },
  ];
}

/**
 * The register is unreachable: the block is journalled (on disk before we answer) and applied
 * when Redis is back. 202: accepted, not yet in effect; the reference number is already valid.
 * No SMS receipt yet: its text depends on the card's product, which only the register knows.
 */
function acceptForLater(api: ApiContext, card: CardId, report: BlockReportBody, reportedAt: Date) {
  const reference = newReference();
  api.pending.add({
    issuer: '',
    card,
    reason: report.reason,
    reportedAt: reportedAt.getTime(),
    report: holderSaid(report),
    reference,
  });
  return {
    status: 202,
    body: {
      reference,
      card,
      reportedAt: reportedAt.toISOString(),
      pending: true,
      message: 'the card register is unavailable: the block is kept and applied as soon as it is back',
      smsReceipt: null,
    },
  };
}

/**
 * The one card the numbers given point at: the card number directly, else the holder index
 * (HolderIndex.cardsOfHolder, src/card/holder-index.ts). Every number given must match; the record is checked too (an index entry is
 * a hint). Several live cards (say, a Dankort and a Visa/Dankort on one account): 409 listing
 * them, and the report is posted again naming one by `card`. Blocking them all, or the first,
 * could block a card the holder still has.
 */
async function findCard(api: ApiContext, r: BlockReportBody): Promise<CardState> {
  const { register } = api;
  const personalNumber = r.personalNumber?.replace('-', '');
  let ids: CardId[];
  if (r.cardNumber !== undefined) {
    ids = [register.idOf(r.cardNumber)];
    if (personalNumber !== undefined) {
      const byPerson = await api.holders.cardsOfHolder({ personalNumber });
      ids = ids.filter((id) => byPerson.includes(id));
    }
  } else {
    ids = await api.holders.cardsOfHolder({
      ...(r.accountNumber === undefined ? {} : { account: r.accountNumber }),
      ...(personalNumber === undefined ? {} : { personalNumber }),
    });
  }
  if (r.card !== undefined) ids = ids.filter((id) => id === r.card);
  const states = (await Promise.all(ids.map((id) => register.state(id)))).filter(
    (s): s is CardState => s !== undefined && (r.accountNumber === undefined || s.account === r.accountNumber),
  );
  if (states.length === 0) throw new HttpError(404, { error: 'no card matches every number given' });
  const live = states.filter((s) => s.status !== 'deleted');
  // Only deleted cards: blocking one answers 409 "card is deleted", which says what happened.
  if (live.length <= 1) return live[0] ?? states[0]!;
  throw new HttpError(409, {
    error: `${live.length} cards match the numbers given: post the report again with "card" set to the one to block`,
    candidates: live.map((s) => ({
      card: s.card,
      maskedPan: s.maskedPan,
      issuer: s.issuer,
      product: s.product,
      status: s.status,
      block: s.block,
    })),
  });
}

/** What the holder said, for the issuer's notice archive; the numbers themselves stay out of it. */
function holderSaid(r: BlockReportBody): object {
  return {
    channel: 'blockService',
    name: r.name,
    address: r.address,
    bank: r.bank,
    ...(r.statement === undefined ? {} : { statement: r.statement }),
    identifiedBy: (['cardNumber', 'accountNumber', 'personalNumber'] as const).filter((k) => r[k] !== undefined),
  };
}
