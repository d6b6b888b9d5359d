/**
 * Application cryptograms and ARPCs against published vectors. Sources (pyemv by Konstantin
 * Novichikhin, github.com/knovichikhin/pyemv, checked there against an HSM):
 * - CVN: tests/test_cvn_hsm.py at commit 0710f428cf971cce7af01f3078cb603958105d03 (Visa CVN 10
 *   and 18: keys, ARQC, ARPC);
 * - KDT: tests/test_kd_hsm.py at commit 9ffd51f76c05eea48b97ef2cc4a5bbdf16398d9c;
 * - AC: pyemv/ac.py docstrings at commit 385b72f40120f1d00f42b79e5ec8d49130c81eee.
 */
import t from 'tap';
import {
  type CryptogramVersion,
  applicationCryptogram,
  arpcMethod1,
  arpcMethod2,
  arqcData,
  arqcMatches,
  cardStatusUpdate,
  checkIssuerAuthentication,
  cryptogramKey,
  cryptogramVersionOf,
  issuerAuthenticationData,
} from '../../src/crypto/emv/cryptogram.js';
import { deriveCardMasterKey, deriveCommonSessionKey, keyCheckValue } from '../../src/crypto/emv/keys.js';
import { EmvCryptoError } from '../../src/crypto/emv/des.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();
const IMK = hex('0123456789ABCDEFFEDCBA9876543210');
const ATC = hex('001C');

/** The transaction of CVN's Visa CVN 10 and 18 tests, with its IAD. */
function transaction(iad: string): Map<string, Buffer> {
  return new Map(
    Object.entries({
      '9F02': '000000004000',
      '9F03': '000000000000',
      '9F1A': '0124',
      '95': '8000048000',
      '5F2A': '0124',
      '9A': '191105',
      '9C': '01',
      '9F37': '52BF4585',
      '82': '1800',
      '9F36': '001C',
      '9F10': iad,
    }).map(([k, v]) => [k, hex(v)]),
  );
}

t.test('Visa CVN 10 (CVN test_visa_cvn10)', async (t) => {
  // The IAD a CVN 10 card sends: length 06, DKI 01, CVN 0A, CVR 03A06010 (the vector's CVR).
  const tags = transaction('06010A03A06010');
  const version = cryptogramVersionOf(tags.get('9F10')!);
  t.equal(version, 'visaCvn10');
  const mk = deriveCardMasterKey(IMK, '1234567890123456', '00');
  const key = cryptogramKey(version, mk, ATC);
  t.equal(upper(keyCheckValue(key, 2)), 'BAB0', 'no session key: the card master key');
  const data = arqcData(version, tags);
  t.equal(upper(applicationCryptogram(version, key, data)), '29CCA15AE665FA2E');
  t.ok(arqcMatches(version, key, data, hex('29CCA15AE665FA2E')));
  t.notOk(arqcMatches(version, key, data, hex('29CCA15AE665FA2F')), 'one bit off');
  t.notOk(arqcMatches(version, key, data, hex('29CCA15A')), 'short');
  // ARPC method 1, ARC '00' (3030).
  t.equal(upper(arpcMethod1(key, hex('29CCA15AE665FA2E'), hex('3030'))), '28993816AFAE4AEB');
  const tag91 = issuerAuthenticationData(version, key, hex('29CCA15AE665FA2E'), { approved: true, arc: '00' });
  t.equal(upper(tag91), '28993816AFAE4AEB3030', 'tag 91: ARPC || ARC');
  t.same(checkIssuerAuthentication(version, key, hex('29CCA15AE665FA2E'), tag91), { valid: true, approved: true });
});

t.test('Visa CVN 18 (CVN test_visa_cvn18)', async (t) => {
  const tags = transaction('06011203A0B800');
  const version = cryptogramVersionOf(tags.get('9F10')!);
  t.equal(version, 'visaCvn18');
  const mk = deriveCardMasterKey(IMK, '1234567890123456', '00');
  const key = cryptogramKey(version, mk, ATC);
  t.equal(upper(keyCheckValue(key, 2)), '22C8', 'the common session key for ATC 001C');
  const arqc = applicationCryptogram(version, key, arqcData(version, tags));
  t.equal(upper(arqc), '7A788EA6B8A3E733');
  // ARPC method 2 with CSU 00000000 (the vector's: nothing approved).
  t.equal(upper(arpcMethod2(key, arqc, hex('00000000'))), '9AF514C1');
  const declined = issuerAuthenticationData(version, key, arqc, { approved: false, arc: '05' });
  t.equal(upper(declined), '9AF514C100000000', 'tag 91: ARPC || CSU');
  t.same(checkIssuerAuthentication(version, key, arqc, declined), { valid: true, approved: false });
});

