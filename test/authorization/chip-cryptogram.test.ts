/**
 * EMV chip purchases over real TCP against a real Redis, in both code sets: the ARQC of field 55
 * verified under the card's keys (docs/SECURITY.md §1), the ARPC answered in tag 91 (checked here
 * with the crypto functions and by the emulated card), a tampered ARQC refused with a notice, the
 * ATC moving forward only, malformed field 55 a format error naming the tag, and the badArpc fault.
 */
import t, { type Test } from 'tap';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { decodeTlv, tlvByTag } from '../../src/codec/tlv.js';
import { type CryptogramVersion, arpcMethod1, arpcMethod2, cryptogramKey } from '../../src/crypto/emv/cryptogram.js';
import { deriveCardMasterKey } from '../../src/crypto/emv/keys.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { Terminal } from '../../terminals/terminal.js';
import { type ChipProfile, arpcOf, chipField, chipRequest, testChipOf } from '../../terminals/chip.js';
import { spoilArpc } from '../../src/authorization/fault-answers.js';
import { dialect as dialectOf } from '../../src/codec/index.js';
import { posData } from '../../terminals/fields.js';
import { describeExchange } from '../../terminals/describe.js';
import { main } from '../../terminals/cli.js';

const KEYS = DEFAULT_CONFIG.register.issuerMasterKeys!;
const PRODUCT: Record<CryptogramVersion, string> = {
  ccd5: 'dankort',
  visaCvn18: 'visa-dankort',
  visaCvn10: 'visa-dankort',
};
const PSN = '03';

const CODE_SETS = [
  {
    listener: 'iso93',
    dialect: 'iso93ascii',
    header: 'binary2',
    approved: '000',
    failure: '184',
    format: '904',
    wrongPin: '117',
  },
  {
    listener: 'iso87',
    dialect: 'iso87ascii',
    header: 'ascii4',
    approved: '00',
    failure: '88',
    format: '30',
    wrongPin: '55',
  },
] as const;
type CodeSet = (typeof CODE_SETS)[number];

function profile(version: CryptogramVersion): ChipProfile {
  return { issuerMasterKey: Buffer.from(KEYS[PRODUCT[version]]!.ac!, 'hex'), panSequence: PSN, version };
}

/** A card with chip keys (a PAN sequence number) of the product making `version`. */
async function chipCard(s: TestSwitch, version: CryptogramVersion, withKeys = true) {
  return addCard(s.sw, { product: PRODUCT[version], ...(withKeys ? { panSequence: PSN } : {}) });
}

function bytesOf(field: unknown): Buffer {
  return typeof field === 'string' ? Buffer.from(field, 'hex') : (field as Buffer);
}

/** Tag 91 of an answer, or undefined. */
function tag91(answer: IsoMessage): Buffer | undefined {
  return answer[55] === undefined ? undefined : tlvByTag(decodeTlv(bytesOf(answer[55]))).get('91');
}

/** A chip purchase (1200 / 0200) with field 55 as the card makes it; `spoil` changes its objects. */
function chipPurchase(
  cs: CodeSet,
  term: TestTerminal,
  pan: string,
  version: CryptogramVersion,
  o: { atc?: number; pin?: string; spoil?: (objects: { tag: string; value: Buffer }[]) => void } = {},
) {
  const iso87 = cs.listener === 'iso87';
  const { objects, request } = chipRequest(
    profile(version),
    { pan, amount: 12_500, currency: '208', date: '261121', type: '00' },
    undefined,
    o.atc,
  );
  const list = objects as { tag: string; value: Buffer }[];
  o.spoil?.(list);
  const base = iso87 ? purchase87 : purchase93;
  const message = base({
    2: pan,
    22: posData({ entry: 'chip', pin: o.pin !== undefined, unattended: false, capability: 'chip' }, iso87),
    55: chipField(list, term.dialect.field(55)?.encoding === 'ascii'),
  });
  if (o.pin !== undefined) message[52] = pinBlock(o.pin, pan);
  return { message, request, atc: list.find((x) => x.tag === '9F36')!.value };
}

