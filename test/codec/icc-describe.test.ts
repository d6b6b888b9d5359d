/**
 * The EMV dictionary and field 55 in words. Each expectation is read off the table cited beside
 * it (EMV 4.4 Book 3 Annex C5 "Terminal Verification Results", Annex C3 "CVM codes" and "CVM
 * condition codes", Annex A1 tag 9F34; Book 4 Annex A5 "Issuer Script Results"), bit by bit.
 */
import t from 'tap';
import { decodeCvmResults, decodeScriptResults, decodeTvr, describeIcc } from '../../src/codec/icc-describe.js';
import { CVM_CODES, EMV_TAGS, TVR_BITS } from '../../src/codec/emv-dictionary.js';
import { describeMessage } from '../../src/codec/describe.js';
import { dialect } from '../../src/codec/index.js';
import { encodeTlv } from '../../src/codec/tlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('TVR bits, Book 3 Annex C5', async (t) => {
  // Byte 1 bit 8: "Offline data authentication was not performed".
  t.same(decodeTvr(hex('8000000000')), ['offline data authentication was not performed']);
  // Byte 3 bit 3: "Online PIN entered"; byte 4 bit 8: "Transaction exceeds floor limit".
  t.same(decodeTvr(hex('0000048000')), ['online PIN entered', 'transaction exceeds floor limit']);
  // Byte 2 bit 7 "Expired application"; byte 5 bit 5 "Script processing failed after final GENERATE AC".
  t.same(decodeTvr(hex('0040000010')), ['expired application', 'script processing failed after final GENERATE AC']);
  // Byte 3 bit 6 "PIN Try Limit exceeded"; byte 5 bit 7 "Issuer authentication failed".
  t.same(decodeTvr(hex('0000200040')), ['PIN try limit exceeded', 'issuer authentication failed']);
  t.same(decodeTvr(hex('0000000000')), [], 'no bit set');
  // Byte 1 bit 1 is RFU in Annex C5.
  t.same(decodeTvr(hex('0100000000')), ['RFU byte 1 bit 1']);
  t.equal(new Set(TVR_BITS.map(([b, i]) => `${b}.${i}`)).size, TVR_BITS.length, 'each bit named once');
});

t.test('CVM results (9F34): method (Annex C3), condition (Annex C3), result (Annex A1)', async (t) => {
  // 42 = 0x40 (apply succeeding CVM) | 02 "Enciphered PIN verified online"; 03 "If terminal supports the CVM"; 02 "successful".
  t.same(decodeCvmResults(hex('420302')), {
    code: 0x02,
    method: 'enciphered PIN verified online',
    condition: 'if terminal supports the CVM',
    result: 'successful',
    applySucceeding: true,
  });
  // 1E "Signature (paper)"; 00 "Always"; 00 "unknown" (a signature is checked after the transaction).
  t.match(decodeCvmResults(hex('1E0000')), {
    code: 0x1e,
    method: 'signature (paper)',
    condition: 'always',
    result: 'unknown',
  });
  // 3F: "no CVM performed" (Annex A1, 9F34); 01 "failed".
  t.match(decodeCvmResults(hex('3F0001')), { method: 'no CVM performed', result: 'failed' });
  // 44 = 0x40 | 04 "Enciphered PIN verification performed by ICC".
  t.match(decodeCvmResults(hex('440302')), { code: 0x04, method: 'enciphered PIN verified by ICC' });
  t.match(decodeCvmResults(hex('2A0C07')), {
    method: 'unknown CVM 2A',
    condition: 'condition 0C',
    result: 'result 07',
  });
  t.equal(decodeCvmResults(hex('0102')), undefined, 'not 3 bytes');
  t.equal(CVM_CODES[0x1f], 'no CVM required', '1F, Annex C3');
});

t.test('issuer script results (9F5B), Book 4 Annex A5: 5 bytes per script', async (t) => {
  // 20: "Script processing successful", no sequence; 12: "Script processing failed" at the 2nd command.
  t.same(decodeScriptResults(hex('20 00000001 12 0000000A')), [
    { status: 2, sequence: 0, scriptId: '00000001', text: 'script processing successful' },
    { status: 1, sequence: 2, scriptId: '0000000A', text: 'script processing failed' },
  ]);
  t.match(decodeScriptResults(hex('00 11223344')), [{ text: 'script not performed' }]);
  t.match(decodeScriptResults(hex('30 11223344')), [{ text: 'status 3' }]);
  t.equal(decodeScriptResults(hex('2000')), undefined, 'not a multiple of 5');
  t.equal(decodeScriptResults(hex('')), undefined, 'empty');
});

