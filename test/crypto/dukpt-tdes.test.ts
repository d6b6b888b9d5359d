/**
 * Triple-DES DUKPT against ANSI X9.24-1:2009 Annex A.4, as transcribed in openemv/dukpt's
 * test/dukpt_tdes_test.c (Leon Lynch): BDK, initial KSN, IPEK, the first transaction keys and
 * encrypted PIN blocks of the initial sequence (A.4.2) and some of the rollover sequence (A.4.3).
 */
import t from 'tap';
import { createCipheriv } from 'node:crypto';
import {
  DukptError,
  tdesInitialKey,
  tdesKsnCounter,
  tdesKsnDevice,
  tdesPinKey,
  tdesTransactionKey,
} from '../../src/crypto/dukpt-tdes.js';
import { decryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const up = (b: Buffer) => b.toString('hex').toUpperCase();

// X9.24-1:2009 A.4: BDK, initial KSN, initial key (IPEK), clear PIN block (PIN 1234, PAN 4012345678909).
const BDK = hex('0123456789ABCDEFFEDCBA9876543210');
const IKSN = hex('FFFF9876543210E00000');
const IPEK = '6AC292FAA1315B4D858AB3A3D7D5933A';
const CLEAR_PIN_BLOCK = hex('041274EDCBA9876F');
const PAN = '4012345678909';

// X9.24-1:2009 A.4.2 (initial sequence) and A.4.3 (rollover): KSN, transaction key, encrypted PIN block.
const VECTORS = [
  ['FFFF9876543210E00001', '042666B49184CFA368DE9628D0397BC9', '1B9C1845EB993A7A'],
  ['FFFF9876543210E00002', 'C46551CEF9FD24B0AA9AD834130D3BC7', '10A01C8D02C69107'],
  ['FFFF9876543210E00003', '0DF3D9422ACA56E547676D07AD6BADFA', '18DC07B94797B466'],
  ['FFFF9876543210E00004', '279C0F6AEED0BE652B2C733E1383AE91', '0BC79509D5645DF7'],
  ['FFFF9876543210E00005', '5F8DC6D2C845C125508DDC048093B83F', '5BC0AF22AD87B327'],
  ['FFFF9876543210E00008', '27F66D5244FF62E1AA6F6120EDEB4280', '50E55547A5027551'],
  ['FFFF9876543210E00015', 'E161D1956A61F6D2F37AFD7F9CC3699A', '72105C22EBC791E6'],
  ['FFFF9876543210EFF800', 'F9CDFEBF4F5B1D9EB3EC12454527E176', '33365F5CC6F23C35'],
  ['FFFF9876543210EFF801', '5BEE92627E97825C911BF619DF72CA3B', '3A86BF003F835C9D'],
  ['FFFF9876543210F00000', 'AA4D58DB653EC74A48C75F2F047DD2B5', '73EC88AD0AC5830E'],
] as const;

function tdesEncrypt(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('des-ede-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

t.test('the initial key (IPEK) of X9.24-1 A.4', async (t) => {
  t.equal(up(tdesInitialKey(BDK, IKSN)), IPEK);
  t.equal(up(tdesInitialKey(BDK, hex('FFFF9876543210E00015'))), IPEK, 'the counter does not enter the IPEK');
});

t.test('transaction keys, PIN keys and encrypted PIN blocks of X9.24-1 A.4.2 and A.4.3', async (t) => {
  const ipek = hex(IPEK);
  for (const [ksn, key, block] of VECTORS) {
    t.equal(up(tdesTransactionKey(ipek, hex(ksn))), key, `transaction key of ${ksn}`);
    const pinKey = tdesPinKey(BDK, hex(ksn));
    t.equal(up(tdesEncrypt(pinKey, CLEAR_PIN_BLOCK)), block, `encrypted PIN block of ${ksn}`);
    t.equal(decryptPinBlockFormat0(hex(block), PAN, pinKey), '1234', `the switch reads PIN 1234 under ${ksn}`);
  }
});

t.test('KSN parts: counter (21 bits) and device', async (t) => {
  t.equal(tdesKsnCounter(hex('FFFF9876543210E00015')), 0x15);
  t.equal(tdesKsnCounter(hex('FFFF9876543210F00000')), 0x100000);
  t.equal(tdesKsnDevice(hex('FFFF9876543210F00000')), 'FFFF9876543210E00000');
  t.equal(tdesKsnDevice(hex('FFFF9876543210EFF801')), 'FFFF9876543210E00000');
});

t.test('bad input is a DukptError without key bytes', async (t) => {
  t.throws(() => tdesKsnCounter(hex('FFFF9876543210E000')), DukptError, 'a 9-byte KSN');
  t.throws(() => tdesInitialKey(hex('0123456789ABCDEF'), IKSN), DukptError, 'an 8-byte BDK');
  t.throws(() => tdesPinKey(BDK, IKSN), DukptError, 'counter 0');
  try {
    tdesInitialKey(hex('0123456789ABCDEF'), IKSN);
  } catch (e) {
    t.notMatch((e as Error).message, /0123456789/i);
  }
});