async function open(t: Test, s: TestSwitch, cs: CodeSet): Promise<TestTerminal> {
  const term = await TestTerminal.open(s.port(cs.listener), cs.dialect, cs.header);
  t.teardown(() => term.close());
  return term;
}

async function noticesOf(s: TestSwitch, card: string) {
  await s.sw.relay.flush(card as never);
  return s.sw.relay.notices('bank-a', { card, types: ['cryptogramFailure'] });
}

for (const cs of CODE_SETS) {
  t.test(
    `${cs.listener}: the emulated chip terminal's purchases are approved with an ARPC that verifies`,
    async (t) => {
      const s = await startSwitch(t);
      for (const version of ['ccd5', 'visaCvn18', 'visaCvn10'] as const) {
        const card = await chipCard(s, version);
        for (const kind of ['chip', 'contactless'] as const) {
          const term = await Terminal.open({
            kind,
            terminalId: 'TERM0001',
            port: s.port(cs.listener),
            dialect: cs.dialect,
            chip: (pan) => (pan === card.pan ? profile(version) : undefined),
          });
          t.teardown(() => term.close());
          const o = await term.purchase({ pan: card.pan, amount: 10_000, ...(kind === 'chip' ? { pin: '1234' } : {}) });
          t.equal(o.actionCode, cs.approved, `${version} ${kind}: approved`);
          const first = o.exchanges[0]!;
          t.ok(first.request[55], `${version} ${kind}: field 55 sent`);
          t.equal(first.arpc, 'valid', `${version} ${kind}: the card finds the ARPC the issuer's`);
          // The ARPC again, here, from the request's own objects and the published algorithms.
          const sent = tlvByTag(decodeTlv(bytesOf(first.request[55])));
          const mk = deriveCardMasterKey(profile(version).issuerMasterKey, card.pan, PSN);
          const key = cryptogramKey(version, mk, sent.get('9F36')!);
          const arqc = sent.get('9F26')!;
          const got = tag91(first.response!)!;
          if (version === 'visaCvn10')
            t.same(got, Buffer.concat([arpcMethod1(key, arqc, Buffer.from('00')), Buffer.from('00')]));
          else
            t.same(
              got,
              Buffer.concat([arpcMethod2(key, arqc, Buffer.from('00800000', 'hex')), Buffer.from('00800000', 'hex')]),
            );
        }
      }
    },
  );

  t.test(`${cs.listener}: a tampered ARQC is refused, no ARPC, and the issuer gets a notice`, async (t) => {
    const s = await startSwitch(t);
    const term = await open(t, s, cs);
    const card = await chipCard(s, 'ccd5');
    const { message } = chipPurchase(cs, term, card.pan, 'ccd5', {
      atc: 7,
      spoil: (objects) => {
        const arqc = objects.find((x) => x.tag === '9F26')!;
        arqc.value = Buffer.from(arqc.value);
        arqc.value[7]! ^= 0x01;
      },
    });
    const answer = await term.send(message);
    t.equal(answer[39], cs.failure, 'cryptogram failure');
    t.equal(answer[55], undefined, 'no ARPC for an ARQC that failed');
    const notices = await noticesOf(s, card.id);
    t.match(notices, [{ type: 'cryptogramFailure', reason: 'arqc', atc: 7, terminal: 'TERM0001' }]);
    // The failed cryptogram did not move the ATC: the genuine one with the same ATC passes.
    const genuine = chipPurchase(cs, term, card.pan, 'ccd5', { atc: 7 });
    t.equal((await term.send(genuine.message))[39], cs.approved, 'the same ATC, genuine: approved');
  });

  t.test(
    `${cs.listener}: a replayed ATC or one older than the window is refused; a verified one counts even when declined`,
    async (t) => {
      const s = await startSwitch(t);
      const term = await open(t, s, cs);
      const card = await chipCard(s, 'visaCvn18');
      t.equal((await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 20 }).message))[39], cs.approved);
      const replay = await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 20 }).message);
      t.equal(replay[39], cs.failure, 'the same ATC again: refused');
      // The ARQC itself is the card's: the answer authenticates the refusal (CSU: not approved).
      t.same(tag91(replay)?.subarray(4), Buffer.alloc(4), 'an ARPC declining');
      const late = await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 19 }).message);
      t.equal(late[39], cs.approved, 'a lower ATC not seen, within the window: it came late');
      t.equal((await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 53 }).message))[39], cs.approved);
      const older = await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 20 }).message);
      t.equal(older[39], cs.failure, 'an ATC 33 below the highest: older than the window, refused');
      t.match(await noticesOf(s, card.id), [
        { type: 'cryptogramFailure', reason: 'atc' },
        { type: 'cryptogramFailure', reason: 'atc' },
      ]);
      // A wrong PIN declines, with an ARPC saying so; the ATC moved all the same.
      const wrong = chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 54, pin: '9999' });
      const declined = await term.send(wrong.message);
      t.equal(declined[39], cs.wrongPin);
      const key = cryptogramKey(
        'visaCvn18',
        deriveCardMasterKey(profile('visaCvn18').issuerMasterKey, card.pan, PSN),
        wrong.atc,
      );
      const arqc = tlvByTag(decodeTlv(bytesOf(wrong.message[55]))).get('9F26')!;
      t.same(
        tag91(declined),
        Buffer.concat([arpcMethod2(key, arqc, Buffer.alloc(4)), Buffer.alloc(4)]),
        'CSU: not approved',
      );
      t.equal((await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 54 }).message))[39], cs.failure);
      t.equal((await term.send(chipPurchase(cs, term, card.pan, 'visaCvn18', { atc: 22 }).message))[39], cs.approved);
    },
  );

  t.test(`${cs.listener}: malformed field 55 is a format error naming the tag`, async (t) => {
    const s = await startSwitch(t);
    const term = await open(t, s, cs);
    const card = await chipCard(s, 'ccd5');
    const bad = async (field55: (m: IsoMessage) => IsoMessage[55], reason: string) => {
      const { message } = chipPurchase(cs, term, card.pan, 'ccd5', { atc: 1 });
      const answer = await term.send({ ...message, 55: field55(message) });
      t.equal(answer[39], cs.format, reason);
      t.ok(
        s.logs.some((l) => typeof l.reason === 'string' && l.reason.includes(reason)),
        `the reason logged: ${reason}`,
      );
    };
    const characters = term.dialect.field(55)?.encoding === 'ascii';
    const raw = (hex: string) => (characters ? hex : Buffer.from(hex, 'hex'));
    await bad(() => raw('9F260812345678'), 'field 55: tag 9F26: length 8 runs past the end of the data');
    const without = (tag: string) => (m: IsoMessage) => {
      const objects = decodeTlv(bytesOf(m[55])).filter((o) => o.tag !== tag);
      return chipField(objects, characters);
    };
    await bad(without('9F37'), 'field 55: tag 9F37 missing');
    await bad(without('9F10'), 'field 55: tag 9F10 missing');
    await bad(without('9F26'), 'field 55: tag 9F26 missing');
    const { message } = chipPurchase(cs, term, card.pan, 'ccd5', {
      atc: 1,
      spoil: (objects) => {
        objects.find((x) => x.tag === '9F10')!.value = Buffer.from('06011103A00000', 'hex');
      },
    });
    t.equal((await term.send(message))[39], cs.format, 'an unsupported cryptogram version');
    t.ok(
      s.logs.some((l) =>
        String(l.reason).includes('field 55: tag 9F10: IAD: Visa cryptogram version 17 is not supported'),
      ),
    );
  });

  t.test(
    `${cs.listener}: a genuine ARQC for other data than the message's (amount, currency, type) is a cryptogram failure`,
    async (t) => {
      const s = await startSwitch(t);
      const term = await open(t, s, cs);
      const card = await chipCard(s, 'ccd5');
      // The ARQC is made over 9F02 = 125.00, 5F2A = 208, 9C = 00 (chipPurchase); the message changes.
      const cases: [string, IsoMessage][] = [
        ['field 4 = 99999.00', { 4: '000009999900' }],
        ['field 49 = 978', { 49: '978' }],
        ['field 3 = 200000 (a refund)', { 3: '200000' }],
      ];
      let atc = 30;
      for (const [what, change] of cases) {
        const { message } = chipPurchase(cs, term, card.pan, 'ccd5', { atc: ++atc });
        const answer = await term.send({ ...message, ...change });
        t.equal(answer[39], cs.failure, `${what}: refused`);
        t.equal(answer[55], undefined, `${what}: no ARPC`);
      }
      t.match(await noticesOf(s, card.id), [
        // Newest first.
        { type: 'cryptogramFailure', reason: 'arqc', atc: 33 },
        { type: 'cryptogramFailure', reason: 'arqc', atc: 32 },
        { type: 'cryptogramFailure', reason: 'arqc', atc: 31 },
      ]);
      // The message as the ARQC says it: approved (the failed ones did not move the ATC past 40).
      const same = chipPurchase(cs, term, card.pan, 'ccd5', { atc: 40 });
      t.equal((await term.send(same.message))[39], cs.approved, 'the same data: approved');
    },
  );

  t.test(
    `${cs.listener}: a chip read without field 55 is a cryptogram failure for a card with chip keys`,
    async (t) => {
      const s = await startSwitch(t);
      const term = await open(t, s, cs);
      const iso87 = cs.listener === 'iso87';
      const withKeys = await chipCard(s, 'ccd5');
      const withoutKeys = await chipCard(s, 'ccd5', false);
      const read = (pan: string, entry: 'chip' | 'contactless' | 'magstripe') => {
        const { message } = chipPurchase(cs, term, pan, 'ccd5', { atc: 5 });
        const { 55: _dropped, ...rest } = message;
        const pos = posData({ entry, pin: false, unattended: false, capability: 'chip' }, iso87);
        return { ...rest, 22: pos };
      };
      for (const entry of ['chip', 'contactless'] as const) {
        const answer = await term.send(read(withKeys.pan, entry));
        t.equal(answer[39], cs.failure, `${entry} read without field 55: cryptogram failure`);
        t.equal(answer[55], undefined, 'no ARPC');
      }
      t.match(await noticesOf(s, withKeys.id), [
        { type: 'cryptogramFailure', reason: 'missing' },
        { type: 'cryptogramFailure', reason: 'missing' },
      ]);
      t.equal(
        (await term.send(read(withKeys.pan, 'magstripe')))[39],
        cs.approved,
        'a magstripe read (fallback): approved',
      );
      t.equal(
        (await term.send(read(withoutKeys.pan, 'chip')))[39],
        cs.approved,
        'a card without chip keys: not checked',
      );
    },
  );

  t.test(`${cs.listener}: a card without chip keys keeps today's behaviour`, async (t) => {
    const s = await startSwitch(t);
    const term = await open(t, s, cs);
    const card = await chipCard(s, 'ccd5', false);
    const { message } = chipPurchase(cs, term, card.pan, 'ccd5', {
      spoil: (objects) => {
        objects.find((x) => x.tag === '9F26')!.value = Buffer.alloc(8);
      },
    });
    const answer = await term.send(message);
    t.equal(answer[39], cs.approved, 'not checked: approved');
    t.equal(answer[55], undefined, 'no ARPC');
  });

  t.test(`${cs.listener}: the badArpc fault spoils the ARPC, and the emulated card reports it`, async (t) => {
    const s = await startSwitch(t);
    const card = await chipCard(s, 'visaCvn10');
    await s.sw.faults.create({ terminal: 'TERM0009', kind: 'badArpc', times: 1 });
    const term = await Terminal.open({
      kind: 'chip',
      terminalId: 'TERM0009',
      port: s.port(cs.listener),
      dialect: cs.dialect,
      chip: () => profile('visaCvn10'),
    });
    t.teardown(() => term.close());
    const spoiled = await term.purchase({ pan: card.pan, amount: 10_000, pin: '1234' });
    t.equal(spoiled.exchanges[0]!.arpc, 'invalid', 'reported: issuer authentication failed');
    t.equal(spoiled.actionCode, cs.approved, 'the rest of the answer as decided');
    const next = await term.purchase({ pan: card.pan, amount: 10_000, pin: '1234' });
    t.equal(next.exchanges[0]!.arpc, 'valid', 'the rule fired once');
  });
}

