/**
 * Pre-packed request templates: a STAN and terminal id patched into a template give exactly the
 * bytes that packing the request with that STAN and terminal id gives, in all three dialects;
 * likewise for the follow-ups (completion and reversal advices) with the original's STAN in
 * field 56.
 */
import t from 'tap';
import { SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import { decryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { FrameReader, type FramingSpec, encodeFrame } from '../../src/transport/framing.js';
import { planCards, wrongPinOf } from '../../bench/load/cards.js';
import { type FollowUp, type MixEntry, loadMix } from '../../bench/load/mix.js';
import { FRAMING_OF } from '../../bench/load/switch-config.js';
import {
  buildTemplates,
  followUpFor,
  frameFrom,
  is1987,
  localTimeAt,
  locateFields,
  locateOriginalStan,
  mtiIn,
  patchStan,
  requestFor,
  stanEncoding,
  terminalIdOf,
  toWire,
} from '../../bench/load/templates.js';
import { localTimeOf } from '../../src/messages/transaction-data.js';

const AT = new Date('2026-11-21T14:30:15Z');
const mix = loadMix('default');
// A few cards per pool keep the test quick; the templates are built the same way for 2,000.
const small = { ...mix, cards: Object.fromEntries(Object.entries(mix.cards).map(([k, v]) => [k, { ...v, count: 3 }])) };
const plan = planCards(small);
const withThen = small.entries.filter((e): e is MixEntry & { then: FollowUp } => e.then !== undefined);
const headerOf = (framing: FramingSpec): number => (framing.header === 'ascii4' ? 4 : 2);

for (const name of SHIPPED_DIALECTS) {
  t.test(`${name}: a patched template is byte for byte the request packed with that STAN and terminal`, async (t) => {
    const d = dialect(name);
    const framing = FRAMING_OF[name];
    const { templates, byEntry } = buildTemplates(d, framing, small, plan, AT);
    t.equal(withThen.length, 2, 'the default mix has two entries with a follow-up');
    t.equal(
      templates.length,
      (small.entries.length + withThen.length) * 3,
      'a follow-up template per card of those entries',
    );
    t.same(
      byEntry.map((l) => l.length),
      small.entries.map(() => 3),
      'follow-ups are not picked at random',
    );
    const wire = toWire(templates, stanEncoding(d));
    t.equal(wire.stanEncoding, name === 'iso93binary' ? 'bcd' : 'ascii');
    let checked = 0;
    for (const [e, entry] of small.entries.entries()) {
      for (const [j, card] of plan.get(entry.cards)!.entries()) {
        const i = byEntry[e]![j]!;
        t.equal(wire.entry[i], e);
        t.equal(wire.origStanAt[i], -1, 'a first request names no original');
        t.equal(wire.followUp[i], entry.then === undefined ? -1 : i + 1, 'its follow-up (same card) comes next');
        for (const [stan, conn] of [
          [1, 0],
          [123_456, 42],
          [999_999, 9_999_999],
          [70_809, 1234],
        ] as const) {
          const terminal = terminalIdOf(conn);
          const expected = encodeFrame(
            framing,
            d.pack(requestFor(d, entry, card, AT, String(stan).padStart(6, '0'), terminal)),
          );
          const got = frameFrom(wire, i, stan, Buffer.from(terminal, 'latin1'));
          if (!got.equals(expected))
            t.fail(`${entry.name} card ${j} STAN ${stan}: ${got.toString('hex')} != ${expected.toString('hex')}`);
          checked++;
        }
      }
    }
    t.equal(checked, small.entries.length * 3 * 4);
    // The template itself is left alone: each send copies it.
    t.equal(d.unpack(templates[0]!.frame.subarray(headerOf(framing)))[11], '000000');
  });

  t.test(
    `${name}: a patched follow-up is byte for byte the advice packed with its STAN, its original's STAN and terminal`,
    async (t) => {
      const d = dialect(name);
      const framing = FRAMING_OF[name];
      const { templates, byEntry } = buildTemplates(d, framing, small, plan, AT);
      const wire = toWire(templates, stanEncoding(d));
      let checked = 0;
      for (const entry of withThen) {
        const e = small.entries.indexOf(entry);
        for (const [j, card] of plan.get(entry.cards)!.entries()) {
          const f = wire.followUp[byEntry[e]![j]!]!;
          t.ok(wire.origStanAt[f]! > wire.stanAt[f]!, 'field 56 comes after field 11');
          t.equal(wire.entry[f], e);
          t.equal(wire.followUp[f], -1, 'no follow-up of a follow-up');
          for (const [stan, original, conn] of [
            [2, 1, 0],
            [123_457, 123_456, 42],
            [1, 999_999, 9_999_999],
            [70_810, 4_321, 1234],
          ] as const) {
            const terminal = terminalIdOf(conn);
            const pad = (n: number): string => String(n).padStart(6, '0');
            const expected = encodeFrame(
              framing,
              d.pack(followUpFor(d, entry, card, AT, pad(stan), pad(original), terminal)),
            );
            const got = frameFrom(wire, f, stan, Buffer.from(terminal, 'latin1'), original);
            if (!got.equals(expected))
              t.fail(
                `${entry.name} then, card ${j} STAN ${stan} original ${original}: ${got.toString('hex')} != ${expected.toString('hex')}`,
              );
            const m = d.unpack(got.subarray(headerOf(framing)));
            if (
              m[11] !== pad(stan) ||
              m[56] !== `${mtiIn(d, entry.mti)}${pad(original)}${localTimeAt(AT)}` ||
              m[41] !== terminal
            )
              t.fail(`${entry.name} then: fields 11 ${m[11]}, 56 ${m[56]}, 41 ${m[41]}`);
            checked++;
          }
        }
      }
      t.equal(checked, withThen.length * 3 * 4);
      t.throws(
        () =>
          frameFrom(
            wire,
            wire.followUp[byEntry[small.entries.indexOf(withThen[0]!)]![0]!]!,
            1,
            Buffer.from('B0000001'),
          ),
        RangeError,
        "a follow-up needs its original's STAN",
      );
    },
  );

  t.test(`${name}: what the follow-ups say`, async (t) => {
    const d = dialect(name);
    const iso87 = name === 'iso87ascii';
    t.equal(is1987(d), iso87);
    const card = plan.get('active')![2]!;
    const fuel = withThen.find((e) => e.name === 'fuel-completion')!;
    const psam = withThen.find((e) => e.name === 'psam-reversal')!;
    const auth = d.unpack(d.pack(requestFor(d, fuel, card, AT, '000041', 'B0000003')));
    const completion = d.unpack(d.pack(followUpFor(d, fuel, card, AT, '000042', '000041', 'B0000003')));
    t.equal(auth[0], iso87 ? '0100' : '1100');
    t.equal(completion[0], iso87 ? '0220' : '1220');
    t.equal(completion[2], card.pan, 'the same card');
    t.equal(completion[41], auth[41], 'the same terminal');
    t.equal(completion[3], auth[3]);
    t.equal(completion[49], '208');
    t.equal(auth[4], '000000100000', 'a maximum of 1000.00 DKK');
    t.equal(completion[4], '000000043725', 'what was pumped');
    t.equal(completion[12], auth[12]);
    t.equal(completion[56], `${auth[0]}000041261121143015`, 'original MTI, STAN, local date and time');
    t.notOk(52 in completion, 'no PIN in an advice');
    const sale = d.unpack(d.pack(requestFor(d, psam, card, AT, '000007', 'B0000003')));
    const reversal = d.unpack(d.pack(followUpFor(d, psam, card, AT, '000008', '000007', 'B0000003')));
    t.equal(reversal[0], iso87 ? '0420' : '1420');
    t.equal(reversal[4], sale[4], 'a full reversal');
    t.equal(reversal[56], `${sale[0]}000007261121143015`);
    if (iso87) {
      // The switch names a 1987 transaction by the year of its own date, field 13 and field 12.
      t.equal(sale[13], '1121');
      t.equal(completion[13], '1121');
      t.notOk(
        24 in completion || 25 in completion || 24 in reversal || 25 in reversal,
        'no function or reason code in 1987',
      );
    } else {
      t.notOk(13 in sale, 'field 13 is another thing in 1993 dialects');
      t.equal(completion[24], '202', 'another amount than authorized');
      t.notOk(25 in completion);
      t.equal(reversal[24], '400', 'full reversal');
      t.equal(reversal[25], '4021', 'timeout');
    }
    t.equal(localTimeOf(sale, AT), (reversal[56] as string).slice(10), 'field 56 names the sale as the switch does');
    t.equal(
      localTimeOf(sale, new Date('2026-11-21T23:59:59Z')),
      (reversal[56] as string).slice(10),
      'received later the same year',
    );
    // The same amount as authorized: 201; a partial reversal: 401.
    const whole = d.unpack(d.pack(followUpFor(d, { ...fuel, then: { ...fuel.then, amount: fuel.amount } }, card, AT)));
    const partial = d.unpack(d.pack(followUpFor(d, { ...psam, then: { ...psam.then, amount: 100 } }, card, AT)));
    t.equal(partial[4], '000000000100');
    if (!iso87) {
      t.equal(whole[24], '201');
      t.equal(partial[24], '401');
    }
  });

  t.test(`${name}: what the requests say (PIN blocks, entry mode, amounts)`, async (t) => {
    const d = dialect(name);
    const iso87 = name === 'iso87ascii';
    const card = plan.get('active')![1]!;
    const byName = (n: string) => small.entries.find((e) => e.name === n)!;
    const right = d.unpack(d.pack(requestFor(d, byName('purchase-pin'), card, AT)));
    t.equal(right[2], card.pan);
    t.equal(right[4], '000000012550');
    t.equal(right[12], iso87 ? '143015' : '261121143015');
    t.equal(decryptPinBlockFormat0(right[52] as Buffer, card.pan, TEST_PIN_KEY.key), card.pin);
    t.equal(right[22], iso87 ? '051' : '510101511344', 'chip, not contactless');
    const wrongCard = plan.get('wrongPin')![0]!;
    const wrong = d.unpack(d.pack(requestFor(d, byName('wrong-pin'), wrongCard, AT)));
    t.equal(decryptPinBlockFormat0(wrong[52] as Buffer, wrongCard.pan, TEST_PIN_KEY.key), wrongPinOf(wrongCard.pin));
    const cl = d.unpack(d.pack(requestFor(d, byName('contactless'), plan.get('contactless')![0]!, AT)));
    t.notOk(52 in cl, 'no PIN');
    if (iso87) t.equal(cl[22], '071');
    else t.equal((cl[22] as string)[6], 'A', 'position 7: contactless chip');
    const refund = d.unpack(d.pack(requestFor(d, byName('refund'), card, AT)));
    t.equal(refund[3], '200000');
  });
}

t.test('STAN patching: ASCII digits and packed BCD, at the offset', async (t) => {
  const b = Buffer.alloc(10, 0xee);
  patchStan(b, 2, 123_456, 'ascii');
  t.equal(b.toString('hex'), 'eeee313233343536eeee');
  patchStan(b, 2, 7, 'bcd');
  t.equal(b.toString('hex'), 'eeee000007343536eeee');
  patchStan(b, 0, 999_999, 'bcd');
  t.equal(b.subarray(0, 3).toString('hex'), '999999');
  patchStan(b, 4, 0, 'ascii');
  t.equal(b.subarray(4).toString('latin1'), '000000');
});

t.test('terminal ids: B and 7 digits, one per connection', async (t) => {
  t.equal(terminalIdOf(0), 'B0000000');
  t.equal(terminalIdOf(1234), 'B0001234');
  t.equal(terminalIdOf(9_999_999), 'B9999999');
  t.throws(() => terminalIdOf(10_000_000), RangeError);
  t.throws(() => terminalIdOf(-1), RangeError);
});

t.test('locating fields 11 and 41; messages without them, or unreadable, are refused', async (t) => {
  const d = dialect('iso93ascii');
  const body = d.pack({ 0: '1804', 7: '1121101530', 11: '000042', 24: '831', 41: 'TERM0001' });
  const { stanAt, termAt } = locateFields(d, body);
  t.equal(body.subarray(stanAt, stanAt + 6).toString(), '000042');
  t.equal(body.subarray(termAt, termAt + 8).toString(), 'TERM0001');
  t.throws(
    () => locateFields(d, d.pack({ 0: '1804', 7: '1121101530', 24: '831', 41: 'TERM0001' })),
    /field 11 is not a fixed 6-byte field/,
  );
  t.throws(() => locateFields(d, body.subarray(0, body.length - 3)), /field 41/);
});

t.test("locating the original's STAN in field 56; a field 56 of another shape is refused", async (t) => {
  const fuel = withThen[0]!;
  const card = plan.get('active')![0]!;
  for (const name of SHIPPED_DIALECTS) {
    const d = dialect(name);
    const body = d.pack(followUpFor(d, fuel, card, AT, '000002', '654321'));
    const at = locateOriginalStan(d, body);
    const bytes = body.subarray(at, at + (name === 'iso93binary' ? 3 : 6));
    t.equal(name === 'iso93binary' ? bytes.toString('hex') : bytes.toString('latin1'), '654321', name);
    t.throws(
      () => locateOriginalStan(d, d.pack(requestFor(d, fuel, card, AT))),
      /field 56 is not 22 digits/,
      `${name}: no field 56`,
    );
    const longer = d.pack({ ...followUpFor(d, fuel, card, AT), 56: `1100000001261121143015${'06123456'}` });
    t.throws(() => locateOriginalStan(d, longer), /field 56 is not 22 digits/, `${name}: an acquirer id after it`);
  }
});

t.test('in a 1987 dialect, 1993 MTIs are sent as 1987 ones', async (t) => {
  t.equal(mtiIn(dialect('iso87ascii'), '1200'), '0200');
  t.equal(mtiIn(dialect('iso87ascii'), '0420'), '0420');
  t.equal(mtiIn(dialect('iso93ascii'), '1220'), '1220');
  t.equal(mtiIn(dialect('iso93binary'), '0200'), '0200', 'a 1987 MTI of a mix is left alone');
});

t.test('with a TPDU, the offsets account for it', async (t) => {
  const d = dialect('iso93binary');
  const framing: FramingSpec = { header: 'bcd2', tpdu: true, maxFrameSize: 9999 };
  const one = { ...small, entries: [small.entries[0]!] };
  const { templates } = buildTemplates(d, framing, one, plan, AT);
  const wire = toWire(templates, 'bcd');
  const frame = frameFrom(wire, 0, 4321, Buffer.from('B0000007'));
  const [f] = new FrameReader(framing).push(frame);
  t.equal(f!.tpdu!.length, 5);
  const m = d.unpack(f!.body);
  t.equal(m[11], '004321');
  t.equal(m[41], 'B0000007');
  const fuel = { ...small, entries: [withThen[0]!] };
  const built = buildTemplates(d, framing, fuel, plan, AT);
  const advice = frameFrom(toWire(built.templates, 'bcd'), 1, 4322, Buffer.from('B0000007'), 4321);
  const a = d.unpack(new FrameReader(framing).push(advice)[0]!.body);
  t.equal(a[11], '004322');
  t.equal(a[56], '1100004321261121143015');
});

t.test("an internet entry's request: the card's expiry and CVC, 3-D Secure, electronic commerce, no PIN", async (t) => {
  const entry = small.entries.find((e) => e.channel === 'internet');
  t.ok(entry, 'the default mix has an internet entry');
  const card = plan.get(entry!.cards)![0]!;
  const m93 = requestFor(dialect('iso93ascii'), entry!, card, AT);
  t.match(m93, { 14: '3012', 22: '600550S00000', 48: `02003${card.cvc}03001T` });
  t.equal(m93[52], undefined, 'no PIN block');
  t.equal(card.cvc, card.pin.slice(1), "the CVC: the last three digits of the card's PIN");
  const m87 = requestFor(dialect('iso87ascii'), entry!, card, AT);
  t.match(m87, { 14: '3012', 22: '812', 25: '59', 48: `02003${card.cvc}03001T` });
});
