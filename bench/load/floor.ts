/**
 * The floor of the design: what an authorization cannot avoid, done the simplest fast way, for
 * the benchmark's `--baseline floor` (bench/load/floor-server.ts runs it as its own process).
 * Per request: unpack with our codec, name the card as the register does (a keyed hash of the
 * PAN, src/crypto/card-id.ts), ONE Redis call (floor.lua: read the card hash, update one
 * counter, append one entry), pack the answer (the echoed fields, an approval code, action code
 * approved), and hand it back. No rules, no PIN check, no pipeline steps, metrics, traces or logs.
 *
 * The call is the decision's in size: authorize.lua's KEYS and ARGV by the same names (so the
 * same count, by construction) with values of about the same bytes, built the way the switch
 * builds them (src/card/card-register.ts authorize, src/authorization/posting-template.ts). It
 * reads the run's seeded cards (the same key prefix and key layout, src/card/keys.ts) and writes
 * only its own: a field `floorHeld` of the card hash and a list card:{id}:floor, removed by clean().
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Dialect, IsoMessage } from '../../src/codec/index.js';
import type { RegisterConfig } from '../../src/config/types.js';
import { cardId } from '../../src/crypto/card-id.js';
import { cardKeys, transactionKey } from '../../src/card/keys.js';
import { authorizeScript } from '../../src/card/scripts/authorize.js';
import { reservationLifetimes } from '../../src/card/reservation-lifetime.js';
import { unattendedLimits } from '../../src/card/unattended-limit.js';
import { remoteArgs } from '../../src/card/remote-args.js';
import { chipArgs } from '../../src/card/chip-card.js';
import { cashArgs } from '../../src/card/cash-terms.js';
import { transactionId } from '../../src/journal/posting.js';
import { type CodeSet, actionCode, codeSetOf } from '../../src/messages/action-codes.js';
import { FINANCIAL_ECHO } from '../../src/authorization/routes.js';
import { responseMti } from '../../src/authorization/steps/respond.js';
import { type ScriptValue, defineScript } from '../../src/redis/scripts.js';
import { globLiteral } from '../../src/redis/client.js';
import { yymm } from '../../src/time/local-time.js';

export const floorScript = defineScript({
  name: 'benchFloor',
  file: new URL('./floor.lua', import.meta.url),
  keys: authorizeScript.keys,
  args: authorizeScript.args,
  reply: (r) => r === 1,
});

/** The fields the floor's answer echoes: a financial answer's, and an advice's 24, 25 and 56. */
const ECHO = [...FINANCIAL_ECHO, 24, 25, 56];
/** The size of a PIN verification value (src/crypto/pin-verification.ts): the floor checks no PIN. */
const PVV_SIZED = '0'.repeat(32);
/** The card hash field and the list suffix the floor writes (floor.lua). */
export const FLOOR_FIELD = 'floorHeld';
export const FLOOR_LIST = ':floor';

/** What the switch sends unchanged with every call (made once, as it does), and the posting fields a bench request gives. */
function fixedArgs(config: RegisterConfig) {
  const cl = config.contactless;
  return {
    contactlessLimit: cl.limit,
    contactlessMaxCount: cl.maxCount,
    contactlessMaxSum: cl.maxSum,
    ...reservationLifetimes(config),
    unattended: '',
    ...unattendedLimits(config),
    ...remoteArgs(undefined, config),
    // A withdrawal's arguments are sent empty: the floor applies no rule, cash or other.
    ...cashArgs(undefined, config, new Date()),
    // Nor does it check cryptograms (field 55 of --icc is unpacked and left alone): the arguments of none.
    ...chipArgs(undefined, ''),
    keepFor: config.transactionRetentionDays * 86_400_000,
    currency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    merchantName: '',
    merchantCity: '',
    mcc: '',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'attended',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    // The bench's requests carry no field 55: no chip results.
    tvr: '',
    cvmResults: '',
    cvr: '',
  } as const;
}

/** The floor's ARGV by name: the decision's names (floorScript.args). */
type FloorArgs = { -readonly [P in (typeof authorizeScript.args)[number]]: ScriptValue };

