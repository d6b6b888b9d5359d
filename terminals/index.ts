/**
 * Terminal emulators as a library (terminals/README.md):
 *
 *   const t = await Terminal.open({ kind: 'chip', terminalId: 'TERM0001', port: 8583 });
 *   const o = await t.purchase({ pan: '5019000000000008', amount: 12550, pin: '1234' });
 *   for (const e of o.exchanges) console.log(describeExchange(e, t.dialect));
 *   await t.close();
 *
 * Kinds: dkt1, dkt1plus, oem (old PIN terminals: magstripe, 1200, field 48, no reversals), chip
 * (PSAM: 1100 + 1220, 1200 from the stripe and for refunds, stored reversals 1420 / 1421),
 * contactless, fuel (1100 for a maximum with PIN, 1220 with the amount pumped), gateway (a web
 * shop's remote purchases: card number, expiry, CVC, 3-D Secure / MitID, subscriptions), atm (1200
 * cash withdrawal with PIN; a dispense fault or a partial dispense sends its reversal advice at
 * once). OfflineMode gives a fuel pump (or ticket machine) its offline mode: sales up to a floor
 * limit decided against the offline block list, stored as offline advices and uploaded later.
 *
 *   const atm = await Terminal.open({ kind: 'atm', terminalId: 'ATM00001', port: 8583 });
 *   await atm.withdraw({ pan: '5019000000000008', amount: 50000, pin: '1234', dispensed: 30000 });
 */
export {
  type Exchange,
  type Outcome,
  type RemotePurchase,
  type TerminalKind,
  type TerminalOptions,
  CONTACTLESS_PIN_LIMIT,
  DEFAULT_EXPIRY,
  TERMINAL_KINDS,
  Terminal,
  TerminalError,
} from './terminal.js';
export { type Withdrawal, DISPENSE_FAULT, PARTIAL_DISPENSE } from './atm.js';
export { ConnectError, type LinkTls } from './link.js';
export { HOLDER_AUTHENTICATIONS, type HolderAuthentication, REMOTE_CHANNELS, type RemoteChannel } from './gateway.js';
export {
  type OfflineDecline,
  type OfflineOptions,
  type OfflineOutcome,
  OFFLINE_KINDS,
  OfflineMode,
} from './offline.js';
export { type BlockListEntryLine, OfflineBlockListCopy } from './offline-block-list.js';
export { describeExchange, meaningOf } from './describe.js';
export { LOCAL_TIME_ZONE } from './fields.js';
export type { Dialect, IsoMessage } from '../src/codec/index.js';
export type { Clock } from '../src/time/clock.js';
export type { TerminalKey } from '../src/crypto/terminal-keys.js';
