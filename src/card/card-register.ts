/**
 * The central card register in Redis. Cards are named by a keyed hash of the PAN (src/crypto/card-id.ts);
 * each change is one Lua script (scripts/*.lua, declared in scripts/*.ts through the registry,
 * src/redis/scripts.ts: loaded once and called by its hash, EVALSHA, loaded again only if Redis
 * lost it).
 */
import { randomUUID } from 'node:crypto';
import { type KeyCommand, type RegisterRedis, acrossSlots, globLiteral, scanEveryMaster } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import { yymm } from '../time/local-time.js';
import type { RegisterConfig } from '../config/types.js';
import { type CardId, cardId } from '../crypto/card-id.js';
import { type CardKeys, cardKeys, erasedKeys } from './keys.js';
import { maskPan } from '../codec/mask.js';
import { pinVerificationValue } from '../crypto/pin-verification.js';
import { PanCipher } from '../crypto/pan-cipher.js';
import type { Posting } from '../journal/posting.js';
import { transactionKey } from './keys.js';
import { authorizeScript } from './scripts/authorize.js';
import { type FixedAuthorizeArgs, fixedAuthorizeArgs } from './fixed-args.js';
import { postingArgs } from './posting-args.js';
import { pinUnblockScript } from './script-commands.js';
import { type RemoteChecks, remoteChecks } from './remote-args.js';
import { type CashWithdrawal, cashArgs } from './cash-terms.js';
import type { RegisterOutcome } from './register-outcome.js';
import { type ChipCard, type CryptogramVerdict, chipArgs, chipCardOf } from './chip-card.js';
import {
  activateScript,
  blockScript,
  deleteScript,
  liftBlockScript,
  liftPinBlockScript,
  registerScript,
  setBalanceScript,
} from './scripts/issuer.js';
import type { BLOCK_REASONS, BlockResult } from './block-history.js';
import { type CardState, cardStateOf } from './card-state.js';

/** A card record's key below the prefix (src/card/keys.ts), and nothing beside it. */
const RECORD_KEY = /^card:\{([0-9a-f]{32})\}$/;
const RECORD_SCAN_COUNT = 1000;

export type BlockReason = (typeof BLOCK_REASONS)[number];
export type CardStatus = 'registered' | 'active' | 'deleted';

export interface NewCard {
  pan: string;
  issuer: string;
  product: string;
  /** YYMM; valid through the last day of that month. */
  expiry: string;
  /** Turned into PIN verification data at once; never stored. */
  pin: string;
  /** Turned into a keyed hash at once (typically the last 4 digits of the holder's personal number). */
  activationCode: string;
  /**
   * The card's three check digits (CVC): turned into a keyed verification value at once, never
   * stored. A card registered without one is refused in remote purchases with the holder present.
   */
  cvc?: string;
  /** A chip card with keys: the PAN sequence number its keys are derived with (chip-card.ts). */
  panSequence?: string;
  account: string;
  /** øre */
  balance: number;
  currency: string;
  status?: Exclude<CardStatus, 'deleted'>;
}

/** An unattended machine's purchase without cardholder verification: from a machine that could take a PIN, or not. */
export type UnattendedMachine = 'pinPad' | 'noPinPad';

export interface AuthorizeRequest {
  pan: string;
  kind: 'purchase' | 'refund' | 'withdrawal';
  /** øre */
  amount: number;
  /** PIN verification value of the PIN entered; undefined without PIN; 'invalid' when the PIN block could not be read. */
  pvv: string | 'invalid' | undefined;
  contactless: boolean;
  /** Read from the chip (card inserted): with the PIN, the only read that meets the cumulative contactless challenge. */
  chip?: boolean;
  /** An unattended machine's purchase without cardholder verification (src/messages/unattended.ts): held to its product's limit. */
  unattended?: UnattendedMachine | undefined;
  reserve: boolean;
  terminalId: string;
  /** A withdrawal's ATM: whose it is and whether abroad (the limits and the fee, cash-terms.ts). */
  cash?: CashWithdrawal;
  /** What the switch records of the transaction; absent (seeding, tests of the rules): the rules only, nothing recorded or posted. */
  transaction?: TransactionDetails;
  /** A remote purchase's checks (internet, mail and phone order); absent for every other request. */
  remote?: RemoteChecks;
  /** A chip purchase's cryptogram, when checked (chip.lua). */
  cryptogram?: CryptogramVerdict;
}

