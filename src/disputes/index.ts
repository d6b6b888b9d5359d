/**
 * The disputes module (docs/DISPUTES.md): the issuer's disputes of delivered transactions under
 * the scheme's rules, their cases, notas and credit accounts, and the chargebacks and redebits
 * that go to the journal on their day. Its keys are under the hash tag {disputes}; a card's
 * transactions are read through the card module's statement and the journal.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { SwitchConfig } from '../config/types.js';
import type { CardModule } from '../card/index.js';
import type { PostingJournal } from '../journal/journal.js';
import { DisputeStore } from './dispute-store.js';
import { Disputes } from './disputes.js';
import { NotaBook, NotaDesk } from './notas.js';
import { CreditAccounts } from './credit-accounts.js';
import { CaseLifecycle } from './case-lifecycle.js';
import type { NoticeRelay } from '../notices/notice-relay.js';

export interface DisputesModule {
  disputes: Disputes;
  store: DisputeStore;
  notas: NotaBook;
  /** The issuer's nota orders and arrivals. */
  notaDesk: NotaDesk;
  accounts: CreditAccounts;
  /** A case after its opening: misuse report, representment, contest, decision. */
  lifecycle: CaseLifecycle;
  /** Hands the dispute postings due by a delivery's cut-off to the journal (the clearing delivery calls it first). */
  releaseDue(untilMs: number): Promise<number>;
}

export interface DisputesModuleDeps {
  redis: RegisterRedis;
  prefix: string;
  config: SwitchConfig;
  card: Pick<CardModule, 'register' | 'statement'>;
  journal: PostingJournal;
  /** The issuers' feeds: a representment and a decision are told to the case's issuer. */
  notices: Pick<NoticeRelay, 'publish'>;
  clock: Clock;
  log: Pick<Logger, 'warn'>;
}

export function createDisputes({
  redis,
  prefix,
  config,
  card,
  journal,
  notices,
  log,
  clock,
}: DisputesModuleDeps): DisputesModule {
  const store = new DisputeStore(redis, prefix);
  const notas = new NotaBook(redis, prefix);
  const accounts = new CreditAccounts(redis, prefix);
  const disputes = new Disputes({
    store,
    statement: card.statement,
    journal,
    cards: card.register,
    notas,
    accounts,
    clock,
    timeZone: config.register.timeZone,
    guarantees: config.disputes.guarantees,
  });
  const notaDesk = new NotaDesk({ book: notas, cards: card.register, statement: card.statement, clock });
  const lifecycle = new CaseLifecycle({ store, journal, notices, clock, log, timeZone: config.register.timeZone });
  const releaseDue = (untilMs: number): Promise<number> =>
    store.releaseDue(untilMs, (postings) => journal.append(postings, clock.now().getTime()));
  return { disputes, store, notas, notaDesk, accounts, lifecycle, releaseDue };
}
