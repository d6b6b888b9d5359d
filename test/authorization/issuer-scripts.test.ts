/**
 * Issuer scripts end to end over TCP, a real switch, Redis and HTTP: an issuer lifts a PIN block;
 * the card's next chip purchase (field 55 with ARQC and ATC) is answered with the PIN unblock
 * script (72: 9F18, 86 84 24 00 00 08 + MAC); the emulated card (terminals/issuer-scripts.ts)
 * checks each command's MAC as a card would, under its own copy of the card's key, unblocks its
 * PIN, and the terminal reports 9F5B in the completion advice; the card then shows the script
 * succeeded. Also: the chip data kept in the posting (TVR, CVM results, CVR; the verification from
 * 9F34), the trace describing field 55 with the card data hidden, and the refusals.
 *
 * The card keys: MK-SMI by option A from pyemv's published test IMK-SMI
 * (FEDCBA98765432100123456789ABCDEF, tests/test_cvn.py), the switch's key lookup given it here.
 */
import t, { type Test } from 'tap';
import { type TestSwitch, startSwitch } from '../support/switch.js';
import { TestTerminal } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import { A, B, TOKENS, call } from '../admin/fixtures/client.js';
import { sendIssuerScripts } from '../../src/authorization/steps/issuer-scripts.js';
import { scriptMacKeys } from '../../src/authorization/script-keys.js';
import { type TlvInput, decodeTlv, encodeTlv } from '../../src/codec/tlv.js';
import { CardScripts } from '../../terminals/issuer-scripts.js';
import { cardMacMasterKey } from '../../src/crypto/emv/script-mac.js';
import { originalData, posData } from '../../terminals/fields.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { Terminal } from '../../terminals/terminal.js';

/** A 1200 purchase with a PIN, not read from the chip (no field 55): it counts PIN tries. */
const purchaseWithPin = (pan: string, pin: string): IsoMessage => ({
  0: '1200',
  2: pan,
  3: '000000',
  4: '000000010000',
  12: '261121101530',
  41: 'TERMPINS',
  49: '208',
  52: pinBlock(pin, pan),
});

const IMK_SMI = 'FEDCBA98765432100123456789ABCDEF';
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** A switch whose cards of product dankort have the test IMK-SMI (PAN sequence number 00). */
async function start(t: Test): Promise<TestSwitch> {
  // The step's lookups run per request, after startSwitch has given s.
  const s: TestSwitch = await startSwitch(
    t,
    { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS } },
    {
      steps: [
        sendIssuerScripts({
          scripts: {
            take: (card, txn) => s.sw.modules.card.scripts.take(card, txn),
            record: (card, txn, r) => s.sw.modules.card.scripts.record(card, txn, r),
          },
          idOf: (pan) => s.sw.register.idOf(pan),
          macKeyOf: scriptMacKeys({ dankort: { smi: IMK_SMI } }, async (pan) => {
            const state = await s.sw.register.state(s.sw.register.idOf(pan));
            return state === undefined ? undefined : { product: state.product, panSequence: '00' };
          }),
          timeoutMs: 1000,
        }),
      ],
    },
  );
  return s;
}

/** Field 55 of a chip read: ARQC, ATC, TVR, CVM results, IAD (Visa format, CVR 03A0A000), a track 2 equivalent. */
function icc(pan: string, atc: number, extra: TlvInput[] = [], cvm = '420302'): Buffer {
  const counter = Buffer.alloc(2);
  counter.writeUInt16BE(atc);
  return encodeTlv([
    { tag: '9F26', value: hex('CD29615D6452E70E') },
    { tag: '9F36', value: counter },
    { tag: '95', value: hex('8000048000') },
    { tag: '9F34', value: hex(cvm) },
    { tag: '9F10', value: hex('06010A03A0A000') },
    { tag: '57', value: hex(`${pan}D30121010000`) },
    ...extra,
  ]);
}

