/**
 * The clearing module: the delivery ledger (what each cut-off sealed, in the {journal} slot), the
 * delivery files, the BullMQ timetable and the end-of-day reconciliation.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { SwitchConfig } from '../config/types.js';
import type { PanCipher } from '../crypto/pan-cipher.js';
import type { JournalModule } from '../journal/index.js';
import type { OfflineBlockList } from '../blocking/offline-block-list.js';
import { ClearingDelivery, type CrashPoint, type DuePostings, type PostingBooker } from './clearing-delivery.js';
import { ClearingScheduler } from './clearing-scheduler.js';
import { DeliveryLedger } from './delivery-ledger.js';

export interface ClearingDeps {
  redis: RegisterRedis;
  config: SwitchConfig;
  journal: JournalModule;
  blockList: OfflineBlockList;
  cipher: PanCipher;
  /** Books each delivery's postings on their cards (the card module's booking). */
  booker: PostingBooker;
  /** The disputes' chargebacks and redebits whose day has come, appended before each cut-off. */
  due: DuePostings;
  clock: Clock;
  log: Logger;
  /** Crash points of the delivery (the crash tests make one kill the process). */
  crashAt?: (point: CrashPoint) => void;
}

export interface ClearingModule {
  ledger: DeliveryLedger;
  delivery: ClearingDelivery;
  /** The timetable and its worker over a BullMQ connection of the caller's (maxRetriesPerRequest null). */
  scheduler(connection: RegisterRedis, worker?: { lockDuration?: number; stalledInterval?: number }): ClearingScheduler;
}

export function createClearing(deps: ClearingDeps): ClearingModule {
  const { config, journal, clock, log } = deps;
  const timeZone = config.register.timeZone;
  const ledger = new DeliveryLedger(deps.redis, config.redis.keyPrefix, journal.journal.stream);
  const delivery = new ClearingDelivery({
    journal: journal.journal,
    ledger,
    relay: journal.relay,
    booker: deps.booker,
    due: deps.due,
    cipher: deps.cipher,
    config: config.clearing,
    timeZone,
    clock,
    log,
    ...(deps.crashAt ? { crashAt: deps.crashAt } : {}),
  });
  return {
    ledger,
    delivery,
    scheduler: (connection, worker) =>
      new ClearingScheduler({
        connection,
        config: config.clearing,
        timeZone,
        delivery,
        blockList: deps.blockList,
        reconciliation: { journal: journal.journal, ledger, unmatched: journal.unmatched },
        log,
        ...(worker ? { worker } : {}),
      }),
  };
}