t.test('describeIcc names the tags, decodes TVR / CVM / script results, hides card data', async (t) => {
  const data = encodeTlv([
    { tag: '5A', value: hex('5019123456789012') },
    { tag: '57', value: hex('5019123456789012D2812201') },
    { tag: '5F20', value: Buffer.from('HOLDER/A') },
    { tag: '9F1F', value: Buffer.from('123456') },
    { tag: '95', value: hex('8000048000') },
    { tag: '9F34', value: hex('420302') },
    { tag: '9F26', value: hex('1122334455667788') },
    { tag: '9F5B', value: hex('2000000001') },
    { tag: '9F34', value: hex('42') },
    { tag: '9F5B', value: hex('20') },
    { tag: 'DF01', value: hex('01') },
    {
      tag: '72',
      value: [
        { tag: '9F18', value: hex('00000001') },
        { tag: '86', value: hex('8424000008') },
      ],
    },
  ]);
  const text = describeIcc(data);
  t.match(text, '5A Application PAN: [hidden, 8 bytes]');
  t.match(text, '57 Track 2 Equivalent Data: [hidden, 12 bytes]');
  t.match(text, '5F20 Cardholder Name: [hidden, 8 bytes]');
  t.match(text, '9F1F Track 1 Discretionary Data: [hidden, 6 bytes]');
  t.match(
    text,
    '95 Terminal Verification Results: 8000048000 (offline data authentication was not performed, online PIN entered, transaction exceeds floor limit)',
  );
  t.match(
    text,
    '9F34 Cardholder Verification Method (CVM) Results: 420302 (enciphered PIN verified online, else the next CVM; if terminal supports the CVM; successful)',
  );
  t.match(text, '9F26 Application Cryptogram: 1122334455667788');
  t.match(text, '9F5B Issuer Script Results: 2000000001 (script 00000001: script processing successful)');
  t.match(text, 'DF01 proprietary or unknown: 01');
  t.match(
    text,
    '72 Issuer Script Template 2: {9F18 Issuer Script Identifier: 00000001; 86 Issuer Script Command: 8424000008}',
  );
  t.match(text, '9F34 Cardholder Verification Method (CVM) Results: 42;', 'a 9F34 of the wrong length shown as hex');
  t.match(text, '9F5B Issuer Script Results: 20;');
  t.notMatch(text, /5019123456789012|HOLDER|313233/, 'no card data');
  t.equal(describeIcc(data.toString('hex')), text, 'the same from hex digits (iso87ascii)');
  t.match(
    describeIcc(hex('9F2608AABB')),
    /^\[unreadable ICC data \(tag 9F26: length 8 runs past.*\), 5 bytes hidden\]$/,
  );
  t.equal(describeIcc('5A0Z'), '[unreadable ICC data (not hex digits), 4 characters hidden]');
  t.match(decodeTvr(hex('95')), [
    'offline data authentication was not performed',
    'card appears on terminal exception file',
    'CDA failed',
    'RFU byte 1 bit 1',
  ]);
  t.ok(
    Object.keys(EMV_TAGS).every((k) => /^([0-9A-F]{2})+$/.test(k)),
    'tags in uppercase hex',
  );
});

t.test("a message's field 55 in describe(): every dialect", async (t) => {
  const icc = encodeTlv([
    { tag: '57', value: hex('5019123456789012D2812201') },
    { tag: '95', value: hex('8000000000') },
  ]);
  for (const name of ['iso93ascii', 'iso93binary', 'iso87ascii']) {
    const d = dialect(name);
    const value = d.field(55)!.encoding === 'ascii' ? icc.toString('hex').toUpperCase() : icc;
    const text = describeMessage(d, { 0: '1100', 55: value });
    t.match(text, '95 Terminal Verification Results: 8000000000 (offline data authentication was not performed)', name);
    t.match(text, '57 Track 2 Equivalent Data: [hidden, 12 bytes]', name);
    t.notMatch(text, /5019123456789012/i, name);
    t.match(
      describeMessage(d, { 0: '1100', 55: value }, { clear: true }),
      /5019123456789012/i,
      `${name}: clear shows all`,
    );
  }
});
