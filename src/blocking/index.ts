/**
 * The blocking module: the offline block list ({blocklist}), the block service's reference
 * numbers, and the blocks kept on disk while Redis is down.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { SwitchConfig } from '../config/types.js';
import type { CardRegister } from '../card/card-register.js';
import type { NoticeRelay } from '../notices/notice-relay.js';
import { BlockReferences } from './block-references.js';
import { OfflineBlockList } from './offline-block-list.js';
import { PendingBlocks } from './pending-blocks.js';
import { hasBlockServiceAgreement } from './block-service-agreement.js';

export interface BlockingDeps {
  redis: RegisterRedis;
  config: SwitchConfig;
  register: CardRegister;
  notices: NoticeRelay;
  clock: Clock;
  log: Logger;
}

export interface BlockingModule {
  blockList: OfflineBlockList;
  references: BlockReferences;
  /** Made on first use: only the switch keeps blocks for later (the clearing CLI never does). */
  pendingBlocks(): PendingBlocks;
}

export function createBlocking({ redis, config, register, notices, clock, log }: BlockingDeps): BlockingModule {
  const prefix = config.redis.keyPrefix;
  const references = new BlockReferences(redis, prefix);
  let pending: PendingBlocks | undefined;
  return {
    blockList: new OfflineBlockList({
      redis,
      prefix,
      register,
      clock,
      timeZone: config.register.timeZone,
      directory: config.clearing.blockList.directory,
      log,
    }),
    references,
    pendingBlocks: () =>
      (pending ??= new PendingBlocks(pendingBlocksFile(config), register, notices, references, log, (issuer) =>
        hasBlockServiceAgreement(config.issuers, issuer),
      )),
  };
}

/** register.pendingBlocksFile, or a file in the temporary directory named for the key prefix. */
export function pendingBlocksFile(config: SwitchConfig): string {
  return (
    config.register.pendingBlocksFile ??
    join(tmpdir(), `switch-pending-blocks-${config.redis.keyPrefix.replace(/[^\w-]/g, '_')}.jsonl`)
  );
}
