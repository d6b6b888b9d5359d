/**
 * A step's postings and notices: those that appear, for this run's cards, on the scenario's
 * terminals' activity (GET /terminals/:id/activity) and were not seen after an earlier step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Activity, ActivityNotice, ActivityPosting } from './admin-client.js';
import { noticesMatch, postingsMatch } from './check.js';
import type { RunContext } from './context.js';
import type { Expectations } from './steps.js';

/** Activity is read from a little before each step began: the switch's clock may differ a little from ours. */
const CLOCK_SLACK_MS = 10_000;
const POLL_MS = 50;

export class ActivityReader {
  private readonly seenPostings = new Set<string>();
  private readonly seenNotices = new Set<string>();

  /** `settleMs`: how long a step waits for the postings and notices it expects to appear. */
  constructor(
    private readonly run: RunContext,
    private readonly settleMs: number,
  ) {}

  /**
   * The postings and notices on this run's cards that appeared on the scenario's terminals since
   * the step began and were not seen before. When the step expects some, waits up to settleMs
   * for them to appear (postings reach the journal asynchronously).
   */
  async since(stepStarted: number, expect: Expectations | undefined): Promise<Activity> {
    const deadline = Date.now() + this.settleMs;
    let found: Activity;
    for (;;) {
      found = await this.unseen(stepStarted);
      if (this.settled(found, expect) || Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    for (const p of found.postings) this.seenPostings.add(p.id);
    for (const n of found.notices) this.seenNotices.add(n.id);
    return found;
  }

  private async unseen(stepStarted: number): Promise<Activity> {
    const ids = [...new Set([...this.run.terminals.values()].map((t) => t.id))];
    const cardIds = new Set([...this.run.cards.values()].map((c) => c.id).filter((id) => id !== undefined));
    const ours = (x: ActivityPosting | ActivityNotice, seen: Set<string>): boolean =>
      cardIds.has(x.card) && !seen.has(x.id);
    const found: Activity = { postings: [], notices: [] };
    for (const id of ids) {
      const a = await this.run.admin.activity(id, stepStarted - CLOCK_SLACK_MS);
      found.postings.push(...a.postings.filter((p) => ours(p, this.seenPostings)));
      found.notices.push(...a.notices.filter((n) => ours(n, this.seenNotices)));
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
