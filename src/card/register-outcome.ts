/**
 * What the card register's decision (src/card/scripts/authorize.lua) can come to: an approval, or
 * the refusal that decided, in the order of docs/PROTOCOL.md §4.3. Each is an outcome of the
 * action code table (src/messages/action-codes.ts) but 'blocked', which the block's reason turns
 * into one (src/authorization/steps/authorize-card.ts).
 */
export type RegisterOutcome =
  | 'approved'
  | 'notRegistered'
  | 'deleted'
  | 'expired'
  | 'notActivated'
  | 'blocked'
  | 'pinTriesExceeded'
  | 'invalidPinBlock'
  | 'wrongPin'
  | 'pinRequired'
  | 'chipAndPinRequired'
  | 'unattendedLimitExceeded'
  | 'insufficientFunds'
  | 'withdrawalLimitExceeded'
  | 'duplicateTransmission'
  | 'wrongExpiry'
  | 'cvcMissing'
  | 'wrongCvc'
  | 'holderAuthenticationRequired'
  | 'seriesNotFound'
  | 'cryptogramFailure';