export class Floor {
  private readonly codes: CodeSet;
  private readonly secret: Buffer;
  private readonly args: FloorArgs;
  private approvals = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly dialect: Dialect,
    private readonly config: RegisterConfig,
  ) {
    this.codes = codeSetOf(dialect);
    this.secret = Buffer.from(config.secret, 'hex');
    this.args = {
      ...fixedArgs(config),
      now: 0,
      yymm: '',
      kind: '',
      amount: 0,
      pvv: '',
      contactless: '0',
      chip: '1',
      reserve: '1',
      reservation: '',
      noticeId: '',
      terminal: '',
      signature: '',
      message: '',
      approvalCode: '',
      postingId: '',
      txn: '',
      postingType: '',
      direction: '',
      postingTerminal: '',
      merchant: '',
      stan: '',
      localTime: '',
      receivedAt: 0,
      track: '',
      originalAmount: 0,
      originalCurrency: '',
      purchasedAt: 0,
    };
  }

  /** The answer to one request's body (throws the codec's error when it cannot be unpacked). */
  async answer(body: Buffer): Promise<Buffer> {
    const m = this.dialect.unpack(body);
    const mti = m[0] as string;
    const response: IsoMessage = { 0: responseMti(mti) };
    for (const n of ECHO) if (m[n] !== undefined) response[n] = m[n]!;
    const pan = m[2];
    if (typeof pan !== 'string') {
      response[39] = actionCode('formatError', this.codes);
      return this.dialect.pack(response);
    }
    const id = cardId(pan, this.secret);
    const k = cardKeys(this.prefix, id);
    const approval = String(++this.approvals % 1_000_000).padStart(6, '0');
    const a = this.fill(m, approval);
    const txn = a.txn as string;
    let found: boolean;
    try {
      found = await floorScript.run(
        this.redis,
        {
          card: k.card,
          reservations: k.reservations,
          reservationAmounts: k.reservationAmounts,
          outbox: k.outbox,
          transaction: transactionKey(this.prefix, id, txn),
          posts: k.card + FLOOR_LIST,
          holds: k.holds,
          series: k.series,
        },
        a,
      );
    } catch {
      response[39] = actionCode('registerUnavailable', this.codes);
      return this.dialect.pack(response);
    }
    if (found) response[38] = approval;
    response[39] = actionCode(found ? 'approved' : 'notRegistered', this.codes);
    return this.dialect.pack(response);
  }

  /**
   * The call's arguments for one request, written into the one object the floor keeps: run() reads
   * them all before it returns (the script's value list copies them), so the next request may
   * overwrite them. A fresh object per request spread from ~60 fixed ones was most of the floor's
   * own CPU and garbage.
   */
  private fill(m: IsoMessage, approval: string): FloorArgs {
    const a = this.args;
    const now = Date.now();
    const terminal = String(m[41] ?? '').trimEnd();
    const mti = m[0] as string;
    const processing = String(m[3] ?? '');
    const refund = processing.startsWith('20');
    const amount = Number(m[4] ?? 0);
    // One UUID stands for the switch's three (reservation, notice id prefix, posting id): same bytes.
    const uuid = randomUUID();
    a.now = now;
    a.yymm = yymm(new Date(now), this.config.timeZone);
    a.kind = refund ? 'refund' : 'purchase';
    a.amount = amount;
    a.pvv = m[52] === undefined ? '' : PVV_SIZED;
    a.reservation = a.noticeId = a.postingId = uuid;
    a.terminal = a.postingTerminal = terminal;
    a.signature = `${mti.slice(1, 3)}:${processing.slice(0, 2)}:${amount}`;
    a.message = mti[1] === '2' ? 'single' : 'dual';
    a.approvalCode = approval;
    const stan = String(m[11] ?? '');
    const localTime = String(m[12] ?? '');
    a.stan = stan;
    a.localTime = localTime;
    a.txn = transactionId(terminal, localTime, stan);
    a.postingType = refund ? 'refund' : 'purchase';
    a.direction = refund ? 'C' : 'D';
    a.merchant = String(m[42] ?? '').trimEnd();
    a.receivedAt = a.purchasedAt = now;
    a.originalAmount = amount;
    a.originalCurrency = String(m[49] ?? '208');
    return a;
  }

  /** Removes what the floor wrote under the prefix (its lists and card fields); returns how many lists. */
  async clean(): Promise<number> {
    const match = `${globLiteral(this.prefix)}card:{*}${FLOOR_LIST}`;
    let cursor = '0';
    let removed = 0;
    do {
      const [next, lists] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      for (const list of lists) {
        await this.redis.hdel(list.slice(0, -FLOOR_LIST.length), FLOOR_FIELD);
        removed += await this.redis.unlink(list);
      }
      cursor = next;
    } while (cursor !== '0');
    return removed;
  }
}
