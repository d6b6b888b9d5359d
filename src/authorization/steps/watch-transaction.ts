/**
 * Hands every online purchase, refund and withdrawal to the fraud monitoring once it is answered,
 * approved or refused (docs/MONITORING.md): a final step, after respond, which only queues it (the
 * answer does not wait for the rules). What it hands over was gathered by authorizeCard
 * (ctx.watched); a request refused before the card register was asked (a format error, a MAC)
 * has no card to watch.
 */
import type { Step } from '../pipeline.js';
import { type WatchedTransaction, watchedOutcomeOf } from '../../monitoring/watched-transaction.js';

export interface Watcher {
  observe(tx: WatchedTransaction): void;
}

export function watchTransaction(monitor: Watcher | undefined): Step {
  return {
    name: 'watchTransaction',
    final: true,
    run(ctx) {
      if (monitor === undefined || ctx.watched === undefined) return;
      monitor.observe({ ...ctx.watched, outcome: watchedOutcomeOf(ctx.outcome) });
    },
  };
}
