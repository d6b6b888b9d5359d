/**
 * EMV card and session keys against published vectors. Sources (the Python library pyemv by
 * Konstantin Novichikhin, github.com/knovichikhin/pyemv, which checks them against an HSM):
 * - KD: pyemv/kd.py docstrings at commit 0fbdd333a7c1f4b258d19be31286443bc6ba3b5c;
 * - KDT: tests/test_kd_hsm.py at commit 9ffd51f76c05eea48b97ef2cc4a5bbdf16398d9c.
 * Key check values there are the first 2 bytes of 3DES(key, 00..00).
 */
import t from 'tap';
import {
  deriveAcSessionKey,
  deriveCardMasterKey,
  deriveCommonSessionKey,
  keyCheckValue,
} from '../../src/crypto/emv/keys.js';
import { EmvCryptoError, oddParity } from '../../src/crypto/emv/des.js';
import { pad, retailMac } from '../../src/crypto/retail-mac.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();
const IMK = hex('0123456789ABCDEFFEDCBA9876543210');

t.test('the issuer master key of the vectors is the one they name', async (t) => {
  t.equal(upper(keyCheckValue(IMK, 2)), '08D7'); // KDT test_derive_icc_mk_a_psn
});

t.test('option A: the card master key from PAN and PAN sequence number', async (t) => {
  // KD derive_icc_mk_a docstring: PAN 12345678901234567, PSN 01.
  t.equal(upper(deriveCardMasterKey(IMK, '12345678901234567', '01')), '73AD54688CEF2934B0979857E3C719F1');
  // KDT test_derive_icc_mk_a_psn: PAN 12345678901234567, PSN 45 -> check value FF08.
  t.equal(upper(keyCheckValue(deriveCardMasterKey(IMK, '12345678901234567', '45'), 2)), 'FF08');
  // pyemv tests/test_cvn_hsm.py (commit 0710f428cf971cce7af01f3078cb603958105d03), Visa CVN 10:
  // PAN 1234567890123456, PSN 00 -> ICC MK AC check value BAB0.
  t.equal(upper(keyCheckValue(deriveCardMasterKey(IMK, '1234567890123456', '00'), 2)), 'BAB0');
  t.equal(upper(keyCheckValue(deriveCardMasterKey(IMK, '1234567890123456'), 2)), 'BAB0', 'no PSN is 00');
});

t.test('the common session key', async (t) => {
  // KD derive_common_sk docstring: MK 0123..3210, R = 001C000000000000.
  t.equal(upper(deriveCommonSessionKey(IMK, hex('001C000000000000'))), 'E9FB384AF807B940FEDCEA613461B0C4');
  t.equal(upper(deriveAcSessionKey(IMK, hex('001C'))), 'E9FB384AF807B940FEDCEA613461B0C4', 'R = ATC || 00 x 6');
  // KDT test_derive_icc_mk_a_psn: from the card key of PAN 12345678901234567 / 45, R = 1234567890123456.
  const mk = deriveCardMasterKey(IMK, '12345678901234567', '45');
  t.equal(upper(keyCheckValue(deriveCommonSessionKey(mk, hex('1234567890123456')), 2)), 'DF82');
  // KDT test_derive_icc_mk_a_no_psn: the same PAN without a PSN.
  const noPsn = deriveCardMasterKey(IMK, '12345678901234567');
  t.equal(upper(keyCheckValue(deriveCommonSessionKey(noPsn, hex('1234567890123456')), 2)), '3F4F');
});

t.test('ISO/IEC 9797-1 MAC algorithm 3', async (t) => {
  // pyemv tests/test_mac.py (commit 5f1f9384e6e36d003b55db34f6737c5c7ef19e2a): K1 AA.., K2 BB.., "hello world".
  const key = hex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
  t.equal(upper(retailMac(key, Buffer.from('hello world'), 1)), '78DA3D3DEB48FD4D');
  t.equal(upper(retailMac(key, Buffer.from('hello world'), 2)), '2BC2D9EDE0CF31F6');
  t.equal(upper(retailMac(key, Buffer.from('hello world'), 2, 4)), '2BC2D9ED', 'truncated');
});

t.test('padding methods 1 and 2 (ISO/IEC 9797-1, 6.1.1 and 6.1.2)', async (t) => {
  t.same(pad(Buffer.alloc(0), 1), Buffer.alloc(8));
  t.same(pad(Buffer.alloc(8, 0x46), 1), Buffer.alloc(8, 0x46), 'method 1 adds nothing to whole blocks');
  t.same(pad(Buffer.alloc(8, 0x46), 2), Buffer.concat([Buffer.alloc(8, 0x46), hex('8000000000000000')]));
  t.same(pad(Buffer.alloc(3, 0x46), 2), hex('4646468000000000'));
});

t.test('odd parity', async (t) => {
  t.same(oddParity(hex('0001FEFF')), hex('0101FEFE'));
});

t.test('bad keys and inputs are refused without their bytes', async (t) => {
  const secret = hex('0123456789ABCDEF');
  const check = (f: () => unknown, message: RegExp) => {
    try {
      f();
      t.fail('no error');
    } catch (e) {
      t.type(e, EmvCryptoError);
      t.match((e as Error).message, message);
      t.notMatch((e as Error).message, /0123456789/i, 'no key bytes in the message');
    }
  };
  check(() => deriveCardMasterKey(secret, '1234567890123456'), /issuer master key must be a 16-byte/);
  check(() => deriveCardMasterKey(IMK, '12345'), /PAN must be 12 to 19 digits/);
  check(() => deriveCardMasterKey(IMK, '1234567890123456', '1'), /PAN sequence number must be 2 digits/);
  check(() => deriveCommonSessionKey(IMK, secret.subarray(0, 7)), /diversification value must be 8 bytes/);
  check(() => deriveAcSessionKey(IMK, hex('01')), /ATC must be 2 bytes/);
  check(() => deriveCommonSessionKey(secret, Buffer.alloc(8)), /card master key must be/);
  check(() => keyCheckValue(secret), /key must be/);
});
