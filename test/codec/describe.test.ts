import t from 'tap';
import { describe, dialect, maskPan, maskTrack } from '../../src/codec/index.js';

const PAN = '5019123456789012';
const message = {
  0: '1200',
  2: PAN,
  4: '000000012500',
  35: `${PAN}=28121015432112345678`,
  45: `B${PAN}^HANSEN/JENS^2812101000000`,
  52: Buffer.from('0123456789abcdef', 'hex'),
  55: Buffer.from(`5a08${PAN}`, 'hex'),
  64: Buffer.from('1122334455667788', 'hex'),
  53: Buffer.from('0102', 'hex'),
};

t.test('describe masks card data by default', async (t) => {
  const text = describe(message);
  t.match(text, /^iso93ascii MTI 1200$/m);
  t.match(text, /^ {2}2 Primary Account number +501912\*{6}9012$/m);
  t.match(text, /^ {2}4 Amount, Transaction +"000000012500"$/m);
  t.match(text, /^ 35 Track 2 data +501912\*{6}9012=\*{20}$/m);
  t.match(text, /^ 45 Track 1 data +B501912\*{6}9012\^\*{11}\^\*{13}$/m);
  t.match(text, /^ 52 .+ \[hidden, 8 bytes\]$/m);
  t.match(text, /^ 55 .+ 5A Application PAN: \[hidden, 8 bytes\]$/m, 'field 55 by tag, its PAN hidden');
  t.match(text, /^ 64 .+ \[hidden, 8 bytes\]$/m);
  t.match(text, /^ 53 .+ 0102 \(2 bytes\)$/m, 'binary fields that are not secret show as hex');
  t.notMatch(text, PAN, 'no whole PAN anywhere');
  t.notMatch(text, '0123456789ABCDEF', 'no PIN block');
  t.notMatch(text, 'HANSEN', 'no cardholder name from track 1');
});

t.test('clear output shows everything, on request only', async (t) => {
  const text = describe(message, { clear: true });
  t.match(text, PAN);
  t.match(text, /^ 52 .+ 0123456789ABCDEF \(8 bytes\)$/m);
  t.match(text, 'HANSEN');
});

t.test('other dialects describe with their own names; fields not in the dialect are hidden', async (t) => {
  const d = dialect('iso87ascii');
  t.match(d.describe({ 0: '0800', 70: '301' }), /^ 70 Network management information code +"301"$/m);
  const narrow = dialect('iso93ascii');
  t.match(narrow.describe({ 0: '1200', 200: 'secret' }), /^200 not in dialect +\[hidden, 6 characters\]$/m);
  t.match(narrow.describe({ 2: PAN }), /MTI \(none\)/);
});

t.test('PAN and track masking', async (t) => {
  t.equal(maskPan('5019123456789012'), '501912******9012');
  t.equal(maskPan('5019123456789012345'), '501912*********2345');
  t.equal(maskPan('123456789012'), '********9012', 'short numbers keep only the last 4');
  t.equal(maskPan('1234'), '****');
  t.equal(maskTrack(';5019123456789012=2812101?'), ';501912******9012=********');
  t.equal(maskTrack('NO DIGITS HERE'), '** ****** ****');
  t.equal(maskTrack('12=34'), '**=**');
});
