/**
 * A step's postings and notices: those that appear, for this run's cards, on the scenario's
 * terminals' activity (GET /terminals/:id/activity, vendor token) and were not seen after an
 * earlier step; for an issuer API call or a block service report, also the notices on its card
 * that no terminal caused (GET /notices, issuer token): a block, a lift, a report on a card
 * already blocked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Activity, ActivityNotice, ActivityPosting } from './admin-client.js';
import { noticesMatch, postingsMatch } from './check.js';
import type { RunContext } from './context.js';
import type { Expectations, Step } from './steps.js';

/** Activity is read from a little before each step began: the switch's clock may differ a little from ours. */
const CLOCK_SLACK_MS = 10_000;
const POLL_MS = 50;

/** The card whose issuer notices a step may cause: an issuer API call's or a block service report's. */
export function noticeCardOf(step: Step): string | undefined {
  if (step.action === 'admin') return step.admin.card;
  if (step.action === 'report') return step.report.card;
  return undefined;
}

export class ActivityReader {
  private readonly seenPostings = new Set<string>();
  private readonly seenNotices = new Set<string>();

  /** `settleMs`: how long a step waits for the postings and notices it expects to appear. */
  constructor(
    private readonly run: RunContext,
    private readonly settleMs: number,
  ) {}

  /**
   * What the cards' setup caused (a block, wrong PINs) is no step's: the issuer notices on the
   * cards are taken as seen before the first step.
   */
  async afterSetup(): Promise<void> {
    if (this.run.options.issuerToken === undefined) return;
    for (const card of this.run.cards.values())
      if (card.id !== undefined) for (const n of await this.run.admin.notices(card.id)) this.seenNotices.add(n.id);
  }

  /**
   * The postings and notices on this run's cards that appeared since the step began and were not
   * seen before: on the scenario's terminals (with a vendor token), and the issuer notices on
   * `noticeCard` (a card name) that no terminal caused. When the step expects some, waits up to
   * settleMs for them to appear (postings reach the journal asynchronously).
   */
  async since(stepStarted: number, expect: Expectations | undefined, noticeCard?: string): Promise<Activity> {
    const deadline = Date.now() + this.settleMs;
    let found: Activity;
    for (;;) {
      found = await this.unseen(stepStarted, noticeCard);
      if (this.settled(found, expect) || Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    for (const p of found.postings) this.seenPostings.add(p.id);
    for (const n of found.notices) this.seenNotices.add(n.id);
    return found;
  }

  private async unseen(stepStarted: number, noticeCard: string | undefined): Promise<Activity> {
    const found: Activity = { postings: [], notices: [] };
    const from = stepStarted - CLOCK_SLACK_MS;
    if (this.run.options.vendorToken !== undefined) {
      const ids = [...new Set([...this.run.terminals.values()].map((t) => t.id))];
      const cardIds = new Set([...this.run.cards.values()].map((c) => c.id).filter((id) => id !== undefined));
      const ours = (x: ActivityPosting | ActivityNotice, seen: Set<string>): boolean =>
        cardIds.has(x.card) && !seen.has(x.id);
      for (const id of ids) {
        const a = await this.run.admin.activity(id, from);
        found.postings.push(...a.postings.filter((p) => ours(p, this.seenPostings)));
        found.notices.push(...a.notices.filter((n) => ours(n, this.seenNotices)));
      }
    }
    const card = noticeCard === undefined ? undefined : this.run.card(noticeCard).id;
    if (card !== undefined && this.run.options.issuerToken !== undefined) {
      // Oldest first, as the activity route gives them; a terminal's notices are its steps' (above).
      const issuers = (await this.run.admin.notices(card, from)).reverse();
      const shown = new Set(found.notices.map((n) => n.id));
      found.notices.push(
        ...issuers.filter((n) => n.terminal === undefined && !this.seenNotices.has(n.id) && !shown.has(n.id)),
      );
    }
    return found;
  }

  private settled(found: Activity, expect: Expectations | undefined): boolean {
    return (
      (expect?.postings === undefined || postingsMatch(expect.postings, found.postings, this.run)) &&
      (expect?.notices === undefined || noticesMatch(expect.notices, found.notices, this.run))
    );
  }
}
