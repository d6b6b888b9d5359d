/**
 * Cash at ATMs (docs/SCHEME.md, Channels; 004 §1.2, §1.4; PROTOCOL §3.2.5): what field 3 asks
 * for, and whether a cash withdrawal may be made where it comes from. A withdrawal is a
 * single-message request (1200 / 0200, processing code 01) from a terminal that the terminal key
 * file names an ATM (model `atm`), with the issuer id of the bank that owns it; anything else
 * asking for cash is an invalid transaction (switch's choice). Whether it is abroad, for the fee,
 * comes from the request: a currency other than DKK (field 49) or an acquiring country other than
 * Denmark (field 19).
 */
import type { IsoMessage } from '../codec/index.js';
import type { CashWithdrawal } from '../card/cash-terms.js';
import type { TerminalKeys } from '../crypto/terminal-keys.js';
import { DKK, HOME_COUNTRY } from '../currency/conversion.js';

/** What a financial request asks for, by field 3's first two digits. */
export type TransactionKind = 'purchase' | 'refund' | 'withdrawal';

/** '20' a refund, '01' a cash withdrawal, anything else (checkProcessingCode let only '00' through) a purchase. */
export function kindOf(request: IsoMessage): TransactionKind {
  const code = String(request[3]).slice(0, 2);
  return code === '20' ? 'refund' : code === '01' ? 'withdrawal' : 'purchase';
}

/**
 * A withdrawal's ATM (whose it is, and whether abroad), or why the request may not withdraw:
 * it is not single message, or its terminal is not an ATM.
 */
export function atmOf(
  request: IsoMessage,
  mti: string,
  terminalId: string | undefined,
  keys: TerminalKeys,
): CashWithdrawal | string {
  if (mti[1] !== '2') return 'a cash withdrawal is a single-message (1200 / 0200) request';
  const key = keys.keyFor(terminalId);
  if (key.model !== 'atm' || key.owner === undefined) return 'cash withdrawals are made at ATMs only';
  const country = request[19];
  const abroad = String(request[49]) !== DKK || (country !== undefined && String(country) !== HOME_COUNTRY);
  return { owner: key.owner, abroad };
}