export interface TransactionDetails {
  /** Its id (src/journal/posting.ts transactionId). */
  txn: string;
  /** What a retransmission of it must repeat to get the first answer. */
  signature: string;
  /** Single message posts on approval; dual message only reserves (the completion posts). */
  message: 'single' | 'dual';
  /** Field 38 if approved (a retransmission gets the first one back). */
  approvalCode: string;
  /** The posting an approval makes, less what the register fills in from the card record. */
  posting: PostingTemplate;
}

/** The card record gives the rest: card id, issuer, masked and encrypted PAN, status; the approval code and time. */
export type PostingTemplate = Omit<
  Posting,
  'card' | 'issuer' | 'maskedPan' | 'panEnc' | 'cardStatus' | 'approvalCode' | 'authorizedAt'
> & { track?: 1 };

export type { RegisterOutcome } from './register-outcome.js';

export interface AuthorizeResult {
  outcome: RegisterOutcome;
  /** The block reason, the try count, which rule asked for the PIN (contactless, ATM), or which withdrawal limit. */
  detail: string;
  /** Notices written to the card's outbox by this request. */
  notices: number;
  /** øre available after this request. */
  available: number;
  card: CardId;
  /** The reservation made on approval, if any. */
  reservation: string | undefined;
  /** Field 38 of the approval ('' when not approved). */
  approvalCode: string;
  /** A retransmission: answered as the first time, nothing changed. */
  repeat: boolean;
  /** The posting made (JSON, as in the card's posting outbox); '' when none. */
  posting: string;
  /** A withdrawal's fee posting, made beside it (JSON, in the outbox too); '' when none. */
  fee: string;
}

export type ChangeResult = { ok: true } | { ok: false; status: 'notFound' | 'forbidden' | 'conflict'; reason: string };

export class CardRegister {
  private readonly redis: RegisterRedis;
  private readonly secret: Buffer;
  /** The authorize script's arguments that every request shares, as strings, from the config once (fixed-args.ts). */
  private readonly fixed: FixedAuthorizeArgs;
  /** The full PAN is kept only under this cipher (record field panEnc, postings' panEnc). */
  readonly cipher: PanCipher;

  constructor(
    redis: RegisterRedis,
    private readonly prefix: string,
    private readonly config: RegisterConfig,
    private readonly clock: Clock,
  ) {
    this.redis = redis;
    this.secret = Buffer.from(config.secret, 'hex');
    this.cipher = new PanCipher(config.dataKey);
    this.fixed = fixedAuthorizeArgs(config);
  }

  idOf(pan: string): CardId {
    return cardId(pan, this.secret);
  }

  keysOf(id: CardId): CardKeys {
    return cardKeys(this.prefix, id);
  }

  /** PIN verification data for a PIN: what the register stores and compares, never the PIN. */
  pvvOf(pan: string, pin: string): string {
    return pinVerificationValue(pan, pin, this.secret);
  }

  /**
   * The CVC's verification value, kept and compared as the PIN's is: keyed (only 1,000 CVCs, so an
   * unkeyed hash would give it away), and tagged so that it never equals the PVV of the same digits.
   */
  cvcValueOf(pan: string, cvc: string): string {
    return this.pvvOf(pan, `cvc:${cvc}`);
  }