t.test("the emulator's chip: the test cards' profiles, and what it makes of an answer", async (t) => {
  const active = testChipOf('5019000000000008')!;
  t.equal(active.version, 'ccd5', "a dankort card's chip makes CCD cryptograms");
  t.equal(active.panSequence, '01');
  t.same(active.issuerMasterKey, Buffer.from(KEYS.dankort!.ac!, 'hex'), "its product's shipped key");
  t.equal(testChipOf('5019200000000012')!.version, 'visaCvn10', "bank-b's active card: CVN 10");
  t.equal(testChipOf('5019000000000016'), undefined, 'a card the catalogue does not have: no chip');
  const { request } = chipRequest(profile('ccd5'), {
    pan: '5019000000000016',
    amount: 1,
    currency: '208',
    date: '261121',
    type: '00',
  });
  t.equal(arpcOf(request, undefined), 'absent', 'no field 55');
  t.equal(arpcOf(request, '9F2701'), 'invalid', 'field 55 unreadable');
  t.equal(arpcOf(request, '9F270180'), 'absent', 'no tag 91');
  t.equal(arpcOf(request, Buffer.from('9108' + '00'.repeat(8), 'hex')), 'invalid', 'a wrong ARPC');
});

t.test('the badArpc fault leaves an answer without tag 91 alone', async (t) => {
  const ctx = { iccAnswer: [], response: { 39: '000' }, dialect: dialectOf('iso93ascii') };
  t.equal(spoilArpc(ctx), false);
  t.same(ctx.response, { 39: '000' });
});

