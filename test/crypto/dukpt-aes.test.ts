/**
 * AES DUKPT (AES-128 keys) against ANSI X9.24-3:2017's published test vectors (Supplement, AES-128
 * BDK), as transcribed in openemv/dukpt's test/dukpt_aes128_test.c (Leon Lynch): the initial
 * key, the derivation keys and PIN encryption keys of the first KSNs, the encrypted ISO 9564
 * format 4 PIN blocks (PIN 1234, PAN 4111111111111111, "Calculation of AES PIN Block Format 4",
 * page 31), and derivation keys of later counters.
 */
import t from 'tap';
import {
  DukptError,
  aesDerivationKey,
  aesInitialKey,
  aesKsnCounter,
  aesKsnDevice,
  aesPinKey,
} from '../../src/crypto/dukpt-aes.js';
import { decryptPinBlockFormat4, encryptPinBlockFormat4 } from '../../src/crypto/pin-block.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const up = (b: Buffer) => b.toString('hex').toUpperCase();

// X9.24-3:2017 B.1 / Supplement: BDK, initial key id, initial key.
const BDK = hex('FEDCBA9876543210F1F1F1F1F1F1F1F1');
const IKID = '1234567890123456';
const IK = '1273671EA26AC29AFA4D1084127652A1';
// Supplement, format 4: the PIN field's random fill and the PAN.
const RANDOM = hex('2F69ADDE2E9E7ACE');
const PAN = '4111111111111111';

// Supplement (AES-128 BDK, pages 2 and 31): counter, derivation key, PIN key, encrypted PIN block.
const FIRST = [
  [1, '4F21B565BAD9835E112B6465635EAE44', 'AF8CB133A78F8DC2D1359F18527593FB', 'A912150391AB65A67E52883D81CE2D15'],
  [2, '2F34D68DE10F68D38091A73B9E7C437C', 'D30BDC73EC9714B000BEC66BDB7B6D09', '52A00503BD34BA1383F6A7EE9FE2547F'],
  [3, '031504E530365CF81264238540518318', '7D69F01F3B45449F62C7816ECE723268', 'A5A27E82B43A9A866A93D7ABE89CEF93'],
  [4, '0EEFC7ADA628BA68878DA9165A8A1887', '91A0588318EC2673214271F70137896E', '71B3D0528669498777555A8BE6698E44'],
  [8, '718EE6CF0B27E53D5F7AF99C4D8146A2', '4D9DF3FBEE3448FC3E676D04320A90F5', '8308BB857C17F390369F761F8EB358FA'],
] as const;

// Supplement (AES-128 BDK, pages 5 and 6): derivation keys of later counters.
const LATER = [
  [0x0001fffe, 'E21E8C8D347F8561A2BE752DAA85A111'],
  [0x00020000, 'F7AE9025468A25D37B7249CFFED224C8'],
  [0x00020001, '692C8EA4013645135B36497131DF9D2C'],
  [0xfffe2000, '48E585B694EB0B18D5C35443E163C0BA'],
  [0xffff0000, 'F6BA59389BD14A9855BE9727E7C52E3C'],
] as const;

const ksn = (counter: number) => hex(IKID + counter.toString(16).padStart(8, '0'));

t.test('the initial key of X9.24-3 B.1', async (t) => {
  t.equal(up(aesInitialKey(BDK, ksn(0))), IK);
  t.equal(up(aesInitialKey(BDK, ksn(77))), IK, 'the counter does not enter the initial key');
});

t.test('derivation keys, PIN keys and format 4 PIN blocks of the first counters', async (t) => {
  for (const [counter, derivation, pinKey, block] of FIRST) {
    t.equal(up(aesDerivationKey(hex(IK), ksn(counter))), derivation, `derivation key of counter ${counter}`);
    const key = aesPinKey(BDK, ksn(counter));
    t.equal(up(key), pinKey, `PIN key of counter ${counter}`);
    t.equal(up(encryptPinBlockFormat4('1234', PAN, key, RANDOM)), block, `format 4 block of counter ${counter}`);
    t.equal(decryptPinBlockFormat4(hex(block), PAN, key), '1234');
  }
});

t.test('derivation keys of later counters', async (t) => {
  for (const [counter, derivation] of LATER)
    t.equal(up(aesDerivationKey(hex(IK), ksn(counter))), derivation, `counter ${counter.toString(16)}`);
});

t.test('KSN parts and bad input', async (t) => {
  t.equal(aesKsnCounter(ksn(0x20001)), 0x20001);
  t.equal(aesKsnDevice(ksn(0x20001)), IKID);
  t.throws(() => aesKsnCounter(hex('1234567890123456000001')), DukptError, 'an 11-byte KSN');
  t.throws(() => aesInitialKey(hex('FEDCBA9876543210'), ksn(1)), DukptError, 'an 8-byte BDK');
  t.throws(() => aesPinKey(BDK, ksn(0)), DukptError, 'counter 0');
  t.throws(() => aesDerivationKey(hex(IK), ksn(0x1ffff)), DukptError, 'more than 16 bits set');
});