const chipPurchase = (pan: string, fields: IsoMessage): IsoMessage => ({
  0: '1100',
  2: pan,
  3: '000000',
  4: '000000010000',
  12: '261121101530',
  22: posData({ entry: 'chip', pin: true, unattended: false, capability: 'chip' }, false),
  41: 'TERMCHIP',
  42: 'MERCHANT0001',
  49: '208',
  ...fields,
});

t.test('lift a PIN block -> the next chip purchase carries the unblock -> the card reports 9F5B', async (t) => {
  const s = await start(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  for (let i = 0; i < 3; i++) await term.send(chipPurchase(card.pan, { 52: pinBlock('9999', card.pan) }));
  t.match(await s.sw.register.state(card.id), { pinBlocked: true });
  t.equal((await call(s, 'DELETE', `/cards/${card.id}/pin-block`, { token: A })).status, 200);
  t.match((await call(s, 'GET', `/cards/${card.id}`, { token: A })).body.scripts, [
    { id: '00000001', status: 'queued', by: 'pinBlockLifted', commands: [{ name: 'pinUnblock', header: '84240000' }] },
  ]);

  // The emulated card, knowing its own MK-SMI, checks the MAC of each command.
  const mk = cardMacMasterKey(hex(IMK_SMI), card.pan, '00');
  const emulated = new CardScripts((pan) => (pan === card.pan ? mk : undefined));
  emulated.card(card.pan).pinTriesLeft = 0;
  const stan = term.nextStan();
  const request = chipPurchase(card.pan, { 11: stan, 52: pinBlock('1234', card.pan), 55: icc(card.pan, 0x1c) });
  const answer = await term.send(request);
  t.equal(answer[39], '000', 'approved');
  const templates = decodeTlv(answer[55] as Buffer);
  t.equal(templates.length, 1);
  t.equal(templates[0]!.tag, '72', 'after the final GENERATE AC');
  t.same(
    templates[0]!.children!.map((c) => c.tag),
    ['9F18', '86'],
  );
  t.equal(templates[0]!.children![0]!.value.toString('hex'), '00000001');
  t.equal(
    templates[0]!.children![1]!.value.subarray(0, 5).toString('hex'),
    '8424000008',
    'CLA INS P1 P2, Lc 8 (the MAC)',
  );
  t.match((await call(s, 'GET', `/cards/${card.id}/scripts`, { token: A })).body.scripts, [
    { id: '00000001', status: 'sent', sends: 1, sentIn: `TERMCHIP-261121101530-${stan}` },
  ]);

  const runs = emulated.absorb(request, answer);
  t.match(runs, [{ scriptId: '00000001', template: '72', status: 2, sequence: 0 }], 'the card found the MAC right');
  t.equal(emulated.card(card.pan).pinTriesLeft, 3, "the card's PIN unblocked");

  // The completion advice carries 9F5B: 20 (successful) 00000001.
  const completion = emulated.report(
    {
      0: '1220',
      2: card.pan,
      3: '000000',
      4: '000000010000',
      12: '261121101531',
      41: 'TERMCHIP',
      49: '208',
      56: originalData('1100', stan, '261121101530'),
    },
    false,
  );
  t.same(
    decodeTlv(completion[55] as Buffer).map((o) => [o.tag, o.value.toString('hex')]),
    [['9F5B', '2000000001']],
  );
  t.same(emulated.report({ 0: '1220', 2: card.pan }, false), { 0: '1220', 2: card.pan }, 'reported once');
  t.equal((await term.send(completion))[39], '000');
  t.match((await call(s, 'GET', `/cards/${card.id}`, { token: A })).body.scripts, [
    { id: '00000001', status: 'succeeded', result: { status: 2, sequence: 0 } },
  ]);
  // Sent once: the next chip purchase carries none.
  const next = await term.send(chipPurchase(card.pan, { 52: pinBlock('1234', card.pan), 55: icc(card.pan, 0x1d) }));
  t.equal(next[55], undefined, 'no script twice');

  // The trace: field 55 by tag, TVR and CVM in words, the track 2 equivalent hidden.
  const trace = await call(s, 'GET', '/terminals/TERMCHIP/trace', {
    headers: { authorization: 'Bearer test-operator-token-0001' },
  });
  const described = trace.body.exchanges.map((x: { request: { described: string } }) => x.request.described).join('\n');
  t.match(
    described,
    '95 Terminal Verification Results: 8000048000 (offline data authentication was not performed, online PIN entered, transaction exceeds floor limit)',
  );
  t.match(described, '9F34 Cardholder Verification Method (CVM) Results: 420302 (enciphered PIN verified online');
  t.match(described, '57 Track 2 Equivalent Data: [hidden, 14 bytes]');
  t.match(described, '9F5B Issuer Script Results: 2000000001 (script 00000001: script processing successful)');
  t.notMatch(JSON.stringify(trace.body), card.pan, 'no PAN anywhere in the trace');
});

t.test('a wrong MAC fails the script at its command; the issuer resends it', async (t) => {
  const s = await start(t);
  const card = await addCard(s.sw);
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  t.equal(
    (
      await call(s, 'POST', `/cards/${card.id}/scripts`, {
        token: A,
        body: { commands: [{ command: 'putData', tag: '9F4F', value: '01' }, { command: 'applicationBlock' }] },
      })
    ).status,
    201,
  );
  // The card has another key than the switch's: each MAC is wrong to it.
  const emulated = new CardScripts(() => hex('0123456789ABCDEFFEDCBA9876543210'));
  const request = chipPurchase(card.pan, { 52: pinBlock('1234', card.pan), 55: icc(card.pan, 1) });
  const answer = await term.send(request);
  t.equal(decodeTlv(answer[55] as Buffer)[0]!.tag, '71', 'an application block goes in 71');
  t.match(emulated.absorb(request, answer), [{ status: 1, sequence: 1 }]);
  t.equal(emulated.card(card.pan).applicationBlocked, false, 'not performed');
  const advice = emulated.report(
    chipPurchase(card.pan, { 0: '1100', 52: pinBlock('1234', card.pan), 55: icc(card.pan, 2) }),
    false,
  );
  const second = await term.send(advice);
  t.equal(second[39], '000');
  t.equal(second[55], undefined, 'nothing queued');
  t.match((await call(s, 'GET', `/cards/${card.id}/scripts`, { token: A })).body.scripts, [
    { id: '00000001', status: 'failed', result: { status: 1, sequence: 1 } },
  ]);
  t.equal((await call(s, 'POST', `/cards/${card.id}/scripts/00000001/resend`, { token: B })).status, 403);
  t.equal((await call(s, 'POST', `/cards/${card.id}/scripts/00000001/resend`, { token: A })).status, 200);
  // With the right key (the switch's) the resent script succeeds and blocks the application.
  const right = new CardScripts(() => cardMacMasterKey(hex(IMK_SMI), card.pan, '00'));
  const third = chipPurchase(card.pan, { 52: pinBlock('1234', card.pan), 55: icc(card.pan, 3) });
  t.match(right.absorb(third, await term.send(third)), [{ scriptId: '00000001', status: 2 }]);
  t.equal(right.card(card.pan).applicationBlocked, true);
});

t.test('the chip data in the posting; verification from 9F34; refusals', async (t) => {
  const s = await start(t);
  const card = await addCard(s.sw);
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => t87.close());
  const sale87 = (field55: Buffer, stan: string): IsoMessage => ({
    0: '0200',
    2: card.pan,
    3: '000000',
    4: '000000010000',
    11: stan,
    12: '101530',
    13: '1121',
    22: '051',
    41: 'TERM0087',
    49: '208',
    55: field55.toString('hex').toUpperCase(),
  });
  const offline = await t87.send(sale87(icc(card.pan, 5, [], '440302'), t87.nextStan()));
  t.equal(offline[39], '00');
  const none = await t87.send(sale87(icc(card.pan, 6, [], '1F0302'), t87.nextStan()));
  t.equal(none[39], '00');
  await s.sw.postings.drain();
  const postings = (await s.sw.journal.range('0', '+'))
    .map((e) => e.posting as Posting)
    .filter((p) => p.card === card.id);
  t.match(postings, [
    { verification: 'pinOffline', tvr: '8000048000', cvmResults: '440302', cvr: '03A0A000', entryMode: 'chip' },
    { verification: 'none', cvmResults: '1F0302' },
  ]);

  const bad = await t87.send({ ...sale87(icc(card.pan, 7), t87.nextStan()), 55: '9F2608AA' });
  t.equal(bad[39], '30', 'unreadable field 55: format error');
  const badResults = await t87.send(sale87(icc(card.pan, 8, [{ tag: '9F5B', value: hex('200000') }]), t87.nextStan()));
  t.equal(badResults[39], '30', '9F5B not 5 bytes per script: format error');
  t.ok(
    s.logs.some((l) => /field 55: tag 9F5B: 3 bytes, not 5 per script/.test(String(l.reason ?? ''))),
    'the reason names the field and tag',
  );
});

