/**
 * The block service's route: a cardholder calls (24/7) to report a card lost, stolen, its PIN
 * known to others, misused, copied or suspected of misuse (004 §10), and the service posts the
 * report. The switch finds the card, checks that its issuer has a block service agreement (001
 * §14; else the holder is told to call the issuer), blocks it with both times (when the holder
 * called, which liability turns on, and when the block was registered), hands the report to the
 * card's issuer as a notice, and returns a reference number and the SMS receipt the issuer chose
 * for that card product. A report on a card already blocked is kept the same way (time, what the
 * holder said, reference, receipt, notice); the answer says since when the card is blocked.
 */
import { type CardId } from '../crypto/card-id.js';
import { newReference } from '../blocking/block-references.js';
import type { CardState } from '../card/card-state.js';
import type { BlockInForce } from '../card/block-history.js';
import { hasBlockServiceAgreement, issuerToCall, noAgreementMessage } from '../blocking/block-service-agreement.js';
import { type ApiContext, refused, reportTime } from './api.js';
import { readJsonBody } from './body.js';
import { type BlockReportBody, validate } from './schemas.js';
import { HttpError, type AdminReply, type AdminRoute } from './server.js';
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
        const reportedAt = reportTime(api.clock.now(), report.reportedAt);
        let found: CardState;
        try {
          found = await findCard(api, report);
        } catch (e) {
          // Redis down: with the card number the card is known without it; keep the block for later.
          if (!isRedisUnavailable(e) || report.cardNumber === undefined) throw e;
          return acceptForLater(api, api.register.idOf(report.cardNumber), report, reportedAt);
        }
        if (!hasBlockServiceAgreement(api.config.issuers, found.issuer)) return noAgreement(api, found);
        const reference = await api.references.reserve(found.card);
        // The receipt is written with the notice, in the same call; its time is the register's.
        let smsReceipt = '';
        let registeredAt = api.clock.now();
        const sms = (at: Date): string => {
          registeredAt = at;
          const template = smsTemplate(api.config.issuers, found.issuer, found.product);
          const time = smsTime(at, api.config.register.timeZone);
          return (smsReceipt = renderSms(template, { reference, maskedPan: found.maskedPan, time }));
        };
        const result = await api.register.block(
          '',
          found.card,
          report.reason,
          reportedAt,
          holderSaid(report),
          reference,
          sms,
        );
        if (!result.ok) {
          await api.references.release(reference);
          return refused(result);
        }
        await api.relay.flushQuietly(found.card);
        const answer = {
          reference,
          card: found.card,
          maskedPan: found.maskedPan,
          issuer: found.issuer,
          reason: report.reason,
          reportedAt: reportedAt.toISOString(),
          smsReceipt,
        };
        const log = { card: found.card, issuer: found.issuer, reference, reason: report.reason };
        if ('alreadyBlocked' in result) {
          // 001 §14: the report and its time are kept all the same; the block in force stands.
          const block = shownBlock(result.alreadyBlocked);
          api.log.info({ ...log, blockedAt: block.blockedAt }, 'holder report on a card already blocked kept');
          return {
            status: 200,
            body: {
              ...answer,
              alreadyBlocked: true,
              blockedAt: block.blockedAt,
              block,
              message: `the card was already blocked (${block.reason}) since ${block.blockedAt}: the report is kept`,
            },
          };
        }
        api.log.info(log, 'card blocked on a holder report');
        return { status: 201, body: { ...answer, blockedAt: registeredAt.toISOString() } };
      },
    },
  ];
}

/** The block in force, its times as ISO 8601. */
function shownBlock(b: BlockInForce) {
  return {
    reason: b.reason,
    ...(b.by === undefined ? {} : { by: b.by }),
    reportedAt: new Date(b.reportedAt).toISOString(),
    blockedAt: new Date(b.blockedAt).toISOString(),
  };
}

/** 403: the card's issuer has no block service agreement; the holder is told whom to call. Nothing is kept. */
function noAgreement(api: ApiContext, card: CardState): AdminReply {
  const call = issuerToCall(api.config.issuers, card.issuer);
  api.log.info(
    { card: card.card, issuer: card.issuer },
    'block report refused: the issuer has no block service agreement',
  );
  return { status: 403, body: { error: noAgreementMessage(call), noAgreement: true, callIssuer: call } };
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