t.test('the pieces on their own (KDT, AC)', async (t) => {
  const mk = deriveCardMasterKey(IMK, '12345678901234567', '45');
  const sk = deriveCommonSessionKey(mk, hex('1234567890123456'));
  const data = hex('0123456789ABCDEF0123456789ABCDEF');
  // KDT test_derive_icc_mk_a_psn / test_derive_common_sk: padding method 2.
  t.equal(upper(applicationCryptogram('ccd5', sk, data)), '19C1FBC83EBDC0D5');
  t.equal(upper(arpcMethod1(mk, hex('19C1FBC83EBDC0D5'), hex('0000'))), '78A372523FA35A03');
  t.equal(upper(arpcMethod1(sk, hex('19C1FBC83EBDC0D5'), hex('0000'))), 'C3620580668E5B65');
  // AC generate_ac / generate_arpc_1 / generate_arpc_2 docstrings: key AA.. BB...
  const ab = hex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
  const docData = hex(
    '000000002000' + '000000000000' + '0124' + '0000008000' + '0124' + '110309' + '00' + '3804823E' + '5800' + '0001',
  );
  t.equal(upper(applicationCryptogram('visaCvn18', ab, docData)), '3B76CF10FECD8789');
  t.equal(upper(arpcMethod1(ab, hex('1234567890ABCDEF'), hex('0000'))), 'F5E6F44147E2F1B0');
  t.equal(upper(arpcMethod2(ab, hex('1234567890ABCDEF'), hex('00000000'))), '9308BEBC');
});

t.test('CCD: told by its IAD, computed as CVN 18 with the IAD in the data', async (t) => {
  // Format A: length 0F, CCI A5 (format A, cryptogram version 5), DKI, CVR (5), counters (8), then 0F + 15 bytes.
  const iad = hex('0FA501A0380000000000000000000000' + '0F' + '00'.repeat(15));
  t.equal(cryptogramVersionOf(iad), 'ccd5');
  t.equal(cryptogramVersionOf(iad.subarray(0, 16)), 'ccd5', 'the 16-byte form');
  const tags = transaction(iad.toString('hex'));
  const data = arqcData('ccd5', tags);
  t.same(data.subarray(-32), iad, 'the whole IAD ends the data');
  t.equal(data.length, 33 + 32);
  const key = cryptogramKey('ccd5', deriveCardMasterKey(IMK, '1234567890123456'), ATC);
  t.equal(upper(keyCheckValue(key, 2)), '22C8', 'the same common session key as CVN 18');
  const arqc = applicationCryptogram('ccd5', key, data);
  const approved = issuerAuthenticationData('ccd5', key, arqc, { approved: true, arc: '00' });
  t.same(approved.subarray(4), cardStatusUpdate(true));
  t.same(approved.subarray(4), hex('00800000'), 'CSU byte 2 bit 8: issuer approves');
  t.same(checkIssuerAuthentication('ccd5', key, arqc, approved), { valid: true, approved: true });
  const forged = Buffer.from(approved);
  forged[0]! ^= 1;
  t.same(checkIssuerAuthentication('ccd5', key, arqc, forged), { valid: false, approved: false });
  t.same(checkIssuerAuthentication('ccd5', key, arqc, approved.subarray(0, 6)), { valid: false, approved: false });
});

t.test('versions not supported, and data that cannot be read, are named', async (t) => {
  const refused = (iad: string, message: RegExp) =>
    t.throws(() => cryptogramVersionOf(hex(iad)), { name: 'EmvCryptoError', message }, iad);
  refused('0F9501A0380000000000000000000000', /not format A/);
  refused('0FA601A0380000000000000000000000', /CCD cryptogram version 6 is not supported/);
  refused('06011103A0B800', /Visa cryptogram version 17 is not supported/);
  refused('0110A00003240000000000000000000000FF', /neither Visa nor CCD/);
  refused('', /neither Visa nor CCD/);
  const tags = transaction('06011203A0B800');
  tags.delete('9F37');
  t.throws(() => arqcData('visaCvn18', tags), { message: 'tag 9F37 missing' });
  tags.set('9F37', hex('52BF45'));
  t.throws(() => arqcData('visaCvn18', tags), { message: 'tag 9F37: length 3, not 4' });
  const noIad = transaction('00');
  noIad.delete('9F10');
  t.throws(() => arqcData('visaCvn10', noIad), { message: 'tag 9F10 missing' });
});

t.test('ARPC inputs of the wrong size', async (t) => {
  const key = IMK;
  const bad = (f: () => unknown, message: RegExp) => t.throws(f, EmvCryptoError) && t.throws(f, { message });
  bad(() => arpcMethod1(key, hex('0102'), hex('3030')), /ARQC must be 8 bytes/);
  bad(() => arpcMethod1(key, Buffer.alloc(8), hex('30')), /ARC must be 2 bytes/);
  bad(() => arpcMethod1(Buffer.alloc(8), Buffer.alloc(8), hex('3030')), /ARPC key must be/);
  bad(() => arpcMethod2(key, hex('0102'), Buffer.alloc(4)), /ARQC must be 8 bytes/);
  bad(() => arpcMethod2(key, Buffer.alloc(8), Buffer.alloc(3)), /CSU must be 4 bytes/);
  bad(() => arpcMethod2(key, Buffer.alloc(8), Buffer.alloc(4), Buffer.alloc(9)), /over 8 bytes/);
  bad(() => cryptogramKey('visaCvn10', Buffer.alloc(8), ATC), /card master key must be/);
  const version: CryptogramVersion = 'visaCvn10';
  t.same(checkIssuerAuthentication(version, key, Buffer.alloc(8), Buffer.alloc(9)), { valid: false, approved: false });
});
