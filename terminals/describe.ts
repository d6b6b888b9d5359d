/**
 * Readable exchanges and action codes: what the terminal sent and got, with card data masked
 * (the codec's describe(): PAN and track first 6 + last 4, PIN block hidden), and what an action
 * code means (docs/PROTOCOL.md §4.2).
 */
import type { Dialect } from '../src/codec/index.js';
import { ACTION_CODES, type Outcome as ActionOutcome, codeSetOf } from '../src/messages/action-codes.js';
import type { Exchange } from './terminal.js';

const AMOUNT_LIMIT =
  "exceeds amount limit: over the card's limit for an unattended machine without PIN, or a cash withdrawal over its limit per withdrawal or per day";

/** docs/PROTOCOL.md §4.2, "Meaning for the terminal", shortened. */
const MEANINGS: Record<ActionOutcome, string> = {
  approved: 'approved',
  wrongPin: 'wrong PIN',
  pinTriesExceeded: 'PIN tries exceeded: the card is PIN-blocked, only the issuer can lift it',
  blockedLost: 'card blocked: reported lost',
  blockedStolen: 'card blocked: reported stolen',
  blockedFraud: 'card blocked: suspected fraud',
  blockedByMonitoring: 'card blocked by the fraud monitoring: call the issuer',
  blockedByIssuer: 'card blocked by its issuer',
  notRegistered: 'card not registered',
  notActivated: 'card not activated',
  deleted: 'card deleted from the register',
  expired: 'card expired',
  insufficientFunds: 'insufficient funds',
  pinRequired: 'PIN required: enter the PIN (at a contactless reader, or with the card inserted; at an ATM, always)',
  chipAndPinRequired: 'insert the card: chip and PIN required',
  // 121 / 61 has two outcomes; the code alone cannot tell them apart, so both say both.
  unattendedLimitExceeded: AMOUNT_LIMIT,
  invalidPinBlock: 'invalid PIN block',
  invalidTransaction: 'invalid transaction',
  formatError: 'format error: a mandatory field missing or malformed',
  duplicateTransmission: 'duplicate transmission: same terminal, STAN and local time with other content',
  amountExceedsAuthorized: 'invalid amount: completion above the authorized amount',
  originalNotFound: 'original not found',
  alreadyCompleted: 'the authorization was completed already',
  alreadyReversed: 'invalid transaction: the original was reversed, or is not an authorization',
  registerUnavailable: 'card register unavailable: retry later',
  systemMalfunction: 'system malfunction: retry later',
  reversalAccepted: 'reversal accepted',
  networkAccepted: 'network management request accepted',
  currencyNotAccepted: 'currency not accepted: the switch takes DKK and its configured currencies',
  wrongCvc: "wrong CVC: the card's three check digits do not match",
  cvcMissing: 'CVC missing: a remote purchase with the holder present needs the three check digits',
  wrongExpiry: "wrong expiry date: field 14 is not the card's",
  holderAuthenticationRequired: "holder authentication required: 3-D Secure or MitID (the card product's rule)",
  seriesNotFound: "series unknown: not this card's with this merchant",
  withdrawalLimitExceeded: AMOUNT_LIMIT,
  terminalNotCertified:
    "security violation: field 41 is not the terminal named by the connection's TLS client certificate",
  cryptogramFailure: "cryptogram failure: the chip's ARQC did not verify, or its ATC was not above the card's last",
  macIncorrect: 'MAC incorrect: the MAC (field 64 or 128) is wrong, or missing where the listener requires one',
  ksnReused: 'DUKPT KSN used before or older than the last: the PIN block is not accepted again',
};

/** Where one code has several meanings, the answer's message class decides. */
function preferred(mti: string): ActionOutcome[] {
  if (mti[1] === '8') return ['networkAccepted'];
  if (mti[1] === '4') return ['reversalAccepted'];
  if (mti[1] === '2' && (mti[2] === '2' || mti[2] === '3')) return ['alreadyCompleted', 'alreadyReversed'];
  return [];
}

/**
 * What an action code (1993, 3 digits) or response code (1987, 2 characters) means, in the code
 * set of the dialect; `mti` (the answer's or the request's) settles codes with several meanings
 * ('00' approved, accepted or reversal accepted; 913 and 902 on completions).
 */
export function meaningOf(code: string, dialect: Dialect, mti = ''): string {
  const codes = codeSetOf(dialect);
  const names = (Object.keys(ACTION_CODES) as ActionOutcome[]).filter((n) => ACTION_CODES[n][codes] === code);
  if (names.length === 0) return 'unknown code';
  const name = preferred(mti).find((n) => names.includes(n)) ?? names[0]!;
  return MEANINGS[name];
}

/** Whether the answer's action code is `outcome` in the dialect's code set. */
export function isCode(code: unknown, outcome: ActionOutcome, dialect: Dialect): boolean {
  return code === ACTION_CODES[outcome][codeSetOf(dialect)];
}

const indent = (text: string): string => text.replace(/^/gm, '    ');

/** One exchange, readable and masked: the request, then the answer (or that none came). */
export function describeExchange(e: Exchange, dialect: Dialect): string {
  const lines = [
    `>> ${String(e.request[0])} STAN ${String(e.request[11])} at ${e.at.toISOString()}`,
    indent(dialect.describe(e.request)),
  ];
  if (e.response === undefined) {
    lines.push('<< no answer (timed out or connection lost)');
  } else {
    const code = String(e.response[39] ?? '');
    lines.push(
      `<< ${String(e.response[0])} ${code === '' ? 'without action code' : `${code} ${meaningOf(code, dialect, String(e.response[0]))}`}`,
      indent(dialect.describe(e.response)),
    );
  }
  // The card's check of the issuer (terminals/chip.ts): a wrong or missing ARPC is worth saying.
  if (e.arpc === 'invalid') lines.push('!! ARPC (field 55 tag 91) wrong: the card finds issuer authentication failed');
  else if (e.arpc === 'valid') lines.push('   ARPC (field 55 tag 91) verified by the card');
  return lines.join('\n');
}
