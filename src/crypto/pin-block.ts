/**
 * ISO 9564 PIN blocks, as carried in field 52: format 0 under triple DES (8 bytes) and format 4
 * under AES-128 (16 bytes). The switch decrypts a block in memory only to verify the PIN; the
 * clear PIN is returned by the decrypt functions and goes nowhere else (see pin-verification.ts).
 *
 * Errors are PinBlockError with fixed messages: a message never includes the PIN, the PAN, the
 * key or block bytes, because error messages end up in logs and responses. Nor does it carry the
 * underlying crypto error as `cause`, for the same reason.
 */
import { randomBytes } from 'node:crypto';
import { ecb as blockEcb, xor } from './block-cipher.js';

export class PinBlockError extends Error {
  override name = 'PinBlockError';
}

export type PinBlockFormat = 0 | 4;

export interface PinKey {
  format: PinBlockFormat;
  key: Buffer;
}

const PIN = /^\d{4,12}$/;
// ISO/IEC 7812 PANs are at most 19 digits; format 4 encodes (length - 12) in one nibble as 0..7.
const PAN = /^\d{12,19}$/;

function checkPin(pin: string): void {
  if (!PIN.test(pin)) throw new PinBlockError('PIN block: PIN must be 4 to 12 digits');
}

function checkPan(pan: string): void {
  if (!PAN.test(pan)) throw new PinBlockError('PIN block: PAN must be 12 to 19 digits');
}

/** One ECB pass without padding. Crypto failures become a PinBlockError without their detail. */
function ecb(algorithm: string, key: Buffer, data: Buffer, direction: 'encrypt' | 'decrypt'): Buffer {
  try {
    return blockEcb(algorithm, key, data, direction);
  } catch {
    throw new PinBlockError(`PIN block: cannot ${direction}`);
  }
}

/** 16-byte keys are double-length (K1 K2 K1), 24-byte keys triple-length; both are ECB. */
function tdesAlgorithm(key: Buffer): string {
  if (key.length === 16) return 'des-ede-ecb';
  if (key.length === 24) return 'des-ede3-ecb';
  throw new PinBlockError('PIN block: triple DES key must be 16 or 24 bytes');
}

function checkAesKey(key: Buffer): void {
  if (key.length !== 16) throw new PinBlockError('PIN block: AES key must be 16 bytes');
}

/**
 * The parts of a decrypted PIN field: `control` (first nibble), the PIN length nibble, the PIN
 * digits and the fill after them, up to nibble 16. Throws unless the layout is valid.
 */
function parsePinField(hex: string, control: string, fill: string, formatMessage: string): string {
  if (hex.charAt(0) !== control) throw new PinBlockError(formatMessage);
  const length = parseInt(hex.charAt(1), 16);
  if (!(length >= 4 && length <= 12)) throw new PinBlockError('PIN block: PIN length out of range');
  const pin = hex.slice(2, 2 + length);
  if (!/^\d+$/.test(pin)) throw new PinBlockError('PIN block: PIN is not all digits');
  if (hex.slice(2 + length, 16) !== fill.repeat(14 - length)) {
    throw new PinBlockError(`PIN block: fill is not ${fill.toUpperCase()}`);
  }
  return pin;
}

// --- Format 0 -------------------------------------------------------------------------------

/** 0000 + the 12 rightmost PAN digits excluding the check digit (a 12-digit PAN has 11: 0-padded). */
function format0PanField(pan: string): Buffer {
  checkPan(pan);
  return Buffer.from('0000' + pan.slice(0, -1).slice(-12).padStart(12, '0'), 'hex');
}

export function encryptPinBlockFormat0(pin: string, pan: string, key: Buffer): Buffer {
  checkPin(pin);
  const algorithm = tdesAlgorithm(key);
  const pinField = Buffer.from('0' + pin.length.toString(16) + pin + 'f'.repeat(14 - pin.length), 'hex');
  const clear = xor(pinField, format0PanField(pan));
  const block = ecb(algorithm, key, clear, 'encrypt');
  // Buffers we own can be wiped; the PIN string itself cannot, so it is not kept anywhere.
  pinField.fill(0);
  clear.fill(0);
  return block;
}

export function decryptPinBlockFormat0(block: Buffer, pan: string, key: Buffer): string {
  if (block.length !== 8) throw new PinBlockError('PIN block: wrong length');
  const panField = format0PanField(pan);
  const clear = ecb(tdesAlgorithm(key), key, block, 'decrypt');
  const pinField = xor(clear, panField);
  const hex = pinField.toString('hex');
  clear.fill(0);
  pinField.fill(0);
  return parsePinField(hex, '0', 'f', 'PIN block: not format 0');
}

// --- Format 4 -------------------------------------------------------------------------------

/** (PAN length - 12) as one nibble, the PAN digits, then 0 nibbles up to 32. */
function format4PanField(pan: string): Buffer {
  checkPan(pan);
  return Buffer.from(((pan.length - 12).toString(16) + pan).padEnd(32, '0'), 'hex');
}

/**
 * Format 4 (ISO 9564-1:2017): A = AES(PIN field), B = A XOR PAN field, block = AES(B). The PIN
 * field's second half is random, so the same PIN and PAN give a different block every time.
 * `random` (8 bytes) fixes that half, for tests.
 */
export function encryptPinBlockFormat4(pin: string, pan: string, key: Buffer, random?: Buffer): Buffer {
  checkPin(pin);
  checkAesKey(key);
  const panField = format4PanField(pan);
  if (random !== undefined && random.length !== 8) throw new PinBlockError('PIN block: random fill must be 8 bytes');
  const head = Buffer.from('4' + pin.length.toString(16) + pin + 'a'.repeat(14 - pin.length), 'hex');
  const pinField = Buffer.concat([head, random ?? randomBytes(8)]);
  const a = ecb('aes-128-ecb', key, pinField, 'encrypt');
  const block = ecb('aes-128-ecb', key, xor(a, panField), 'encrypt');
  head.fill(0);
  pinField.fill(0);
  return block;
}

export function decryptPinBlockFormat4(block: Buffer, pan: string, key: Buffer): string {
  if (block.length !== 16) throw new PinBlockError('PIN block: wrong length');
  checkAesKey(key);
  const panField = format4PanField(pan);
  const b = ecb('aes-128-ecb', key, block, 'decrypt');
  const pinField = ecb('aes-128-ecb', key, xor(b, panField), 'decrypt');
  // Only the first 8 bytes matter; the second half is random fill.
  const hex = pinField.subarray(0, 8).toString('hex');
  pinField.fill(0);
  return parsePinField(hex, '4', 'a', 'PIN block: not format 4');
}

// --- Either ---------------------------------------------------------------------------------

/** Decrypts a field 52 block with the terminal's key, whose format says how to read it. */
export function decryptPinBlock(block: Buffer, pan: string, key: PinKey): string {
  // Check the format at run time too: keys come from configuration.
  if (key.format === 0) return decryptPinBlockFormat0(block, pan, key.key);
  if (key.format === 4) return decryptPinBlockFormat4(block, pan, key.key);
  throw new PinBlockError('PIN block: unknown format');
}
