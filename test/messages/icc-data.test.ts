/** Field 55 read as BER-TLV, from the bytes of a 1993 dialect or the hex digits of iso87ascii's. */
import t from 'tap';
import { IccDataError, iccDataOf, iccField } from '../../src/messages/icc-data.js';

const F55 = Buffer.from('9F2608112233445566778895050000000000' + '9F360200219F0306000000000000', 'hex');

t.test('bytes and hex digits read alike', async (t) => {
  for (const v of [F55, iccField(F55, true)]) {
    const icc = iccDataOf({ 0: '1200', 55: v })!;
    t.equal(icc.byTag.get('9F26')?.toString('hex'), '1122334455667788');
    t.equal(icc.byTag.get('9F36')?.toString('hex'), '0021');
    t.equal(icc.objects.length, 4);
  }
  t.equal(iccField(F55, false), F55, 'a binary field carries the bytes themselves');
  t.equal(iccDataOf({ 0: '1200' }), undefined, 'no field 55');
});

t.test('unreadable field 55: an error naming the field, the tag and the offset', async (t) => {
  t.throws(
    () => iccDataOf({ 0: '0200', 55: '9F2608ABC' }),
    new IccDataError('field 55: not an even number of hex digits'),
  );
  t.throws(() => iccDataOf({ 0: '0200', 55: 'zz' }), IccDataError);
  t.throws(
    () => iccDataOf({ 0: '1200', 55: Buffer.from('9F260811', 'hex') }),
    new IccDataError('field 55: tag 9F26: length 8 runs past the end of the data at offset 0'),
  );
});
