/**
 * Field and dialect specifications: plain data that round-trips through JSON.
 *
 * A dialect is an MTI encoding, a bitmap encoding and a table of field specs.
 * Nothing here runs; `compileDialect` turns it into packers and unpackers.
 */

/** What characters a field may hold (ISO 8583 attribute classes). */
export type FieldKind =
  | 'numeric' // n: digits only
  | 'alpha' // a: letters and space
  | 'alphanumeric' // an: letters, digits and space
  | 'ans' // ans: any printable character (Latin-1, no control characters)
  | 'track' // z: magnetic-stripe track data (printable; masked in describe)
  | 'amount' // x+n: 'C' (credit) or 'D' (debit), then digits
  | 'binary'; // b: bytes (a Buffer in a message)

/** How many characters (or digits, or bytes) announce a variable length; 'fixed' means none. */
export type LengthPrefix = 'fixed' | 'L' | 'LL' | 'LLL' | 'LLLL';

/** How the length prefix is written: ASCII digits, packed BCD, or a big-endian binary integer. */
export type PrefixEncoding = 'ascii' | 'bcd' | 'binary';

/**
 * How the field's data is written:
 * - ascii: one byte per character (Latin-1);
 * - bcd: two digits a byte (numeric and amount kinds only);
 * - binary: raw bytes (binary kind only);
 * - hex: bytes written as two uppercase hexadecimal characters each (binary kind only).
 */
export type DataEncoding = 'ascii' | 'bcd' | 'binary' | 'hex';

/**
 * How describe() treats a field unless clear output is asked for. 'subElements': the field holds
 * sub-elements (tag of 2 digits, length of 3 digits, value) and the values of its `hiddenTags` are
 * secrets (field 48's CVC); the rest is shown. 'icc': the field holds EMV data objects (BER-TLV,
 * field 55), shown by tag and name with the TVR and CVM results in words and the card data among
 * them (track 2 equivalent, PAN, holder's name) hidden (src/codec/icc-describe.ts).
 */
export type MaskRule = 'pan' | 'track' | 'hide' | 'subElements' | 'icc';

export interface Padding {
  side: 'left' | 'right';
  /** A single character, e.g. '0' or ' '. */
  char: string;
}

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Maximum length: characters, digits (BCD counts digits), or bytes for the binary kind. */
  length: number;
  prefix: LengthPrefix;
  /** Ignored for fixed fields. */
  prefixEncoding: PrefixEncoding;
  encoding: DataEncoding;
  /** Fixed fields only: a shorter value is padded to the length; without padding it must be exact. */
  padding?: Padding;
  /**
   * BCD only: where the filler nibble goes when the digit count is odd.
   * 'right' (the default) matches jPOS packagers without the pad flag: "123" -> 0x12 0x30.
   */
  nibblePad?: 'left' | 'right';
  mask?: MaskRule;
  /** mask 'subElements' only: the tags whose values are hidden. */
  hiddenTags?: string[];
}

export interface DialectSpec {
  name: string;
  description?: string;
  mti: { encoding: 'ascii' | 'bcd' };
  bitmap: { encoding: 'hex' | 'binary' };
  /** Keyed by field number 2..128 (as strings once in JSON). */
  fields: Record<string, FieldSpec>;
}

/** A message: field number -> value. Field 0 is the MTI; text fields are strings, binary fields Buffers. */
export type IsoValue = string | Buffer;
export type IsoMessage = Record<number, IsoValue>;
