/**
 * The terminal CLI's message security options (docs/SECURITY.md §3, §4): a MAC key, a format 4
 * PIN key, the 16-byte field 52, DUKPT with its BDK and the KSN of the PIN block to send.
 */
import type { TerminalOptions } from './terminal.js';

export const SECURITY_OPTIONS = {
  'key-format': { type: 'string' },
  'mac-key': { type: 'string' },
  'pin-block': { type: 'string' },
  dukpt: { type: 'string' },
  bdk: { type: 'string' },
  ksn: { type: 'string' },
} as const;

export type SecurityValues = { [K in keyof typeof SECURITY_OPTIONS]?: string } & { key?: string };

export const SECURITY_USAGE = `Message security (docs/SECURITY.md):
  --key-format 0|4         what --key is: 0 triple DES (default), 4 AES-128 (needs --pin-block variable16)
  --pin-block variable16   field 52 up to 16 bytes, as a listener with pinBlock variable16 reads it
  --mac-key HEX            MAC the requests (field 64 / 128) and believe only answers MACed with it (32 hex)
  --dukpt tdes|aes128      DUKPT PIN keys instead of --key: with --bdk HEX (32 hex) and --ksn HEX (the
                           KSN of this PIN block: 20 hex digits for tdes, 24 for aes128); the CLI prints
                           the KSN for the next run
`;

const HEX32 = /^[0-9a-fA-F]{32}$/;

/** The terminal options the security values give; throws a message naming the option when one is wrong. */
export function securityOptions(v: SecurityValues, problem: (text: string) => Error): Partial<TerminalOptions> {
  const out: Partial<TerminalOptions> = {};
  if (v['pin-block'] !== undefined) {
    if (v['pin-block'] !== 'fixed8' && v['pin-block'] !== 'variable16')
      throw problem('--pin-block: fixed8 or variable16');
    out.pinBlock = v['pin-block'];
  }
  if (v['key-format'] !== undefined) {
    if (v['key-format'] !== '0' && v['key-format'] !== '4') throw problem('--key-format: 0 or 4');
    if (v.key === undefined) throw problem('--key-format goes with --key');
    if (v['key-format'] === '4' && !HEX32.test(v.key)) throw problem('--key: an AES-128 key is 32 hex digits');
    out.pinKey = { format: v['key-format'] === '4' ? 4 : 0, key: Buffer.from(v.key, 'hex') };
  }
  if (v['mac-key'] !== undefined) {
    if (!HEX32.test(v['mac-key'])) throw problem('--mac-key: 32 hex digits (K1 K2)');
    out.macKey = Buffer.from(v['mac-key'], 'hex');
  }
  const { dukpt, bdk, ksn } = v;
  if (dukpt === undefined) {
    if (bdk !== undefined || ksn !== undefined) throw problem('--bdk and --ksn go with --dukpt');
    return out;
  }
  if (dukpt !== 'tdes' && dukpt !== 'aes128') throw problem('--dukpt: tdes or aes128');
  if (bdk === undefined || !HEX32.test(bdk)) throw problem('--bdk: 32 hex digits');
  const digits = dukpt === 'tdes' ? 20 : 24;
  if (ksn === undefined || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(ksn))
    throw problem(`--ksn: ${digits} hex digits for ${dukpt}`);
  out.dukpt = { algorithm: dukpt, bdk: Buffer.from(bdk, 'hex'), ksn: Buffer.from(ksn, 'hex') };
  return out;
}
