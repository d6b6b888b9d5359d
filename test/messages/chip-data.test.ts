/**
 * The chip's offline results kept with a transaction, and the holder's verification read from
 * the CVM results. The byte layouts are those cited in src/messages/chip-data.ts: TVR 5 bytes
 * (EMV 4.4 Book 3 Annex C5), CVM results 3 bytes (Annex A1, 9F34; codes Annex C3 Table 39), the
 * IAD in Visa's format (VIS 1.5: length 06, DKI, CVN, CVR of 4 bytes with its length byte 03) and
 * in the Common Core Definitions' (Book 3 Annex C7: length 0F, CCI A5, DKI, CVR of 5 bytes).
 */
import t from 'tap';
import { NO_CHIP_FACTS, chipFactsOf, cvrOf, verificationOfCvm } from '../../src/messages/chip-data.js';
import { IccDataError, iccDataOf } from '../../src/messages/icc-data.js';
import { encodeTlv } from '../../src/codec/tlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('TVR, CVM results and CVR from field 55', async (t) => {
  const field55 = encodeTlv([
    { tag: '95', value: hex('8000048000') },
    { tag: '9F34', value: hex('420302') },
    // Visa format: 06 | DKI 01 | CVN 0A | CVR 03 A0 A0 00
    { tag: '9F10', value: hex('06 01 0A 03A0A000') },
  ]);
  t.same(chipFactsOf(iccDataOf({ 0: '1100', 55: field55 })), {
    tvr: '8000048000',
    cvmResults: '420302',
    cvr: '03A0A000',
  });
  t.same(chipFactsOf(undefined), NO_CHIP_FACTS, 'no field 55');
  const wrong = encodeTlv([
    { tag: '95', value: hex('80') },
    { tag: '9F34', value: hex('4203') },
  ]);
  t.same(chipFactsOf(iccDataOf({ 0: '1100', 55: wrong })), NO_CHIP_FACTS, 'wrong lengths are not kept');
});

t.test('the CVR in the two IAD formats read, none in any other', async (t) => {
  t.equal(cvrOf(hex('06 01 0A 03A0A000')), '03A0A000', 'Visa: bytes 4-7');
  t.equal(cvrOf(hex('06 01 0A 03A0A000 0F0000')), '03A0A000', 'Visa with more bytes after');
  // CCD: 0F | CCI A5 | DKI 01 | CVR A0 30 F8 00 00 | counters (8 bytes)
  t.equal(cvrOf(hex('0F A5 01 A030F80000 0000000000000000')), 'A030F80000', 'CCD: bytes 4-8');
  t.equal(cvrOf(hex('0F 15 01 A030F80000 0000000000000000')), '', 'a CCI not of format A');
  t.equal(cvrOf(hex('0F A5 01 A030')), '', 'CCD too short');
  t.equal(cvrOf(hex('06 01 0A 03')), '', 'Visa too short');
  t.equal(cvrOf(hex('1F 01 02')), '', 'another format');
});

t.test('verification from the CVM results (Book 3 Annex C3 Table 39)', async (t) => {
  t.equal(verificationOfCvm('010002'), 'pinOffline', '01 plaintext PIN by ICC');
  t.equal(verificationOfCvm('410302'), 'pinOffline', '41: 01 with "apply succeeding"');
  t.equal(verificationOfCvm('440302'), 'pinOffline', '44: 04 enciphered PIN by ICC');
  t.equal(verificationOfCvm('030000'), 'pinOffline', '03 plaintext PIN by ICC and signature');
  t.equal(verificationOfCvm('050000'), 'pinOffline', '05 enciphered PIN by ICC and signature');
  t.equal(verificationOfCvm('420302'), 'pinOnline', '42: 02 enciphered PIN online');
  t.equal(verificationOfCvm('1E0300'), 'signature', '1E signature');
  t.equal(verificationOfCvm('1F0302'), 'none', '1F no CVM required');
  t.equal(verificationOfCvm('3F0000'), 'none', '3F no CVM performed');
  t.equal(verificationOfCvm('410301'), undefined, 'a failed CVM says nothing of how the holder was verified');
  t.equal(verificationOfCvm('000000'), undefined, '00 fail CVM processing');
  t.equal(verificationOfCvm('2A0000'), undefined, 'an unknown code');
  t.equal(verificationOfCvm(''), undefined, 'none reported');
});

t.test('field 55 is read once per request; unreadable data names field 55 and the tag', async (t) => {
  const request = { 0: '1100', 55: encodeTlv([{ tag: '95', value: hex('0000000000') }]) };
  t.equal(iccDataOf(request), iccDataOf(request), 'the same object the second time');
  t.throws(
    () => iccDataOf({ 0: '1100', 55: hex('9F3403AA') }),
    new IccDataError('field 55: tag 9F34: length 3 runs past the end of the data at offset 0'),
  );
});