t.test(
  'with the switch as shipped and the terminal emulator: lift -> unblock script -> 9F5B in the completion',
  async (t) => {
    // The shipped wiring (no step replaced): the product's IMK-SMI from the config, the card's PAN sequence number.
    const s = await startSwitch(t, { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS } });
    const imk = DEFAULT_CONFIG.register.issuerMasterKeys!.dankort!;
    const card = await addCard(s.sw, { product: 'dankort', panSequence: '03' });
    const raw = await TestTerminal.open(s.port('iso93'));
    t.teardown(() => raw.close());
    for (let i = 0; i < 3; i++) await raw.send({ ...purchaseWithPin(card.pan, '9999') });
    t.match(await s.sw.register.state(card.id), { pinBlocked: true });
    t.equal((await call(s, 'DELETE', `/cards/${card.id}/pin-block`, { token: A })).status, 200);

    const mk = cardMacMasterKey(hex(imk.smi!), card.pan, '03');
    const cards = new CardScripts((pan) => (pan === card.pan ? mk : undefined));
    cards.card(card.pan).pinTriesLeft = 0;
    const term = await Terminal.open({
      kind: 'chip',
      terminalId: 'TERMEMU1',
      port: s.port('iso93'),
      chip: (pan) =>
        pan === card.pan ? { issuerMasterKey: hex(imk.ac!), panSequence: '03', version: 'ccd5' } : undefined,
      scripts: cards,
    });
    t.teardown(() => term.close());
    const outcome = await term.purchase({ pan: card.pan, amount: 10_000, pin: '1234' });
    t.match(outcome, { approved: true });
    t.match(
      cards.performed,
      [{ pan: card.pan, scriptId: '00000001', template: '72', status: 2 }],
      'the card ran it, MAC right',
    );
    t.equal(cards.card(card.pan).pinTriesLeft, 3);
    const [auth, completion] = term.exchanges.slice(-2);
    t.equal(auth!.request[0], '1100');
    t.equal(auth!.arpc, 'valid', "the ARPC beside the script (emv's tag 91)");
    t.same(
      decodeTlv(auth!.response![55] as Buffer).map((o) => o.tag),
      ['91', '72'],
      'tag 91, then the script',
    );
    t.equal(completion!.request[0], '1220');
    t.match(
      decodeTlv(completion!.request[55] as Buffer)
        .find((o) => o.tag === '9F5B')
        ?.value.toString('hex'),
      '2000000001',
      'the completion reports it',
    );
    t.match((await call(s, 'GET', `/cards/${card.id}`, { token: A })).body.scripts, [
      { id: '00000001', status: 'succeeded', by: 'pinBlockLifted', result: { status: 2, sequence: 0 } },
    ]);
  },
);