  async register(card: NewCard): Promise<{ card: CardId } & ChangeResult> {
    const id = this.idOf(card.pan);
    const now = this.clock.now().getTime();
    const record: Record<string, string | number> = {
      maskedPan: maskPan(card.pan),
      panEnc: this.cipher.encrypt(card.pan),
      issuer: card.issuer,
      product: card.product,
      expiry: card.expiry,
      status: card.status ?? 'registered',
      block: '',
      pinBlocked: '0',
      pinTries: 0,
      pvv: this.pvvOf(card.pan, card.pin),
      activationCode: this.pvvOf(card.pan, `activation:${card.activationCode}`),
      ...(card.cvc === undefined ? {} : { cvcVerification: this.cvcValueOf(card.pan, card.cvc) }),
      ...(card.panSequence === undefined ? {} : { psn: card.panSequence }),
      account: card.account,
      balance: card.balance,
      reserved: 0,
      unbooked: 0,
      currency: card.currency,
      clCount: 0,
      clSum: 0,
      registeredAt: now,
    };
    const result = await registerScript.run(
      this.redis,
      { card: this.keysOf(id).card },
      {},
      Object.entries(record).flat(),
    );
    return { card: id, ...result };
  }

  async authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    const id = this.idOf(req.pan);
    const k = this.keysOf(id);
    const now = this.clock.now();
    const reservation = req.reserve ? randomUUID() : undefined;
    const pvv = req.pvv === 'invalid' ? '!' : (req.pvv ?? '');
    const t = req.transaction;
    const fixed = this.fixed;
    const [outcome, detail, notices = 0, available = 0, approvalCode = '', posting = '', repeat, fee = ''] =
      await authorizeScript.run(
        this.redis,
        {
          card: k.card,
          reservations: k.reservations,
          reservationAmounts: k.reservationAmounts,
          outbox: k.outbox,
          transaction: transactionKey(this.prefix, id, t?.txn ?? 'none'),
          posts: k.posts,
          holds: k.holds,
          series: k.series,
        },
        {
          now: now.getTime(),
          yymm: yymm(now, this.config.timeZone),
          kind: req.kind,
          amount: req.amount,
          pvv,
          contactless: req.contactless ? '1' : '0',
          chip: req.chip === true ? '1' : '0',
          reserve: req.reserve ? '1' : '0',
          reservation: reservation ?? '',
          unattended: req.unattended ?? '',
          noticeId: randomUUID(),
          terminal: req.terminalId,
          signature: t?.signature ?? '',
          message: t?.message ?? 'dual',
          approvalCode: t?.approvalCode ?? '',
          // The configuration's (strings made once, fixed-args.ts), then the request's parts, each
          // from its helper: the posting's own fields (the card record gives the rest; no JSON on
          // the hot path), a remote purchase's checks, a withdrawal's terms, a chip's cryptogram.
          ...fixed,
          ...postingArgs(t?.posting),
          ...remoteChecks(req.remote),
          ...cashArgs(req.cash, this.config, now),
          ...chipArgs(req.cryptogram, fixed.chipProducts),
        },
      );
    const repeated = repeat === 'repeat';
    return {
      outcome: outcome as RegisterOutcome,
      detail,
      notices,
      available,
      card: id,
      reservation: outcome === 'approved' && !repeated ? reservation : undefined,
      approvalCode,
      posting,
      fee,
      repeat: repeated,
    };
  }

  /** The card's chip keys' product and PAN sequence number (chip-card.ts). */
  chipCardOf(pan: string): Promise<ChipCard | undefined> {
    return chipCardOf(this.redis, this.keysOf(this.idOf(pan)).card);
  }

  /** `issuer` '' acts for the block service, which may block any card. */
  activate(issuer: string, id: CardId, code: string, pan: string): Promise<ChangeResult> {
    return activateScript.run(this.redis, this.cardAndOutbox(id), {
      ...this.changeBy(issuer),
      code: this.pvvOf(pan, `activation:${code}`),
    });
  }

  setBalance(issuer: string, id: CardId, balance: number): Promise<ChangeResult> {
    return setBalanceScript.run(this.redis, this.cardAndOutbox(id), { ...this.changeBy(issuer), balance });
  }

  block(
    issuer: string,
    id: CardId,
    reason: BlockReason,
    reportedAt: Date,
    report?: object,
    reference = '',
    sms?: (at: Date) => string,
  ): Promise<BlockResult> {
    const change = this.changeBy(issuer);
    return blockScript.run(this.redis, this.cardAndOutbox(id), {
      ...change,
      reason,
      reportedAt: reportedAt.getTime(),
      report: report ? JSON.stringify(report) : '',
      reference,
      sms: sms ? sms(new Date(change.now)) : '',
    });
  }

  liftBlock(issuer: string, id: CardId): Promise<ChangeResult> {
    return liftBlockScript.run(this.redis, this.cardAndOutbox(id), this.changeBy(issuer));
  }

  liftPinBlock(issuer: string, id: CardId): Promise<ChangeResult> {
    const keys = { ...this.cardAndOutbox(id), scripts: this.keysOf(id).scripts };
    return liftPinBlockScript.run(this.redis, keys, { ...this.changeBy(issuer), ...pinUnblockScript() });
  }

  delete(issuer: string, id: CardId): Promise<ChangeResult> {
    return deleteScript.run(this.redis, this.cardAndOutbox(id), this.changeBy(issuer));
  }

  /** The keys of an issuer change (scripts/issuer.ts). */
  private cardAndOutbox(id: CardId): { card: string; outbox: string } {
    const k = this.keysOf(id);
    return { card: k.card, outbox: k.outbox };
  }

  /** The arguments every issuer change starts with: who asks, now, the id of the notice it may cause. */
  private changeBy(issuer: string): { issuer: string; now: number; noticeId: string } {
    return { issuer, now: this.clock.now().getTime(), noticeId: randomUUID() };
  }

  /**
   * The card gone from the register as if never registered (keys.ts erasedKeys): seeding puts a
   * test card back into its documented state this way. Its transaction records lapse by themselves.
   */
  async erase(id: CardId): Promise<void> {
    await this.redis.del(...erasedKeys(this.keysOf(id)));
  }

  /**
   * Every card record's `fields`, a batch at a time (SCAN on every master, never KEYS: on a
   * cluster the records are spread over the masters). As with SCAN itself a card may come twice.
   */
  async forEachRecord(
    fields: readonly string[],
    batch: (cards: { id: CardId; values: (string | null)[] }[]) => void,
  ): Promise<void> {
    await scanEveryMaster(this.redis, `${globLiteral(this.prefix)}card:{*}`, RECORD_SCAN_COUNT, async (keys) => {
      // The escaped MATCH keeps to this prefix; the pattern drops the keys beside the records (card:{id}:res, …).
      const cards = keys.flatMap((key) => {
        const m = RECORD_KEY.exec(key.slice(this.prefix.length));
        return m === null ? [] : [{ key, id: m[1]! }];
      });
      if (cards.length === 0) return;
      const replies = await acrossSlots(
        this.redis,
        cards.map((c): KeyCommand => ['hmget', c.key, ...fields]),
      );
      batch(
        cards.map(({ id }, i) => {
          const [err, values] = replies[i]!;
          if (err) throw err;
          return { id, values: values as (string | null)[] };
        }),
      );
    });
  }

  /** The card as its issuer sees it; undefined when unknown (or another issuer's: callers check). */
  async state(id: CardId): Promise<CardState | undefined> {
    const k = this.keysOf(id);
    const [record, lapsed] = await Promise.all([this.redis.hgetall(k.card), this.lapsedReservations(k)]);
    return cardStateOf(id, record, lapsed);
  }

  /**
   * What the card's lapsed reservations still hold (øre): the authorize script clears them at the
   * card's next request, and until then the card's state must not count them (read only).
   */
  private async lapsedReservations(k: CardKeys): Promise<number> {
    const ids = await this.redis.zrangebyscore(k.reservations, '-inf', this.clock.now().getTime());
    if (ids.length === 0) return 0;
    const amounts = await this.redis.hmget(k.reservationAmounts, ...ids);
    return amounts.reduce((sum, a) => sum + Number(a ?? 0), 0);
  }
}
