/**
 * The EMV data dictionary as data (EMV 4.4): the names of the data objects field 55 and issuer
 * scripts carry (Book 3, Annex A1), the bits of the Terminal Verification Results (Book 3, Annex
 * C5), the Cardholder Verification Method codes, conditions and results (Book 3, Annex C3 and A1
 * tag 9F34) and the issuer script results (Book 4, Annex A5). Scheme-free: nothing here is
 * Dankort's; src/codec/icc-describe.ts renders field 55 with it.
 */

/** Tag (uppercase hex) -> name, as Book 3 Annex A1 names them (shortened where the name is long). */
export const EMV_TAGS: Readonly<Record<string, string>> = {
  '4F': 'Application Identifier (AID) - card',
  '50': 'Application Label',
  '56': 'Track 1 Data',
  '57': 'Track 2 Equivalent Data',
  '5A': 'Application PAN',
  '5F20': 'Cardholder Name',
  '5F24': 'Application Expiration Date',
  '5F25': 'Application Effective Date',
  '5F28': 'Issuer Country Code',
  '5F2A': 'Transaction Currency Code',
  '5F34': 'Application PAN Sequence Number',
  '71': 'Issuer Script Template 1',
  '72': 'Issuer Script Template 2',
  '82': 'Application Interchange Profile',
  '84': 'Dedicated File (DF) Name',
  '86': 'Issuer Script Command',
  '89': 'Authorisation Code',
  '8A': 'Authorisation Response Code',
  '91': 'Issuer Authentication Data',
  '95': 'Terminal Verification Results',
  '9A': 'Transaction Date',
  '9B': 'Transaction Status Information',
  '9C': 'Transaction Type',
  '9F02': 'Amount, Authorised (Numeric)',
  '9F03': 'Amount, Other (Numeric)',
  '9F06': 'Application Identifier (AID) - terminal',
  '9F07': 'Application Usage Control',
  '9F09': 'Application Version Number - terminal',
  '9F0D': 'Issuer Action Code - Default',
  '9F0E': 'Issuer Action Code - Denial',
  '9F0F': 'Issuer Action Code - Online',
  '9F10': 'Issuer Application Data',
  '9F18': 'Issuer Script Identifier',
  '9F1A': 'Terminal Country Code',
  '9F1E': 'Interface Device (IFD) Serial Number',
  '9F1F': 'Track 1 Discretionary Data',
  '9F20': 'Track 2 Discretionary Data',
  '9F21': 'Transaction Time',
  '9F26': 'Application Cryptogram',
  '9F27': 'Cryptogram Information Data',
  '9F33': 'Terminal Capabilities',
  '9F34': 'Cardholder Verification Method (CVM) Results',
  '9F35': 'Terminal Type',
  '9F36': 'Application Transaction Counter (ATC)',
  '9F37': 'Unpredictable Number',
  '9F41': 'Transaction Sequence Counter',
  '9F53': 'Transaction Category Code',
  '9F5B': 'Issuer Script Results',
  '9F6B': 'Track 2 Data (contactless)',
  '9F6E': 'Form Factor Indicator',
};

/**
 * Tags whose values are card data and never shown: track equivalents and discretionary data, the
 * PAN, the holder's name (docs/SECURITY.md). Their length is shown, their bytes are not.
 */
export const HIDDEN_EMV_TAGS: ReadonlySet<string> = new Set(['56', '57', '5A', '5F20', '9F1F', '9F20', '9F6B']);

/**
 * Terminal Verification Results (tag 95), Book 3 Annex C5, Table 46 (EMV 4.3) / the same table in
 * 4.4: [byte (1-5), bit (8 = most significant), meaning]. Bits marked RFU are not listed.
 */
export const TVR_BITS: readonly (readonly [number, number, string])[] = [
  [1, 8, 'offline data authentication was not performed'],
  [1, 7, 'SDA failed'],
  [1, 6, 'ICC data missing'],
  [1, 5, 'card appears on terminal exception file'],
  [1, 4, 'DDA failed'],
  [1, 3, 'CDA failed'],
  [1, 2, 'SDA selected'],
  [2, 8, 'ICC and terminal have different application versions'],
  [2, 7, 'expired application'],
  [2, 6, 'application not yet effective'],
  [2, 5, 'requested service not allowed for card product'],
  [2, 4, 'new card'],
  [3, 8, 'cardholder verification was not successful'],
  [3, 7, 'unrecognised CVM'],
  [3, 6, 'PIN try limit exceeded'],
  [3, 5, 'PIN entry required and PIN pad not present or not working'],
  [3, 4, 'PIN entry required, PIN pad present, but PIN was not entered'],
  [3, 3, 'online PIN entered'],
  [4, 8, 'transaction exceeds floor limit'],
  [4, 7, 'lower consecutive offline limit exceeded'],
  [4, 6, 'upper consecutive offline limit exceeded'],
  [4, 5, 'transaction selected randomly for online processing'],
  [4, 4, 'merchant forced transaction online'],
  [5, 8, 'default TDOL used'],
  [5, 7, 'issuer authentication failed'],
  [5, 6, 'script processing failed before final GENERATE AC'],
  [5, 5, 'script processing failed after final GENERATE AC'],
];

/**
 * CVM codes, Book 3 Annex C3 Table 39: the low six bits of a CVM's first byte. Bit 7 (0x40) says
 * "apply the succeeding CVM if this one fails" and is not part of the code; 3F is what 9F34 holds
 * when no CVM was performed (Annex A1, tag 9F34).
 */
export const CVM_CODES: Readonly<Record<number, string>> = {
  0x00: 'fail CVM processing',
  0x01: 'plaintext PIN verified by ICC',
  0x02: 'enciphered PIN verified online',
  0x03: 'plaintext PIN verified by ICC and signature',
  0x04: 'enciphered PIN verified by ICC',
  0x05: 'enciphered PIN verified by ICC and signature',
  0x1e: 'signature (paper)',
  0x1f: 'no CVM required',
  0x3f: 'no CVM performed',
};

/** CVM condition codes, Book 3 Annex C3 Table 40 (the second byte). */
export const CVM_CONDITIONS: Readonly<Record<number, string>> = {
  0x00: 'always',
  0x01: 'if unattended cash',
  0x02: 'if not unattended cash and not manual cash and not purchase with cashback',
  0x03: 'if terminal supports the CVM',
  0x04: 'if manual cash',
  0x05: 'if purchase with cashback',
  0x06: 'if in application currency and under X',
  0x07: 'if in application currency and over X',
  0x08: 'if in application currency and under Y',
  0x09: 'if in application currency and over Y',
};

/** CVM result (9F34's third byte), Book 3 Annex A1, tag 9F34. */
export const CVM_RESULTS: Readonly<Record<number, string>> = {
  0x00: 'unknown',
  0x01: 'failed',
  0x02: 'successful',
};

/** The high nibble of an issuer script result's first byte (9F5B), Book 4 Annex A5. */
export const SCRIPT_RESULTS: Readonly<Record<number, string>> = {
  0x0: 'script not performed',
  0x1: 'script processing failed',
  0x2: 'script processing successful',
};
