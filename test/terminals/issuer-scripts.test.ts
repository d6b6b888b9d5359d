/**
 * The emulated card's issuer scripts (terminals/issuer-scripts.ts) on their own: what the card
 * does with each command, malformed commands and MACs it refuses, field 55 it cannot read, the
 * results reported once and in the dialect's form. The MAC of the check is pyemv's published
 * example of a MACed PIN unblock (tests/test_cvn.py, test_mastercard_cvn20: IMK-SMI
 * FEDCBA98765432100123456789ABCDEF, PAN 1234567890123456, PSN 00, ATC 001C, ARQC
 * CD29615D6452E70E; template 72169F180400000000860D842400000801C0F0DFBF6AA230).
 */
import t from 'tap';
import { CardScripts, testScriptKeyOf } from '../../terminals/issuer-scripts.js';
import { TEST_CARDS } from '../../src/seed/catalogue.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { decodeTlv, encodeTlv } from '../../src/codec/tlv.js';
import { cardMacMasterKey } from '../../src/crypto/emv/script-mac.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const PAN = '1234567890123456';
const MK = cardMacMasterKey(hex('FEDCBA98765432100123456789ABCDEF'), PAN, '00');
const REQUEST = {
  0: '1100',
  2: PAN,
  55: encodeTlv([
    { tag: '9F26', value: hex('CD29615D6452E70E') },
    { tag: '9F36', value: hex('001C') },
  ]),
};
const answerWith = (...templates: string[]) => ({ 0: '1110', 39: '000', 55: hex(templates.join('')) });

t.test("pyemv's MACed PIN unblock: the card checks the MAC and unblocks its PIN", async (t) => {
  const card = new CardScripts((pan) => (pan === PAN ? MK : undefined));
  card.card(PAN).pinTriesLeft = 0;
  const runs = card.absorb(REQUEST, answerWith('72169F180400000000860D842400000801C0F0DFBF6AA230'));
  t.same(runs, [
    {
      pan: PAN,
      scriptId: '00000000',
      template: '72',
      commands: ['842400000801C0F0DFBF6AA230'],
      status: 2,
      sequence: 0,
    },
  ]);
  t.equal(card.card(PAN).pinTriesLeft, 3);
  t.same(card.performed, runs, 'recorded');
  const reported = card.report({ 0: '1220', 2: PAN }, true);
  t.equal(reported[55], '9F5B052000000000', 'iso87ascii: hex digits');
  // One changed MAC byte: the card refuses the command, the script fails at command 1.
  const failing = card.absorb(REQUEST, answerWith('72169F180400000000860D842400000801C0F0DFBF6AA231'));
  t.match(failing, [{ status: 1, sequence: 1 }]);
  // Without the request's ARQC and ATC a card with a key cannot check: it refuses.
  t.match(card.absorb({ 0: '1100', 2: PAN }, answerWith('72169F180400000000860D842400000801C0F0DFBF6AA230')), [
    { status: 1, sequence: 1 },
  ]);
});

t.test('commands without MAC check: block, unblock, others; malformed ones; several scripts', async (t) => {
  const card = new CardScripts();
  const template = (tag: string, id: string, ...commands: string[]) =>
    encodeTlv([
      { tag, value: [{ tag: '9F18', value: hex(id) }, ...commands.map((c) => ({ tag: '86', value: hex(c) }))] },
    ]).toString('hex');
  const runs = card.absorb(
    REQUEST,
    answerWith(
      template('71', '00000007', '841E000008' + '00'.repeat(8)),
      template('72', '00000008', '04DA9F4F0901' + '00'.repeat(8), '841800000' + '8' + '00'.repeat(8)),
      template('72', '00000009', '8424000009' + '00'.repeat(8)),
      template('72', '0000000A', '8424'),
    ),
  );
  t.match(runs, [
    { scriptId: '00000007', template: '71', status: 2 },
    { scriptId: '00000008', status: 2 },
    { scriptId: '00000009', status: 1, sequence: 1 },
    { scriptId: '0000000A', status: 1, sequence: 1 },
  ]);
  t.equal(card.card(PAN).applicationBlocked, false, 'blocked by the first, unblocked by the second');
  const reported = card.report({ 0: '1200', 2: PAN, 55: hex('9F3602001D') }, false);
  t.same(
    decodeTlv(reported[55] as Buffer).map((o) => [o.tag, o.value.toString('hex').toUpperCase()]),
    [
      ['9F36', '001D'],
      ['9F5B', '2000000007' + '2000000008' + '1100000009' + '110000000A'],
    ],
    "the request's own objects kept, the results after them",
  );
  t.same(card.report({ 0: '1200', 2: PAN }, false), { 0: '1200', 2: PAN }, 'reported once');
});

t.test('nothing to run: no answer, no field 55, unreadable field 55, no PAN, other objects', async (t) => {
  const card = new CardScripts();
  t.same(card.absorb(REQUEST, undefined), []);
  t.same(card.absorb(REQUEST, { 0: '1110' }), []);
  t.same(card.absorb(REQUEST, answerWith('9F2608AA')), [], 'unreadable');
  t.same(card.absorb(REQUEST, { 0: '1110', 55: 'zz' }), [], 'not hex');
  t.same(
    card.absorb({ 0: '1100', 35: `${PAN}=3012` }, answerWith('72169F180400000000860D842400000801C0F0DFBF6AA230')),
    [],
  );
  t.same(card.absorb(REQUEST, answerWith('910A0102030405060708090A')), [], 'tag 91 only');
  t.match(card.absorb(REQUEST, answerWith('7200')), [{ commands: [], status: 2 }], 'an empty 72: nothing to fail');
  t.same(card.report({ 0: '1200', 35: `${PAN}=3012` }, false), { 0: '1200', 35: `${PAN}=3012` });
  // A template without 9F18: script id 00000000.
  t.match(card.absorb(REQUEST, answerWith('7207860584240000' + '00')), [{ scriptId: '00000000', status: 2 }]);
});

t.test("the test cards' MAC keys: from their product's shipped IMK-SMI and their PAN sequence number", async (t) => {
  const card = TEST_CARDS.find((c) => c.product === 'dankort')!;
  const imk = DEFAULT_CONFIG.register.issuerMasterKeys!.dankort!.smi!;
  t.same(testScriptKeyOf(card.pan), cardMacMasterKey(hex(imk), card.pan, card.icc.panSequence));
  t.equal(testScriptKeyOf('5019000000000024'), undefined, 'a card the catalogue does not have');
});
