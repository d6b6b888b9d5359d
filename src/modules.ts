/**
 * The domain modules over one Redis, each made by its factory and given only the others it
 * uses: what the switch (src/switch.ts) and the clearing CLI (src/cli/clearing.ts) share.
 */
import type { RegisterRedis } from './redis/client.js';
import type { SwitchConfig } from './config/types.js';
import type { Clock } from './time/clock.js';
import type { Logger } from './log/logger.js';
import { type CardModule, createCardRegister } from './card/index.js';
import { NoticeRelay } from './notices/notice-relay.js';
import { LastApprovedTransactions } from './terminal-state/last-approved.js';
import { KsnCounters } from './terminal-state/ksn-counters.js';
import { type JournalModule, createJournal } from './journal/index.js';
import { type BlockingModule, createBlocking } from './blocking/index.js';
import { type ClearingModule, createClearing } from './clearing/index.js';
import { type DisputesModule, createDisputes } from './disputes/index.js';
import type { CrashPoint } from './clearing/clearing-delivery.js';

export interface Modules {
  card: CardModule;
  notices: NoticeRelay;
  /** Old terminals' (DKT1, DKT1+, OEM) last approved transaction. */
  lastApproved: LastApprovedTransactions;
  /** DUKPT devices' transaction counters used (a KSN is good for one transaction). */
  ksnCounters: KsnCounters;
  journal: JournalModule;
  blocking: BlockingModule;
  clearing: ClearingModule;
  disputes: DisputesModule;
}

export interface ModulesDeps {
  config: SwitchConfig;
  redis: RegisterRedis;
  clock: Clock;
  log: Logger;
  clearingCrashAt?: (point: CrashPoint) => void;
}

export function createModules({ config, redis, clock, log, clearingCrashAt }: ModulesDeps): Modules {
  const prefix = config.redis.keyPrefix;
  const card = createCardRegister({ redis, prefix, config: config.register, clock });
  const notices = new NoticeRelay(redis, prefix, card.noticeOutboxes, log);
  const lastApproved = new LastApprovedTransactions(redis, prefix);
  const ksnCounters = new KsnCounters(redis, prefix, config.register.transactionRetentionDays * 86_400_000);
  const journal = createJournal({ redis, prefix, outboxes: card.postingOutboxes, lastApproved, clock, log });
  const disputes = createDisputes({ redis, prefix, config, card, journal: journal.journal, notices, clock, log });
  const blocking = createBlocking({ redis, config, register: card.register, notices, clock, log });
  const clearing = createClearing({
    redis,
    config,
    journal,
    blockList: blocking.blockList,
    cipher: card.register.cipher,
    booker: card.booking,
    due: disputes,
    clock,
    log,
    ...(clearingCrashAt ? { crashAt: clearingCrashAt } : {}),
  });
  return { card, notices, lastApproved, ksnCounters, journal, blocking, clearing, disputes };
}
