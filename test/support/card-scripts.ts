/**
 * For the tests of the card's Lua scripts on their own (test/card/scripts.test.ts,
 * posting-fields.test.ts): a card record written straight into Redis, its keys, and the
 * authorize script's arguments with defaults.
 */
import { randomBytes } from 'node:crypto';
import type { Named, ScriptValue } from '../../src/redis/scripts.js';
import type { RegisterRedis } from '../../src/redis/client.js';
import { cardKeys, transactionKey } from '../../src/card/keys.js';
import { authorizeScript } from '../../src/card/scripts/authorize.js';
import { offlineAdviceScript } from '../../src/card/scripts/offline-advice.js';

export const NOW = Date.parse('2026-11-21T10:00:00Z');
export const DAY = 86_400_000;

export type AuthorizeArgs = Named<typeof authorizeScript.args, ScriptValue>;

/** A single-message purchase of 1000 øre with a reservation, recorded under signature 'sig-1'. */
export function authArgs(over: Partial<AuthorizeArgs> = {}): AuthorizeArgs {
  return {
    now: NOW,
    yymm: '2611',
    kind: 'purchase',
    amount: 1000,
    pvv: '',
    contactless: '0',
    chip: '0',
    contactlessLimit: 35_000,
    contactlessMaxCount: 5,
    contactlessMaxSum: 100_000,
    reserve: '1',
    reservation: 'res-1',
    lapse: 7 * DAY,
    lapses: '',
    unattended: '',
    unattendedLimit: 50_000,
    unattendedLimits: '',
    noticeId: 'notice',
    terminal: 'TERM0001',
    signature: 'sig-1',
    message: 'single',
    approvalCode: '123456',
    keepFor: DAY,
    postingId: 'posting-1',
    txn: 'TERM0001-261121101530-000001',
    postingType: 'purchase',
    direction: 'D',
    currency: '208',
    postingTerminal: 'TERM0001',
    merchant: 'MERCHANT0001',
    stan: '000001',
    localTime: '261121101530',
    receivedAt: NOW,
    track: '',
    // In DKK (rate 1) the original amount is the amount.
    originalAmount: over.amount ?? 1000,
    originalCurrency: '208',
    originalExponent: 2,
    rate: 1_000_000,
    purchasedAt: NOW - 60_000,
    merchantName: 'Bageriet',
    merchantCity: 'Aarhus',
    mcc: '5462',
    entryMode: 'chip',
    verification: 'pinOnline',
    terminalKind: 'psam',
    channel: 'attended',
    authentication: '',
    initiatedBy: 'holder',
    series: '',
    authorization: 'online',
    tvr: '',
    cvmResults: '',
    cvr: '',
    remote: '',
    expiry: '',
    cvc: '',
    unauthenticated: '',
    authDefault: '1',
    authProducts: '',
    cash: '',
    atmOwner: '',
    abroad: '0',
    day: '',
    feePostingId: '',
    atc: '',
    cryptogram: '',
    chipProducts: '',
    ...over,
  };
}

export type OfflineAdviceArgs = Named<typeof offlineAdviceScript.args, ScriptValue>;

/** An offline advice's arguments: the authorize defaults' posting fields (authorization 'offline'), signature 'offline-1'. */
export function offlineArgs(over: Partial<OfflineAdviceArgs> = {}): OfflineAdviceArgs {
  const a = authArgs({ authorization: 'offline', signature: 'offline-1', ...over });
  const names = offlineAdviceScript.args as readonly (keyof OfflineAdviceArgs)[];
  return Object.fromEntries(names.map((n) => [n, a[n]])) as OfflineAdviceArgs;
}

/** A card of its own: its keys, and a record written straight into Redis (none with status 'none'). */
export async function card(redis: RegisterRedis, prefix: string, fields: Record<string, string | number> = {}) {
  const id = randomBytes(16).toString('hex');
  const k = cardKeys(prefix, id);
  const record = {
    status: 'active',
    expiry: '3012',
    block: '',
    pinBlocked: '0',
    pinTries: 0,
    pvv: 'PVV1',
    balance: 5000,
    reserved: 0,
    unbooked: 0,
    clCount: 0,
    clSum: 0,
    issuer: 'bank-a',
    maskedPan: '501900******1234',
    panEnc: 'ENC',
    ...fields,
  };
  if (fields.status !== 'none') await redis.hset(k.card, record);
  const txn = (name: string): string => transactionKey(prefix, id, name);
  const authorize = (args: Partial<AuthorizeArgs> = {}, txnName = 'a') =>
    authorizeScript.run(redis, { ...k, transaction: txn(txnName) }, authArgs(args));
  const onOriginal = (own: string, original: string) => ({ ...pick(k), own: txn(own), original: txn(original) });
  const offline = (args: Partial<OfflineAdviceArgs> = {}, txnName = 'offline') =>
    offlineAdviceScript.run(
      redis,
      { card: k.card, transaction: txn(txnName), posts: k.posts, holds: k.holds, outbox: k.outbox },
      offlineArgs(args),
    );
  return { id, k, txn, authorize, onOriginal, offline };
}

function pick(k: ReturnType<typeof cardKeys>) {
  return {
    card: k.card,
    reservations: k.reservations,
    reservationAmounts: k.reservationAmounts,
    posts: k.posts,
    holds: k.holds,
  };
}
