/**
 * Action codes (field 39): what the switch answers, in the two code sets its dialects use.
 * ISO 8583:1993 dialects carry a 3-digit action code, ISO 8583:1987 ones a 2-character response
 * code. The table is normative and is written out in docs/PROTOCOL.md.
 */
import type { Dialect } from '../codec/index.js';

export const ACTION_CODES = {
  approved: { iso93: '000', iso87: '00' },
  wrongPin: { iso93: '117', iso87: '55' },
  pinTriesExceeded: { iso93: '106', iso87: '75' },
  blockedLost: { iso93: '208', iso87: '41' },
  blockedStolen: { iso93: '209', iso87: '43' },
  blockedFraud: { iso93: '102', iso87: '59' },
  blockedByIssuer: { iso93: '104', iso87: '62' },
  // Blocked by the switch's fraud monitoring (suspected third-party misuse; docs/MONITORING.md): a
  // code of its own, apart from the issuer's block and the holder's reports of misuse, in both
  // code sets "card acceptor call acquirer's security department" — the block stands until the
  // issuer, having spoken to the holder, lifts it.
  blockedByMonitoring: { iso93: '105', iso87: '66' },
  notRegistered: { iso93: '111', iso87: '14' },
  notActivated: { iso93: '125', iso87: '78' },
  deleted: { iso93: '118', iso87: '56' },
  expired: { iso93: '101', iso87: '54' },
  insufficientFunds: { iso93: '116', iso87: '51' },
  // Contactless (docs/PROTOCOL.md §4.2 says why these codes): over the no-PIN limit, the PIN at the
  // reader or the chip will do ("PIN data required"); the occasional challenge below it (too many
  // PIN-less payments in a row) only the chip with its PIN meets ("insert card", an EU soft decline).
  pinRequired: { iso93: '112', iso87: '70' },
  chipAndPinRequired: { iso93: '123', iso87: '65' },
  // An unattended machine without a PIN pad asked for more than the card product's limit without
  // cardholder verification (004 §5.2; docs/PROTOCOL.md §4.2): "exceeds amount limit".
  unattendedLimitExceeded: { iso93: '121', iso87: '61' },
  invalidPinBlock: { iso93: '126', iso87: '81' },
  invalidTransaction: { iso93: '902', iso87: '12' },
  formatError: { iso93: '904', iso87: '30' },
  duplicateTransmission: { iso93: '913', iso87: '94' },
  // Completions (1220 / 0220) that cannot complete anything; nothing is posted.
  amountExceedsAuthorized: { iso93: '110', iso87: '13' },
  originalNotFound: { iso93: '914', iso87: '25' },
  alreadyCompleted: { iso93: '913', iso87: '94' },
  alreadyReversed: { iso93: '902', iso87: '12' },
  registerUnavailable: { iso93: '911', iso87: '91' },
  systemMalfunction: { iso93: '909', iso87: '96' },
  reversalAccepted: { iso93: '400', iso87: '00' },
  networkAccepted: { iso93: '800', iso87: '00' },
  // Field 49 names a currency the switch is not configured for (config `currencies`; docs/PROTOCOL.md).
  currencyNotAccepted: { iso93: '115', iso87: '12' },
  // Remote purchases (internet, mail and phone order; docs/PROTOCOL.md §4.2 says why these codes):
  // ISO names none for the card's check digits or its expiry given wrong, so the 1993 codes are in
  // the national-use range (180-189) and the 1987 ones in the private-use range (76-89; 82 is the
  // code Visa sends for a failed card verification value).
  wrongCvc: { iso93: '180', iso87: '82' },
  cvcMissing: { iso93: '181', iso87: '83' },
  wrongExpiry: { iso93: '182', iso87: '84' },
  // An internet purchase without the holder's authentication that the card product requires:
  // 1987 '1A' is the code Visa sends for "additional customer authentication required" (PSD2).
  holderAuthenticationRequired: { iso93: '183', iso87: '1A' },
  // A merchant's later payment naming a series that is not this card's with this merchant.
  seriesNotFound: { iso93: '119', iso87: '57' },
  // A cash withdrawal over the card product's limit, per withdrawal or per day (ISO 8583 "exceeds
  // withdrawal amount limit" in both code sets).
  withdrawalLimitExceeded: { iso93: '121', iso87: '61' },
  // A request on a TLS connection whose client certificate names another terminal than field 41:
  // ISO 8583 "security violation" in both code sets (docs/PROTOCOL.md §4).
  terminalNotCertified: { iso93: '122', iso87: '63' },
  // A chip purchase whose cryptogram (ARQC) failed or was made for other data than the message's,
  // or whose ATC was seen before or lies more than 32 below the card's highest (docs/SECURITY.md
  // §1, "The ATC"): ISO 8583:1993 has no such code, so the national-use range again; 1987
  // '88' is the code Mastercard sends for "cryptographic failure".
  cryptogramFailure: { iso93: '184', iso87: '88' },
  // Message security (docs/SECURITY.md §3, §4): a MAC that is wrong, or missing where the listener
  // requires one (ISO 8583:1993 "MAC incorrect"); a DUKPT KSN used before or older than the last
  // (ISO 8583:1993 "encryption key synchronisation error"). 1987 has one code for both: "security violation".
  macIncorrect: { iso93: '916', iso87: '63' },
  ksnReused: { iso93: '919', iso87: '63' },
} as const;

export type Outcome = keyof typeof ACTION_CODES;
export type CodeSet = 'iso93' | 'iso87';

/** A dialect whose field 39 holds 3 characters speaks 1993 action codes; 2, 1987 response codes. */
export function codeSetOf(dialect: Dialect): CodeSet {
  return (dialect.field(39)?.length ?? 3) >= 3 ? 'iso93' : 'iso87';
}

export function actionCode(outcome: Outcome, codes: CodeSet): string {
  return ACTION_CODES[outcome][codes];
}