t.test("the emulator's description of an exchange says what the card found of the ARPC", async (t) => {
  const iso93 = dialectOf('iso93ascii');
  const at = new Date('2026-11-21T10:15:30Z');
  const e = {
    request: { 0: '1100', 11: '000001' },
    response: { 0: '1110', 11: '000001', 39: '000' },
    timedOut: false,
    at,
  };
  t.match(describeExchange({ ...e, arpc: 'invalid' }, iso93), '!! ARPC (field 55 tag 91) wrong');
  t.match(describeExchange({ ...e, arpc: 'valid' }, iso93), 'ARPC (field 55 tag 91) verified by the card');
  t.notMatch(describeExchange(e, iso93), 'ARPC');
});

t.test('npm run terminal: a test card chip purchase prints its ATC for the next run; --atc sets it', async (t) => {
  const s = await startSwitch(t);
  // The active test card, registered as seeding does: its chip (CCD, PAN sequence number 01) is the emulator's.
  const pan = '5019000000000008';
  await addCard(s.sw, { pan, product: 'dankort', panSequence: '01', pin: '1234' });
  const run = async (...extra: string[]) => {
    const out: string[] = [];
    const argv = ['purchase', '--type', 'chip', '--card', pan, '--amount', '10.00', '--pin', '1234'];
    const code = await main([...argv, '--port', String(s.port('iso93')), ...extra], {
      out: (x) => out.push(x),
      err: (x) => out.push(x),
    });
    return { code, out: out.join('') };
  };
  const first = await run('--atc', '41');
  t.equal(first.code, 0, 'approved');
  t.match(first.out, 'ARPC (field 55 tag 91) verified by the card');
  t.match(first.out, 'Chip ATC 41: the next run of this card --atc 42');
  const replay = await run('--atc', '41');
  t.equal(replay.code, 1, 'declined');
  t.match(replay.out, 'DECLINED 184');
  t.equal((await run('--atc', '0')).code, 2, '--atc 0: a usage error');
  t.equal((await run('--atc', '65536')).code, 2, '--atc 65536: a usage error');
});
